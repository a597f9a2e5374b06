"""Catalog flow, new items: a Tally item whose stock group (or SKU row) asks for it is set up
on Walmart when Walmart does not list it yet, once enough content is mapped.

1. First sight: Walmart is asked whether it lists the SKU (``FindItems``); an item Walmart
   already has is never sent again as an ``MP_ITEM`` (that would replace its content).
2. Missing on Walmart: the setup is built from the mapping (listing.py). Complete -> an item
   feed (``SetupItems``), followed per SKU; incomplete -> audit ``needs_content`` naming the
   missing fields, re-evaluated every cycle so a mapping fix is picked up without a Tally
   change.
3. Set up: inventory and price are sent for it at once (they were refused while Walmart did
   not know the SKU).

Listing version per SKU: ``listed`` (Walmart has it), ``submitted`` or ``failed``.
"""

from __future__ import annotations

from mlc_shared.bus.topology import WALMART_COMMANDS
from mlc_shared.domain.tally import StockItem
from mlc_shared.domain.walmart import ItemSetup, PriceUpdate
from mlc_shared.messages.walmart import FindItems, ItemsFound, SetupItems

from sync_orchestrator.flows.catalog_push import (
    CATALOG,
    push_inventory,
    push_prices,
    remember_command,
    stocks_of,
)
from sync_orchestrator.flows.context import FlowContext
from sync_orchestrator.listing import eligible, item_setup
from sync_orchestrator.pricing import NoPrice, price_for
from sync_orchestrator.state import ListingCandidate, drop, load, load_all, save

LISTING_KIND = "listing"
SETTLED = ("listed", "submitted")
_FIND_BATCH = 1000


async def consider(ctx: FlowContext, items: list[tuple[StockItem, str]]) -> None:
    """Items of this export page that may need setting up."""
    wanted = {sku: item for item, sku in items if eligible(item, sku, ctx.mapping)}
    if not wanted:
        return
    versions = await ctx.tx.get_versions(ctx.tenant, LISTING_KIND, list(wanted))
    wanted = {sku: item for sku, item in wanted.items() if versions.get(sku) not in SETTLED}
    existing = await load(ctx.tx, ctx.tenant, ListingCandidate.KIND, ListingCandidate, list(wanted))
    fresh: dict[str, ListingCandidate] = {}
    updated: dict[str, ListingCandidate] = {}
    for sku, item in wanted.items():
        known = existing.get(sku)
        if known is None:
            fresh[sku] = ListingCandidate(item=item, sku=sku)
        else:
            updated[sku] = known.model_copy(update={"item": item})
    await save(ctx.tx, ctx.tenant, ListingCandidate.KIND, {**fresh, **updated})
    skus = list(fresh)
    for at in range(0, len(skus), _FIND_BATCH):
        await ctx.send(WALMART_COMMANDS, FindItems(skus=tuple(skus[at : at + _FIND_BATCH])))
    await evaluate(ctx, {s: c for s, c in updated.items() if c.stage == "needs_content"})


async def on_items_found(ctx: FlowContext, event: ItemsFound) -> None:
    candidates = await load(
        ctx.tx, ctx.tenant, ListingCandidate.KIND, ListingCandidate, [*event.found, *event.missing]
    )
    if event.found:
        await ctx.tx.set_versions(ctx.tenant, LISTING_KIND, dict.fromkeys(event.found, "listed"))
        await drop(ctx.tx, ctx.tenant, ListingCandidate.KIND, event.found)
        for sku in event.found:
            await ctx.audit(CATALOG, "item", sku, "listed", detail={"already_on_walmart": True})
    await evaluate(ctx, {s: candidates[s] for s in event.missing if s in candidates})


async def recheck(ctx: FlowContext) -> None:
    """Items waiting for content: the mapping may have been completed since."""
    waiting = await load_all(ctx.tx, ctx.tenant, ListingCandidate.KIND, ListingCandidate)
    await evaluate(ctx, {s: c for s, c in waiting.items() if c.stage == "needs_content"})


def _setup_price(ctx: FlowContext, item: StockItem, sku: str) -> PriceUpdate | None:
    try:
        price = price_for(item, sku, ctx.mapping)
    except NoPrice:
        price = None
    entry = ctx.mapping.skus.get(sku)
    if price is None and entry is not None and entry.price is not None:
        price = PriceUpdate(sku=sku, amount=entry.price, currency=ctx.mapping.pricing.currency)
    return price


async def evaluate(ctx: FlowContext, candidates: dict[str, ListingCandidate]) -> None:
    """Submit the candidates whose content is complete; report the others."""
    if not candidates:
        return
    setups: list[ItemSetup] = []
    after: dict[str, ListingCandidate] = {}
    for sku, candidate in candidates.items():
        result = item_setup(
            candidate.item, sku, _setup_price(ctx, candidate.item, sku), ctx.mapping
        )
        if isinstance(result, ItemSetup):
            setups.append(result)
            after[sku] = candidate.model_copy(update={"stage": "submitted", "missing": ()})
            continue
        if candidate.stage != "needs_content" or candidate.missing != result:
            await ctx.audit(
                CATALOG,
                "item",
                sku,
                "needs_content",
                detail={"stock_item": candidate.item.name, "missing": list(result)},
            )
        after[sku] = candidate.model_copy(update={"stage": "needs_content", "missing": result})
    await save(ctx.tx, ctx.tenant, ListingCandidate.KIND, after)
    size = ctx.settings.item_setup_batch_size
    for at in range(0, len(setups), size):
        batch = setups[at : at + size]
        sent = await ctx.send(WALMART_COMMANDS, SetupItems(items=tuple(batch)))
        await remember_command(ctx, sent.message_id, "item", [s.sku for s in batch])
        for setup in batch:
            await ctx.audit(
                CATALOG,
                "item",
                setup.sku,
                "queued",
                request=setup.model_dump_json(),
                detail={"product_id": setup.product_id, "price": str(setup.price)},
            )
    if setups:
        await ctx.tx.set_versions(ctx.tenant, LISTING_KIND, {s.sku: "submitted" for s in setups})


async def on_listed(ctx: FlowContext, skus: list[str]) -> None:
    """Walmart set these items up: send their stock and price now."""
    if not skus:
        return
    await ctx.tx.set_versions(ctx.tenant, LISTING_KIND, dict.fromkeys(skus, "listed"))
    candidates = await load(ctx.tx, ctx.tenant, ListingCandidate.KIND, ListingCandidate, skus)
    await drop(ctx.tx, ctx.tenant, ListingCandidate.KIND, skus)
    for sku in skus:
        await ctx.audit(CATALOG, "item", sku, "listed", detail={"set_up_by": "mlc"})
    items = [(c.item, sku) for sku, c in candidates.items()]
    await push_inventory(ctx, stocks_of(items, ctx), force=True)
    await push_prices(ctx, items, force=True)


async def on_setup_failed(ctx: FlowContext, skus: list[str]) -> None:
    if skus:
        await ctx.tx.set_versions(ctx.tenant, LISTING_KIND, dict.fromkeys(skus, "failed"))


async def give_up(ctx: FlowContext, skus: list[str]) -> None:
    """Retries exhausted: the item becomes a candidate again when it next changes in Tally."""
    await on_setup_failed(ctx, skus)
    await drop(ctx.tx, ctx.tenant, ListingCandidate.KIND, skus)


async def resubmit(ctx: FlowContext, skus: list[str]) -> None:
    candidates = await load(ctx.tx, ctx.tenant, ListingCandidate.KIND, ListingCandidate, skus)
    await evaluate(ctx, candidates)
