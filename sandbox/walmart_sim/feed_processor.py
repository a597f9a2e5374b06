"""Processing a submitted feed in the background: RECEIVED → INPROGRESS → PROCESSED | ERROR.

walmart-api.md §3.2: ERROR means the whole file was rejected and nothing applied
(``ERR_PDI_0001``, malformed file, C-54836535321); a PROCESSED feed may still hold failed
items (DATA_ERROR with their codes). A file without a single entry is PROCESSED with the
feed-level error "There is not a single eligible item found in feed to process"
(C-10337059801). Each stage lasts ``feed_stage_seconds`` of simulated time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import catalog, inventory
from .bodies import as_list, dig
from .context import SimContext
from .models import Feed, FeedItemResult, IngestionError


@dataclass(frozen=True)
class FeedKind:
    header: str
    entries: str
    family: str
    """Throttle/size family and token scope key (walmart-api.md §10.2)."""
    scope: str


FEED_KINDS: dict[str, FeedKind] = {
    "MP_ITEM": FeedKind("MPItemFeedHeader", "MPItem", "item", "item"),
    "MP_MAINTENANCE": FeedKind("MPItemFeedHeader", "MPItem", "item", "item"),
    "RETIRE_ITEM": FeedKind("RetireItemHeader", "RetireItem", "item", "item"),
    "price": FeedKind("PriceHeader", "Price", "price", "price"),
    "promo": FeedKind("PriceHeader", "Price", "price", "price"),
    "inventory": FeedKind("InventoryHeader", "Inventory", "inventory", "inventory"),
    "MP_INVENTORY": FeedKind("inventoryHeader", "inventory", "inventory", "inventory"),
    "lagtime": FeedKind("LagTimeHeader", "lagTime", "lagtime", "lagtime"),
}

NO_ELIGIBLE_ITEM = (
    "com.walmart.partnerapi.exception.PartnerDataProcessingException: "
    "There is not a single eligible item found in feed to process"
)


SYSTEM_ERROR_TEXT = "Internal system error while processing this item; please resubmit it"


class _FeedRejected(Exception):
    pass


def _document(feed: Feed, ctx: SimContext) -> tuple[dict[str, Any], list[Any]]:
    kind = FEED_KINDS[feed.feed_type]
    try:
        data = json.loads(feed.payload)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _FeedRejected(f"Malformed data in the feed file: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get(kind.header), dict):
        raise _FeedRejected(f"Malformed data in the feed file: {kind.header} is missing")
    entries = data.get(kind.entries)
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise _FeedRejected(f"Malformed data in the feed file: {kind.entries} must be a list")
    if len(entries) > ctx.config.max_items_per_feed:
        raise _FeedRejected(
            f"Feed holds {len(entries)} items; at most {ctx.config.max_items_per_feed} are allowed"
        )
    return data[kind.header], entries


def _sku_of(feed_type: str, entry: Any) -> str | None:
    sku = (
        dig(entry, "Orderable", "sku")
        if feed_type in ("MP_ITEM", "MP_MAINTENANCE")
        else (dig(entry, "sku") or dig(entry, "itemIdentifier", "sku"))
    )
    return str(sku) if sku is not None else None


def _inventory_entry(
    ctx: SimContext, feed: Feed, entry: Any, reserved: dict[tuple[str, str], int]
) -> None:
    item = catalog.require_item(ctx, dig(entry, "sku"))
    node = feed.ship_node or (ctx.state.default_node.ship_node if ctx.state.default_node else None)
    if node is None or ctx.state.node(node) is None:
        raise catalog.Rejected("ERR_PDI_0034", f"Ship node {node} is not set up")
    inventory.set_quantity(
        ctx, item.sku, node, catalog.parse_quantity(dig(entry, "quantity")), reserved
    )


def _multinode_entry(ctx: SimContext, entry: Any, reserved: dict[tuple[str, str], int]) -> None:
    item = catalog.require_item(ctx, dig(entry, "sku"))
    nodes = as_list(dig(entry, "shipNodes"))
    if not nodes:
        raise catalog.missing("shipNodes")
    planned = []
    for raw in nodes:
        node = dig(raw, "shipNode")
        if not isinstance(node, str) or ctx.state.node(node) is None:
            raise catalog.Rejected("ERR_PDI_0034", f"Ship node {node} is not set up")
        planned.append((node, catalog.parse_quantity(dig(raw, "quantity"))))
    for node, qty in planned:
        inventory.set_quantity(ctx, item.sku, node, qty, reserved)


def _applier(ctx: SimContext, feed: Feed, header: dict[str, Any]) -> Callable[[Any], object]:
    reserved = inventory.reserved_map(ctx)  # orders cannot change while a feed is applied
    appliers: dict[str, Callable[[Any], object]] = {
        "MP_ITEM": lambda e: catalog.setup_item(ctx, e, header, maintenance=False),
        "MP_MAINTENANCE": lambda e: catalog.setup_item(ctx, e, header, maintenance=True),
        "RETIRE_ITEM": lambda e: catalog.retire(ctx, dig(e, "sku")),
        "price": lambda e: catalog.set_price(ctx, e),
        "promo": lambda e: catalog.set_promos(ctx, e),
        "inventory": lambda e: _inventory_entry(ctx, feed, e, reserved),
        "MP_INVENTORY": lambda e: _multinode_entry(ctx, e, reserved),
        "lagtime": lambda e: catalog.set_lag_time(ctx, e),
    }
    return appliers[feed.feed_type]


def _apply(ctx: SimContext, feed: Feed, header: dict[str, Any], entries: list[Any]) -> None:
    apply_entry = _applier(ctx, feed, header)
    for result, entry in zip(feed.results, entries, strict=True):
        rate = ctx.config.feed_system_error_rate
        if rate and ctx.fault_rng.random() < rate:
            # Fault knob: nothing applied, the entry may be sent again (§3.2).
            result.status = "SYSTEM_ERROR"
            result.errors = [IngestionError("SYSTEM_ERROR", "SYSTEM_ERROR", SYSTEM_ERROR_TEXT)]
            continue
        try:
            apply_entry(entry)
        except catalog.Rejected as exc:
            result.status = "DATA_ERROR"
            result.errors = [IngestionError("DATA_ERROR", exc.code, exc.description)]
            continue
        result.status = "SUCCESS"
        item = ctx.state.items.get(result.sku or "")
        if item is not None and feed.feed_type in ("MP_ITEM", "MP_MAINTENANCE"):
            result.wpid, result.item_id = item.wpid, item.item_id


async def process(ctx: SimContext, feed: Feed) -> None:
    await ctx.clock.sleep(ctx.config.feed_stage_seconds)
    try:
        header, entries = _document(feed, ctx)
    except _FeedRejected as exc:
        feed.status = "ERROR"
        feed.feed_errors = [IngestionError("DATA_ERROR", "ERR_PDI_0001", str(exc))]
        feed.modified_ms = ctx.clock.now_ms()
        return
    feed.status = "INPROGRESS"
    feed.items_received = len(entries)
    feed.results = [FeedItemResult(i, _sku_of(feed.feed_type, e)) for i, e in enumerate(entries)]
    feed.modified_ms = ctx.clock.now_ms()
    await ctx.clock.sleep(ctx.config.feed_stage_seconds)
    if not entries:
        feed.feed_errors = [IngestionError("DATA_ERROR", "ERR_PDI_0001", NO_ELIGIBLE_ITEM)]
    _apply(ctx, feed, header, entries)
    feed.status = "PROCESSED"
    feed.modified_ms = ctx.clock.now_ms()
