"""The simulator's in-memory records (what ``WalmartSimulator.state`` holds).

Typed records only; Walmart's JSON shapes are produced from them by the ``*_wire`` modules.
Money is ``Decimal``; times are epoch milliseconds of the simulated clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class ShipNode:
    """A seller ship node (walmart-api.md §5 ``/v3/settings/shipping/shipnodes``)."""

    ship_node: str
    name: str
    custom_node_id: str
    node_type: str = "PHYSICAL"
    status: str = "ACTIVE"
    time_zone: str = "EST"
    address: dict[str, str] = field(default_factory=dict)


@dataclass
class PromoPrice:
    """One promotional price of a SKU (walmart-api.md §4, ``PUT /v3/price?promo=true``)."""

    current_price_type: str
    current_price: Decimal
    effective_ms: int
    expiration_ms: int
    comparison_price: Decimal | None = None
    comparison_price_type: str | None = None
    price_display_codes: str | None = None
    promo_id: str | None = None


@dataclass
class Item:
    """A catalog item (walmart-api.md §3)."""

    sku: str
    gtin: str
    product_name: str
    brand: str
    price: Decimal
    product_type: str
    category: str
    wpid: str
    item_id: str
    created_ms: int
    shelf: list[str] = field(default_factory=list)
    upc: str = ""
    published_status: str = "PUBLISHED"
    lifecycle_status: str = "ACTIVE"
    unpublished_reasons: list[str] = field(default_factory=list)
    condition: str = "New"
    shipping_weight_lb: Decimal = Decimal("1")
    lag_time_days: int = 1
    product_tax_code: str = "2038710"
    variant_group_id: str | None = None
    promos: list[PromoPrice] = field(default_factory=list)


@dataclass
class Stock:
    """One SKU at one ship node. ``input_qty`` is what the seller last sent; sellable
    units are ``avail_to_sell``; reserved units are derived from unshipped order lines
    (walmart-api.md §5, S3: on hand = availToSell + reserved)."""

    input_qty: int = 0
    avail_to_sell: int = 0
    updated_ms: int = 0


@dataclass
class Tracking:
    ship_ms: int
    method_code: str
    tracking_number: str
    carrier: str | None = None
    other_carrier: str | None = None
    tracking_url: str | None = None


@dataclass
class LineState:
    """A quantity of a line in one status (a line can carry a mix, walmart-api.md §6.2)."""

    status: str
    quantity: int
    cancellation_reason: str | None = None
    tracking: Tracking | None = None
    return_center: dict[str, Any] | None = None


@dataclass
class RefundCharge:
    reason: str
    charge_type: str
    charge_name: str
    amount: Decimal
    """Negative (walmart-api.md §6.3)."""
    tax_amount: Decimal | None = None
    tax_name: str | None = None


@dataclass
class LineRefund:
    refund_id: str
    comments: str | None
    charges: list[RefundCharge]
    created_ms: int


@dataclass
class OrderLine:
    line_number: str
    sku: str
    product_name: str
    quantity: int
    unit_price: Decimal
    unit_tax: Decimal
    unit_shipping: Decimal
    unit_shipping_tax: Decimal
    states: list[LineState]
    status_ms: int
    ship_method: str = "VALUE"
    fulfillment_option: str = "S2H"
    shipping_program_type: str | None = None
    intent_to_cancel: bool = False
    seller_order_id: str | None = None
    refunds: list[LineRefund] = field(default_factory=list)

    def qty_in(self, *statuses: str) -> int:
        return sum(s.quantity for s in self.states if s.status in statuses)


@dataclass
class Order:
    purchase_order_id: str
    customer_order_id: str
    customer_email_id: str
    order_date_ms: int
    last_modified_ms: int
    estimated_ship_ms: int
    estimated_delivery_ms: int
    method_code: str
    phone: str
    address: dict[str, str | None]
    lines: list[OrderLine]
    ship_node_type: str = "SellerFulfilled"
    ship_node_id: str | None = None
    ship_node_name: str | None = None
    order_type: str = "REGULAR"
    original_customer_order_id: str | None = None
    label_fee: bool = False
    """The seller bought a Walmart shipping label: an Adjustment fee row in settlement."""

    def line(self, number: str) -> OrderLine | None:
        return next((ln for ln in self.lines if ln.line_number == number), None)


@dataclass
class ReturnEvent:
    tag: str
    description: str
    time_ms: int


@dataclass
class ReturnLine:
    number: int
    purchase_order_id: str
    po_line_number: int
    sku: str
    product_name: str
    quantity: int
    reason: str
    unit_price: Decimal
    unit_tax: Decimal
    status: str
    status_ms: int
    refund_channel: str
    events: list[ReturnEvent] = field(default_factory=list)
    refunded_qty: int = 0
    current_delivery_status: str = "NOT_SHIPPED"
    current_refund_status: str = "REFUND_INITIATED"


@dataclass
class ReturnOrder:
    return_order_id: str
    customer_order_id: str
    customer_email_id: str
    first_name: str
    last_name: str
    return_date_ms: int
    return_by_ms: int
    last_modified_ms: int
    lines: list[ReturnLine]
    is_wfs: bool = False
    return_type: str = "REFUND"
    refund_mode: str = "POST_DELIVERY"
    label_tracking_no: str = ""


@dataclass
class IngestionError:
    type: str
    code: str
    description: str


@dataclass
class FeedItemResult:
    index: int
    sku: str | None
    status: str = "INPROGRESS"
    errors: list[IngestionError] = field(default_factory=list)
    wpid: str | None = None
    item_id: str | None = None


@dataclass
class Feed:
    feed_id: str
    feed_type: str
    submitted_ms: int
    modified_ms: int
    file_name: str
    payload: bytes
    ship_node: str | None = None
    status: str = "RECEIVED"
    items_received: int = 0
    results: list[FeedItemResult] = field(default_factory=list)
    feed_errors: list[IngestionError] = field(default_factory=list)


@dataclass
class Subscription:
    subscription_id: str
    event_type: str
    event_version: str
    resource_name: str
    event_url: str
    status: str
    auth: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class DeliveryAttempt:
    """One POST to a subscriber, as the delivery log shows it (secrets masked)."""

    event_id: str
    event_type: str
    subscription_id: str
    attempt: int
    url: str
    sent_ms: int
    duplicate: bool
    headers: dict[str, str]
    body: str
    status_code: int | None = None
    error: str | None = None


@dataclass
class Token:
    issued_ms: int
    expires_ms: int
    revoked: bool = False


@dataclass
class Transaction:
    """One settle-able money movement, recorded when it happens (ship, refund, fee) and
    rendered into recon rows when its settlement period closes (walmart-api.md §8.3)."""

    key_seq: int
    kind: str
    """``sale``, ``order_refund``, ``return_refund`` or ``label_fee``."""
    posted_ms: int
    purchase_order_id: str
    line_number: str | None
    quantity: int
    product: Decimal
    product_tax: Decimal
    shipping: Decimal
    shipping_tax: Decimal
    fee: Decimal = Decimal(0)
    description: str = ""
    settled_in: str | None = None


@dataclass
class Settlement:
    """A closed settlement period and its v1 reconciliation report (walmart-api.md §8)."""

    report_date: str
    """MMDDYYYY, as ``availableReconFiles`` lists it."""
    period_start_ms: int
    period_end_ms: int
    generated_ms: int
    rows: list[dict[str, str]]
    total_payable: Decimal


@dataclass
class LoggedRequest:
    seq: int
    time_ms: int
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str
    status: int | None = None
