"""Which flow step handles which event. One table, read in one screen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from mlc_shared.messages.envelope import Payload
from mlc_shared.messages.orchestrator import PostOrder
from mlc_shared.messages.tally import StockItemsExported, VouchersImported
from mlc_shared.messages.walmart import InventoryUpdated, OrderAcknowledged, OrdersFetched

from sync_orchestrator.flows import CATALOG, ORDERS, catalog, orders
from sync_orchestrator.flows.context import FlowContext

Step = Callable[[FlowContext, Any], Awaitable[None]]

# event type -> (flow it belongs to, step, whether it ends that flow's in-flight run; a paged
# result ends it with its ``last_page``)
STEPS: dict[type[Payload], tuple[str, Step, bool]] = {
    StockItemsExported: (CATALOG, catalog.on_stock_items, True),
    InventoryUpdated: (CATALOG, catalog.on_inventory_updated, False),
    OrdersFetched: (ORDERS, orders.on_orders_fetched, True),
    PostOrder: (ORDERS, orders.on_post_order, False),
    VouchersImported: (ORDERS, orders.on_vouchers_imported, False),
    OrderAcknowledged: (ORDERS, orders.on_order_acknowledged, False),
}

STARTS: dict[str, Callable[..., Awaitable[None]]] = {
    CATALOG: catalog.start,
    ORDERS: orders.start,
}
