"""The inventory model (walmart-api.md §5, S3 live notes).

Per SKU and ship node:

* ``inputQty`` is the quantity the seller last sent; it never moves by itself.
* ``reservedQty`` is the quantity on unshipped (Created or Acknowledged) seller-fulfilled
  order lines for that SKU at that node.
* ``availToSellQty`` is what can still be sold. Sending a quantity N sets it to
  ``max(0, N - reserved)`` (the seller reports units on hand, some already promised). A new
  order line takes its quantity off; cancelling an unshipped line gives it back; shipping
  changes nothing (the units were already off). On hand = availToSell + reserved.

When availToSell drops to 0 the account raises INVENTORY_OOS (§9.2). WFS orders never touch
seller-node stock.
"""

from __future__ import annotations

from collections import defaultdict

from .context import SimContext
from .models import Order, OrderLine
from .webhook_events import inventory_oos


def reserved_map(ctx: SimContext) -> dict[tuple[str, str], int]:
    reserved: dict[tuple[str, str], int] = defaultdict(int)
    for order in ctx.state.orders.values():
        if order.ship_node_type == "WFSFulfilled" or order.ship_node_id is None:
            continue
        for line in order.lines:
            qty = line.qty_in("Created", "Acknowledged")
            if qty:
                reserved[(line.sku, order.ship_node_id)] += qty
    return reserved


def set_quantity(
    ctx: SimContext,
    sku: str,
    ship_node: str,
    quantity: int,
    reserved: dict[tuple[str, str], int] | None = None,
) -> None:
    """``reserved``: a ``reserved_map`` computed once for a batch (feeds), else computed here."""
    stock = ctx.state.stock_for(sku, ship_node)
    before = stock.avail_to_sell
    stock.input_qty = quantity
    held = (reserved if reserved is not None else reserved_map(ctx)).get((sku, ship_node), 0)
    stock.avail_to_sell = max(0, quantity - held)
    stock.updated_ms = ctx.clock.now_ms()
    if before > 0 and stock.avail_to_sell == 0:
        _out_of_stock(ctx, sku)


def take_for_order(ctx: SimContext, order: Order) -> None:
    if order.ship_node_type == "WFSFulfilled" or order.ship_node_id is None:
        return
    emptied: set[str] = set()
    for line in order.lines:
        qty = line.qty_in("Created", "Acknowledged")
        stock = ctx.state.stock_for(line.sku, order.ship_node_id)
        before = stock.avail_to_sell
        stock.avail_to_sell = max(0, before - qty)
        if before > 0 and stock.avail_to_sell == 0:
            emptied.add(line.sku)
    for sku in sorted(emptied):
        _out_of_stock(ctx, sku)


def give_back(ctx: SimContext, order: Order, line: OrderLine, quantity: int) -> None:
    """An unshipped quantity was cancelled: it is sellable again."""
    if order.ship_node_type == "WFSFulfilled" or order.ship_node_id is None:
        return
    ctx.state.stock_for(line.sku, order.ship_node_id).avail_to_sell += quantity


def _out_of_stock(ctx: SimContext, sku: str) -> None:
    item = ctx.state.items.get(sku)
    if item is None:
        return
    rows = []
    for node in ctx.state.ship_nodes:
        stock = ctx.state.stock.get((sku, node.ship_node))
        rows.append((node.ship_node, node.name, stock.avail_to_sell if stock else 0))
    inventory_oos(ctx, item, rows)
