"""Catalog flow: stock changed in Tally -> absolute inventory per ship node on Walmart.

Cursor ``{"alter_id": n}``: the agent's ``next_alter_id`` of the last complete export. It moves
only with the export's last page, in the same transaction as that page's outbox rows, so a
crash repeats at most one cycle, and the repeat is harmless because Walmart quantities are
absolute.
"""

from __future__ import annotations

from datetime import datetime

from mlc_shared.bus.topology import WALMART_COMMANDS, tally_commands
from mlc_shared.messages.tally import ExportStockItems, StockItemsExported
from mlc_shared.messages.walmart import InventoryUpdated, UpdateInventory

from sync_orchestrator.flows.base import Flow, Step
from sync_orchestrator.flows.context import FlowContext
from sync_orchestrator.inventory import inventory_updates

CATALOG = "catalog"
INVENTORY_KIND = "inventory"


async def start(ctx: FlowContext, since: datetime | None = None) -> None:
    cursor = await ctx.tx.get_cursor(ctx.tenant, CATALOG) or {}
    await ctx.send(
        tally_commands(ctx.tenant), ExportStockItems(since_alter_id=int(cursor.get("alter_id", 0)))
    )


async def on_stock_items(ctx: FlowContext, event: StockItemsExported) -> None:
    if event.items:
        await _push_inventory(ctx, event)
    if event.last_page and event.next_alter_id is not None:
        await ctx.tx.set_cursor(ctx.tenant, CATALOG, {"alter_id": event.next_alter_id})


async def _push_inventory(ctx: FlowContext, event: StockItemsExported) -> None:
    updates, unmapped = inventory_updates(event.items, ctx.mapping)
    for item in unmapped:
        await ctx.audit(
            CATALOG,
            "stock_item",
            item.name,
            "unmapped",
            detail={"reason": "no Walmart SKU maps to this stock item"},
        )
    # Push only what differs from what Walmart was last told (record versions).
    keys = [f"{u.sku}@{u.ship_node or 'default'}" for u in updates]
    known = await ctx.tx.get_versions(ctx.tenant, INVENTORY_KIND, keys)
    changed = [u for u, k in zip(updates, keys, strict=True) if known.get(k) != str(u.quantity)]
    size = ctx.settings.inventory_batch_size
    for at in range(0, len(changed), size):
        batch = changed[at : at + size]
        await ctx.send(WALMART_COMMANDS, UpdateInventory(updates=tuple(batch)))
        for update in batch:
            await ctx.audit(
                CATALOG,
                "inventory",
                update.sku,
                "queued",
                target_id=update.ship_node,
                detail={"quantity": update.quantity},
            )
    await ctx.tx.set_versions(
        ctx.tenant, INVENTORY_KIND, {k: str(u.quantity) for u, k in zip(updates, keys, strict=True)}
    )


async def on_inventory_updated(ctx: FlowContext, event: InventoryUpdated) -> None:
    failed: dict[str, str] = {}
    for outcome in event.results:
        status = "pushed" if outcome.ok else "failed"
        await ctx.audit(
            CATALOG,
            "inventory",
            outcome.sku,
            status,
            target_id=outcome.ship_node,
            detail={"feed_id": event.feed_id, "error": outcome.error},
        )
        if not outcome.ok:
            failed[f"{outcome.sku}@{outcome.ship_node or 'default'}"] = "failed"
    if failed:
        # Forget the version so the next cycle sends these again.
        await ctx.tx.set_versions(ctx.tenant, INVENTORY_KIND, failed)


FLOW = Flow(
    name=CATALOG,
    start=start,
    steps={
        StockItemsExported: Step(on_stock_items, ends_run=True),
        InventoryUpdated: Step(on_inventory_updated),
    },
    interval_setting="catalog_interval_s",
)
