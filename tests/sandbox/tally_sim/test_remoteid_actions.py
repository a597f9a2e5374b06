"""REMOTEID upserts and the ACTION values of tally-xml.md §4.7, licensed and educational."""

from __future__ import annotations

from typing import Any

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
    txt,
    voucher,
)


async def _vouchers(client: httpx.AsyncClient, sim: TallySimulator) -> list[dict[str, Any]]:
    text = await post(client, sim.url, collection("Voucher", "*", company="Acme Traders"))
    found = []
    for row in rows(text, "VOUCHER"):
        found.append(
            {
                "guid": row.findtext("GUID"),
                "master_id": int(txt(row, "MASTERID")),
                "alter_id": int(txt(row, "ALTERID")),
                "type": row.findtext("VOUCHERTYPENAME"),
                "date": row.findtext("DATE"),
                "reference": row.findtext("REFERENCE"),
                "narration": row.findtext("NARRATION"),
                "cancelled": row.findtext("ISCANCELLED"),
                "remoteid_attr": row.get("REMOTEID"),
                "entries": [
                    (e.findtext("LEDGERNAME"), e.findtext("AMOUNT"))
                    for e in row.findall("ALLLEDGERENTRIES.LIST")
                ],
            }
        )
    return found


async def test_same_remoteid_upserts_and_replaces(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    first = receipt(
        "20250415",
        "500.00",
        remote_id="myapp-rcpt-000123",
        extra="<REFERENCE>UTR-1</REFERENCE><NARRATION>first</NARRATION>",
    )
    created = counters(await post(client, books.url, legacy_import(first, "Acme Traders")))
    assert (created["created"], created["altered"]) == (1, 0)
    original = (await _vouchers(client, books))[0]
    # Readback REMOTEID is Tally's own <company GUID>-<master id>, not the client's key (§3.6).
    assert original["remoteid_attr"] == original["guid"]

    again = counters(await post(client, books.url, legacy_import(first, "Acme Traders")))
    assert (again["created"], again["altered"], again["lastvchid"]) == (0, 1, 0)

    changed = voucher(
        "Payment",
        "20250416",
        entry("Ram & Sons", "-750.00") + entry("HDFC Bank", "700.00") + entry("Cash", "50.00"),
        remote_id="myapp-rcpt-000123",
        extra="<NARRATION>second</NARRATION>",
    )
    replaced = counters(await post(client, books.url, legacy_import(changed, "Acme Traders")))
    assert (replaced["created"], replaced["altered"]) == (0, 1)
    after = await _vouchers(client, books)
    assert len(after) == 1
    now = after[0]
    assert (now["guid"], now["master_id"]) == (original["guid"], original["master_id"])
    assert int(str(now["alter_id"])) > int(str(original["alter_id"]))
    assert (now["type"], now["date"], now["narration"]) == ("Payment", "20250416", "second")
    assert now["reference"] == "UTR-1"  # omitted field merges (§4.7, BRIDGE §9.14)
    assert now["entries"] == [("Ram & Sons", "-750.00"), ("HDFC Bank", "700.00"), ("Cash", "50.00")]


async def test_without_remoteid_a_resend_duplicates(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    once = receipt("20250415", "10.00")
    for _ in range(2):
        assert (
            counters(await post(client, books.url, legacy_import(once, "Acme Traders")))["created"]
            == 1
        )
    assert len(await _vouchers(client, books)) == 2


async def test_delete_by_remoteid_then_resend_creates_new(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    key = "myapp-del-1"
    await post(
        client,
        books.url,
        legacy_import(receipt("20250415", "10.00", remote_id=key), "Acme Traders"),
    )
    first = (await _vouchers(client, books))[0]
    delete = f'<VOUCHER REMOTEID="{key}" VCHTYPE="Receipt" ACTION="Delete"></VOUCHER>'
    assert (
        counters(await post(client, books.url, legacy_import(delete, "Acme Traders")))["deleted"]
        == 1
    )
    assert await _vouchers(client, books) == []
    again = counters(await post(client, books.url, legacy_import(delete, "Acme Traders")))
    assert (again["errors"], again["lineerror"]) == (1, "Item does not exist!")
    await post(
        client,
        books.url,
        legacy_import(receipt("20250415", "10.00", remote_id=key), "Acme Traders"),
    )
    second = (await _vouchers(client, books))[0]
    assert second["guid"] != first["guid"]
    assert second["master_id"] > first["master_id"]


async def test_delete_by_voucher_number_tag(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await post(client, books.url, legacy_import(receipt("20250415", "10.00"), "Acme Traders"))
    delete = '<VOUCHER DATE="20250415" TAGNAME="Voucher Number" TAGVALUE="1" VCHTYPE="Receipt" ACTION="Delete"></VOUCHER>'
    assert (
        counters(await post(client, books.url, legacy_import(delete, "Acme Traders")))["deleted"]
        == 1
    )


async def test_cancel_licensed_is_in_place(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    key = "myapp-cancel-1"
    await post(
        client,
        books.url,
        legacy_import(receipt("20250415", "10.00", remote_id=key), "Acme Traders"),
    )
    before = (await _vouchers(client, books))[0]
    cancel = receipt("20250415", "10.00", remote_id=key, action="Cancel")
    result = counters(await post(client, books.url, legacy_import(cancel, "Acme Traders")))
    assert (result["created"], result["altered"], result["cancelled"]) == (0, 1, 0)
    after = await _vouchers(client, books)
    assert len(after) == 1
    assert after[0]["guid"] == before["guid"]
    assert after[0]["cancelled"] == "Yes"
    assert after[0]["entries"] == []
    bank = company(books).ledgers.get("HDFC Bank")
    assert bank is not None
    assert bank.movement == 0
    # An upsert onto a cancelled voucher un-cancels it (§4.7).
    counters(
        await post(
            client,
            books.url,
            legacy_import(receipt("20250415", "10.00", remote_id=key), "Acme Traders"),
        )
    )
    assert (await _vouchers(client, books))[0]["cancelled"] == "No"


async def test_alter_licensed_matches_or_duplicates(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await post(
        client,
        books.url,
        legacy_import(receipt("20250415", "10.00", remote_id="k-alter"), "Acme Traders"),
    )
    matched = counters(
        await post(
            client,
            books.url,
            legacy_import(
                receipt("20250415", "12.00", remote_id="k-alter", action="Alter"), "Acme Traders"
            ),
        )
    )
    assert (matched["created"], matched["altered"]) == (0, 1)
    unmatched = counters(
        await post(
            client,
            books.url,
            legacy_import(
                receipt("20250415", "12.00", remote_id="k-other", action="Alter"), "Acme Traders"
            ),
        )
    )
    assert (unmatched["created"], unmatched["altered"]) == (1, 0)
    altered = company(books).find_voucher_by_remote_id("k-alter")
    assert altered is not None
    master_id = altered.master_id
    by_tag = receipt(
        "20250415", "15.00", action="Alter", attrs=f' TAGNAME="MasterId" TAGVALUE="{master_id}"'
    )
    assert (
        counters(await post(client, books.url, legacy_import(by_tag, "Acme Traders")))["altered"]
        == 1
    )


async def test_educational_alter_and_cancel_create_new_vouchers(
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
    await post(
        client, sim.url, legacy_import(receipt("20250401", "10.00", remote_id="k1"), "Acme Traders")
    )
    alter = counters(
        await post(
            client,
            sim.url,
            legacy_import(
                receipt("20250401", "11.00", remote_id="k1", action="Alter"), "Acme Traders"
            ),
        )
    )
    assert (alter["created"], alter["altered"]) == (1, 0)
    cancel = counters(
        await post(
            client,
            sim.url,
            legacy_import(
                '<VOUCHER REMOTEID="k1" VCHTYPE="Receipt" ACTION="Cancel"><DATE>20250401</DATE></VOUCHER>',
                "Acme Traders",
            ),
        )
    )
    assert (cancel["created"], cancel["altered"]) == (1, 0)
    vouchers = await _vouchers(client, sim)
    assert [v["cancelled"] for v in vouchers] == ["No", "No", "Yes"]


async def test_action_attribute_is_case_insensitive(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await post(
        client,
        books.url,
        legacy_import(receipt("20250415", "10.00", remote_id="k-case"), "Acme Traders"),
    )
    delete = '<VOUCHER REMOTEID="k-case" VCHTYPE="Receipt" Action="delete"></VOUCHER>'
    assert (
        counters(await post(client, books.url, legacy_import(delete, "Acme Traders")))["deleted"]
        == 1
    )


async def test_master_rename_keeps_identity_and_references(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await post(client, books.url, legacy_import(receipt("20250415", "10.00"), "Acme Traders"))
    acme = company(books)
    ram = acme.ledgers.get("Ram & Sons")
    assert ram is not None
    guid = ram.guid
    rename = (
        '<LEDGER NAME="Ram &amp; Sons" ACTION="Alter"><NAME>Ram &amp; Sons</NAME>'
        "<LANGUAGENAME.LIST><NAME.LIST><NAME>Ram and Sons</NAME><NAME>RS</NAME></NAME.LIST></LANGUAGENAME.LIST></LEDGER>"
    )
    assert (
        counters(
            await post(client, books.url, legacy_import(rename, "Acme Traders", "All Masters"))
        )["altered"]
        == 1
    )
    renamed = acme.ledgers.get("RS")
    assert renamed is not None
    assert renamed.name == "Ram and Sons"
    assert renamed.guid == guid
    assert (await _vouchers(client, books))[0]["entries"][1] == ("Ram and Sons", "10.00")
    onto_existing = rename.replace("Ram &amp; Sons", "Ram and Sons").replace(
        "<NAME>Ram and Sons</NAME><NAME>RS</NAME>", "<NAME>Cash</NAME>"
    )
    refused = counters(
        await post(client, books.url, legacy_import(onto_existing, "Acme Traders", "All Masters"))
    )
    assert refused["exceptions"] == 1
    assert refused["lineerror"] == "Ledger 'Cash' already exists!"


async def test_company_create_renames_the_loaded_company(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    rename = '<COMPANY NAME="Acme Traders" ACTION="Create"><NAME>Acme Traders (from 1-Apr-25)</NAME></COMPANY>'
    assert (
        counters(await post(client, sim.url, legacy_import(rename, "Acme Traders", "All Masters")))[
            "altered"
        ]
        == 1
    )
    assert sim.state.find("Acme Traders (from 1-Apr-25)") is not None
