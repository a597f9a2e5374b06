"""Putting things into the account from the admin API and the demo data set.

Orders are created in ``Created`` state and then moved through the same transitions the
Walmart API uses, so inventory, settlement and events stay consistent with what a real
account would show (a seeded shipped line has a sale in the ledger; a cancelled one gives
its units back). Creating an order raises PO_CREATED; creating a return RETURN_CREATED.
"""

from __future__ import annotations

import hashlib
from datetime import UTC

from . import inventory, settlement
from .admin_models import ItemSpec, OrderLineSpec, OrderSpec, ReturnSpec, ShipNodeSpec
from .context import SimContext
from .errors import AdminError
from .ids import make_gtin14
from .models import (
    Item,
    LineState,
    Order,
    OrderLine,
    ReturnEvent,
    ReturnLine,
    ReturnOrder,
    ShipNode,
    Tracking,
)
from .orders import OPEN, SHIPPED, move
from .webhook_events import offer_event, order_event, return_created

DAY_MS = 86_400_000


def add_ship_node(ctx: SimContext, spec: ShipNodeSpec) -> ShipNode:
    node = ShipNode(
        ship_node=spec.ship_node, name=spec.name,
        custom_node_id=spec.custom_node_id or spec.ship_node[-8:], node_type=spec.node_type,
        status=spec.status, time_zone=spec.time_zone, address=dict(spec.address),
    )  # fmt: skip
    ctx.state.ship_nodes = [n for n in ctx.state.ship_nodes if n.ship_node != node.ship_node]
    ctx.state.ship_nodes.append(node)
    return node


def gtin_for(sku: str) -> str:
    digits = str(int(hashlib.sha256(sku.encode()).hexdigest(), 16))[:9]
    return make_gtin14("0890" + digits)  # 890: the GS1 India prefix


def add_item(ctx: SimContext, spec: ItemSpec) -> Item:
    existing = ctx.state.items.get(spec.sku)
    item = Item(
        sku=spec.sku, gtin=spec.gtin or gtin_for(spec.sku), product_name=spec.product_name,
        brand=spec.brand, price=spec.price, product_type=spec.product_type,
        category=spec.category, wpid=existing.wpid if existing else ctx.ids.wpid(),
        item_id=existing.item_id if existing else ctx.ids.item_id(),
        created_ms=existing.created_ms if existing else ctx.clock.now_ms(),
        shelf=["Home Page", spec.category, spec.product_type],
        published_status=spec.published_status, lifecycle_status=spec.lifecycle_status,
        unpublished_reasons=list(spec.unpublished_reasons),
        shipping_weight_lb=spec.shipping_weight_lb, lag_time_days=spec.lag_time_days,
        variant_group_id=spec.variant_group_id,
    )  # fmt: skip
    ctx.state.items[item.sku] = item
    for node, qty in spec.inventory.items():
        if ctx.state.node(node) is None:
            raise AdminError(400, f"item {spec.sku}: unknown ship node {node}")
        inventory.set_quantity(ctx, item.sku, node, qty)
    return item


def _line(ctx: SimContext, number: int, spec_line: OrderLineSpec, at_ms: int) -> OrderLine:
    item = ctx.state.items.get(spec_line.sku)
    if item is None:
        raise AdminError(400, f"unknown sku {spec_line.sku}; seed the catalog first")
    price = spec_line.unit_price if spec_line.unit_price is not None else item.price
    return OrderLine(
        line_number=str(number), sku=item.sku, product_name=item.product_name,
        quantity=spec_line.quantity, unit_price=price, unit_tax=spec_line.unit_tax,
        unit_shipping=spec_line.unit_shipping, unit_shipping_tax=spec_line.unit_shipping_tax,
        states=[LineState("Created", spec_line.quantity)], status_ms=at_ms,
        shipping_program_type=spec_line.shipping_program_type,
    )  # fmt: skip


def create_order(ctx: SimContext, spec: OrderSpec) -> Order:
    now = ctx.clock.now_ms()
    at = (
        int(spec.order_date.replace(tzinfo=spec.order_date.tzinfo or UTC).timestamp() * 1000)
        if spec.order_date
        else now
    )
    po = spec.purchase_order_id or ctx.ids.purchase_order_id()
    if po in ctx.state.orders:
        raise AdminError(409, f"purchase order {po} already exists")
    node: ShipNode | None = None
    if spec.ship_node_type != "WFSFulfilled":
        node = ctx.state.node(spec.ship_node) if spec.ship_node else ctx.state.default_node
        if node is None:
            raise AdminError(400, f"unknown ship node {spec.ship_node}; add ship nodes first")
    lines = [_line(ctx, i + 1, s, at) for i, s in enumerate(spec.lines)]
    order = Order(
        purchase_order_id=po, customer_order_id=spec.customer_order_id or ctx.ids.customer_order_id(),
        customer_email_id=f"{ctx.ids.uuid().replace('-', '').upper()}@relay.walmart.com",
        order_date_ms=at, last_modified_ms=at, estimated_ship_ms=at + spec.ship_by_days * DAY_MS,
        estimated_delivery_ms=at + spec.deliver_by_days * DAY_MS, method_code=spec.method_code,
        phone=spec.phone, address=spec.address.model_dump(), lines=lines,
        ship_node_type=spec.ship_node_type, ship_node_id=node.ship_node if node else None,
        ship_node_name=node.name if node else None, order_type=spec.order_type,
        label_fee=spec.label_fee,
    )  # fmt: skip
    ctx.state.orders[po] = order
    inventory.take_for_order(ctx, order)
    order_event(ctx, "PO_CREATED", order, lines, "CREATED")
    default = "Shipped" if spec.ship_node_type == "WFSFulfilled" else "Created"
    shipped_any = False
    for line, line_spec in zip(lines, spec.lines, strict=True):
        target = line_spec.status or default
        shipped_any |= _advance(
            ctx, order, line, target, line_spec.carrier, line_spec.cancellation_reason, at
        )
    if shipped_any and order.label_fee:
        settlement.record_label_fee(ctx, order, min(now, at + DAY_MS))
    return order


def _advance(
    ctx: SimContext, order: Order, line: OrderLine, target: str, carrier: str,
    reason: str | None, at: int,
) -> bool:  # fmt: skip
    if target == "Created":
        return False
    if target == "Acknowledged":
        move(line, line.quantity, ("Created",), LineState("Acknowledged", 0))
        return False
    if target == "Cancelled":
        move(
            line,
            line.quantity,
            OPEN,
            LineState("Cancelled", 0, cancellation_reason=reason or "SELLER_CANCEL_OUT_OF_STOCK"),
        )
        inventory.give_back(ctx, order, line, line.quantity)
        return False
    shipped_at = min(ctx.clock.now_ms(), at + DAY_MS)
    tracking = Tracking(
        shipped_at,
        order.method_code if order.method_code != "Value" else "Standard",
        ctx.ids.digits(18),
        carrier=carrier,
    )
    move(line, line.quantity, OPEN, LineState("Shipped", 0, tracking=tracking))
    settlement.record_sale(ctx, order, line, line.quantity, shipped_at)
    if target == "Delivered":
        for state in line.states:
            if state.status == "Shipped":
                state.status = "Delivered"
    return True


def create_return(ctx: SimContext, spec: ReturnSpec) -> ReturnOrder:
    order = ctx.state.orders.get(spec.purchase_order_id)
    if order is None:
        raise AdminError(404, f"purchase order {spec.purchase_order_id} not found")
    now = ctx.clock.now_ms()
    at = (
        int(spec.return_date.replace(tzinfo=spec.return_date.tzinfo or UTC).timestamp() * 1000)
        if spec.return_date
        else now
    )
    is_wfs = order.ship_node_type == "WFSFulfilled"
    lines = []
    for number, line_spec in enumerate(spec.lines, start=1):
        line = order.line(line_spec.line_number)
        if line is None:
            raise AdminError(
                400, f"order {order.purchase_order_id} has no line {line_spec.line_number}"
            )
        returned = sum(
            rl.quantity for r in ctx.state.returns.values() for rl in r.lines
            if rl.purchase_order_id == order.purchase_order_id and str(rl.po_line_number) == line.line_number
        )  # fmt: skip
        if line_spec.quantity + returned > line.qty_in(*SHIPPED):
            raise AdminError(
                400,
                f"line {line.line_number} has no {line_spec.quantity} shipped, unreturned units",
            )
        lines.append(
            ReturnLine(
                number=number, purchase_order_id=order.purchase_order_id,
                po_line_number=int(line.line_number), sku=line.sku, product_name=line.product_name,
                quantity=line_spec.quantity, reason=line_spec.reason, unit_price=line.unit_price,
                unit_tax=line.unit_tax, status="INITIATED", status_ms=at,
                # WFS returns are settled by Walmart (simulator choice, see docs).
                refund_channel="WALMART_SETTLED_REFUND" if is_wfs else "SELLER_MANUAL_REFUND",
                events=[ReturnEvent("RETURN_INITIATED", "Return initiated for MARKET_PLACE", at)],
            )
        )  # fmt: skip
    name = str(order.address.get("name") or "Jane Doe").split(" ", 1)
    ret = ReturnOrder(
        return_order_id=ctx.ids.return_order_id(), customer_order_id=order.customer_order_id,
        customer_email_id=order.customer_email_id, first_name=name[0],
        last_name=name[1] if len(name) > 1 else "", return_date_ms=at,
        return_by_ms=at + 30 * DAY_MS, last_modified_ms=at, lines=lines, is_wfs=is_wfs,
        label_tracking_no=ctx.ids.digits(12),
    )  # fmt: skip
    ctx.state.returns[ret.return_order_id] = ret
    return_created(ctx, ret)
    return ret


def set_published(ctx: SimContext, item: Item, published: bool, reasons: list[str]) -> None:
    if (item.published_status == "PUBLISHED") == published:
        return
    item.published_status = "PUBLISHED" if published else "UNPUBLISHED"
    item.unpublished_reasons = [] if published else list(reasons)
    offer_event(ctx, item)
