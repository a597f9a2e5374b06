"""Mapping completeness, by the orchestrator's own check (``mlc mapping check``,
sync_orchestrator.mapping_check): every Walmart SKU maps to a stock item, and every stock
item, ledger, godown and cost centre the mapping names exists in Tally. An order for an
unmapped SKU, or a voucher naming a missing ledger, would otherwise wait parked."""

from __future__ import annotations

from typing import Any

from mlc_shared.store.base import Store
from sync_orchestrator.mapping_check import Gap, TallyMasters, check_mapping
from sync_orchestrator.mapping_edit import read
from tally_agent.errors import TallyError
from tally_agent.kinds import COST_CENTRES, GODOWNS, LEDGERS, STOCK_ITEMS
from tally_agent.reads import TallyReader
from walmart_gateway.errors import WalmartError
from walmart_gateway.gateway import WalmartSeller

from ml_connector.doctor.report import Result, fail, ok, warn

SHOWN = 3
FIX = "correct the mapping (`mlc mapping`, docs/mapping.md) or create the masters in TallyPrime"


async def tally_masters(reader: TallyReader) -> TallyMasters:
    company = await reader.open_company()

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


def _few(gaps: list[Gap]) -> str:
    more = f"; and {len(gaps) - SHOWN} more" if len(gaps) > SHOWN else ""
    return "; ".join(g.message for g in gaps[:SHOWN]) + more


async def check_mapping_gaps(
    store: Store, tenant: str, reader: TallyReader, seller: WalmartSeller
) -> list[Result]:
    mapping = await read(store, tenant)
    try:
        masters = await tally_masters(reader)
    except TallyError as exc:
        return [warn("mapping", f"not checked: Tally did not answer ({exc.message})", exc.hint)]
    try:
        skus = {item.sku async for page in seller.items.pages() for item in page}
    except WalmartError as exc:
        return [warn("mapping", f"not checked: {exc.reason}", "see walmart.token")]
    gaps = check_mapping(mapping, masters, skus)
    in_tally = [g for g in gaps if g.kind.startswith("missing_")]
    unmapped = [g for g in gaps if g.kind == "unmapped_sku"]
    unlisted = [g for g in gaps if g.kind == "sku_not_listed"]
    results = [
        fail("mapping.tally", _few(in_tally), FIX)
        if in_tally
        else ok("mapping.tally", "every stock item, ledger, godown and cost centre named exists"),
        fail(
            "mapping.skus",
            f"{len(unmapped)} of {len(skus)} Walmart SKUs are unmapped: {_few(unmapped)}",
            "map them (`mlc mapping`, docs/mapping.md) or give the stock items those part numbers",
        )
        if unmapped
        else ok("mapping.skus", f"all {len(skus)} Walmart SKUs map to a stock item"),
    ]
    if unlisted:
        results.append(
            warn("mapping.listed", _few(unlisted), "list the item on Walmart or drop the entry")
        )
    return results
