"""Commands to the walmart-gateway (queue ``walmart.commands``) and its events."""

from __future__ import annotations

from datetime import datetime

from mlc_shared.domain.walmart import InventoryUpdate, Order, SkuOutcome
from mlc_shared.messages.envelope import Payload


class UpdateInventory(Payload, message_type="walmart.update_inventory"):
    updates: tuple[InventoryUpdate, ...]


class InventoryUpdated(Payload, message_type="walmart.inventory_updated"):
    results: tuple[SkuOutcome, ...]
    feed_id: str | None = None


class FetchOrders(Payload, message_type="walmart.fetch_orders"):
    created_since: datetime | None = None
    purchase_order_id: str | None = None


class OrdersFetched(Payload, message_type="walmart.orders_fetched"):
    orders: tuple[Order, ...]


class AcknowledgeOrder(Payload, message_type="walmart.acknowledge_order"):
    purchase_order_id: str


class OrderAcknowledged(Payload, message_type="walmart.order_acknowledged"):
    purchase_order_id: str
