"""Tally and Walmart reached straight from an operator's command (``mlc mapping check``,
``mlc sync --dry-run``), with the agent's and the gateway's own code and settings
(``MLC_TALLY_*``, ``MLC_WALMART_*``): the agent's reader and command runner, the gateway's
seller APIs and command handlers. The command therefore needs Tally's port and Walmart in
reach of the machine it runs on (on the seller's LAN, for Tally).

A tenant of the registry uses its own Tally company and Walmart account from the registry;
otherwise the settings' own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from mlc_shared.config import load_settings
from mlc_shared.domain.tally import MasterSpec
from mlc_shared.messages.tally import CreateMasters, MasterOutcome
from mlc_shared.store.records import TenantRecord
from sync_orchestrator.mapping_check import TallyMasters
from tally_agent.commands import CommandRunner
from tally_agent.factory import client_for, import_options, reader_for
from tally_agent.kinds import COST_CENTRES, GODOWNS, LEDGERS, STOCK_ITEMS
from tally_agent.reads import TallyReader
from tally_agent.settings import TallyAgentSettings
from walmart_gateway.credentials import WalmartCredentials
from walmart_gateway.gateway import WalmartGateway, WalmartSeller
from walmart_gateway.settings import WalmartSettings


@dataclass
class Edges:
    tally: TallyAgentSettings
    walmart: WalmartSettings
    reader: TallyReader
    runner: CommandRunner
    gateway: WalmartGateway
    tenant: str
    credentials: WalmartCredentials | None

    async def seller(self) -> WalmartSeller:
        if self.credentials is not None:
            return self.gateway.seller_for(self.credentials)
        return await self.gateway.seller(self.tenant)


@asynccontextmanager
async def edges_for(
    tenant: str, record: TenantRecord | None = None, **overrides: Any
) -> AsyncIterator[Edges]:
    tally_overrides = dict(overrides)
    if record is not None and record.tally_company:
        tally_overrides["tally_company"] = record.tally_company
    tally = load_settings(TallyAgentSettings, **tally_overrides)
    walmart = load_settings(WalmartSettings, **overrides)
    credentials = None
    if record is not None and record.walmart_client_id and record.walmart_client_secret:
        credentials = WalmartCredentials(record.walmart_client_id, record.walmart_client_secret)
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(client_for(tally))
        reader = reader_for(tally, client)
        runner = CommandRunner(
            reader,
            import_options(tally),
            page_size=tally.tally_export_page_size,
            window=tally.tally_export_window,
            allow_master_create=tally.tally_allow_master_create,
            count_method=tally.tally_voucher_count,
            shared_alter_ids=tally.tally_shared_alter_ids,
        )
        gateway = WalmartGateway(walmart)
        stack.push_async_callback(gateway.aclose)
        yield Edges(tally, walmart, reader, runner, gateway, tenant, credentials)


async def tally_masters(edges: Edges) -> TallyMasters:
    company = await edges.reader.open_company()
    reader = edges.reader.for_company(company)

    async def names(kind: Any) -> frozenset[str]:
        async with reader.masters(kind, company) as rows:
            return frozenset([row.name async for row in rows])

    async with reader.masters(STOCK_ITEMS, company) as rows:
        items = tuple([item async for item in rows])
    return TallyMasters(
        stock_items=items,
        ledgers=await names(LEDGERS),
        godowns=await names(GODOWNS),
        cost_centres=await names(COST_CENTRES),
    )


async def walmart_skus(edges: Edges) -> set[str]:
    seller = await edges.seller()
    skus: set[str] = set()
    async for page in seller.items.pages():
        skus.update(item.sku for item in page)
    return skus


async def create_masters(edges: Edges, masters: list[MasterSpec]) -> list[MasterOutcome]:
    """Through the agent's own command, so its MLC_TALLY_ALLOW_MASTER_CREATE decides."""
    outcomes: list[MasterOutcome] = []
    async for result in edges.runner.create_masters(CreateMasters(masters=tuple(masters))):
        outcomes.extend(result.results)
    return outcomes
