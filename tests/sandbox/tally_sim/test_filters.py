"""Inline TDL collections: FETCH, FILTER formulae, CHILDOF, COMPUTE, BY/AGGRCOMPUTE
(tally-xml.md §2.2, §3.2, §3.5, §3.6)."""

from __future__ import annotations

import httpx
import pytest
from tally_sim import TallySimulator

from tests.sandbox.tally_sim.support import (
    collection,
    company,
    counters,
    el,
    entry,
    legacy_import,
    post,
    receipt,
    rows,
    sales_invoice,
    txt,
    voucher,
)


@pytest.fixture
async def dated(books: TallySimulator, client: httpx.AsyncClient) -> TallySimulator:
    batch = (
        receipt("20250401", "1.00")
        + receipt("20250415", "2.00")
        + receipt("20250430", "3.00")
        + receipt("20250501", "4.00", remote_id="to-cancel")
        + voucher("Payment", "20250502", entry("Ram & Sons", "-5.00") + entry("HDFC Bank", "5.00"))
        + sales_invoice("20250503", "Widget", 2, "100.00", tax="36.00")
    )
    assert (
        counters(await post(client, books.url, legacy_import(batch, "Acme Traders")))["created"]
        == 6
    )
    cancel = receipt("20250501", "4.00", remote_id="to-cancel", action="Cancel")
    await post(client, books.url, legacy_import(cancel, "Acme Traders"))
    return books


def _dates(text: str) -> list[str]:
    return [str(r.findtext("DATE")) for r in rows(text, "VOUCHER")]


async def _select(
    client: httpx.AsyncClient, sim: TallySimulator, *formulae: str, **static: str
) -> list[str]:
    filters = {f"F{i}": expr for i, expr in enumerate(formulae)}
    return _dates(
        await post(
            client,
            sim.url,
            collection("Voucher", "Date", filters, company="Acme Traders", **static),
        )
    )


async def test_alterid_filter(dated: TallySimulator, client: httpx.AsyncClient) -> None:
    vouchers = company(dated, "Acme Traders").vouchers_in_order()
    cutoff = sorted(v.alter_id for v in vouchers)[2]
    expected = sorted(v.date.strftime("%Y%m%d") for v in vouchers if v.alter_id > cutoff)
    assert sorted(await _select(client, dated, f"$AlterID > {cutoff}")) == expected
    text = await post(
        client,
        dated.url,
        collection(
            "Ledger", "AlterId", {"Changed": f"$AlterId > {cutoff}"}, company="Acme Traders"
        ),
    )
    assert rows(text, "LEDGER") == []  # masters did not change after the vouchers


async def test_date_window_with_static_variables(
    dated: TallySimulator, client: httpx.AsyncClient
) -> None:
    window = "$Date >= ##SVFromDate AND $Date <= ##SVToDate"
    assert await _select(client, dated, window, svfromdate="20250415", svtodate="20250501") == [
        "20250415",
        "20250430",
        "20250501",
    ]
    assert await _select(
        client, dated, window, svfromdate="1-May-2025", svtodate="31-May-2025"
    ) == ["20250501", "20250502", "20250503"]


async def test_svfromdate_alone_does_not_bound_rows(
    dated: TallySimulator, client: httpx.AsyncClient
) -> None:
    # §2.6/§3.5: SVFROMDATE/SVTODATE select the period, they are not a row filter.
    assert len(await _select(client, dated, svfromdate="20250415", svtodate="20250415")) == 6


async def test_date_literals(dated: TallySimulator, client: httpx.AsyncClient) -> None:
    assert await _select(
        client, dated, '$Date >= $$Date:"20250501"', '$Date < $$Date:"3-May-2025"'
    ) == ["20250501", "20250502"]


async def test_voucher_type_number_and_cancelled(
    dated: TallySimulator, client: httpx.AsyncClient
) -> None:
    assert await _select(client, dated, '$VoucherTypeName = "Payment"') == ["20250502"]
    assert await _select(
        client, dated, '$VoucherTypeName = "receipt" AND $VoucherNumber = "2"'
    ) == ["20250415"]
    assert await _select(client, dated, "NOT $IsCancelled", '$VoucherTypeName = "Receipt"') == [
        "20250401",
        "20250415",
        "20250430",
    ]
    assert await _select(
        client, dated, '$VoucherTypeName = "Sales" OR $VoucherTypeName = "Payment"'
    ) == ["20250502", "20250503"]
    assert await _select(
        client,
        dated,
        '($VoucherTypeName = "Sales" OR $IsCancelled) AND NOT $Date < $$Date:"20250501"',
    ) == ["20250501", "20250503"]


async def test_undefined_filter_selects_nothing(
    dated: TallySimulator, client: httpx.AsyncClient
) -> None:
    request = collection(
        "Voucher", "Date", company="Acme Traders", extra="<FILTER>NoSuchFormula</FILTER>"
    )
    assert rows(await post(client, dated.url, request), "VOUCHER") == []


async def test_fetch_selects_fields_and_dotted_paths(
    dated: TallySimulator, client: httpx.AsyncClient
) -> None:
    minimal = rows(
        await post(client, dated.url, collection("Voucher", "AlterId", company="Acme Traders")),
        "VOUCHER",
    )[0]
    # DATE, GUID and ALTERID come regardless of FETCH (§3.2, BRIDGE §12a.8).
    assert [e.tag for e in minimal] == ["DATE", "GUID", "ALTERID"]
    dotted = rows(
        await post(
            client,
            dated.url,
            collection("Voucher", "AllLedgerEntries.LedgerName", company="Acme Traders"),
        ),
        "VOUCHER",
    )[0]
    assert [e.tag for e in el(dotted, "ALLLEDGERENTRIES.LIST")] == ["LEDGERNAME"]
    deep = rows(
        await post(
            client,
            dated.url,
            collection("Voucher", "AllLedgerEntries.BillAllocations.Name", company="Acme Traders"),
        ),
        "VOUCHER",
    )[0]
    assert deep.find("ALLLEDGERENTRIES.LIST") is None  # two levels return nothing (§3.2)
    sale = rows(
        await post(
            client,
            dated.url,
            collection("Voucher", "*", {"S": '$VoucherTypeName = "Sales"'}, company="Acme Traders"),
        ),
        "VOUCHER",
    )[0]
    assert sale.get("OBJVIEW") == "Invoice Voucher View"
    assert [e.findtext("LEDGERNAME") for e in sale.findall("LEDGERENTRIES.LIST")] == [
        "Ram & Sons",
        "Output IGST 18%",
    ]
    assert [e.findtext("LEDGERNAME") for e in sale.findall("ALLLEDGERENTRIES.LIST")] == [
        "Ram & Sons",
        "Output IGST 18%",
        "Sales",
    ]
    item = el(sale, "ALLINVENTORYENTRIES.LIST")
    assert (item.findtext("ACTUALQTY"), item.findtext("RATE"), item.findtext("AMOUNT")) == (
        " 2 Nos",
        "100.00/Nos",
        "200.00",
    )
    assert item.findtext("BATCHALLOCATIONS.LIST/GODOWNNAME") == "Main Location"


async def test_childof_belongsto_and_compute(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    group = '<GROUP NAME="North Debtors" ACTION="Create"><NAME>North Debtors</NAME><PARENT>Sundry Debtors</PARENT></GROUP>'
    deep = '<LEDGER NAME="Deep Co" ACTION="Create"><NAME>Deep Co</NAME><PARENT>North Debtors</PARENT></LEDGER>'
    await post(client, books.url, legacy_import(group + deep, "Acme Traders", "All Masters"))
    direct = collection(
        "Ledger", "Name", company="Acme Traders", extra="<CHILDOF>Sundry Debtors</CHILDOF>"
    )
    assert [r.get("NAME") for r in rows(await post(client, books.url, direct), "LEDGER")] == [
        "Ram & Sons"
    ]
    below = collection(
        "Ledger",
        "Name",
        company="Acme Traders",
        extra="<CHILDOF>Sundry Debtors</CHILDOF><BELONGSTO>Yes</BELONGSTO>",
    )
    assert [r.get("NAME") for r in rows(await post(client, books.url, below), "LEDGER")] == [
        "Deep Co",
        "Ram & Sons",
    ]
    computed = collection(
        "Company", "Name", name="Cmp",
        extra="<COMPUTE>WFPERIODFROM: $$SystemPeriodFrom</COMPUTE><COMPUTE>Marks : $AltMstId + 0</COMPUTE>",
    )  # fmt: skip
    row = rows(await post(client, books.url, computed), "COMPANY")[0]
    assert el(row, "WFPERIODFROM").get("TYPE") == "Date"
    assert row.findtext("WFPERIODFROM") == "20250401"
    assert txt(row, "MARKS").strip() == str(company(books, "Acme Traders").ids.alt_mst_id)


async def test_by_and_aggrcompute_count_vouchers_per_date(
    dated: TallySimulator, client: httpx.AsyncClient
) -> None:
    request = collection(
        "Voucher", "", company="Acme Traders",
        extra="<BY>Date : $Date</BY><AGGRCOMPUTE>Count : SUM : $$Number:1</AGGRCOMPUTE>",
    )  # fmt: skip
    counted = [
        (r.findtext("DATE"), txt(r, "COUNT").strip())
        for r in rows(await post(client, dated.url, request), "VOUCHER")
    ]
    assert counted == [
        ("20250401", "1"),
        ("20250415", "1"),
        ("20250430", "1"),
        ("20250501", "1"),
        ("20250502", "1"),
        ("20250503", "1"),
    ]


async def test_filter_on_ledger_parent_and_name_lookup(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    text = await post(
        client,
        books.url,
        collection(
            "Ledger", "Parent", {"Tax": '$Parent = "Duties & Taxes"'}, company="Acme Traders"
        ),
    )
    assert [r.get("NAME") for r in rows(text, "LEDGER")] == ["Output IGST 18%"]
    primary = await post(
        client,
        books.url,
        collection("Group", "Parent", {"Top": '$Parent = "Primary"'}, company="Acme Traders"),
    )
    assert len(rows(primary, "GROUP")) == 15
