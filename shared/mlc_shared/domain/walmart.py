"""Walmart Marketplace records as the connector uses them (parsed from Walmart JSON by the
walmart-gateway; walmart-api.md §6-§8)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class ShipNode(_Record):
    type: str = "SellerFulfilled"
    id: str | None = None
    name: str | None = None


class OrderCharge(_Record):
    charge_type: str
    charge_name: str
    amount: Decimal
    currency: str = "USD"
    tax_name: str | None = None
    tax_amount: Decimal | None = None


class OrderLineStatus(_Record):
    status: str
    quantity: Decimal
    cancellation_reason: str | None = None


class OrderLine(_Record):
    line_number: str
    sku: str
    product_name: str | None = None
    quantity: Decimal
    status: str
    statuses: tuple[OrderLineStatus, ...] = ()
    charges: tuple[OrderCharge, ...] = ()

    @property
    def is_cancelled(self) -> bool:
        return self.status == "Cancelled"


class Order(_Record):
    purchase_order_id: str
    customer_order_id: str
    order_date: datetime
    ship_node: ShipNode = ShipNode()
    lines: tuple[OrderLine, ...] = ()


class InventoryUpdate(_Record):
    sku: str
    quantity: int
    ship_node: str | None = None


class SkuOutcome(_Record):
    sku: str
    ship_node: str | None = None
    ok: bool
    error: str | None = None
