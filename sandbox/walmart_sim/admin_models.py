"""Typed bodies of the admin API (seeding the account, faults, clock, settlements)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

LineStatus = Literal["Created", "Acknowledged", "Shipped", "Delivered", "Cancelled"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ShipNodeSpec(_Spec):
    ship_node: str
    name: str
    custom_node_id: str | None = None
    node_type: Literal["PHYSICAL", "VIRTUAL", "3PL"] = "PHYSICAL"
    status: Literal["ACTIVE", "INACTIVE"] = "ACTIVE"
    time_zone: str = "EST"
    address: dict[str, str] = Field(default_factory=dict)


class ItemSpec(_Spec):
    sku: str = Field(min_length=1)
    product_name: str
    price: Decimal = Field(gt=0)
    gtin: str | None = None
    """Omitted: a valid GTIN-14 is made up from the SKU."""
    brand: str = "Mahalaxmi"
    product_type: str = "Other"
    category: str = "Home Decor, Kitchen, & Other"
    published_status: str = "PUBLISHED"
    lifecycle_status: Literal["ACTIVE", "ARCHIVED", "RETIRED"] = "ACTIVE"
    unpublished_reasons: list[str] = Field(default_factory=list)
    shipping_weight_lb: Decimal = Decimal("1")
    lag_time_days: int = 1
    variant_group_id: str | None = None
    inventory: dict[str, int] = Field(default_factory=dict)
    """Quantity per ship node id, sent as if by the seller."""


class CatalogSpec(_Spec):
    items: list[ItemSpec] = Field(default_factory=list)
    ship_nodes: list[ShipNodeSpec] = Field(default_factory=list)


class AddressSpec(_Spec):
    name: str = "Jane Doe"
    address1: str = "3258 Warners Rd"
    address2: str | None = None
    city: str = "Warners"
    state: str = "NY"
    postalCode: str = "13164"  # Walmart's field name
    country: str = "USA"
    addressType: str = "RESIDENTIAL"


class OrderLineSpec(_Spec):
    sku: str
    quantity: int = Field(default=1, ge=1)
    unit_price: Decimal | None = None
    """Omitted: the item's current price."""
    unit_tax: Decimal = Decimal("0")
    unit_shipping: Decimal = Decimal("0")
    unit_shipping_tax: Decimal = Decimal("0")
    status: LineStatus | None = None
    """Omitted: Created (Shipped for WFS orders)."""
    cancellation_reason: str | None = None
    shipping_program_type: str | None = "TWO_DAY"
    carrier: str = "UPS"


class OrderSpec(_Spec):
    purchase_order_id: str | None = None
    customer_order_id: str | None = None
    order_date: datetime | None = None
    """Omitted: now (simulated clock)."""
    ship_node: str | None = None
    """Omitted: the first active ship node (seller-fulfilled orders)."""
    ship_node_type: Literal["SellerFulfilled", "WFSFulfilled", "3PLFulfilled"] = "SellerFulfilled"
    method_code: Literal["Standard", "Express", "OneDay", "Freight", "WhiteGlove", "Value"] = (
        "Value"
    )
    order_type: Literal["REGULAR", "REPLACEMENT"] = "REGULAR"
    label_fee: bool = False
    ship_by_days: int = 2
    deliver_by_days: int = 5
    address: AddressSpec = Field(default_factory=AddressSpec)
    phone: str = "3155598681"
    lines: list[OrderLineSpec] = Field(min_length=1)


class ReturnLineSpec(_Spec):
    line_number: str
    quantity: int = Field(default=1, ge=1)
    reason: str = "NO_LONGER_WANTED"


class ReturnSpec(_Spec):
    purchase_order_id: str
    lines: list[ReturnLineSpec] = Field(min_length=1)
    return_date: datetime | None = None


class SettlementSpec(_Spec):
    report_date: str | None = None
    """``YYYY-MM-DD`` or ``MMDDYYYY``; omitted: today (simulated clock)."""


class ClockSpec(_Spec):
    seconds: float = Field(ge=0)


class PlannedFaultSpec(_Spec):
    status: Literal[500, 503, 504] = 500
    after_effect: bool = False
    """True: the call takes effect and the client still gets the error."""
    path_prefix: str = "/v3/"
    count: int = Field(default=1, ge=1)


class EventSpec(_Spec):
    event_type: str
    payload: dict[str, Any] | None = None


class ResetSpec(_Spec):
    data: Literal["empty", "demo"] | None = None


class UnpublishSpec(_Spec):
    reasons: list[str] = Field(default_factory=lambda: ["Reasonable Price Not Satisfied"])
