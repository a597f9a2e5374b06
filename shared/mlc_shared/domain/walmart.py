"""Walmart Marketplace records as the connector uses them (parsed from Walmart JSON by the
walmart-gateway; walmart-api.md §3-§9).

Amounts are ``Decimal``; timestamps are timezone-aware UTC ``datetime`` (Walmart sends epoch
milliseconds for orders and ISO strings for returns, §6.2/§7); optional fields default so
that older producers keep validating.
"""

from __future__ import annotations

from datetime import date, datetime
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
    tracking_number: str | None = None
    carrier: str | None = None


class OrderLine(_Record):
    line_number: str
    sku: str
    product_name: str | None = None
    quantity: Decimal
    status: str
    statuses: tuple[OrderLineStatus, ...] = ()
    charges: tuple[OrderCharge, ...] = ()
    status_date: datetime | None = None
    ship_method: str | None = None
    refunds: tuple[OrderCharge, ...] = ()
    """Refund charges already on the line (negative amounts, §6.3 refund)."""

    @property
    def is_cancelled(self) -> bool:
        return self.status == "Cancelled"


class Order(_Record):
    purchase_order_id: str
    customer_order_id: str
    order_date: datetime
    ship_node: ShipNode = ShipNode()
    lines: tuple[OrderLine, ...] = ()
    customer_email_id: str | None = None
    order_type: str | None = None
    method_code: str | None = None
    estimated_ship_date: datetime | None = None
    estimated_delivery_date: datetime | None = None
    ship_to_state: str | None = None
    ship_to_postal_code: str | None = None
    ship_to_country: str | None = None


class InventoryUpdate(_Record):
    sku: str
    quantity: int
    ship_node: str | None = None


class SkuOutcome(_Record):
    sku: str
    ship_node: str | None = None
    ok: bool
    error: str | None = None
    status: str | None = None
    """Walmart's word for it: ``SUCCESS``, ``DATA_ERROR``, ``SYSTEM_ERROR``, ``TIMEOUT_ERROR``
    (feed ingestion, §3.2), ``INPROGRESS``, or ``REJECTED`` for a refused single update."""
    retryable: bool = False
    """SYSTEM_ERROR / TIMEOUT_ERROR items and throttled single updates: send again later."""
    error_codes: tuple[str, ...] = ()


class PriceUpdate(_Record):
    """One SKU's selling price (walmart-api.md §4, ``currentPriceType`` BASE by default)."""

    sku: str
    amount: Decimal
    currency: str = "USD"
    price_type: str = "BASE"


class ItemSetup(_Record):
    """The Orderable and Visible fields of one ``MP_ITEM`` feed entry (walmart-api.md §3.1)."""

    sku: str
    product_id_type: str = "GTIN"
    product_id: str
    product_name: str
    brand: str
    price: Decimal
    shipping_weight_lb: Decimal
    category: str
    """The ``Visible`` key, e.g. ``Home Decor, Kitchen, & Other``."""
    sub_category: str
    """The feed header's ``subCategory``, e.g. ``home_other``."""
    short_description: str
    main_image_url: str
    key_features: tuple[str, ...] = ()


class Item(_Record):
    """An item as ``GET /v3/items`` reports it (walmart-api.md §3.3)."""

    sku: str
    wpid: str | None = None
    gtin: str | None = None
    upc: str | None = None
    product_name: str | None = None
    product_type: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    published_status: str | None = None
    lifecycle_status: str | None = None
    unpublished_reasons: tuple[str, ...] = ()


class InventoryLevel(_Record):
    """One SKU at one ship node (walmart-api.md §5). ``ship_node`` None: the default node.
    On hand = available to sell + reserved (§5, S3)."""

    sku: str
    ship_node: str | None = None
    input_qty: int | None = None
    avail_to_sell_qty: int | None = None
    reserved_qty: int | None = None


class FeedStatus(_Record):
    """A feed's progress and its per-SKU results (walmart-api.md §3.2)."""

    feed_id: str
    feed_type: str | None = None
    status: str
    """RECEIVED, INPROGRESS, PROCESSED or ERROR (the whole feed rejected)."""
    items_received: int = 0
    items_succeeded: int = 0
    items_failed: int = 0
    items_processing: int = 0
    submitted_at: datetime | None = None
    results: tuple[SkuOutcome, ...] = ()
    errors: tuple[str, ...] = ()
    """Feed-level ingestion errors (why an ERROR feed was rejected)."""

    @property
    def complete(self) -> bool:
        return self.status == "ERROR" or (self.status == "PROCESSED" and self.items_processing == 0)

    @property
    def all_succeeded(self) -> bool:
        """Processed, and Walmart counts every item it received as a success (§3.2): the
        per-item details could only repeat that."""
        return (
            self.status == "PROCESSED"
            and self.items_processing == 0
            and self.items_failed == 0
            and self.items_succeeded == self.items_received
        )


class ReturnCharge(_Record):
    charge_category: str
    charge_name: str | None = None
    amount_per_unit: Decimal
    currency: str = "USD"
    tax_per_unit: Decimal = Decimal(0)
    is_discount: bool = False


class ReturnLine(_Record):
    return_order_line_number: int
    purchase_order_id: str | None = None
    purchase_order_line_number: int | None = None
    sku: str | None = None
    product_name: str | None = None
    quantity: Decimal
    return_reason: str | None = None
    status: str | None = None
    refund_channel: str | None = None
    current_refund_status: str | None = None
    refunded_qty: Decimal = Decimal(0)
    unit_price: Decimal | None = None
    line_total: Decimal | None = None
    charges: tuple[ReturnCharge, ...] = ()


class ReturnOrder(_Record):
    """A return order (walmart-api.md §7); dates are ISO strings on the wire, unlike orders."""

    return_order_id: str
    customer_order_id: str
    return_order_date: datetime | None = None
    return_by_date: datetime | None = None
    return_type: str | None = None
    refund_mode: str | None = None
    total_refund_amount: Decimal | None = None
    currency: str = "USD"
    return_channel: str | None = None
    lines: tuple[ReturnLine, ...] = ()


class RefundLine(_Record):
    """One line of ``POST /v3/returns/{id}/refund`` (walmart-api.md §7)."""

    return_order_line_number: int
    quantity: Decimal


class ReconRow(_Record):
    """One row of a v1 reconciliation report (walmart-api.md §8.2), read by header name.

    Values Walmart leaves blank are None. Columns this version does not know are kept in
    ``other_columns`` (header, value) so nothing in the file is lost.
    """

    period_start_date: date | None = None
    period_end_date: date | None = None
    total_payable: Decimal | None = None
    currency: str | None = None
    transaction_key: str | None = None
    transaction_posted_date: date | None = None
    transaction_type: str | None = None
    transaction_description: str | None = None
    customer_order_id: str | None = None
    customer_order_line: str | None = None
    purchase_order_id: str | None = None
    purchase_order_line: str | None = None
    amount: Decimal | None = None
    amount_type: str | None = None
    ship_qty: Decimal | None = None
    commission_rate: Decimal | None = None
    base_commission_rate: Decimal | None = None
    transaction_reason_description: str | None = None
    partner_item_id: str | None = None
    partner_gtin: str | None = None
    partner_item_name: str | None = None
    product_tax_code: str | None = None
    ship_to_state: str | None = None
    ship_to_city: str | None = None
    ship_to_zipcode: str | None = None
    contract_category: str | None = None
    product_type: str | None = None
    commission_rule: str | None = None
    shipping_method: str | None = None
    fulfillment_type: str | None = None
    fulfillment_details: str | None = None
    original_commission: Decimal | None = None
    commission_incentive_program: str | None = None
    commission_saving: Decimal | None = None
    customer_promo_type: str | None = None
    total_walmart_funded_savings_program: str | None = None
    campaign_id: str | None = None
    item_condition: str | None = None
    original_charge: Decimal | None = None
    charge_savings: Decimal | None = None
    incentive_program_name: str | None = None
    ship_to_country: str | None = None
    other_columns: tuple[tuple[str, str], ...] = ()


class ReconReport(_Record):
    report_date: str
    """Exactly as Walmart lists it (MMDDYYYY, §8.1)."""
    rows: tuple[ReconRow, ...]
    source: str = "zip"
    """``zip`` (the CSV inside ``reconFile``) or ``json`` (``reconFileJson`` pages)."""
    declared_row_count: int | None = None
    """N from the "Number of Lines in file N" row, when present."""

    @property
    def total_payable(self) -> Decimal | None:
        for row in self.rows:
            if row.transaction_type == "PaymentSummary" and row.total_payable is not None:
                return row.total_payable
        return None


class WebhookSubscription(_Record):
    """A notification subscription (walmart-api.md §9.1). Auth secrets are never kept here."""

    subscription_id: str
    event_type: str
    event_version: str | None = None
    resource_name: str | None = None
    event_url: str | None = None
    status: str | None = None
    auth_method: str | None = None
