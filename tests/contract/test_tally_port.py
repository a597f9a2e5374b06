"""Contract of the Tally port (``TallyClient`` + typed reads and imports) against the
TallyPrime simulator over real HTTP on 127.0.0.1 (tally-xml.md §1-§5, §7)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from mlc_shared.domain.tally import (
    GodownQuantity,
    LedgerSpec,
    StockItem,
    StockItemSpec,
)
from tally_agent.errors import (
    CompanyNotOpen,
    TallyBusy,
    TallyDropped,
    TallyPortClosed,
    UnknownRequest,
)
from tally_agent.importer import Importer, ImportOptions
from tally_agent.incremental import export_masters, export_vouchers
from tally_agent.kinds import LEDGERS, STOCK_ITEMS
from tally_agent.protocol.envelopes import RequestContext, import_data
from tally_agent.protocol.responses import read_import_result
from tally_agent.reads import TallyReader
from tally_sim import TallySimulator

from tests.unit.tally_agent.simulator import (
    COMPANY,
    Admin,
    client_for,
    reader_for,
    running_simulator,
)
from tests.unit.tally_agent.vouchers_fixture import credit_note, journal, payment, receipt, sales

MARKUP = "Ram & Sons <Retail> 'A' \"B\""
HINDI = "राम & श्याम ट्रेडर्स"
THAI = "ร้านค้า สมชาย"


@pytest.fixture
async def tally() -> AsyncIterator[tuple[TallySimulator, Admin]]:
    async with running_simulator() as pair:
        yield pair


async def importer(reader: TallyReader, **options: Any) -> Importer:
    company = await reader.open_company()
    return Importer(reader.for_company(company), company, ImportOptions(**options))


async def all_items(reader: TallyReader, cursor: int = 0, census: bool = False) -> list[Any]:
    return [page async for page in export_masters(reader, STOCK_ITEMS, cursor, census=census)]


# -- transport --------------------------------------------------------------------------


async def test_liveness(tally: tuple[TallySimulator, Admin]) -> None:
    sim, _ = tally
    async with client_for(sim) as client:
        assert "TallyPrime Server is Running" in await client.liveness()


async def test_company_names_match_case_and_space_insensitively(
    tally: tuple[TallySimulator, Admin],
) -> None:
    sim, _ = tally
    async with client_for(sim) as client:
        company = await reader_for(client, "  acme & SONS traders ").open_company()
        assert company.name == COMPANY
        assert company.guid
        assert company.alt_mst_id > 0


async def test_company_not_loaded(tally: tuple[TallySimulator, Admin]) -> None:
    sim, admin = tally
    await admin.call("POST", f"/companies/{COMPANY}/unload")
    async with client_for(sim) as client:
        reader = reader_for(client)
        with pytest.raises(CompanyNotOpen, match="not open"):
            await reader.open_company()
        # A write naming an unloaded company fails closed (§1.7, shape F).
        request = import_data(RequestContext(company=COMPANY), "Vouchers", [])
        with pytest.raises(CompanyNotOpen, match="SVCurrentCompany"):
            read_import_result(await client.post(request))


async def test_unknown_request(tally: tuple[TallySimulator, Admin]) -> None:
    sim, _ = tally
    async with client_for(sim) as client:
        with pytest.raises(UnknownRequest):
            await client.post("<ENVELOPE><HEADER><TALLYREQUEST>Export</HEADER></ENVELOPE>")


async def test_requests_are_sent_one_at_a_time(tally: tuple[TallySimulator, Admin]) -> None:
    sim, admin = tally
    await admin.call("PUT", "/faults/latency", {"ms": 30})
    await admin.call("DELETE", "/requests")
    async with client_for(sim) as client:
        reader = reader_for(client)
        await asyncio.gather(*(reader.companies() for _ in range(6)), client.liveness())
    entries = sorted(await admin.requests(), key=lambda e: e["seq"])
    assert len(entries) == 7
    for earlier, later in itertools.pairwise(entries):
        # The next request only reaches Tally after the previous answer is complete.
        assert later["received_at"] >= earlier["finished_at"]


# -- encodings and escaping -----------------------------------------------------------


async def test_markup_hindi_and_thai_names_round_trip(tally: tuple[TallySimulator, Admin]) -> None:
    sim, _ = tally
    names = [MARKUP, HINDI, THAI]
    async with client_for(sim) as client:
        reader = reader_for(client)
        work = await importer(reader)
        outcomes = await work.create_masters(
            [LedgerSpec(name=n, parent="Sundry Debtors") for n in names]
            + [StockItemSpec(name=f"{n} item", base_unit="Nos") for n in names]
        )
        assert [o.outcome for o in outcomes] == ["created"] * 6
        pages = [p async for p in export_masters(reader, LEDGERS, 0)]
        ledgers = {x.name for p in pages for x in p.records}
        items = {x.name for p in await all_items(reader) for x in p.records}
    assert set(names) <= ledgers
    assert {f"{n} item" for n in names} <= items


async def test_utf8_requests_get_question_marks(tally: tuple[TallySimulator, Admin]) -> None:
    """Why the agent speaks UTF-16: a UTF-8 request gets every non-ASCII letter back as '?'
    (§1.2)."""
    sim, admin = tally
    await admin.seed_masters(COMPANY, {"ledgers": [{"name": HINDI, "parent": "Sundry Debtors"}]})
    async with client_for(sim, encoding="utf-8") as client:
        pages = [p async for p in export_masters(reader_for(client), LEDGERS, 0)]
    names = {x.name for p in pages for x in p.records}
    assert HINDI not in names
    assert any(set(n) <= set("?& ") and "?" in n for n in names)


async def test_voucher_text_with_markup_is_posted_verbatim(
    tally: tuple[TallySimulator, Admin],
) -> None:
    sim, _ = tally
    narration = f"{MARKUP} </VOUCHER><VOUCHER> {HINDI} {THAI}"
    async with client_for(sim) as client:
        reader = reader_for(client)
        work = await importer(reader)
        [outcome] = await work.import_vouchers([sales("WM-X", narration=narration)])
        assert outcome.outcome == "created"
        found = [
            v
            async for _, _, _, vs in export_vouchers(reader, date(2025, 4, 15), date(2025, 4, 15))
            for v in vs
        ]
    assert [v.narration for v in found] == [narration]


# -- exports ----------------------------------------------------------------------------


async def test_stock_items_are_typed(tally: tuple[TallySimulator, Admin]) -> None:
    sim, _ = tally
    async with client_for(sim) as client:
        reader = reader_for(client)
        company = await reader.open_company()
        [page] = await all_items(reader)
    [widget] = page.records
    assert isinstance(widget, StockItem)
    assert company.guid is not None
    assert widget.guid.startswith(company.guid)
    assert widget.name == "Widget"
    assert widget.parent is None
    assert widget.base_unit == "Nos"
    assert widget.closing_qty == Decimal(1000)
    assert widget.closing_rate == Decimal("300.00")
    assert widget.closing_value == Decimal("300000.00")
    assert widget.standard_price == Decimal(500)
    assert widget.hsn_code == "8471"
    assert widget.godowns == (
        GodownQuantity(godown="Main Location", qty=Decimal(600)),
        GodownQuantity(godown="Bengaluru WH", qty=Decimal(400)),
    )
    assert widget.master_id > 0
    assert widget.alter_id >= widget.master_id


async def test_incremental_export(tally: tuple[TallySimulator, Admin]) -> None:
    sim, admin = tally
    async with client_for(sim) as client:
        reader = reader_for(client)
        [first] = await all_items(reader)
        assert first.last_page
        assert not first.unchanged
        cursor = first.next_alter_id
        assert cursor is not None
        assert cursor > 0

        # Unchanged: only the company probe is sent, no stock item scan (§3.6).
        await admin.call("DELETE", "/requests")
        [same] = await all_items(reader, cursor)
        assert same.unchanged
        assert same.records == []
        assert same.next_alter_id == cursor
        summaries = [e["summary"].get("type") for e in await admin.requests()]
        assert "STOCKITEM" not in summaries

        # Changed: only what has a higher ALTERID comes back.
        await admin.seed_masters(COMPANY, {"stock_items": [{"name": "Gadget", "base_unit": "Nos"}]})
        [changed] = await all_items(reader, cursor)
        assert [i.name for i in changed.records] == ["Gadget"]
        assert changed.next_alter_id is not None
        assert changed.next_alter_id > cursor
        gadget = changed.records[0]

        # Deleted: invisible to the ALTERID filter, found by the census.
        delete = import_data(RequestContext(company=COMPANY), "All Masters", [])
        delete = delete.replace(
            "<TALLYMESSAGE/>",
            '<TALLYMESSAGE><STOCKITEM NAME="Gadget" ACTION="Delete"><NAME>Gadget</NAME>'
            "</STOCKITEM></TALLYMESSAGE>",
        )
        assert read_import_result(await client.post(delete)).deleted == 1
        [census] = await all_items(reader, changed.next_alter_id, census=True)
        assert census.census is not None
        assert gadget.guid not in census.census
        assert first.records[0].guid in census.census


async def test_stock_moved_by_vouchers_is_exported(tally: tuple[TallySimulator, Admin]) -> None:
    """A posted Sales voucher moves the Widget's closing stock without changing its ALTERID;
    the incremental export still brings it, and only it (§3.6, tally-agent.md)."""
    sim, admin = tally
    await admin.seed_masters(COMPANY, {"stock_items": [{"name": "Gadget", "base_unit": "Nos"}]})
    async with client_for(sim) as client:
        reader = reader_for(client)
        [first] = await all_items(reader)
        cursor = first.next_alter_id
        assert cursor is not None
        [created] = await (await importer(reader)).import_vouchers([sales("WM-1", qty="2")])
        assert created.outcome == "created"
        [moved] = await all_items(reader, cursor)
        assert not moved.unchanged
        assert [(i.name, i.closing_qty) for i in moved.records] == [("Widget", Decimal(998))]
        assert moved.next_alter_id is not None
        assert moved.next_alter_id > cursor
        [still] = await all_items(reader, moved.next_alter_id)
        assert still.unchanged


async def test_restored_backup_triggers_full_resync(tally: tuple[TallySimulator, Admin]) -> None:
    sim, admin = tally
    async with client_for(sim) as client:
        reader = reader_for(client)
        [first] = await all_items(reader)
        assert first.next_alter_id is not None
        # Books replaced by an older copy: every counter is lower than the cursor.
        await admin.call("DELETE", f"/companies/{COMPANY}")
        await admin.call("POST", "/companies", {"name": COMPANY})
        await admin.seed_masters(
            COMPANY,
            {"units": [{"name": "Nos"}], "stock_items": [{"name": "Widget", "base_unit": "Nos"}]},
        )
        [again] = await all_items(reader, first.next_alter_id + 1000)
    assert again.full_resync
    assert again.since_alter_id == 0
    assert [i.name for i in again.records] == ["Widget"]


async def test_export_pages(tally: tuple[TallySimulator, Admin]) -> None:
    sim, admin = tally
    await admin.call("POST", f"/companies/{COMPANY}/stock-items/generate", {"count": 25})
    async with client_for(sim) as client:
        pages = [
            p
            async for p in export_masters(
                reader_for(client), STOCK_ITEMS, 0, census=True, page_size=10
            )
        ]
    assert [len(p.records) for p in pages] == [10, 10, 6]
    assert [p.last_page for p in pages] == [False, False, True]
    assert pages[-1].census is not None
    assert len(pages[-1].census) == 26


async def test_vouchers_in_windows(tally: tuple[TallySimulator, Admin]) -> None:
    sim, admin = tally
    async with client_for(sim) as client:
        reader = reader_for(client)
        work = await importer(reader)
        vouchers = [sales(f"WM-{n}", qty="1", day=date(2025, 5, 1 + n % 10)) for n in range(23)]
        outcomes = await work.import_vouchers(vouchers)
        assert {o.outcome for o in outcomes} == {"created"}
        await admin.call("DELETE", "/requests")
        windows = [
            w
            async for w in export_vouchers(
                reader, date(2025, 5, 1), date(2025, 5, 31), voucher_type="Sales", window=5
            )
        ]
    assert sum(len(w[3]) for w in windows) == 23
    assert all(len(w[3]) <= 5 for w in windows if w[1] != w[2])  # a lone day may exceed
    assert windows[0][1] == date(2025, 5, 1)
    assert windows[-1][2] == date(2025, 5, 31)
    # Sized by one per-date count (BY/AGGRCOMPUTE), not by a scan of every voucher (§3.5).
    bodies = [e["body"] for e in await admin.requests()]
    assert sum("MlcVoucherDays" in b for b in bodies) == 1
    assert not any("MlcVoucherDates" in b for b in bodies)


# -- imports ----------------------------------------------------------------------------


async def test_every_voucher_type_posts(tally: tuple[TallySimulator, Admin]) -> None:
    sim, admin = tally
    vouchers = [sales(), credit_note(), receipt(), payment(), journal()]
    async with client_for(sim) as client:
        reader = reader_for(client)
        outcomes = await (await importer(reader)).import_vouchers(vouchers)
        assert [o.outcome for o in outcomes] == ["created"] * 5
        assert all(o.master_id and o.guid for o in outcomes)
        posted = [
            v
            async for _, _, _, vs in export_vouchers(reader, date(2025, 4, 1), date(2025, 4, 30))
            for v in vs
        ]
    by_type = {v.voucher_type: v for v in posted}
    assert by_type["Sales"].amount == Decimal("1220.00")
    assert by_type["Sales"].party_ledger == "Walmart Marketplace"
    assert by_type["Credit Note"].amount == Decimal("590.00")
    assert by_type["Receipt"].amount == Decimal("5000.00")
    company = await admin.company(COMPANY)
    assert company["counts"]["vouchers"] == 5


async def test_redelivered_import_creates_nothing_new(tally: tuple[TallySimulator, Admin]) -> None:
    sim, admin = tally
    vouchers = [sales("WM-1"), sales("WM-2"), receipt()]
    async with client_for(sim) as client:
        reader = reader_for(client)
        first = await (await importer(reader)).import_vouchers(vouchers)
        second = await (await importer(reader)).import_vouchers(vouchers)
    assert [o.outcome for o in first] == ["created"] * 3
    assert [o.outcome for o in second] == ["exists"] * 3
    assert [o.master_id for o in second] == [o.master_id for o in first]
    assert (await admin.company(COMPANY))["counts"]["vouchers"] == 3


async def test_manual_numbering_matches_by_number_and_date(
    tally: tuple[TallySimulator, Admin],
) -> None:
    sim, admin = tally
    await admin.seed_masters(
        COMPANY,
        {
            "voucher_types": [
                {
                    "name": "Walmart Sales",
                    "parent": "Sales",
                    "numbering_method": "Manual",
                    "prevent_duplicates": True,
                }
            ]
        },
    )
    voucher = sales("WM-77").model_copy(update={"voucher_type_name": "Walmart Sales"})
    # A different narration: only number + date + type can recognise it.
    again = voucher.model_copy(update={"narration": "edited by hand"})
    async with client_for(sim) as client:
        reader = reader_for(client)
        [created] = await (await importer(reader)).import_vouchers([voucher])
        [exists] = await (await importer(reader)).import_vouchers([again])
    assert created.outcome == "created"
    assert exists.outcome == "exists"
    assert exists.reason is not None
    assert "WM-77" in exists.reason


async def test_batch_split_gives_each_failure_its_own_reason(
    tally: tuple[TallySimulator, Admin],
) -> None:
    sim, admin = tally
    vouchers = [
        sales("WM-1"),
        sales("WM-2", party="Ghost Party"),
        sales("WM-3"),
        sales("WM-4", item="Ghost Item"),
        sales("WM-5"),
        sales("WM-6", tax_ledger="Ghost Tax"),
        sales("WM-7"),
    ]
    async with client_for(sim) as client:
        outcomes = await (await importer(reader_for(client), batch_size=50)).import_vouchers(
            vouchers
        )
    assert [o.outcome for o in outcomes] == [
        "created",
        "rejected",
        "created",
        "rejected",
        "created",
        "rejected",
        "created",
    ]
    assert outcomes[1].reason == "Ledger 'Ghost Party' does not exist!"
    assert outcomes[3].reason == "Stock Item 'Ghost Item' does not exist!"
    assert outcomes[5].reason == "Ledger 'Ghost Tax' does not exist!"
    assert (await admin.company(COMPANY))["counts"]["vouchers"] == 4


async def test_masters_are_refused_with_tallys_words(tally: tuple[TallySimulator, Admin]) -> None:
    sim, _ = tally
    async with client_for(sim) as client:
        work = await importer(reader_for(client))
        outcomes = await work.create_masters(
            [
                LedgerSpec(name="Good Ledger", parent="Sundry Debtors"),
                LedgerSpec(name="Bad Ledger", parent="No Such Group"),
            ]
        )
    assert outcomes[0].outcome == "created"
    assert outcomes[1].outcome == "rejected"
    assert outcomes[1].reason is not None
    assert "No Such Group" in outcomes[1].reason


async def test_password_profile(tally: tuple[TallySimulator, Admin]) -> None:
    sim, admin = tally
    await admin.call(
        "PUT", f"/companies/{COMPANY}/password", {"username": "owner", "password": "s3cret"}
    )
    async with client_for(sim) as client:
        with pytest.raises(CompanyNotOpen):
            await all_items(reader_for(client))
        pages = await all_items(reader_for(client, username="owner", password="s3cret"))
    assert [i.name for i in pages[0].records] == ["Widget"]


# -- faults -----------------------------------------------------------------------------


async def test_port_closed(tally: tuple[TallySimulator, Admin]) -> None:
    sim, admin = tally
    async with client_for(sim) as client:
        await admin.call("POST", "/faults/stop")
        with pytest.raises(TallyPortClosed):
            await client.liveness()
        with pytest.raises(TallyPortClosed):
            await reader_for(client).companies()
        await admin.call("POST", "/faults/start")
        assert await reader_for(client).companies()


async def test_hang_waits_for_liveness_before_the_next_request(
    tally: tuple[TallySimulator, Admin],
) -> None:
    sim, admin = tally
    async with client_for(
        sim, read_timeout=0.5, liveness_wait=0.6, liveness_interval=0.1, liveness_timeout=0.2
    ) as client:
        reader = reader_for(client)
        await admin.call("POST", "/faults/hang")
        with pytest.raises(TallyBusy):
            await reader.companies()
        # Still hung: the next request is not sent, the liveness wait gives up first.
        await admin.call("DELETE", "/requests")
        with pytest.raises(TallyBusy, match="has not answered GET /"):
            await reader.companies()
        assert {e["method"] for e in await admin.requests()} == {"GET"}
        await admin.call("DELETE", "/faults/hang")
        await admin.call("DELETE", "/requests")
        assert await reader.companies()
    methods = [e["method"] for e in sorted(await admin.requests(), key=lambda e: e["seq"])]
    assert methods[-1] == "POST"
    assert "GET" in methods  # liveness answered before the request went out


async def test_busy_tally_is_waited_for_within_the_timeout(
    tally: tuple[TallySimulator, Admin],
) -> None:
    sim, admin = tally
    await admin.call("POST", "/faults/busy", {"seconds": 0.5})
    async with client_for(sim, read_timeout=10) as client:
        assert await reader_for(client).companies()
    await admin.call("POST", "/faults/busy", {"seconds": 3})
    async with client_for(
        sim, read_timeout=0.3, liveness_wait=10, liveness_interval=0.2, liveness_timeout=1
    ) as client:
        with pytest.raises(TallyBusy):
            await reader_for(client).companies()
        # Tally is still working: the next request waits until GET / answers, then goes.
        assert await reader_for(client).companies()


async def test_crash_mid_answer(tally: tuple[TallySimulator, Admin]) -> None:
    sim, admin = tally
    await admin.call("POST", f"/companies/{COMPANY}/stock-items/generate", {"count": 3000})
    await admin.call("POST", "/faults/crash", {"count": 1, "fraction": 0.3})
    async with client_for(sim) as client:
        reader = reader_for(client)
        with pytest.raises(TallyDropped):
            await all_items(reader)
        pages = await all_items(reader)
    assert sum(len(p.records) for p in pages) == 3001
