"""Order-line refunds (walmart-api.md §6.3, D-issue-a-refund): only shipped lines, negative
amounts, never more than the original charge (per charge type, tax included), and one
request is either all full or all partial refunds (S1 ``RefundLineType``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import settlement
from .bodies import as_list, dig, parse_money
from .context import SimContext
from .models import LineRefund, Order, OrderLine, RefundCharge
from .orders import SHIPPED, bad, line_for, request_lines, touch

REFUND_REASONS = frozenset({
    "BillingError", "TaxExemptCustomer", "ItemNotAsAdvertised", "IncorrectItemReceived",
    "CancelledYetShipped", "ItemNotReceivedByCustomer", "IncorrectShippingPrice",
    "DamagedItem", "DefectiveItem", "CustomerChangedMind", "CustomerReceivedItemLate",
    "Missing Parts / Instructions", "Finance -> Goodwill", "Finance -> Rollback",
    "Buyer canceled", "Customer returned item", "General adjustment",
    "Merchandise not received", "Quality -> Missing Parts / Instructions",
    "Shipping & Delivery -> Damaged", "Shipping & Delivery -> Shipping Price Discrepancy",
    "Others",
})  # fmt: skip


@dataclass
class _RefundPlan:
    line: OrderLine
    comments: str | None
    charges: list[RefundCharge]


def _full_refund_charges(line: OrderLine, reason: str) -> list[RefundCharge]:
    shipped = line.qty_in(*SHIPPED)
    remaining = _refundable(line, shipped)
    charges = []
    for charge_type, name in (("PRODUCT", "ItemPrice"), ("SHIPPING", "Shipping")):
        amount, tax = remaining[charge_type]
        if amount or tax:
            charges.append(RefundCharge(reason, charge_type, name, -amount, -tax if tax else None))
    return charges


def _refundable(line: OrderLine, shipped: int) -> dict[str, tuple[Any, Any]]:
    """What is left to refund per charge type: (amount, tax), both ≥ 0."""
    left = {
        "PRODUCT": [line.unit_price * shipped, line.unit_tax * shipped],
        "SHIPPING": [line.unit_shipping * shipped, line.unit_shipping_tax * shipped],
    }
    for refund in line.refunds:
        for charge in refund.charges:
            bucket = left["SHIPPING" if charge.charge_type == "SHIPPING" else "PRODUCT"]
            bucket[0] += charge.amount
            bucket[1] += charge.tax_amount or 0
    return {k: (v[0], v[1]) for k, v in left.items()}


def _partial_refund_charges(
    line: OrderLine, raw_line: dict[str, Any]
) -> tuple[str | None, list[RefundCharge]]:
    refunds = as_list(dig(raw_line, "refunds", "refund"))
    if not refunds:
        raise bad("refunds.refund is required for a partial refund", "refunds")
    charges: list[RefundCharge] = []
    comments = None
    for refund in refunds:
        comments = refund.get("refundComments") if isinstance(refund, dict) else None
        for raw in as_list(dig(refund, "refundCharges", "refundCharge")):
            reason = dig(raw, "refundReason")
            if reason not in REFUND_REASONS:
                raise bad(f"Invalid refundReason {reason}", "refundReason")
            charge = dig(raw, "charge") or {}
            charge_type = charge.get("chargeType")
            if charge_type not in ("PRODUCT", "SHIPPING"):
                raise bad(f"Invalid chargeType {charge_type}", "chargeType")
            amount = parse_money(dig(charge, "chargeAmount", "amount"), "chargeAmount", "orders")
            tax_raw = dig(charge, "tax", "taxAmount", "amount")
            tax = parse_money(tax_raw, "taxAmount", "orders") if tax_raw is not None else None
            if amount > 0 or (tax is not None and tax > 0):
                raise bad("Refund amounts must be negative", "chargeAmount")
            charges.append(
                RefundCharge(
                    str(reason),
                    charge_type,
                    str(charge.get("chargeName") or charge_type.title()),
                    amount,
                    tax,
                    dig(charge, "tax", "taxName"),
                )
            )
    if not charges:
        raise bad("refundCharges.refundCharge is required", "refundCharges")
    return comments, charges


def refund(ctx: SimContext, order: Order, body: Any) -> None:
    plans: list[_RefundPlan] = []
    full_flags: set[bool] = set()
    for raw_line in request_lines(body, "orderRefund"):
        line = line_for(order, raw_line)
        if not line.qty_in(*SHIPPED):
            raise bad(
                f"Line number {line.line_number} is not shipped; only shipped lines can be refunded",
                "lineNumber",
            )
        is_full = raw_line.get("isFullRefund") in (True, "true")
        full_flags.add(is_full)
        if is_full:
            first = as_list(dig(raw_line, "refunds", "refund"))[:1]
            comments = dig(first[0], "refundComments") if first else None
            reasons = [
                dig(c, "refundReason")
                for r in first
                for c in as_list(dig(r, "refundCharges", "refundCharge"))
            ]
            charges = _full_refund_charges(
                line, str(reasons[0]) if reasons and reasons[0] in REFUND_REASONS else "Others"
            )
            if not charges:
                raise bad(
                    f"Line number {line.line_number} is already fully refunded", "isFullRefund"
                )
        else:
            comments, charges = _partial_refund_charges(line, raw_line)
        left = _refundable(line, line.qty_in(*SHIPPED))
        prior = [c for p in plans if p.line is line for c in p.charges]
        for charge_type in ("PRODUCT", "SHIPPING"):
            combined = [c for c in prior + charges if c.charge_type == charge_type]
            asked = sum(-c.amount for c in combined)
            asked_tax = sum(-(c.tax_amount or 0) for c in combined)
            if asked > left[charge_type][0] or asked_tax > left[charge_type][1]:
                raise bad(
                    f"Refund for line number {line.line_number} exceeds the original {charge_type} charge",
                    "chargeAmount",
                )
        plans.append(_RefundPlan(line, comments, charges))
    if len(full_flags) > 1:
        raise bad("A refund request must be all full or all partial refunds", "isFullRefund")
    now = ctx.clock.now_ms()
    for plan in plans:
        line_refund = LineRefund(ctx.ids.refund_id(), plan.comments, plan.charges, now)
        plan.line.refunds.append(line_refund)
        settlement.record_order_refund(ctx, order, plan.line, line_refund)
    touch(ctx, order, *{id(p.line): p.line for p in plans}.values())
