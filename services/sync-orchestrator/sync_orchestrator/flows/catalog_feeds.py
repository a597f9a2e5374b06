"""Catalog flow, outcomes: every SKU's answer from Walmart is audited, and a SKU Walmart
refused is sent again next cycle (up to ``catalog_retry_limit`` times).

Few updates are answered at once (single calls); many go as feeds, whose per-SKU results
come later (walmart-api.md §3.2: RECEIVED -> INPROGRESS -> PROCESSED | ERROR; a PROCESSED
feed may still hold failed items). A feed is followed with ``CheckFeed`` at the start of
each catalog cycle (Walmart advises polling from 15 minutes, §3.2; the cycle's default) until
it is complete; an ERROR feed fails everything it carried. A feed whose counts say every
item succeeded comes without per-item details (the gateway does not read them): each entry it
carried is recorded as pushed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mlc_shared.bus.topology import WALMART_COMMANDS
from mlc_shared.domain.walmart import SkuOutcome
from mlc_shared.messages.walmart import (
    CheckFeed,
    FeedChecked,
    InventoryUpdated,
    ItemsSubmitted,
    PricesUpdated,
    WalmartRequestRejected,
)

from sync_orchestrator.flows import catalog_listing as listing
from sync_orchestrator.flows.catalog_push import (
    CATALOG,
    COMMAND_KIND,
    INVENTORY_KIND,
    PRICE_KIND,
    Stock,
    price_from_version,
    push_inventory,
    send_prices,
    stock_from_version,
)
from sync_orchestrator.flows.context import FlowContext
from sync_orchestrator.state import CatalogKind, FollowedFeed, Retry, drop, load, load_all, save

KINDS: tuple[CatalogKind, ...] = ("inventory", "price", "item")
CATALOG_COMMANDS = {
    "walmart.update_inventory": "inventory",
    "walmart.update_prices": "price",
    "walmart.setup_items": "item",
    "walmart.find_items": "item",
    "walmart.check_feed": "feed",
}


def _sku(key: str) -> str:
    return key.rpartition("@")[0] or key


async def _command_keys(ctx: FlowContext) -> list[str]:
    """The keys the answered command carried (remembered when it was sent)."""
    command_id = ctx.cause.causation_id if ctx.cause else None
    if not command_id:
        return []
    found = await ctx.tx.get_records(ctx.tenant, COMMAND_KIND, [command_id])
    await ctx.tx.delete_records(ctx.tenant, COMMAND_KIND, [command_id])
    keys: list[str] = found.get(command_id, {}).get("keys", [])
    return keys


def _keys(
    ctx: FlowContext, kind: CatalogKind, outcome: SkuOutcome, carried: Sequence[str]
) -> list[str]:
    """The version keys an outcome answers. Feed results may not name the ship node
    (walmart-api.md §3.2 lists a SKU per item): then every node the feed carried for it."""
    if kind != "inventory":
        return [outcome.sku]
    if outcome.ship_node in ctx.mapping.ship_nodes:
        return [f"{outcome.sku}@{outcome.ship_node}"]
    named = [k for k in carried if _sku(k) == outcome.sku]
    if named:
        return named
    default = "default" if "default" in ctx.mapping.ship_nodes else ctx.mapping.default_ship_node
    return [f"{outcome.sku}@{default}"]


async def _answered(
    ctx: FlowContext, kind: CatalogKind, results: Sequence[SkuOutcome], feed_ids: Sequence[str]
) -> None:
    keys = await _command_keys(ctx)
    await record_outcomes(ctx, kind, results, feed_id=None, carried=keys)
    answered = {k for r in results for k in _keys(ctx, kind, r, keys)}
    carried = tuple(k for k in keys if k not in answered)
    for feed_id in feed_ids:
        await save(
            ctx.tx, ctx.tenant, FollowedFeed.KIND, {feed_id: FollowedFeed(kind=kind, keys=carried)}
        )
        await ctx.audit(
            CATALOG, "feed", feed_id, "submitted", detail={"kind": kind, "entries": len(carried)}
        )


async def on_inventory_updated(ctx: FlowContext, event: InventoryUpdated) -> None:
    feeds = event.feed_ids or ((event.feed_id,) if event.feed_id else ())
    await _answered(ctx, "inventory", event.results, feeds)


async def on_prices_updated(ctx: FlowContext, event: PricesUpdated) -> None:
    feeds = event.feed_ids or ((event.feed_id,) if event.feed_id else ())
    await _answered(ctx, "price", event.results, feeds)


async def on_items_submitted(ctx: FlowContext, event: ItemsSubmitted) -> None:
    await _answered(ctx, "item", (), event.feed_ids)


async def record_outcomes(
    ctx: FlowContext,
    kind: CatalogKind,
    outcomes: Iterable[SkuOutcome],
    *,
    feed_id: str | None,
    carried: Sequence[str] = (),
) -> None:
    succeeded: list[str] = []
    failed: list[str] = []
    for outcome in outcomes:
        if outcome.status == "INPROGRESS":
            continue  # not an outcome yet
        (succeeded if outcome.ok else failed).extend(_keys(ctx, kind, outcome, carried))
        detail: dict[str, Any] = {"feed_id": feed_id, "status": outcome.status}
        if not outcome.ok:
            detail |= {"error": outcome.error, "codes": list(outcome.error_codes)}
        await ctx.audit(
            CATALOG,
            kind,
            outcome.sku,
            "pushed" if outcome.ok else "failed",
            target_id=outcome.ship_node,
            detail=detail,
        )
    await drop(ctx.tx, ctx.tenant, Retry.kind_of(kind), succeeded)
    await note_failures(ctx, kind, failed)
    if kind == "item":
        await listing.on_listed(ctx, succeeded)
        await listing.on_setup_failed(ctx, failed)


async def note_failures(ctx: FlowContext, kind: CatalogKind, keys: Sequence[str]) -> None:
    if not keys:
        return
    table = Retry.kind_of(kind)
    known = await load(ctx.tx, ctx.tenant, table, Retry, keys)
    await save(
        ctx.tx,
        ctx.tenant,
        table,
        {k: Retry(attempts=known[k].attempts + 1 if k in known else 1) for k in keys},
    )


async def check_feeds(ctx: FlowContext) -> None:
    """At the start of a cycle: ask for every followed feed once more."""
    followed = await load_all(ctx.tx, ctx.tenant, FollowedFeed.KIND, FollowedFeed)
    for feed_id, feed in followed.items():
        if feed.checks >= ctx.settings.feed_check_limit:
            await ctx.audit(CATALOG, "feed", feed_id, "abandoned", detail={"checks": feed.checks})
            await note_failures(ctx, feed.kind, feed.keys)
            await drop(ctx.tx, ctx.tenant, FollowedFeed.KIND, [feed_id])
            continue
        await ctx.send(WALMART_COMMANDS, CheckFeed(feed_id=feed_id))
        await save(
            ctx.tx,
            ctx.tenant,
            FollowedFeed.KIND,
            {feed_id: feed.model_copy(update={"checks": feed.checks + 1})},
        )


async def on_feed_checked(ctx: FlowContext, event: FeedChecked) -> None:
    status = event.feed
    followed = await load(ctx.tx, ctx.tenant, FollowedFeed.KIND, FollowedFeed, [status.feed_id])
    feed = followed.get(status.feed_id)
    if feed is None or not status.complete:
        return  # not ours, or still in progress: checked again next cycle
    if status.status == "ERROR":
        await ctx.audit(
            CATALOG, "feed", status.feed_id, "rejected", detail={"errors": list(status.errors)}
        )
        await note_failures(ctx, feed.kind, feed.keys)
        if feed.kind == "item":
            await listing.on_setup_failed(ctx, list(feed.keys))
    else:
        results = status.results
        if not results and status.all_succeeded:  # the gateway read no details: none needed
            results = tuple(_succeeded(key) for key in feed.keys)
        await record_outcomes(ctx, feed.kind, results, feed_id=status.feed_id, carried=feed.keys)
        await ctx.audit(
            CATALOG,
            "feed",
            status.feed_id,
            "processed",
            detail={
                "received": status.items_received,
                "succeeded": status.items_succeeded,
                "failed": status.items_failed,
            },
        )
    await drop(ctx.tx, ctx.tenant, FollowedFeed.KIND, [status.feed_id])


def _succeeded(key: str) -> SkuOutcome:
    """What a feed's details would say of one entry it carried, when its counts say that
    every entry succeeded. Inventory keys are ``sku@node`` (the mapping's node)."""
    sku, at, node = key.rpartition("@")
    if not at:
        return SkuOutcome(sku=key, ok=True, status="SUCCESS")
    return SkuOutcome(sku=sku, ship_node=node, ok=True, status="SUCCESS")


async def resend(ctx: FlowContext) -> None:
    """At the start of a cycle: send every refused SKU again, or give up on it."""
    limit = ctx.settings.catalog_retry_limit
    for kind in KINDS:
        table = Retry.kind_of(kind)
        retries = await load_all(ctx.tx, ctx.tenant, table, Retry)
        spent = [k for k, r in retries.items() if r.attempts >= limit]
        for key in spent:
            await ctx.audit(
                CATALOG, kind, _sku(key), "gave_up", detail={"attempts": retries[key].attempts}
            )
        await drop(ctx.tx, ctx.tenant, table, spent)
        keys = [k for k in retries if k not in spent]
        if kind == "item":
            await listing.give_up(ctx, spent)
            if keys:
                await listing.resubmit(ctx, keys)
            continue
        if not keys:
            continue
        versions = await ctx.tx.get_versions(
            ctx.tenant, INVENTORY_KIND if kind == "inventory" else PRICE_KIND, keys
        )
        if kind == "inventory":
            stocks = [stock_from_version(k, v) for k, v in versions.items()]
            await push_inventory(ctx, [s for s in stocks if isinstance(s, Stock)], force=True)
        else:
            prices = [price_from_version(k, v) for k, v in versions.items()]
            await send_prices(ctx, [p for p in prices if p is not None], force=True)


async def on_request_rejected(ctx: FlowContext, event: WalmartRequestRejected) -> None:
    """Walmart refused a catalog command as invalid (resending it unchanged cannot help)."""
    kind = CATALOG_COMMANDS.get(event.command_type)
    if kind is None:
        return  # another flow's command
    await _command_keys(ctx)
    await ctx.audit(
        CATALOG,
        kind,
        event.subject or event.command_type,
        "refused",
        detail={"reason": event.reason, "codes": list(event.codes)},
    )
    if kind == "feed" and event.subject:
        # Walmart no longer knows the feed: what it carried is sent again next cycle.
        followed = await load(ctx.tx, ctx.tenant, FollowedFeed.KIND, FollowedFeed, [event.subject])
        for feed in followed.values():
            await note_failures(ctx, feed.kind, feed.keys)
        await drop(ctx.tx, ctx.tenant, FollowedFeed.KIND, [event.subject])
