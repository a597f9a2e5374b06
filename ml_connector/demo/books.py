"""Reading the books back the way a seller checks them: Tally through the agent's reader,
Walmart through the gateway's API objects. Nothing here reads a simulator's internals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

from mlc_shared.domain.tally import PostedVoucher
from mlc_shared.domain.walmart import ReconReport, ReturnOrder
from tally_agent.factory import client_for, reader_for
from tally_agent.kinds import LEDGERS
from tally_agent.reads import TallyReader
from tally_agent.settings import TallyAgentSettings

from ml_connector.runtime import Runtime


@asynccontextmanager
async def _tally(runtime: Runtime) -> AsyncIterator[tuple[TallyReader, Any]]:
    settings: TallyAgentSettings = runtime.service("tally-agent").settings
    client = client_for(settings)
    try:
        reader = reader_for(settings, client)
        yield reader, await reader.open_company()
    finally:
        await client.aclose()


async def tally_vouchers(runtime: Runtime) -> list[PostedVoucher]:
    """Every voucher of the company, all types."""
    async with _tally(runtime) as (reader, company), reader.vouchers(company, []) as rows:
        return [v async for v in rows]


async def debit_balances(runtime: Runtime, names: list[str]) -> dict[str, Decimal]:
    """Closing balances, debit positive (Tally exports a debit as negative, §3.2)."""
    async with (
        _tally(runtime) as (reader, company),
        reader.masters_named(LEDGERS, company, names) as rows,
    ):
        return {ledger.name: -(ledger.closing_balance or Decimal(0)) async for ledger in rows}


async def _seller(runtime: Runtime) -> Any:
    gateway: Any = runtime.service("walmart-gateway")
    return await gateway.gateway.seller(gateway.settings.tenant)


async def walmart_qty(runtime: Runtime, sku: str, node: str) -> int | None:
    seller = await _seller(runtime)
    for level in await seller.inventory.levels(sku):
        if level.ship_node == node:
            return level.input_qty  # type: ignore[no-any-return]
    return None


async def walmart_open_statuses(runtime: Runtime, purchase_order_id: str) -> set[str]:
    placed = await (await _seller(runtime)).orders.get(purchase_order_id)
    if placed is None:
        return set()
    return {line.status for line in placed.lines if line.status != "Cancelled"}


async def walmart_returns(runtime: Runtime, ids: list[str]) -> dict[str, ReturnOrder]:
    seller = await _seller(runtime)
    found = {}
    for rid in ids:
        if (ret := await seller.returns.get(rid)) is not None:
            found[rid] = ret
    return found


async def walmart_report(runtime: Runtime, report_date: str) -> ReconReport:
    report: ReconReport = await (await _seller(runtime)).recon.report(report_date)
    return report
