"""Identity and high-water marks (tally-xml.md §3.1, §3.6), numbering switches, and the
rewrites Tally applies to imported vouchers (§4.9)."""

from __future__ import annotations

import httpx
from tally_sim import TallySimulator

from tests.sandbox.tally_sim.conftest import SimFactory
from tests.sandbox.tally_sim.support import (
    collection,
    company,
    counters,
    el,
    entry,
    ledger,
    legacy_import,
    parse,
    post,
    receipt,
    rows,
    txt,
    voucher,
)


async def _marks(client: httpx.AsyncClient, sim: TallySimulator) -> tuple[int, int]:
    text = await post(
        client,
        sim.url,
        collection("Company", "AltMstId,AltVchId", {"Mine": '$Name = "Acme Traders"'}),
    )
    [row] = rows(text, "COMPANY")
    return int(txt(row, "ALTMSTID")), int(txt(row, "ALTVCHID"))


async def test_high_water_marks_move_with_creates(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    masters_before, vouchers_before = await _marks(client, books)
    await post(
        client,
        books.url,
        legacy_import(
            ledger("A1", "Sundry Debtors") + ledger("A2", "Sundry Debtors"),
            "Acme Traders",
            "All Masters",
        ),
    )
    after_masters = await _marks(client, books)
    assert after_masters[0] == masters_before + 2  # two master creates moved ALTMSTID by 2 (§3.1)
    await post(client, books.url, legacy_import(receipt("20250415", "1.00"), "Acme Traders"))
    after_voucher = await _marks(client, books)
    assert after_voucher[0] == after_masters[0]
    assert (
        after_voucher[1] == after_masters[0] + 1
    )  # shared counter: the voucher took the next ALTERID
    assert vouchers_before == 0


async def test_deletes_are_invisible_to_alterid_unless_switched(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await post(
        client,
        books.url,
        legacy_import(
            receipt("20250415", "1.00", remote_id="d1")
            + receipt("20250415", "1.00", remote_id="d2"),
            "Acme Traders",
        ),
    )
    before = await _marks(client, books)
    await post(
        client,
        books.url,
        legacy_import('<VOUCHER REMOTEID="d1" VCHTYPE="Receipt" ACTION="Delete"/>', "Acme Traders"),
    )
    assert await _marks(client, books) == before
    books.settings.delete_bumps_alter_id = True
    await post(
        client,
        books.url,
        legacy_import('<VOUCHER REMOTEID="d2" VCHTYPE="Receipt" ACTION="Delete"/>', "Acme Traders"),
    )
    assert (await _marks(client, books))[1] == before[1] + 1


async def test_vchkey_and_guid_forms(books: TallySimulator, client: httpx.AsyncClient) -> None:
    await post(client, books.url, legacy_import(receipt("20260801", "1.00"), "Acme Traders"))
    [row] = rows(
        await post(client, books.url, collection("Voucher", "MasterId", company="Acme Traders")),
        "VOUCHER",
    )
    acme = company(books)
    master_id = int(txt(row, "MASTERID"))
    assert row.findtext("GUID") == row.get("REMOTEID") == f"{acme.guid}-{master_id:08x}"
    assert row.get("VCHKEY") == f"{acme.guid}-0000b49a:00000008"  # the live capture's form (§3.6)


async def test_append_numbering_keeps_numbers_when_inserting_earlier(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    books.settings.auto_numbering = "append"
    await post(
        client,
        books.url,
        legacy_import(receipt("20250420", "1.00") + receipt("20250410", "2.00"), "Acme Traders"),
    )
    text = await post(
        client, books.url, collection("Voucher", "VoucherNumber", company="Acme Traders")
    )
    assert [(r.findtext("DATE"), r.findtext("VOUCHERNUMBER")) for r in rows(text, "VOUCHER")] == [
        ("20250410", "2"),
        ("20250420", "1"),
    ]


async def test_receipt_reads_back_with_the_bank_as_party(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    written = receipt(
        "20250415", "10.00", extra="<PARTYLEDGERNAME>Ram &amp; Sons</PARTYLEDGERNAME>"
    )
    await post(client, books.url, legacy_import(written, "Acme Traders"))
    [row] = rows(
        await post(
            client, books.url, collection("Voucher", "PartyLedgerName", company="Acme Traders")
        ),
        "VOUCHER",
    )
    assert row.findtext("PARTYLEDGERNAME") == "HDFC Bank"


async def test_bill_allocation_rewrites(books: TallySimulator, client: httpx.AsyncClient) -> None:
    def bill(name: str, kind: str, amount: str) -> str:
        return f"<BILLALLOCATIONS.LIST><NAME>{name}</NAME><BILLTYPE>{kind}</BILLTYPE><AMOUNT>{amount}</AMOUNT></BILLALLOCATIONS.LIST>"

    invoice = voucher(
        "Journal",
        "20250405",
        entry("Ram & Sons", "-100.00", extra=bill("INV-1", "New Ref", "-100.00"))
        + entry("Sales", "100.00", extra=bill("X", "New Ref", "100.00")),
    )
    settle = voucher(
        "Receipt", "20250420",
        entry("HDFC Bank", "-100.00")
        + entry("Ram & Sons", "100.00", extra=bill("INV-1", "Advance", "60.00") + bill("Whatever", "On Account", "40.00")),
    )  # fmt: skip
    assert (
        counters(await post(client, books.url, legacy_import(invoice + settle, "Acme Traders")))[
            "created"
        ]
        == 2
    )
    vouchers = (await client.get(f"{books.admin_url}/companies/Acme Traders/vouchers")).json()
    journal, receipt_ = vouchers
    assert journal["entries"][0]["bills"] == [
        {"name": "INV-1", "type": "New Ref", "amount": "-100.00", "date": "2025-04-05"}
    ]
    assert journal["entries"][1]["bills"] == []  # Sales is not bill-wise: allocations dropped
    assert receipt_["entries"][1]["bills"] == [
        {"name": "INV-1", "type": "Agst Ref", "amount": "60.00", "date": "2025-04-05"},
        {"name": "", "type": "On Account", "amount": "40.00", "date": None},
    ]


async def test_company_object_with_everything(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    request = (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Export</TALLYREQUEST><TYPE>Object</TYPE>"
        '<SUBTYPE>Company</SUBTYPE><ID TYPE="Name">Acme Traders</ID></HEADER><BODY><DESC>'
        "<FETCHLIST><FETCH>*</FETCH></FETCHLIST></DESC></BODY></ENVELOPE>"
    )
    [row] = rows(await post(client, books.url, request), "COMPANY")
    assert row.findtext("BOOKSFROM") == "20250401"
    assert row.findtext("STARTINGFROM") == "20250401"
    assert row.findtext("ENDINGAT") == "20260331"
    assert txt(row, "NUMLEDGERS").strip() == "6"
    assert row.findtext("GUID") == company(books, "Acme Traders").guid


async def test_current_date_function(make_sim: SimFactory, client: httpx.AsyncClient) -> None:
    sim = await make_sim()
    await client.patch(f"{sim.admin_url}/settings", json={"current_date": "2025-06-15"})
    request = "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Export</TALLYREQUEST><TYPE>Function</TYPE><ID>$$CurrentDate</ID></HEADER></ENVELOPE>"
    result = el(parse(await post(client, sim.url, request)), "BODY/DATA/RESULT")
    assert result.text == "15-Jun-2025"
    assert result.get("JD") == "45823"
