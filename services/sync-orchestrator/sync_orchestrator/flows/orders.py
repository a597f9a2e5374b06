"""Orders flow: Walmart orders -> Sales vouchers in Tally -> acknowledged on Walmart.

Cursor ``{"created_since": iso, "seen_until": iso}``: ``seen_until`` is the newest order date on
the pages of the poll in progress; it becomes ``created_since`` with the poll's last page
(an abandoned poll never moves ``created_since``, so no order is skipped). Each
poll re-reads ``orders_overlap_s`` before it (orders become visible a little after their
date), and record versions make the overlap harmless: an order whose version is already
recorded is skipped, so nothing is posted twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, WALMART_COMMANDS, tally_commands
from mlc_shared.domain.tally import Voucher
from mlc_shared.domain.walmart import Order
from mlc_shared.messages.orchestrator import PostOrder
from mlc_shared.messages.tally import ImportVouchers, VouchersImported
from mlc_shared.messages.walmart import (
    AcknowledgeOrder,
    FetchOrders,
    OrderAcknowledged,
    OrdersFetched,
)

from sync_orchestrator.flows.base import Flow, Step
from sync_orchestrator.flows.context import FlowContext
from sync_orchestrator.vouchers import MappingGap, order_version, sales_voucher

ORDERS = "orders"
ORDER_KIND = "order"
_REMOTE_PREFIX = "mlc:"


async def start(ctx: FlowContext, since: datetime | None = None) -> None:
    cursor = await ctx.tx.get_cursor(ctx.tenant, ORDERS) or {}
    if since is None:
        if "created_since" in cursor:
            since = datetime.fromisoformat(cursor["created_since"]) - timedelta(
                seconds=ctx.settings.orders_overlap_s
            )
        else:
            since = datetime.now(UTC) - timedelta(days=ctx.settings.orders_lookback_days)
    await ctx.send(WALMART_COMMANDS, FetchOrders(created_since=since))


def _voucher(ctx: FlowContext, order: Order) -> Voucher | None:
    return sales_voucher(
        order,
        ctx.mapping,
        tenant=ctx.tenant,
        timezone=ZoneInfo(ctx.settings.seller_timezone),
        number_pattern=ctx.settings.voucher_number_pattern,
    )


async def on_orders_fetched(ctx: FlowContext, event: OrdersFetched) -> None:
    orders = {o.purchase_order_id: o for o in event.orders}
    known = await ctx.tx.get_versions(ctx.tenant, ORDER_KIND, list(orders))
    vouchers: list[Voucher] = []
    versions: dict[str, str] = {}
    for po, order in orders.items():
        version = order_version(order)
        if known.get(po) == version:
            continue
        versions[po] = version
        if po in known:
            # Posted before and changed since (e.g. a line cancelled): issue 6 adds reversals.
            await ctx.audit(ORDERS, ORDER_KIND, po, "changed", detail={"version": version})
            continue
        # Each new order travels on as its own message so one bad order can be parked and
        # replayed alone; the batch of good ones still goes to Tally together.
        try:
            voucher = _voucher(ctx, order)
        except MappingGap:
            await ctx.send(ORCHESTRATOR_EVENTS, PostOrder(order=order))
            continue
        await _queue_voucher(ctx, po, voucher, vouchers)
    await _send_imports(ctx, vouchers)
    await ctx.tx.set_versions(ctx.tenant, ORDER_KIND, versions)
    await _advance_cursor(ctx, [o.order_date for o in orders.values()], event.last_page)


async def _advance_cursor(ctx: FlowContext, dates: list[datetime], last_page: bool) -> None:
    cursor = await ctx.tx.get_cursor(ctx.tenant, ORDERS) or {}
    seen = [datetime.fromisoformat(cursor["seen_until"])] if "seen_until" in cursor else []
    newest = max([*dates, *seen], default=None)
    if last_page:
        if newest is not None:
            known = (
                [datetime.fromisoformat(cursor["created_since"])]
                if "created_since" in cursor
                else []
            )
            cursor = {"created_since": max([newest, *known]).isoformat()}
    elif newest is not None:
        cursor = {**cursor, "seen_until": newest.isoformat()}
    await ctx.tx.set_cursor(ctx.tenant, ORDERS, cursor)


async def on_post_order(ctx: FlowContext, event: PostOrder) -> None:
    """Raises MappingGap (the dispatcher parks the message with its reason)."""
    vouchers: list[Voucher] = []
    await _queue_voucher(ctx, event.order.purchase_order_id, _voucher(ctx, event.order), vouchers)
    await _send_imports(ctx, vouchers)


async def _queue_voucher(
    ctx: FlowContext, po: str, voucher: Voucher | None, vouchers: list[Voucher]
) -> None:
    if voucher is None:
        await ctx.audit(
            ORDERS, ORDER_KIND, po, "cancelled", detail={"reason": "every line cancelled"}
        )
        return
    vouchers.append(voucher)
    await ctx.audit(
        ORDERS,
        ORDER_KIND,
        po,
        "queued",
        target_id=voucher.number,
        request=voucher.model_dump_json(),
    )


async def _send_imports(ctx: FlowContext, vouchers: list[Voucher]) -> None:
    size = ctx.settings.import_batch_size
    for at in range(0, len(vouchers), size):
        await ctx.send(
            tally_commands(ctx.tenant), ImportVouchers(vouchers=tuple(vouchers[at : at + size]))
        )


def purchase_order_of(remote_id: str) -> str | None:
    # remote ids are "mlc:<tenant>:order:<po>" (vouchers.order_remote_id)
    parts = remote_id.split(":", 3)
    if len(parts) == 4 and parts[0] + ":" == _REMOTE_PREFIX and parts[2] == "order":
        return parts[3]
    return None


async def on_vouchers_imported(ctx: FlowContext, event: VouchersImported) -> None:
    for result in event.results:
        po = purchase_order_of(result.remote_id)
        if po is None:
            continue
        if result.outcome == "rejected":
            await ctx.audit(
                ORDERS,
                ORDER_KIND,
                po,
                "rejected",
                target_id=result.number,
                detail={"reason": result.reason},
            )
            continue
        await ctx.audit(
            ORDERS,
            ORDER_KIND,
            po,
            "posted",
            target_id=result.number,
            detail={"outcome": result.outcome, "master_id": result.master_id},
        )
        if ctx.settings.acknowledge_orders:
            await ctx.send(WALMART_COMMANDS, AcknowledgeOrder(purchase_order_id=po))


async def on_order_acknowledged(ctx: FlowContext, event: OrderAcknowledged) -> None:
    await ctx.audit(ORDERS, ORDER_KIND, event.purchase_order_id, "acknowledged")


FLOW = Flow(
    name=ORDERS,
    start=start,
    steps={
        OrdersFetched: Step(on_orders_fetched, ends_run=True),
        PostOrder: Step(on_post_order),
        VouchersImported: Step(on_vouchers_imported),
        OrderAcknowledged: Step(on_order_acknowledged),
    },
    interval_setting="orders_interval_s",
)
