"""Catalog flow: stock items changed in Tally -> Walmart inventory per ship node, prices, and
item setup for new items (docs/mapping.md).

A cycle starts with the stock export (the command the run is tracked by), then asks about
the feeds still being followed and sends again what Walmart refused last time. Each export
page: inventory (catalog_push.py, less the orders Walmart took that Tally has not booked
yet), prices, new items (catalog_listing.py); inventory and price updates wait for a full
command or the last page. Outcomes: catalog_feeds.py.

Cursor ``{"alter_id": n}``: the agent's ``next_alter_id`` of the last complete export. It moves
only with the export's last page, in the same transaction as that page's outbox rows, so a
crash repeats at most one cycle, and the repeat is harmless because Walmart quantities and
prices are absolute.
"""

from __future__ import annotations

from datetime import datetime

from mlc_shared.bus.topology import tally_commands
from mlc_shared.domain.tally import StockItem
from mlc_shared.messages.tally import ExportStockItems, StockItemsExported
from mlc_shared.messages.walmart import (
    FeedChecked,
    InventoryUpdated,
    ItemsFound,
    ItemsSubmitted,
    PricesUpdated,
    WalmartRequestRejected,
)

from sync_orchestrator.flows import catalog_feeds as feeds
from sync_orchestrator.flows import catalog_listing as listing
from sync_orchestrator.flows.base import Flow, Step
from sync_orchestrator.flows.catalog_push import (
    CATALOG,
    INVENTORY_KIND,
    push_inventory,
    push_prices,
    stocks_of,
)
from sync_orchestrator.flows.context import FlowContext

__all__ = ["CATALOG", "FLOW", "INVENTORY_KIND"]


async def start(ctx: FlowContext, since: datetime | None = None) -> None:
    """``since`` (a backfill) re-reads every stock item; versions keep unchanged ones unsent."""
    cursor = await ctx.tx.get_cursor(ctx.tenant, CATALOG) or {}
    alter_id = 0 if since is not None else int(cursor.get("alter_id", 0))
    await ctx.send(tally_commands(ctx.tenant), ExportStockItems(since_alter_id=alter_id))
    await feeds.check_feeds(ctx)
    await feeds.resend(ctx)
    await listing.recheck(ctx)


async def on_stock_items(ctx: FlowContext, event: StockItemsExported) -> None:
    mapped: list[tuple[StockItem, str]] = []
    for item in event.items:
        sku = ctx.mapping.sku_for_item(item)
        if sku is None:
            await ctx.audit(
                CATALOG,
                "stock_item",
                item.name,
                "unmapped",
                detail={"reason": "no Walmart SKU maps to this stock item"},
            )
        else:
            mapped.append((item, sku))
    # Until the last page, only full commands go; the last page sends what waits.
    await push_inventory(ctx, stocks_of(mapped, ctx), final=event.last_page)
    await push_prices(ctx, mapped, final=event.last_page)
    await listing.consider(ctx, mapped)
    if event.last_page and event.next_alter_id is not None:
        await ctx.tx.set_cursor(ctx.tenant, CATALOG, {"alter_id": event.next_alter_id})


FLOW = Flow(
    name=CATALOG,
    start=start,
    steps={
        StockItemsExported: Step(on_stock_items, ends_run=True),
        InventoryUpdated: Step(feeds.on_inventory_updated),
        PricesUpdated: Step(feeds.on_prices_updated),
        ItemsFound: Step(listing.on_items_found),
        ItemsSubmitted: Step(feeds.on_items_submitted),
        FeedChecked: Step(feeds.on_feed_checked),
        WalmartRequestRejected: Step(feeds.on_request_rejected),
    },
    interval_setting="catalog_interval_s",
)
