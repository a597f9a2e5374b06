"""Character sets (tally-xml.md §1.2, §7.2) and escaping round trips (§7.6)."""

from __future__ import annotations

import httpx
import pytest
from tally_sim import TallySimulator

from tests.sandbox.tally_sim.support import (
    UTF8,
    UTF16,
    collection,
    company,
    counters,
    esc,
    ledger,
    legacy_import,
    parse,
    post,
    rows,
)

HINDI = "श्री गणेश ट्रेडर्स"
THAI = "บริษัท สยามค้าส่ง จำกัด"
HOSTILE = "Ram & Sons <Pvt> 'Ltd' \"Agra\""


async def test_utf16_request_gets_bomless_utf16le_answer(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    request = collection("Company", "Name", name="Companies")
    for body in (request.encode("utf-16-le"), b"\xff\xfe" + request.encode("utf-16-le")):
        response = await client.post(sim.url, content=body, headers=UTF16)
        assert response.headers["content-type"] == "text/xml; charset=utf-16"
        assert response.content[:4] == b"<\x00E\x00"  # no BOM (§1.2: first bytes 3c 00 45 00)
        assert response.content.decode("utf-16-le").startswith("<ENVELOPE>")


async def test_get_mirrors_the_request_charset(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    plain = await client.get(sim.url)
    wide = await client.get(sim.url, headers=UTF16)
    assert len(plain.content) == 51
    assert len(wide.content) == 102
    assert wide.content.decode("utf-16-le") == plain.content.decode("ascii")


async def test_utf16_body_without_charset_is_unknown_request(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    request = collection("Company", "Name").encode("utf-16-le")
    for headers in ({"Content-Type": "text/xml"}, UTF8, {}):
        response = await client.post(sim.url, content=b"\xff\xfe" + request, headers=headers)
        assert response.content == b"<RESPONSE>Unknown Request, cannot be processed</RESPONSE>\r\n"


@pytest.mark.parametrize("name", [HINDI, THAI, HOSTILE])
async def test_names_round_trip_over_utf16(
    sim: TallySimulator, client: httpx.AsyncClient, name: str
) -> None:
    created = counters(
        await post(
            client,
            sim.url,
            legacy_import(ledger(name, "Sundry Debtors"), "Acme Traders", "All Masters"),
        )
    )
    assert created["created"] == 1, created
    text = await post(client, sim.url, collection("Ledger", "Parent", company="Acme Traders"))
    names = [r.get("NAME") for r in rows(text, "LEDGER")]
    assert name in names
    found = next(r for r in rows(text, "LEDGER") if r.get("NAME") == name)
    assert found.findtext("LANGUAGENAME.LIST/NAME.LIST/NAME") == name
    if name == HOSTILE:
        assert 'NAME="Ram &amp; Sons &lt;Pvt&gt; &apos;Ltd&apos; &quot;Agra&quot;"' in text


async def test_utf8_request_gets_question_marks_for_non_ascii(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    await post(
        client,
        sim.url,
        legacy_import(
            ledger(HINDI, "Sundry Debtors") + ledger(THAI, "Sundry Debtors"),
            "Acme Traders",
            "All Masters",
        ),
    )
    wide = await post(
        client, sim.url, collection("Ledger", "Parent", company="Acme Traders"), utf16=True
    )
    narrow = await post(
        client, sim.url, collection("Ledger", "Parent", company="Acme Traders"), utf16=False
    )
    # Same characters at the same offsets, each non-ASCII one a literal `?` (§1.2).
    assert len(wide) == len(narrow)
    assert narrow == "".join(ch if ord(ch) < 128 else "?" for ch in wide)
    assert "".join("?" if ord(ch) > 127 else ch for ch in HINDI) in narrow
    assert HINDI in wide
    assert HINDI not in narrow


async def test_emoji_counts_as_two_question_marks(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    await post(
        client,
        sim.url,
        legacy_import(ledger("Gift 🎁 Shop", "Sundry Debtors"), "Acme Traders", "All Masters"),
    )
    narrow = await post(
        client, sim.url, collection("Ledger", "Parent", company="Acme Traders"), utf16=False
    )
    assert 'NAME="Gift ?? Shop"' in narrow


async def test_utf8_request_with_non_ascii_is_stored_exactly(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    xml = legacy_import(ledger(THAI, "Sundry Debtors"), "Acme Traders", "All Masters")
    response = await client.post(sim.url, content=xml.encode("utf-8"), headers=UTF8)
    assert "<CREATED>1</CREATED>" in response.text
    assert company(sim, "Acme Traders").ledgers.get(THAI) is not None


async def test_system_value_prefix_accepted_on_import(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    group = '<GROUP NAME="North Debtors" ACTION="Create"><NAME>North Debtors</NAME><PARENT>&#4; Primary</PARENT></GROUP>'
    assert (
        counters(await post(client, sim.url, legacy_import(group, "Acme Traders", "All Masters")))[
            "created"
        ]
        == 1
    )
    text = await post(client, sim.url, collection("Group", "Parent", company="Acme Traders"))
    north = next(r for r in rows(text, "GROUP") if r.get("NAME") == "North Debtors")
    assert north.findtext("PARENT") == "[#4] Primary"


async def test_unescaped_ampersand_in_company_name_is_malformed(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    raw = collection("Ledger", "Name").replace(
        "<SVEXPORTFORMAT>", "<SVCURRENTCOMPANY>Ram & Sons</SVCURRENTCOMPANY><SVEXPORTFORMAT>"
    )
    assert (
        await post(client, sim.url, raw)
    ).strip() == "<RESPONSE>Unknown Request, cannot be processed</RESPONSE>"
    escaped = collection("Ledger", "Name", company="Acme Traders")
    assert parse(await post(client, sim.url, escaped)).findtext("HEADER/STATUS") == "1"
    assert esc("&") == "&amp;"
