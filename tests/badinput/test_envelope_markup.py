"""Markup in names and narrations cannot change the structure of a Tally envelope (issue 8,
"Security").

Property: the agent renders import envelopes (vouchers and masters, tally-xml.md §4) with
item, ledger, party, godown, cost centre names, numbers and narrations drawn from markup
(``</NAME>``, ``<ENVELOPE>``, ``]]>``, ``&``, ``&#4;``, quotes, line breaks) and any text.
Parsed by a strict XML parser, the envelope has exactly the element structure of the same
voucher with plain placeholder names, and every field holds exactly the string given. Text
XML cannot carry (C0 controls, U+FFFE/U+FFFF, lone surrogates, the agent's own system-value
mark) is refused before rendering, with the reason, never half-written.

End to end: names and a narration full of markup go through the agent into the TallyPrime
simulator over HTTP and come back, read by the agent, exactly as given.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from mlc_shared.domain.tally import (
    CostCentreSpec,
    GroupSpec,
    LedgerSpec,
    MasterSpec,
    StockItemSpec,
    Voucher,
)
from tally_agent.importer import Importer, ImportOptions
from tally_agent.incremental import export_masters, export_vouchers
from tally_agent.kinds import LEDGERS, STOCK_ITEMS
from tally_agent.protocol.envelopes import RequestContext, import_data
from tally_agent.protocol.masters import UnrenderableMaster, render_master
from tally_agent.protocol.vouchers import UnrenderableVoucher, render_voucher
from tally_agent.protocol.xmltext import unwritable

from tests.unit.tally_agent.simulator import client_for, reader_for, running_simulator
from tests.unit.tally_agent.vouchers_fixture import sales

MARKUP = [
    "</NAME>",
    "<NAME>",
    "<ENVELOPE>",
    "</ENVELOPE>",
    "</TALLYMESSAGE><TALLYMESSAGE>",
    '<VOUCHER ACTION="Delete">',
    "]]>",
    "<![CDATA[",
    "<!--",
    "-->",
    "<?xml version='1.0'?>",
    '<!DOCTYPE x [<!ENTITY a "b">]>',
    "&",
    "&amp;",
    "&#4;",
    "&#4; ",
    "&lt;",
    "&a;",
    '"',
    "'",
    "\t",
    "\n",
    "\r",
    "\r\n",
    " ",
    "%",
    "$$SysName:XML",
    "राम",
    "ร้าน",
    "\u202e",
    "\U0001f600",
]
UNWRITABLE = [chr(c) for c in range(32) if chr(c) not in "\t\n\r"] + [
    "\x84",
    "\ufffe",
    "\uffff",
    "\ud800",
    "\udfff",
]
# Never empty: an empty optional text (narration, GSTIN) is left out of the envelope, which
# is a different structure by design.
markup_text = (
    st.lists(st.one_of(st.sampled_from(MARKUP), st.text(max_size=3)), min_size=1, max_size=6)
    .map("".join)
    .filter(bool)
)
any_text = (
    st.lists(
        st.one_of(st.sampled_from(MARKUP), st.sampled_from(UNWRITABLE), st.text(max_size=3)),
        min_size=1,
        max_size=6,
    )
    .map("".join)
    .filter(bool)
)

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
STRICT = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, strip_cdata=False, huge_tree=False
)
VOUCHER_SLOTS = (
    "number",
    "party",
    "item",
    "sales_ledger",
    "tax_ledger",
    "shipping_ledger",
    "godown",
    "cost_centre",
    "narration",
    "remote_id",
    "unit",
    "batch",
    "category",
    "voucher_type",
)


def as_sent(text: str) -> etree._Element:
    """The envelope as TallyClient sends it (UTF-16LE with a BOM, §1.2), parsed strictly:
    a syntax error here would be an envelope Tally cannot read."""
    return etree.fromstring(b"\xff\xfe" + text.encode("utf-16-le"), STRICT)


def shape_and_values(root: etree._Element) -> tuple[list[Any], dict[tuple[str, str], str]]:
    """The element skeleton (path, tag, attribute names, tail) and every text and attribute
    value by (path, where)."""
    tree = root.getroottree()
    shape: list[Any] = []
    values: dict[tuple[str, str], str] = {}
    for element in root.iter():
        assert isinstance(element.tag, str), f"a non-element node: {element!r}"
        path = tree.getpath(element)
        shape.append((path, element.tag, sorted(element.attrib), element.tail))
        if element.text is not None:
            values[(path, "text")] = element.text
        for name, value in element.attrib.items():
            values[(path, f"@{name!s}")] = str(value)
    return shape, values


def assert_same_structure(
    placeholders: dict[str, str], given_: dict[str, str], render: Any
) -> None:
    """Render with placeholders and with the given strings; same skeleton, and each value
    is the placeholder rendering with every placeholder replaced by its given string."""
    shape, expected = shape_and_values(as_sent(render(placeholders)))
    shape_given, found = shape_and_values(as_sent(render(given_)))
    assert shape_given == shape
    assert set(found) == set(expected)
    for where, template in expected.items():
        for slot, placeholder in placeholders.items():
            template = template.replace(placeholder, given_[slot])
        assert found[where] == template, where


def voucher_of(texts: dict[str, str]) -> Voucher:
    voucher = sales(
        texts["number"],
        party=texts["party"],
        item=texts["item"],
        sales_ledger=texts["sales_ledger"],
        tax_ledger=texts["tax_ledger"],
        shipping_ledger=texts["shipping_ledger"],
        godown=texts["godown"],
        cost_centre=texts["cost_centre"],
        narration=texts["narration"],
        remote_id=texts["remote_id"],
    )
    [item] = voucher.inventory_entries
    centres = tuple(c.model_copy(update={"category": texts["category"]}) for c in item.cost_centres)
    item = item.model_copy(
        update={"unit": texts["unit"], "batch": texts["batch"], "cost_centres": centres}
    )
    return voucher.model_copy(
        update={"inventory_entries": (item,), "voucher_type_name": texts["voucher_type"]}
    )


def render_vouchers(texts: dict[str, str]) -> str:
    ctx = RequestContext(company=texts.get("company", "Acme"))
    return import_data(ctx, "Vouchers", [render_voucher(voucher_of(texts))])


@SETTINGS
@given(texts=st.fixed_dictionaries({slot: any_text for slot in VOUCHER_SLOTS}))
@example(texts=dict.fromkeys(VOUCHER_SLOTS, "A </NAME><ENVELOPE> ]]> & &#4; \"q\" 'a'"))
@example(texts={**dict.fromkeys(VOUCHER_SLOTS, "x"), "narration": "line one\r\nline\ttwo"})
@example(texts={**dict.fromkeys(VOUCHER_SLOTS, "x"), "party": "Ram \x84 Sons"})
@example(texts={**dict.fromkeys(VOUCHER_SLOTS, "x"), "item": "bad \ufffe item"})
@example(
    texts={**dict.fromkeys(VOUCHER_SLOTS, "x"), "category": "Cat\x01"}
)  # once a bare ValueError
def test_voucher_texts_round_trip_exactly_or_are_refused_with_the_reason(
    texts: dict[str, str],
) -> None:
    problems = [unwritable(text) for text in texts.values()]
    if any(problems):
        with pytest.raises(UnrenderableVoucher) as refused:
            render_voucher(voucher_of(texts))
        assert "contains" in str(refused.value)
        assert any(p is not None and p in str(refused.value) for p in problems)
        return
    placeholders = {slot: f"@{slot}@" for slot in VOUCHER_SLOTS}
    assert_same_structure(placeholders, texts, render_vouchers)


MASTER_SLOTS = ("name", "parent", "gstin", "state", "unit", "hsn", "part", "category", "company")


def masters_of(texts: dict[str, str]) -> list[MasterSpec]:
    return [
        LedgerSpec(
            name=texts["name"], parent=texts["parent"], gstin=texts["gstin"], state=texts["state"]
        ),
        GroupSpec(name=texts["name"], parent=texts["parent"]),
        CostCentreSpec(name=texts["name"], parent=texts["parent"], category=texts["category"]),
        StockItemSpec(
            name=texts["name"],
            base_unit=texts["unit"],
            parent=texts["parent"],
            hsn_code=texts["hsn"],
            part_number=texts["part"],
        ),
    ]


def render_masters(texts: dict[str, str]) -> str:
    ctx = RequestContext(company=texts["company"], username=texts["name"], password=texts["part"])
    return import_data(ctx, "All Masters", [render_master(spec) for spec in masters_of(texts)])


def _render_all(specs: list[MasterSpec]) -> None:
    for spec in specs:
        render_master(spec)


# Master specs refuse lone surrogates themselves (pydantic: "unable to parse raw data as a
# unicode string"), before any rendering; the other unwritable characters reach the renderer.
master_text = any_text.filter(lambda text: not any("\ud800" <= ch <= "\udfff" for ch in text))


@SETTINGS
@given(
    texts=st.fixed_dictionaries(
        {slot: master_text if slot != "company" else markup_text for slot in MASTER_SLOTS}
    )
)
@example(texts=dict.fromkeys(MASTER_SLOTS, "Duties & Taxes </NAME><NAME>x</NAME> ]]>"))
def test_master_texts_round_trip_exactly_or_are_refused_with_the_reason(
    texts: dict[str, str],
) -> None:
    # Masters refuse line breaks too (no master name has one): every C0 control.
    refused = [
        text
        for slot, text in texts.items()
        if slot != "company" and (unwritable(text) or any(ch in text for ch in "\t\n\r"))
    ]
    if refused:
        specs = masters_of(texts)
        with pytest.raises(UnrenderableMaster, match="contains"):
            _render_all(specs)
        return
    placeholders = {slot: f"@{slot}@" for slot in MASTER_SLOTS}
    assert_same_structure(placeholders, texts, render_masters)


# -- end to end through the TallyPrime simulator -----------------------------------------------

PARTY = "Ram & Sons </NAME><ENVELOPE> \"Retail\" 'A' <Ltd>"
SALES_LEDGER = 'Sales <LEDGER NAME="x" ACTION="Delete"/> &amp; ]]> more'
ITEM = "Lamp ]]> <![CDATA[x]]> &#4; Primary & राम"
NARRATION = (
    'PO 1 </NARRATION></VOUCHER><VOUCHER ACTION="Delete"> &#4; ]]> "q" \'s\' '
    "राम ร้าน\ttab <!-- c --> &lt;"
)
NUMBER = "WM-<1>&'2'"


async def test_markup_names_and_narration_reach_tally_and_come_back_exactly() -> None:
    async with running_simulator() as (sim, _), client_for(sim) as client:
        reader = reader_for(client)
        company = await reader.open_company()
        work = Importer(reader.for_company(company), company, ImportOptions())
        outcomes = await work.create_masters(
            [
                LedgerSpec(name=PARTY, parent="Sundry Debtors", is_bill_wise=True),
                LedgerSpec(name=SALES_LEDGER, parent="Sales Accounts"),
                StockItemSpec(name=ITEM, base_unit="Nos"),
            ]
        )
        assert [o.outcome for o in outcomes] == ["created"] * 3, outcomes
        voucher = sales(
            NUMBER,
            party=PARTY,
            item=ITEM,
            sales_ledger=SALES_LEDGER,
            cost_centre=None,
            narration=NARRATION,
        )
        [outcome] = await work.import_vouchers([voucher])
        assert outcome.outcome == "created", outcome
        ledgers = {
            x.name for p in [p async for p in export_masters(reader, LEDGERS, 0)] for x in p.records
        }
        items = {
            x.name
            for p in [p async for p in export_masters(reader, STOCK_ITEMS, 0)]
            for x in p.records
        }
        day = date(2025, 4, 15)
        found = [v async for _, _, _, vs in export_vouchers(reader, day, day) for v in vs]
        # Posting it again finds it by number and narration: no second voucher.
        [again] = await work.import_vouchers([voucher])
    assert {PARTY, SALES_LEDGER} <= ledgers
    assert ITEM in items
    [posted] = found
    # (The number itself is Tally's: Sales numbering is automatic, §4.7.)
    assert (posted.party_ledger, posted.narration, posted.reference) == (
        PARTY,
        NARRATION,
        f"REF-{NUMBER}",
    )
    assert again.outcome == "exists", again
