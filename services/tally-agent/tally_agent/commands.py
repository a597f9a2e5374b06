"""One function per command: a typed command in, typed results out (published by the
service as they come, so a paged export never waits for its last page)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from mlc_shared.bus.base import Reject
from mlc_shared.messages.envelope import Payload
from mlc_shared.messages.tally import (
    CreateMasters,
    ExportLedgers,
    ExportStockItems,
    ExportVouchers,
    FindVouchers,
    ImportVouchers,
    LedgersExported,
    MastersCreated,
    StockItemsExported,
    VouchersExported,
    VouchersFound,
    VouchersImported,
)

from tally_agent.importer import Importer, ImportOptions
from tally_agent.incremental import ExportPage, export_masters, export_vouchers
from tally_agent.kinds import LEDGERS, STOCK_ITEMS, M, MasterKind
from tally_agent.lookup import find_existing, key_of
from tally_agent.reads import TallyReader

MASTER_CREATE_OFF = (
    "this command creates masters in Tally, which this agent does not allow; "
    "set MLC_TALLY_ALLOW_MASTER_CREATE=true to allow it"
)


class CommandRunner:
    def __init__(
        self,
        reader: TallyReader,
        options: ImportOptions,
        *,
        page_size: int,
        window: int,
        allow_master_create: bool,
        count_method: str = "aggregate",
        shared_alter_ids: bool = True,
    ) -> None:
        self.reader = reader
        self.count_method = count_method
        self.shared_alter_ids = shared_alter_ids
        self.options = options
        self.page_size = page_size
        self.window = window
        self.allow_master_create = allow_master_create

    def run(self, command: Payload) -> AsyncIterator[Payload]:
        if isinstance(command, ExportStockItems):
            return self.export_stock_items(command)
        if isinstance(command, ExportLedgers):
            return self.export_ledgers(command)
        if isinstance(command, ExportVouchers):
            return self.export_vouchers(command)
        if isinstance(command, FindVouchers):
            return self.find_vouchers(command)
        if isinstance(command, ImportVouchers):
            return self.import_vouchers(command)
        if isinstance(command, CreateMasters):
            return self.create_masters(command)
        raise Reject(f"the tally-agent does not handle {command.message_type} messages")

    async def export_stock_items(
        self, command: ExportStockItems
    ) -> AsyncIterator[StockItemsExported]:
        async for page in self._master_pages(STOCK_ITEMS, command):
            yield StockItemsExported(items=tuple(page.records), **_page_fields(page))

    async def export_ledgers(self, command: ExportLedgers) -> AsyncIterator[LedgersExported]:
        async for page in self._master_pages(LEDGERS, command):
            yield LedgersExported(ledgers=tuple(page.records), **_page_fields(page))

    def _master_pages(
        self, kind: MasterKind[M], command: ExportStockItems | ExportLedgers
    ) -> AsyncIterator[ExportPage[M]]:
        return export_masters(
            self.reader,
            kind,
            command.since_alter_id,
            voucher_cursor=command.since_voucher_alter_id,
            census=command.census,
            page_size=self.page_size,
            shared_alter_ids=self.shared_alter_ids,
            backlog=self.window,
        )

    async def export_vouchers(self, command: ExportVouchers) -> AsyncIterator[VouchersExported]:
        if command.to_date < command.from_date:
            raise Reject(f"to_date {command.to_date} is before from_date {command.from_date}")
        windows = export_vouchers(
            self.reader,
            command.from_date,
            command.to_date,
            voucher_type=command.voucher_type,
            include_cancelled=command.include_cancelled,
            window=self.window,
            count_method=self.count_method,
        )
        previous: VouchersExported | None = None
        page = 0
        async for company, start, end, vouchers in windows:
            if previous is not None:
                yield previous
            page += 1
            previous = VouchersExported(
                company=company,
                from_date=start,
                to_date=end,
                vouchers=tuple(vouchers),
                page=page,
                last_page=False,
            )
        if previous is not None:
            yield previous.model_copy(update={"last_page": True})

    async def find_vouchers(self, command: FindVouchers) -> AsyncIterator[VouchersFound]:
        company = await self.reader.open_company()
        reader = self.reader.for_company(company)
        found = await find_existing(
            reader,
            company,
            command.keys,
            match_type=self.options.match_type,
            match_narration=self.options.match_narration,
        )
        missing = tuple(k for k in command.keys if key_of(k, self.options.match_type) not in found)
        yield VouchersFound(found=tuple(found.values()), missing=missing)

    async def import_vouchers(self, command: ImportVouchers) -> AsyncIterator[VouchersImported]:
        if command.masters and not self.allow_master_create:
            raise Reject(MASTER_CREATE_OFF)
        client = self.reader.client
        # One exclusive turn: the duplicate check and the imports it guards (ARCHITECTURE.md).
        async with client.exclusive():
            company = await self.reader.open_company()
            importer = Importer(self.reader.for_company(company), company, self.options)
            masters = await importer.create_masters(command.masters) if command.masters else []
            results = await importer.import_vouchers(command.vouchers)
        refused = [r for r in results if r.outcome == "rejected"]
        if command.park_rejected and refused:
            # Parked with Tally's words; a replay after the operator fixed Tally imports the
            # command again (the duplicate check keeps any voucher that did post from
            # posting twice).
            raise Reject(
                "Tally refused "
                + "; ".join(f"voucher {r.number}: {r.reason or 'no reason given'}" for r in refused)
            )
        yield VouchersImported(results=tuple(results), masters=tuple(masters))

    async def create_masters(self, command: CreateMasters) -> AsyncIterator[MastersCreated]:
        if not self.allow_master_create:
            raise Reject(MASTER_CREATE_OFF)
        async with self.reader.client.exclusive():
            company = await self.reader.open_company()
            importer = Importer(self.reader.for_company(company), company, self.options)
            results = await importer.create_masters(command.masters)
        yield MastersCreated(results=tuple(results))


def _page_fields(page: ExportPage[Any]) -> dict[str, Any]:
    """What every master export result carries besides its records."""
    return {
        "company": page.company,
        "since_alter_id": page.since_alter_id,
        "unchanged": page.unchanged,
        "page": page.page,
        "last_page": page.last_page,
        "next_alter_id": page.next_alter_id,
        "full_resync": page.full_resync,
        "census": page.census,
        "next_voucher_alter_id": page.next_voucher_alter_id,
    }
