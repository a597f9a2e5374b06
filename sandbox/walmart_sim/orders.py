"""Order lifecycle rules: acknowledge, cancel, ship, auto-cancel (walmart-api.md §6.3);
refunds are in ``order_refunds``.

Each operation validates the whole request before changing anything, so a refused request
leaves the order untouched; refusals are 400 ``INVALID_REQUEST_CONTENT.GMP_ORDER_API``.
"""

from __future__ import annotations

from typing import Any

from . import inventory, settlement
from .bodies import as_list, dig, parse_int
from .context import SimContext
from .errors import WalmartError, bad_content
from .models import LineState, Order, OrderLine, Tracking
from .webhook_events import order_event

CANCEL_REASONS = frozenset({
    "CUSTOMER_REQUESTED_SELLER_TO_CANCEL", "SELLER_CANCEL_PRICING_ERROR",
    "SELLER_CANCEL_OUT_OF_STOCK", "SELLER_CANCEL_FRAUD_STOP_SHIPMENT",
    "SELLER_CANCEL_ADDRESS_NOT_SERVICEABLE",
})  # fmt: skip
METHOD_CODES = frozenset({"Standard", "Express", "OneDay", "Freight", "WhiteGlove", "Value"})
CARRIERS = frozenset({
    "UPS", "USPS", "FedEx", "Airborne", "OnTrac", "DHL Ecommerce - US", "LS", "UDS", "UPSMI",
    "FDX", "PILOT", "ESTES", "SAIA", "FDS Express", "Seko Worldwide", "HIT Delivery",
    "FEDEXSP", "RL Carriers", "Metropolitan Warehouse & Delivery", "China Post", "YunExpress",
    "Yellow Freight Sys", "AIT Worldwide Logistics", "Chukou1", "Sendle", "Landmark Global",
    "Sunyou", "Yanwen", "4PX", "GLS", "OSM Worldwide", "FIRST MILE", "AM Trucking", "CEVA",
    "India Post", "SF Express", "CNE", "TForce Freight", "AxleHire", "LSO", "Royal Mail",
    "ABF Freight System", "WanB", "Roadrunner Freight", "Meyer Distribution", "AAA Cooper",
    "Canada Post", "Southeastern Freight Lines", "Japan Post", "Correos de Mexico",
    "XPO Logistics",
})  # fmt: skip

OPEN = ("Created", "Acknowledged")
SHIPPED = ("Shipped", "Delivered")
DAY_MS = 86_400_000


def bad(description: str, field: str | None = None) -> WalmartError:
    return bad_content("orders", description, field)


def move(line: OrderLine, quantity: int, sources: tuple[str, ...], target: LineState) -> None:
    """Move ``quantity`` out of the ``sources`` states (oldest first) into ``target``."""
    left = quantity
    for state in line.states:
        if left and state.status in sources:
            taken = min(left, state.quantity)
            state.quantity -= taken
            left -= taken
    line.states = [s for s in line.states if s.quantity > 0]
    same = next(
        (
            s
            for s in line.states
            if s.status == target.status
            and s.tracking is None
            and target.tracking is None
            and s.cancellation_reason == target.cancellation_reason
        ),
        None,
    )
    if same is not None:
        same.quantity += quantity
    else:
        target.quantity = quantity
        line.states.append(target)


def refuse_wfs(order: Order, action: str) -> None:
    if order.ship_node_type == "WFSFulfilled":
        raise bad(f"Cannot {action} a Walmart-fulfilled (WFS) order")


def touch(ctx: SimContext, order: Order, *lines: OrderLine) -> None:
    now = ctx.clock.now_ms()
    order.last_modified_ms = now
    for line in lines:
        line.status_ms = now


def acknowledge(ctx: SimContext, order: Order) -> None:
    refuse_wfs(order, "acknowledge")
    if not any(line.qty_in(*OPEN) for line in order.lines):
        raise bad("Order has no lines that can be acknowledged")
    changed = [line for line in order.lines if line.qty_in("Created")]
    for line in changed:
        move(line, line.qty_in("Created"), ("Created",), LineState("Acknowledged", 0))
    if changed:
        touch(ctx, order, *changed)


def status_entries(raw_line: dict[str, Any], expected: str) -> list[dict[str, Any]]:
    entries = as_list(dig(raw_line, "orderLineStatuses", "orderLineStatus"))
    if not entries:
        raise bad("orderLineStatuses is required", "orderLineStatuses")
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("status") != expected:
            raise bad(f"status must be {expected}", "status")
    return entries


def line_for(order: Order, raw_line: Any) -> OrderLine:
    if not isinstance(raw_line, dict):
        raise bad("orderLine must be an object", "orderLine")
    number = str(raw_line.get("lineNumber", ""))
    line = order.line(number)
    if line is None:
        raise bad(f"Invalid line number {number}", "lineNumber")
    return line


def request_lines(body: Any, root: str) -> list[Any]:
    lines = as_list(dig(body, root, "orderLines", "orderLine"))
    if not lines:
        raise bad(f"{root}.orderLines.orderLine is required", root)
    return lines


def cancel(ctx: SimContext, order: Order, body: Any) -> None:
    refuse_wfs(order, "cancel")
    plan: list[tuple[OrderLine, int, str]] = []
    for raw_line in request_lines(body, "orderCancellation"):
        line = line_for(order, raw_line)
        for entry in status_entries(raw_line, "Cancelled"):
            reason = entry.get("cancellationReason")
            if reason not in CANCEL_REASONS:
                raise bad(f"Invalid cancellationReason {reason}", "cancellationReason")
            if reason == "CUSTOMER_REQUESTED_SELLER_TO_CANCEL" and not line.intent_to_cancel:
                raise bad(
                    "CUSTOMER_REQUESTED_SELLER_TO_CANCEL is only for lines the customer asked to cancel",
                    "cancellationReason",
                )
            qty = parse_int(
                dig(entry, "statusQuantity", "amount"), "statusQuantity", "orders", minimum=1
            )
            planned = sum(q for ln, q, _ in plan if ln is line)
            if qty + planned > line.qty_in(*OPEN):
                # Shipped lines cannot be cancelled (D-orders-returns).
                raise bad(
                    f"Line number {line.line_number} has no {qty} unshipped units to cancel",
                    "statusQuantity",
                )
            plan.append((line, qty, reason))
    for line, qty, reason in plan:
        move(line, qty, OPEN, LineState("Cancelled", 0, cancellation_reason=reason))
        inventory.give_back(ctx, order, line, qty)
    touch(ctx, order, *{id(ln): ln for ln, _, _ in plan}.values())


def _tracking(raw: Any, line: OrderLine) -> Tracking:
    if not isinstance(raw, dict):
        raise bad("trackingInfo is required", "trackingInfo")
    method = raw.get("methodCode")
    if method not in METHOD_CODES:
        # Verbatim from I-highsidelabs/walmart-api-php#29 (walmart-api.md §6.3).
        raise bad(f"Method code is not supported in line number {line.line_number}", "methodCode")
    carrier_name = raw.get("carrierName") or {}
    carrier = carrier_name.get("carrier") if isinstance(carrier_name, dict) else None
    other = carrier_name.get("otherCarrier") if isinstance(carrier_name, dict) else None
    url = raw.get("trackingURL")
    if carrier is not None and carrier not in CARRIERS:
        raise bad(
            f"Carrier {carrier} is not supported in line number {line.line_number}", "carrier"
        )
    if carrier is None and not other:
        raise bad("carrierName needs carrier or otherCarrier", "carrierName")
    if carrier is None and not url:
        raise bad("trackingURL is required with otherCarrier", "trackingURL")
    number = raw.get("trackingNumber")
    if not number:
        raise bad("trackingNumber is required", "trackingNumber")
    ship_ms = parse_int(raw.get("shipDateTime"), "shipDateTime", "orders")
    return Tracking(ship_ms, method, str(number), carrier, other, url)


def ship(ctx: SimContext, order: Order, body: Any) -> None:
    refuse_wfs(order, "ship")
    partial_update = dig(body, "orderShipment", "processMode") == "PARTIAL_UPDATE"
    plan: list[tuple[OrderLine, int, Tracking, dict[str, Any] | None]] = []
    for raw_line in request_lines(body, "orderShipment"):
        line = line_for(order, raw_line)
        override = raw_line.get("intentToCancelOverride") in (True, "true")
        if line.intent_to_cancel and not override and not partial_update:
            raise bad(
                f"Line number {line.line_number} has an intent to cancel; set intentToCancelOverride",
                "intentToCancelOverride",
            )
        for entry in status_entries(raw_line, "Shipped"):
            qty = parse_int(
                dig(entry, "statusQuantity", "amount"), "statusQuantity", "orders", minimum=1
            )
            tracking = _tracking(entry.get("trackingInfo"), line)
            planned = sum(q for ln, q, _, _ in plan if ln is line)
            available = line.qty_in(*SHIPPED) if partial_update else line.qty_in(*OPEN)
            if qty + planned > available:
                kind = "shipped" if partial_update else "unshipped"
                raise bad(
                    f"Line number {line.line_number} has no {qty} {kind} units", "statusQuantity"
                )
            plan.append((line, qty, tracking, entry.get("returnCenterAddress")))
        if raw_line.get("sellerOrderId"):
            line.seller_order_id = str(raw_line["sellerOrderId"])
    first_shipment = not any(ln.qty_in(*SHIPPED) for ln in order.lines)
    for line, qty, tracking, return_center in plan:
        if partial_update:
            for state in line.states:
                if state.status == "Shipped":
                    state.tracking = tracking
            continue
        move(
            line, qty, OPEN, LineState("Shipped", 0, tracking=tracking, return_center=return_center)
        )
        settlement.record_sale(ctx, order, line, qty)
    if order.label_fee and first_shipment and not partial_update:
        settlement.record_label_fee(ctx, order)
    touch(ctx, order, *{id(ln): ln for ln, _, _, _ in plan}.values())


def auto_cancel_due(ctx: SimContext) -> int:
    """Cancel lines not shipped by estimated ship date + N days (walmart-api.md §6.3) and
    raise PO_LINE_AUTOCANCELLED; returns how many lines were cancelled."""
    now = ctx.clock.now_ms()
    count = 0
    for order in ctx.state.orders.values():
        if order.ship_node_type == "WFSFulfilled":
            continue
        if now <= order.estimated_ship_ms + ctx.config.auto_cancel_days * DAY_MS:
            continue
        lines = [ln for ln in order.lines if ln.qty_in(*OPEN)]
        for line in lines:
            qty = line.qty_in(*OPEN)
            move(line, qty, OPEN, LineState("Cancelled", 0))
            inventory.give_back(ctx, order, line, qty)
        if lines:
            touch(ctx, order, *lines)
            order_event(ctx, "PO_LINE_AUTOCANCELLED", order, lines, "CANCELLED")
            count += len(lines)
    return count
