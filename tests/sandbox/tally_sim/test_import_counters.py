"""Import counters and validation exactly as tally-xml.md §4.7, §4.8, §5.2, §5.3."""

from __future__ import annotations

import httpx
from tally_sim import TallySimulator

from tests.sandbox.tally_sim.conftest import SimFactory
from tests.sandbox.tally_sim.support import (
    collection,
    company,
    counters,
    entry,
    ledger,
    legacy_import,
    post,
    receipt,
    rows,
    v1_import,
    voucher,
)


def _marks(sim: TallySimulator) -> tuple[int, int]:
    acme = company(sim)
    return acme.ids.alt_mst_id, acme.ids.alt_vch_id


async def test_partial_batch_with_one_missing_ledger(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await post(client, books.url, legacy_import(receipt("20250401", "1.00"), "Acme Traders"))
    before = _marks(books)
    batch = (
        receipt("20250415", "100.00")
        + receipt("20250415", "200.00", party="Probe Absent Ledger 01")
        + receipt("20250416", "300.00")
    )
    result = counters(await post(client, books.url, legacy_import(batch, "Acme Traders")))
    assert result == {
        "created": 2, "altered": 0, "deleted": 0, "lastvchid": result["lastvchid"], "lastmid": 0,
        "combined": 0, "ignored": 0, "errors": 0, "cancelled": 0, "exceptions": 1,
        "lineerror": "Ledger 'Probe Absent Ledger 01' does not exist!",
    }  # fmt: skip
    vouchers = company(books, "Acme Traders").vouchers_in_order()[1:]
    assert [v.ledger_entries[0].amount for v in vouchers] == [
        -100,
        -300,
    ]  # created in request order
    assert result["lastvchid"] == vouchers[-1].master_id
    # The rejected voucher took no MASTERID and no ALTERID: the voucher mark moved by 2.
    assert vouchers[1].master_id == vouchers[0].master_id + 1
    assert _marks(books) == (before[0], before[1] + 2)


async def test_two_rejected_vouchers_three_missing_ledgers_one_lineerror(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    first = voucher(
        "Payment",
        "20250415",
        entry("Probe 02", "-10.00") + entry("Probe 03", "-5.00") + entry("HDFC Bank", "15.00"),
    )
    second = voucher(
        "Payment", "20250415", entry("Probe 04", "-10.00") + entry("HDFC Bank", "10.00")
    )
    before = _marks(books)
    result = counters(await post(client, books.url, legacy_import(first + second, "Acme Traders")))
    assert (result["created"], result["errors"], result["exceptions"], result["lastvchid"]) == (
        0,
        0,
        2,
        0,
    )
    assert result["lineerror"] == "Ledger 'Probe 04' does not exist!"
    assert _marks(books) == before


async def test_master_create_on_existing_name_counts_altered(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    again = ledger("Ram & Sons", "Sundry Debtors", extra="<LEDGERMOBILE>9820098200</LEDGERMOBILE>")
    result = counters(
        await post(client, books.url, legacy_import(again, "Acme Traders", "All Masters"))
    )
    assert (result["created"], result["altered"], result["lastmid"]) == (0, 1, 0)
    ram = company(books).ledgers.get("ram & sons")
    assert ram is not None
    assert ram.mobile == "9820098200"


async def test_master_without_inner_name_is_refused(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    bare = '<LEDGER NAME="Attr Only" ACTION="Create"><PARENT>Sundry Debtors</PARENT></LEDGER>'
    result = counters(
        await post(client, sim.url, legacy_import(bare, "Acme Traders", "All Masters"))
    )
    assert (result["created"], result["exceptions"]) == (0, 1)


async def test_delete_of_missing_master(sim: TallySimulator, client: httpx.AsyncClient) -> None:
    gone = '<LEDGER NAME="Never Was" ACTION="Delete"><NAME>Never Was</NAME></LEDGER>'
    result = counters(
        await post(client, sim.url, legacy_import(gone, "Acme Traders", "All Masters"))
    )
    assert (result["errors"], result["deleted"], result["lineerror"]) == (
        1,
        0,
        "Item does not exist!",
    )


async def test_delete_master_and_refuse_one_in_use(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await post(client, books.url, legacy_import(receipt("20250415", "10.00"), "Acme Traders"))
    spare = ledger("Spare", "Sundry Debtors")
    await post(client, books.url, legacy_import(spare, "Acme Traders", "All Masters"))
    delete = '<LEDGER NAME="{0}" ACTION="Delete"><NAME>{0}</NAME></LEDGER>'
    result = counters(
        await post(
            client,
            books.url,
            legacy_import(
                delete.format("Spare") + delete.format("HDFC Bank"), "Acme Traders", "All Masters"
            ),
        )
    )
    assert (result["deleted"], result["exceptions"]) == (1, 1)


async def test_stock_group_primary_parent_does_not_exist(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    group = '<STOCKGROUP NAME="Hardware" ACTION="Create"><NAME>Hardware</NAME><PARENT>Primary</PARENT></STOCKGROUP>'
    result = counters(
        await post(client, sim.url, legacy_import(group, "Acme Traders", "All Masters"))
    )
    assert (result["created"], result["errors"], result["exceptions"]) == (0, 0, 1)
    assert result["lineerror"] == "Stock Group 'Primary' does not exist!"
    top = group.replace("<PARENT>Primary</PARENT>", "<PARENT></PARENT>")
    assert (
        counters(await post(client, sim.url, legacy_import(top, "Acme Traders", "All Masters")))[
            "created"
        ]
        == 1
    )


async def test_debits_must_equal_credits(books: TallySimulator, client: httpx.AsyncClient) -> None:
    lopsided = voucher(
        "Receipt", "20250415", entry("HDFC Bank", "-100.00") + entry("Ram & Sons", "90.00")
    )
    result = counters(await post(client, books.url, legacy_import(lopsided, "Acme Traders")))
    assert (result["created"], result["exceptions"], result["lineerror"]) == (
        0,
        1,
        "Voucher totals do not match!",
    )


async def test_date_outside_the_books_and_bad_format(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    early = counters(
        await post(
            client,
            books.url,
            legacy_import(receipt("20250331", "10.00", number="R-9"), "Acme Traders"),
        )
    )
    assert early["exceptions"] == 1
    assert str(early["lineerror"]).startswith("Voucher date is missing for: 'Receipt' voucher")
    wrong_format = counters(
        await post(client, books.url, legacy_import(receipt("15-04-2025", "10.00"), "Acme Traders"))
    )
    assert wrong_format["exceptions"] == 1
    assert "retry Split" in str(wrong_format["lineerror"])


async def test_educational_profile_accepts_only_days_1_2_31(
    make_sim: SimFactory, client: httpx.AsyncClient
) -> None:
    sim = await make_sim(profile="educational")
    await post(
        client,
        sim.url,
        legacy_import(
            ledger("Ram & Sons", "Sundry Debtors") + ledger("HDFC Bank", "Bank Accounts"),
            "Acme Traders",
            "All Masters",
        ),
    )
    batch = "".join(
        receipt(day, "1.00") for day in ("20250401", "20250402", "20250531", "20250415", "20250430")
    )
    result = counters(await post(client, sim.url, legacy_import(batch, "Acme Traders")))
    assert (result["created"], result["exceptions"]) == (3, 2)
    assert "Voucher date is missing" in str(result["lineerror"])


async def test_manual_numbering_blank_and_duplicates(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    manual = (
        '<VOUCHERTYPE NAME="Web Receipt" ACTION="Create"><NAME>Web Receipt</NAME><PARENT>Receipt</PARENT>'
        "<NUMBERINGMETHOD>Manual</NUMBERINGMETHOD><PREVENTDUPLICATES>Yes</PREVENTDUPLICATES></VOUCHERTYPE>"
    )
    assert (
        counters(
            await post(client, books.url, legacy_import(manual, "Acme Traders", "All Masters"))
        )["created"]
        == 1
    )

    def web(number: str | None) -> str:
        return voucher(
            "Web Receipt",
            "20250415",
            entry("HDFC Bank", "-5.00") + entry("Ram & Sons", "5.00"),
            number=number,
        )

    first = counters(await post(client, books.url, legacy_import(web("WR-1"), "Acme Traders")))
    assert first["created"] == 1
    duplicate = counters(await post(client, books.url, legacy_import(web("wr-1"), "Acme Traders")))
    assert (duplicate["created"], duplicate["exceptions"], duplicate["lineerror"]) == (0, 1, None)
    blank = counters(await post(client, books.url, legacy_import(web(None), "Acme Traders")))
    assert (blank["errors"], blank["lineerror"]) == (1, "Voucher Number cannot be left BLANK!")


async def test_automatic_numbering_discards_the_sent_number(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    batch = receipt("20250420", "1.00", number="MY-77") + receipt(
        "20250410", "2.00", number="MY-78"
    )
    await post(client, books.url, legacy_import(batch, "Acme Traders"))
    text = await post(
        client, books.url, collection("Voucher", "VoucherNumber,Amount", company="Acme Traders")
    )
    # Renumbered in date order (§3.6 step 5): the later-inserted earlier voucher is 1.
    assert [(r.findtext("DATE"), r.findtext("VOUCHERNUMBER")) for r in rows(text, "VOUCHER")] == [
        ("20250410", "1"), ("20250420", "2"),
    ]  # fmt: skip


async def test_vouchers_accepted_under_all_masters_and_version_one(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    result = counters(
        await post(
            client,
            books.url,
            v1_import(receipt("20250415", "9.00"), "Acme Traders", id_="All Masters"),
        )
    )
    assert result["created"] == 1
    # TALLYMESSAGE under DESC is not imported (§2.4).
    misplaced = (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Import</TALLYREQUEST><TYPE>Data</TYPE><ID>Vouchers</ID>"
        f"</HEADER><BODY><DESC><TALLYMESSAGE>{receipt('20250415', '9.00')}</TALLYMESSAGE></DESC></BODY></ENVELOPE>"
    )
    assert counters(await post(client, books.url, misplaced))["created"] == 0


async def test_stop_at_first_exception(books: TallySimulator, client: httpx.AsyncClient) -> None:
    batch = receipt("20250415", "1.00", party="Nobody") + receipt("20250415", "2.00")
    result = counters(
        await post(
            client,
            books.url,
            legacy_import(
                batch, "Acme Traders", svimpbehaviourexcp="Stop Import at First Exception"
            ),
        )
    )
    assert (result["created"], result["exceptions"]) == (0, 1)


async def test_importdups_ignore_and_combine(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    again = ledger("Ram & Sons", "Sundry Debtors")
    ignored = counters(
        await post(
            client,
            books.url,
            legacy_import(again, "Acme Traders", "All Masters", importdups="@@DUPIGNORECOMBINE"),
        )
    )
    assert (ignored["ignored"], ignored["altered"]) == (1, 0)
    combined = counters(
        await post(
            client,
            books.url,
            legacy_import(again, "Acme Traders", "All Masters", importdups="@@DUPCOMBINE"),
        )
    )
    assert (combined["combined"], combined["altered"]) == (1, 0)


async def test_missing_stock_item_godown_and_cost_centre(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    from tests.sandbox.tally_sim.support import sales_invoice

    no_item = counters(
        await post(
            client,
            books.url,
            legacy_import(sales_invoice("20250415", "Gadget", 1, "10.00"), "Acme Traders"),
        )
    )
    assert no_item["lineerror"] == "Stock Item 'Gadget' does not exist!"
    no_godown = counters(
        await post(
            client,
            books.url,
            legacy_import(
                sales_invoice("20250415", "Widget", 1, "10.00", godown="Mars"), "Acme Traders"
            ),
        )
    )
    assert no_godown["lineerror"] == "Godown 'Mars' does not exist!"
    centre = "<CATEGORYALLOCATIONS.LIST><CATEGORY>Primary Cost Category</CATEGORY><COSTCENTREALLOCATIONS.LIST><NAME>Branch A</NAME><AMOUNT>-5.00</AMOUNT></COSTCENTREALLOCATIONS.LIST></CATEGORYALLOCATIONS.LIST>"
    no_centre = voucher(
        "Receipt",
        "20250415",
        entry("HDFC Bank", "-5.00", extra=centre) + entry("Ram & Sons", "5.00"),
    )
    assert (
        counters(await post(client, books.url, legacy_import(no_centre, "Acme Traders")))[
            "lineerror"
        ]
        == "Cost Centre 'Branch A' does not exist!"
    )


async def test_rejections_leave_collections_untouched(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await post(
        client,
        books.url,
        legacy_import(receipt("20250415", "1.00", party="Nobody"), "Acme Traders"),
    )
    assert (
        rows(
            await post(client, books.url, collection("Voucher", "Amount", company="Acme Traders")),
            "VOUCHER",
        )
        == []
    )
