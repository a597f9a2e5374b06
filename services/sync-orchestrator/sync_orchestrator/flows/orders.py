"""Orders flow: Walmart orders -> Sales vouchers in Tally -> acknowledged on Walmart; an order
cancelled after posting -> the configured reversal (reversals.py).

Polling (walmart-api.md §6.1): the first poll reads the orders created in the last
``orders_lookback_days``; every later one reads the orders *modified* since the previous
poll began (less ``orders_overlap_s``), among those created in the last
``orders_change_window_days``, so new orders and changes to older ones (cancellations after
posting) arrive through one query. Record versions make the overlap harmless.

Orders that Walmart events announce (PO_CREATED, order updates) are read by id instead
(:func:`look_up`, ``GET /v3/orders/{purchaseOrderId}`` §6.3; events are lightweight, §9.5), so
an event costs one read however many orders the overlap holds. Reads by id never move the
cursor: only a listing proves that nothing before its start was missed.

Cursor ``{"modified_since", "horizon", "polling_from"}``: ``polling_from`` is when the poll in
progress began; it becomes ``modified_since`` with the poll's last page (an abandoned poll
never moves it, so no change is skipped). ``horizon``: orders placed before it (before the
connector's first poll or a ``--since`` backfill) are out of scope and never posted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, WALMART_COMMANDS
from mlc_shared.domain.walmart import Order
from mlc_shared.messages.orchestrator import PostOrder
from mlc_shared.messages.tally import VouchersImported
from mlc_shared.messages.walmart import (
    AcknowledgeOrder,
    AcknowledgeOrders,
    FetchOrders,
    OrderAcknowledged,
    OrdersAcknowledged,
    OrdersFetched,
    WalmartRequestRejected,
)

from sync_orchestrator.currency import MissingRate, in_company_currency
from sync_orchestrator.flows.base import Flow, Step
from sync_orchestrator.flows.context import FlowContext
from sync_orchestrator.flows.orders_posting import (
    ORDER_KIND,
    ORDERS,
    Batch,
    build_sale,
    on_vouchers_imported,
    purchase_order_of,
)
from sync_orchestrator.reversals import cancelled_quantities, reversal_voucher
from sync_orchestrator.state import BookedOrder, UnpostedOrder, drop, load
from sync_orchestrator.vouchers import MappingGap, open_quantity, order_version

__all__ = ["FLOW", "ORDERS", "ORDER_KIND", "purchase_order_of"]
_WALMART_HISTORY = timedelta(days=179)  # §6.1: only the last 180 days
LOOKUP_BATCH = 200
"""Announced orders read by one command: a listing page's worth (§6.1: ``limit`` max 200)."""


def _at(cursor: dict[str, Any], name: str) -> datetime | None:
    text = cursor.get(name)
    return datetime.fromisoformat(text) if text else None


async def start(ctx: FlowContext, since: datetime | None = None) -> None:
    now = datetime.now(UTC)
    settings = ctx.settings
    cursor = await ctx.tx.get_cursor(ctx.tenant, ORDERS) or {}
    # "created_since" is the cursor of releases before modified_since polling.
    mark = _at(cursor, "modified_since") or _at(cursor, "created_since")
    horizon = _at(cursor, "horizon")
    if since is not None:  # a backfill: every order placed since then
        fetch = FetchOrders(created_since=since)
        horizon = min(horizon, since) if horizon else since
        polling_from = cursor.get("polling_from")
    elif mark is None:
        first = now - timedelta(days=settings.orders_lookback_days)
        fetch = FetchOrders(created_since=first)
        horizon = min(horizon, first) if horizon else first
        polling_from = now.isoformat()
    else:
        changed_since = mark - timedelta(seconds=settings.orders_overlap_s)
        horizon = horizon or mark
        window = max(now - timedelta(days=settings.orders_change_window_days), horizon)
        created = max(min(window, changed_since), now - _WALMART_HISTORY)
        fetch = FetchOrders(created_since=created, modified_since=changed_since)
        polling_from = now.isoformat()
    await ctx.send(WALMART_COMMANDS, fetch)
    moved: dict[str, Any] = {"horizon": horizon.isoformat()}
    if mark is not None:
        moved["modified_since"] = mark.isoformat()
    if polling_from:
        moved["polling_from"] = polling_from
    await ctx.tx.set_cursor(ctx.tenant, ORDERS, moved)


async def look_up(ctx: FlowContext, purchase_order_ids: tuple[str, ...]) -> None:
    await ctx.send(WALMART_COMMANDS, FetchOrders(purchase_order_ids=purchase_order_ids))


async def on_orders_fetched(ctx: FlowContext, event: OrdersFetched) -> None:
    cursor = await ctx.tx.get_cursor(ctx.tenant, ORDERS) or {}
    horizon = _at(cursor, "horizon")
    orders = {o.purchase_order_id: o for o in event.orders}
    known = await ctx.tx.get_versions(ctx.tenant, ORDER_KIND, list(orders))
    versions = {po: order_version(order) for po, order in orders.items()}
    versions = {po: v for po, v in versions.items() if known.get(po) != v}
    # The state of every changed order in one query per kind, not two per order.
    changed = [po for po in versions if po in known]
    unposted = await ctx.tx.get_records(ctx.tenant, UnpostedOrder.KIND, changed)
    booked = await load(ctx.tx, ctx.tenant, BookedOrder.KIND, BookedOrder, changed)
    batch = Batch()
    for po in versions:
        order = orders[po]
        if po in known:
            await _changed(ctx, order, batch, held=po in unposted, booked=booked.get(po))
        elif horizon is not None and order.order_date < horizon:
            await ctx.audit(
                ORDERS,
                ORDER_KIND,
                po,
                "ignored",
                detail={"reason": f"placed before {horizon.isoformat()}, the start of syncing"},
            )
        else:
            await _new(ctx, order, batch)
    await batch.send(ctx)
    await ctx.tx.set_versions(ctx.tenant, ORDER_KIND, versions)
    for po in event.requested:
        if po not in orders:
            reason = "announced by a Walmart event, but Walmart does not know the order (404)"
            await ctx.audit(ORDERS, ORDER_KIND, po, "not_found", detail={"reason": reason})
    if event.last_page and "polling_from" in cursor and not event.requested:
        moved = {k: v for k, v in cursor.items() if k not in ("polling_from", "created_since")}
        moved["modified_since"] = cursor["polling_from"]
        await ctx.tx.set_cursor(ctx.tenant, ORDERS, moved)


def _has_open_lines(order: Order) -> bool:
    return any(open_quantity(line) > 0 for line in order.lines)


async def _new(ctx: FlowContext, order: Order, batch: Batch) -> None:
    po = order.purchase_order_id
    if not _has_open_lines(order):
        await ctx.audit(
            ORDERS, ORDER_KIND, po, "cancelled", detail={"reason": "every line cancelled"}
        )
        return
    batch.hold(order)
    try:
        voucher, masters = await build_sale(ctx, order)
    except MappingGap as gap:
        # Travels on as its own message so it can be parked and replayed alone; the batch of
        # good ones still goes to Tally together (docs/decisions.md 4).
        await ctx.audit(ORDERS, ORDER_KIND, po, "unmapped", detail={"reason": gap.reason})
        await ctx.send(ORCHESTRATOR_EVENTS, PostOrder(order=order))
        return
    assert voucher is not None  # open lines make a voucher
    await batch.add_sale(ctx, order, voucher, masters)


async def _changed(
    ctx: FlowContext, order: Order, batch: Batch, *, held: bool, booked: BookedOrder | None
) -> None:
    """A known order changed (acknowledged, shipped, cancelled in part...). ``held``: Tally
    has not confirmed its voucher yet; ``booked``: what its voucher booked, if one was sent."""
    po = order.purchase_order_id
    if held:
        batch.hold(order)  # the hold follows Walmart's open quantities
    if booked is None:
        return  # no voucher yet: a parked PostOrder posts the latest version when replayed
    cancelled = cancelled_quantities(booked, order)
    if not cancelled:
        return
    voucher, after = reversal_voucher(
        booked,
        cancelled,
        order,
        ctx.mapping,
        tenant=ctx.tenant,
        timezone=ZoneInfo(ctx.settings.seller_timezone),
    )
    why = None
    try:
        # At the sale's own rate: the Credit Note takes back what the invoice booked.
        voucher = in_company_currency(voucher, ctx.mapping, rate=booked.rate)
    except MissingRate as gap:  # a sale booked before the currency section was set
        why = gap.reason
    if ctx.mapping.reversal.policy == "credit_note" and why is None:
        await batch.add_reversal(ctx, po, voucher, after)
        return
    batch.booked[po] = after  # reported once: a later change reports only what is new
    await ctx.audit(
        ORDERS,
        ORDER_KIND,
        po,
        "needs_reversal",
        target_id=booked.number,
        detail={
            "cancelled_units": {n: str(q) for n, q in cancelled.items()},
            **({"reason": why} if why else {}),
        },
        request=voucher.model_dump_json(),
    )


async def on_post_order(ctx: FlowContext, event: PostOrder) -> None:
    """A parked order replayed: posts the latest version seen. Raises MappingGap (the
    dispatcher parks the message again with its reason)."""
    po = event.order.purchase_order_id
    if (await load(ctx.tx, ctx.tenant, BookedOrder.KIND, BookedOrder, [po])).get(po):
        return  # already on its way to Tally
    held = (await load(ctx.tx, ctx.tenant, UnpostedOrder.KIND, UnpostedOrder, [po])).get(po)
    order = held.order if held else event.order
    if not _has_open_lines(order):
        await drop(ctx.tx, ctx.tenant, UnpostedOrder.KIND, [po])
        await ctx.audit(
            ORDERS, ORDER_KIND, po, "cancelled", detail={"reason": "every line cancelled"}
        )
        return
    voucher, masters = await build_sale(ctx, order)
    assert voucher is not None
    batch = Batch()
    await batch.add_sale(ctx, order, voucher, masters)
    await batch.send(ctx)


async def on_order_acknowledged(ctx: FlowContext, event: OrderAcknowledged) -> None:
    await ctx.audit(ORDERS, ORDER_KIND, event.purchase_order_id, "acknowledged")


async def on_orders_acknowledged(ctx: FlowContext, event: OrdersAcknowledged) -> None:
    """A batch's outcomes. An order whose call failed goes again alone, so only it retries
    with the bus's back-off and, failing for good, is parked by itself."""
    for result in event.results:
        po = result.purchase_order_id
        if result.outcome in ("acknowledged", "already"):
            await ctx.audit(ORDERS, ORDER_KIND, po, "acknowledged")
        elif result.outcome == "refused":
            detail = {
                "command": AcknowledgeOrders.message_type,
                "reason": result.reason,
                "codes": list(result.codes),
            }
            await ctx.audit(ORDERS, ORDER_KIND, po, "refused", detail=detail)
        else:
            await ctx.send(WALMART_COMMANDS, AcknowledgeOrder(purchase_order_id=po))


async def on_request_rejected(ctx: FlowContext, event: WalmartRequestRejected) -> None:
    if event.command_type not in (
        "walmart.fetch_orders",
        "walmart.acknowledge_order",
        "walmart.acknowledge_orders",
    ):
        return  # another flow's command
    await ctx.audit(
        ORDERS,
        ORDER_KIND,
        event.subject or event.command_type,
        "refused",
        detail={"command": event.command_type, "reason": event.reason, "codes": list(event.codes)},
    )


FLOW = Flow(
    name=ORDERS,
    start=start,
    steps={
        OrdersFetched: Step(on_orders_fetched, ends_run=True),
        PostOrder: Step(on_post_order),
        VouchersImported: Step(on_vouchers_imported),
        OrderAcknowledged: Step(on_order_acknowledged),
        OrdersAcknowledged: Step(on_orders_acknowledged),
        WalmartRequestRejected: Step(on_request_rejected),
    },
    interval_setting="orders_interval_s",
)
