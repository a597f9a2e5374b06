"""The settlement ledger: money movements recorded as they happen, settled per period.

Shipping a line records a sale, refunding records a refund, a Walmart shipping label
records a fee; each is posted ``posting_lag_days`` after it happened (S3: posting ≈ 2 days
after the order). Closing a period (``POST /admin/settlements/close``) takes every unsettled
transaction posted on or before the report date and freezes the v1 recon rows for that
date (``recon_rows``). Cancelled quantities never reach the ledger (walmart-api.md §8.3).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .context import SimContext
from .errors import AdminError
from .models import LineRefund, Order, OrderLine, ReturnLine, ReturnOrder, Settlement, Transaction
from .recon_rows import build_rows
from .wire import day_end_ms, day_start_ms, mmddyyyy, to_date

DAY_MS = 86_400_000


def _record(ctx: SimContext, happened_ms: int, **fields: object) -> Transaction:
    txn = Transaction(
        key_seq=ctx.state.next_transaction_seq(),
        posted_ms=happened_ms + ctx.config.posting_lag_days * DAY_MS,
        **fields,  # type: ignore[arg-type]
    )
    ctx.state.transactions.append(txn)
    return txn


def record_sale(
    ctx: SimContext, order: Order, line: OrderLine, quantity: int, at_ms: int | None = None
) -> None:
    qty = Decimal(quantity)
    _record(
        ctx,
        ctx.clock.now_ms() if at_ms is None else at_ms,
        kind="sale",
        purchase_order_id=order.purchase_order_id,
        line_number=line.line_number,
        quantity=quantity,
        product=line.unit_price * qty,
        product_tax=line.unit_tax * qty,
        shipping=line.unit_shipping * qty,
        shipping_tax=line.unit_shipping_tax * qty,
        description="Purchase",
    )


def record_label_fee(ctx: SimContext, order: Order, at_ms: int | None = None) -> None:
    _record(
        ctx,
        ctx.clock.now_ms() if at_ms is None else at_ms,
        kind="label_fee",
        purchase_order_id=order.purchase_order_id,
        line_number=None,
        quantity=0,
        product=Decimal(0),
        product_tax=Decimal(0),
        shipping=Decimal(0),
        shipping_tax=Decimal(0),
        fee=-ctx.config.shipping_label_fee,
        description="Walmart Shipping Label Service Charge",
    )


def record_order_refund(ctx: SimContext, order: Order, line: OrderLine, refund: LineRefund) -> None:
    sums = {"PRODUCT": [Decimal(0), Decimal(0)], "SHIPPING": [Decimal(0), Decimal(0)]}
    for charge in refund.charges:
        bucket = sums["SHIPPING" if charge.charge_type == "SHIPPING" else "PRODUCT"]
        bucket[0] += charge.amount
        bucket[1] += charge.tax_amount or Decimal(0)
    _record(
        ctx,
        refund.created_ms,
        kind="order_refund",
        purchase_order_id=order.purchase_order_id,
        line_number=line.line_number,
        quantity=0,
        product=sums["PRODUCT"][0],
        product_tax=sums["PRODUCT"][1],
        shipping=sums["SHIPPING"][0],
        shipping_tax=sums["SHIPPING"][1],
        description="Seller Initiated Returns",
    )


def record_return_refund(
    ctx: SimContext, ret: ReturnOrder, line: ReturnLine, quantity: int, at_ms: int | None = None
) -> None:
    qty = Decimal(quantity)
    _record(
        ctx,
        ctx.clock.now_ms() if at_ms is None else at_ms,
        kind="return_refund",
        purchase_order_id=line.purchase_order_id,
        line_number=str(line.po_line_number),
        quantity=quantity,
        product=-(line.unit_price * qty),
        product_tax=-(line.unit_tax * qty),
        shipping=Decimal(0),
        shipping_tax=Decimal(0),
        description="Return Refund",
    )


def pending(ctx: SimContext, up_to: date | None = None) -> list[Transaction]:
    limit = day_end_ms(up_to) if up_to else None
    return [
        t
        for t in ctx.state.transactions
        if t.settled_in is None and (limit is None or t.posted_ms <= limit)
    ]


def close_period(ctx: SimContext, report_day: date) -> Settlement:
    """Settle everything posted up to ``report_day`` into the report for that date."""
    report_date = mmddyyyy(report_day)
    if report_date in ctx.state.settlements:
        raise AdminError(409, f"settlement {report_date} is already closed")
    previous = [
        s.period_end_ms
        for s in ctx.state.settlements.values()
        if s.period_end_ms < day_start_ms(report_day)
    ]
    txns = pending(ctx, report_day)
    if previous:
        start = to_date(max(previous)) + timedelta(days=1)
    elif txns:
        start = min(to_date(t.posted_ms) for t in txns)
    else:
        start = report_day
    rows, total = build_rows(ctx, txns, start, report_day)
    settlement = Settlement(
        report_date=report_date,
        period_start_ms=day_start_ms(start),
        period_end_ms=day_end_ms(report_day),
        generated_ms=ctx.clock.now_ms(),
        rows=rows,
        total_payable=total,
    )
    for txn in txns:
        txn.settled_in = report_date
    ctx.state.settlements[report_date] = settlement
    return settlement
