"""Stock item rows -> :class:`StockItem` (tally-xml.md §3.3): the hot path of a 100,000-item
export (bench/tally_export.py), so each element of the row is touched once: one C-level
pass over the row's children, one over each sub-list entry, and no tree search. ``field``
tracks what is being read so that an unreadable value is still reported with its row and tag.

* closing quantity `` 10 Nos`` (compound units resolved against the base unit), rate
  ``100.00/Nos``, value a signed decimal (stock is a debit, exported negative: the record
  holds the value on hand, positive); empty values stay ``None`` (§7.3).
* standard price: the rate of the latest ``STANDARDPRICELIST.LIST`` entry.
* HSN: the latest ``HSNDETAILS.LIST`` code (TallyPrime 3.0+), else ``GSTDETAILS.LIST``, else
  ``INFGSTHSNCODE``; a system value (``&#4; Not Applicable``) is no code.
* godown-wise closing quantities from ``GODOWNBALANCES.LIST``/``BATCHALLOCATIONS.LIST``
  (``GODOWNNAME`` + ``CLOSINGBALANCE``), summed over batches, first-seen order.

The record is built by pydantic's ``model_validate`` from the values read here (all already
of the field's type). ``model_construct`` would skip the checks but is slower in pydantic 2
(it runs in Python, validation in Rust), so the model is still validated.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree
from mlc_shared.domain.tally import StockItem

from tally_agent.errors import TallyProtocolError
from tally_agent.protocol.decode import SYSTEM_MARK
from tally_agent.protocol.rows import TOP_LEVEL, Row, user_text
from tally_agent.protocol.values import (
    parse_amount,
    parse_date,
    parse_number,
    parse_quantity,
    parse_rate,
)

GODOWN_LISTS = ("GODOWNBALANCES.LIST", "BATCHALLOCATIONS.LIST")
GODOWN_QTY_FIELDS = ("CLOSINGBALANCE", "BALANCE", "ACTUALQTY")
HSN_LISTS = ("HSNDETAILS.LIST", "GSTDETAILS.LIST")
_ZERO = Decimal(0)
_validate = StockItem.model_validate

Children = dict[str, etree._Element]


def _all(element: etree._Element, children: Children, tag: str) -> list[etree._Element]:
    """Every ``tag`` child, in order. ``children`` keeps the last child of each tag, so only
    a row with more children than tags (several ``*.LIST`` entries) needs lxml's search."""
    if len(children) == len(element):
        entry = children.get(tag)
        return [] if entry is None else [entry]
    return list(element.iterchildren(tag))


def stock_item(element: etree._Element) -> StockItem:
    # One C-level pass over the children, one dict of their texts; no tree search per field.
    children = {child.tag: child for child in element}
    texts = {tag: child.text for tag, child in children.items()}
    text = texts.get
    name = element.get("NAME") or Row(element, "stock item").name
    name = name.replace(SYSTEM_MARK, "").strip()
    field = "NAME"
    try:
        if not name:
            raise ValueError("missing")
        field = "GUID"
        guid = (text("GUID") or "").strip()
        if not guid:
            raise ValueError("missing")
        field = "MASTERID"
        master_id = parse_number(text("MASTERID"))
        if master_id is None:
            raise ValueError("missing")
        field = "ALTERID"
        alter_id = parse_number(text("ALTERID"))
        if alter_id is None:
            raise ValueError("missing")
        base_unit = (text("BASEUNITS") or "").strip() or None
        field = "CLOSINGBALANCE"
        quantity = parse_quantity(text("CLOSINGBALANCE"), base_unit)
        field = "CLOSINGRATE"
        rate = parse_rate(text("CLOSINGRATE"))
        field = "CLOSINGVALUE"
        value = parse_amount(text("CLOSINGVALUE"))
        if len(children) == len(element):
            # The usual shape, each list at most once: read in place (the hot path; the
            # general readers below give the same result, tests/unit check both).
            field = "STANDARDPRICELIST"
            price = None
            entry = children.get("STANDARDPRICELIST.LIST")
            if entry is not None:
                for child in entry:
                    if child.tag == "RATE":
                        found = parse_rate(child.text)
                        price = found[0] if found else None
            field = "HSNDETAILS"
            hsn = None
            for list_tag in HSN_LISTS:
                entry = children.get(list_tag)
                if entry is not None:
                    for child in entry:
                        if child.tag == "HSNCODE":
                            hsn = user_text(child.text)
                    if hsn:
                        break
            field = "BATCHALLOCATIONS"
            godowns: list[dict[str, object]] = []
            entry = children.get(GODOWN_LISTS[0]) or children.get(GODOWN_LISTS[1])
            if entry is not None:
                fields = {child.tag: child.text for child in entry}
                godown = user_text(fields.get("GODOWNNAME"))
                if godown:
                    godowns.append({"godown": godown, "qty": _godown_qty(fields, base_unit)})
        else:
            field = "STANDARDPRICELIST"
            price = _standard_price(_all(element, children, "STANDARDPRICELIST.LIST"))
            field = "HSNDETAILS"
            hsn = _hsn(element, children)
            field = "BATCHALLOCATIONS"
            godowns = _godowns(element, children, base_unit)
        hsn = hsn or user_text(text("INFGSTHSNCODE"))
    except (ValueError, ArithmeticError) as exc:  # decimal's signals too
        raise TallyProtocolError(f"stock item {name!r}, field {field}: {exc}") from None
    parent = text("PARENT")
    if parent is not None:
        parent = (
            None if parent.strip() in ("", TOP_LEVEL) else parent.replace(SYSTEM_MARK, "").strip()
        )
    language = children.get("LANGUAGENAME.LIST")
    if language is None or (
        len(language) == 1 and len(language[0]) < 2 and len(children) == len(element)
    ):
        aliases: tuple[str, ...] = ()  # the usual case: one NAME.LIST holding just the name
    else:
        aliases = Row(element, "stock item", name).aliases()
    return _validate(
        {
            "name": name,
            "guid": guid,
            "master_id": master_id,
            "alter_id": alter_id,
            "parent": parent,
            "base_unit": base_unit,
            "aliases": aliases,
            "part_number": user_text(text("PARTNO")),
            "closing_qty": quantity.value if quantity else None,
            "closing_rate": rate[0] if rate else None,
            "closing_value": -value if value is not None else None,
            "standard_price": price,
            "hsn_code": hsn,
            "godowns": godowns,
        }
    )


def _latest(dated: list[tuple[str | None, str | None]]) -> str | None:
    """The value of the ``(date, value)`` pair with the latest date; a lone pair needs none."""
    if len(dated) == 1:
        return dated[0][1]
    return max(dated, key=lambda pair: parse_date(pair[0]) or date.min)[1]


def _standard_price(entries: list[etree._Element]) -> Decimal | None:
    dated: list[tuple[str | None, str | None]] = []
    for entry in entries:
        day = rate = None
        for child in entry:
            tag = child.tag
            if tag == "RATE":
                rate = child.text
            elif tag == "DATE":
                day = child.text
        dated.append((day, rate))
    found = parse_rate(_latest(dated)) if dated else None
    return found[0] if found else None


def _hsn(element: etree._Element, children: Children) -> str | None:
    if "HSNDETAILS.LIST" in children:
        dated: list[tuple[str | None, str | None]] = []
        for entry in _all(element, children, "HSNDETAILS.LIST"):
            day = code = None
            for child in entry:
                tag = child.tag
                if tag == "HSNCODE":
                    code = user_text(child.text)
                elif tag == "APPLICABLEFROM":
                    day = child.text
            if code:
                dated.append((day, code))
        if dated:
            return _latest(dated)
    if "GSTDETAILS.LIST" in children:
        for entry in _all(element, children, "GSTDETAILS.LIST"):
            for child in entry:
                if child.tag == "HSNCODE":
                    code = user_text(child.text)
                    if code:
                        return code
    return None


def _godowns(
    element: etree._Element, children: Children, base_unit: str | None
) -> list[dict[str, object]]:
    """As plain dicts: pydantic builds the ``GodownQuantity`` records in one go."""
    totals: dict[str, Decimal] = {}
    for list_tag in GODOWN_LISTS:
        if list_tag not in children:
            continue
        for entry in _all(element, children, list_tag):
            fields = {child.tag: child.text for child in entry}
            godown = user_text(fields.get("GODOWNNAME"))
            if not godown:
                continue
            totals[godown] = totals.get(godown, _ZERO) + _godown_qty(fields, base_unit)
        if totals:
            break
    return [{"godown": g, "qty": q} for g, q in totals.items()]


def _godown_qty(fields: dict[str, str | None], base_unit: str | None) -> Decimal:
    """The first quantity field present; none (or empty) counts as nothing held there."""
    for tag in GODOWN_QTY_FIELDS:
        if tag in fields:
            qty = parse_quantity(fields[tag], base_unit)
            return qty.value if qty else _ZERO
    return _ZERO
