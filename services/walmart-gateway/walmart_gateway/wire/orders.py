"""Orders JSON (walmart-api.md §6.2, S1 ``PurchaseOrderTypeV3``) -> ``domain.walmart.Order``.

Facts encoded here: timestamps are epoch milliseconds; quantities and line numbers are
strings; absent values are explicit ``null``; the ship node is the order-level ``shipNode``
object (and can be ``[]`` on released orders, §6.2).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mlc_shared.domain.walmart import Order, OrderCharge, OrderLine, OrderLineStatus, ShipNode
from pydantic import field_validator
from walmart_gateway.wire.common import ListOf, Wire, instant, required_instant


class Money(Wire):
    currency: str = "USD"
    amount: Decimal


class Tax(Wire):
    taxName: str | None = None
    taxAmount: Money | None = None


class Charge(Wire):
    chargeType: str
    chargeName: str | None = None
    chargeAmount: Money
    tax: Tax | None = None

    def to_domain(self) -> OrderCharge:
        tax = self.tax.taxAmount if self.tax else None
        return OrderCharge(
            charge_type=self.chargeType,
            charge_name=self.chargeName or self.chargeType,
            amount=self.chargeAmount.amount,
            currency=self.chargeAmount.currency,
            tax_name=self.tax.taxName if self.tax else None,
            tax_amount=tax.amount if tax else None,
        )


class Charges(Wire):
    charge: ListOf[Charge] = []


class Quantity(Wire):
    unitOfMeasurement: str | None = None
    amount: Decimal


class CarrierName(Wire):
    carrier: str | None = None
    otherCarrier: str | None = None


class TrackingInfo(Wire):
    shipDateTime: int | None = None
    carrierName: CarrierName | None = None
    methodCode: str | None = None
    trackingNumber: str | None = None
    trackingURL: str | None = None


class LineStatus(Wire):
    status: str
    statusQuantity: Quantity | None = None
    cancellationReason: str | None = None
    trackingInfo: TrackingInfo | None = None


class LineStatuses(Wire):
    orderLineStatus: ListOf[LineStatus] = []


class LineItem(Wire):
    productName: str | None = None
    sku: str


class RefundCharge(Wire):
    refundReason: str | None = None
    charge: Charge


class RefundCharges(Wire):
    refundCharge: ListOf[RefundCharge] = []


class Refund(Wire):
    refundId: str | None = None
    refundComments: str | None = None
    refundCharges: RefundCharges | None = None


class Fulfillment(Wire):
    fulfillmentOption: str | None = None
    shipMethod: str | None = None


class OrderLineWire(Wire):
    lineNumber: str
    item: LineItem
    charges: Charges | None = None
    orderLineQuantity: Quantity
    statusDate: int | None = None
    orderLineStatuses: LineStatuses | None = None
    refund: Refund | None = None
    fulfillment: Fulfillment | None = None

    @field_validator("lineNumber", mode="before")
    @classmethod
    def _line_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    def to_domain(self) -> OrderLine:
        statuses = self.orderLineStatuses.orderLineStatus if self.orderLineStatuses else []
        tracked = [
            OrderLineStatus(
                status=s.status,
                quantity=s.statusQuantity.amount
                if s.statusQuantity
                else self.orderLineQuantity.amount,
                cancellation_reason=s.cancellationReason,
                tracking_number=s.trackingInfo.trackingNumber if s.trackingInfo else None,
                carrier=_carrier(s.trackingInfo),
            )
            for s in statuses
        ]
        refund_charges = (
            self.refund.refundCharges.refundCharge
            if (self.refund and self.refund.refundCharges)
            else []
        )
        return OrderLine(
            line_number=self.lineNumber,
            sku=self.item.sku,
            product_name=self.item.productName,
            quantity=self.orderLineQuantity.amount,
            status=line_status(tuple(s.status for s in tracked)),
            statuses=tuple(tracked),
            charges=tuple(c.to_domain() for c in (self.charges.charge if self.charges else [])),
            status_date=instant(self.statusDate),
            ship_method=self.fulfillment.shipMethod if self.fulfillment else None,
            refunds=tuple(r.charge.to_domain() for r in refund_charges),
        )


# §6.2 line status enum, in lifecycle order.
_LIFECYCLE = ("Created", "Acknowledged", "Shipped", "Delivered", "Refund")


def line_status(statuses: tuple[str, ...]) -> str:
    """One status for a line that may carry several (partial quantities, §6.2): Cancelled only
    when every unit is; otherwise the furthest status its open units have reached."""
    if not statuses:
        return "Created"
    open_statuses = [s for s in statuses if s != "Cancelled"]
    if not open_statuses:
        return "Cancelled"
    return max(open_statuses, key=lambda s: _LIFECYCLE.index(s) if s in _LIFECYCLE else -1)


def _carrier(tracking: TrackingInfo | None) -> str | None:
    if tracking is None or tracking.carrierName is None:
        return None
    return tracking.carrierName.carrier or tracking.carrierName.otherCarrier


class OrderLines(Wire):
    orderLine: ListOf[OrderLineWire] = []


class PostalAddress(Wire):
    state: str | None = None
    postalCode: str | None = None
    country: str | None = None


class ShippingInfo(Wire):
    estimatedDeliveryDate: int | None = None
    estimatedShipDate: int | None = None
    methodCode: str | None = None
    postalAddress: PostalAddress | None = None


class ShipNodeWire(Wire):
    type: str | None = None
    name: str | None = None
    id: str | None = None


class OrderWire(Wire):
    purchaseOrderId: str
    customerOrderId: str
    customerEmailId: str | None = None
    orderType: str | None = None
    orderDate: int | str
    shippingInfo: ShippingInfo | None = None
    orderLines: OrderLines | None = None
    shipNode: ShipNodeWire | None = None

    @field_validator("shipNode", mode="before")
    @classmethod
    def _empty_ship_node(cls, value: Any) -> Any:
        return None if isinstance(value, list) and not value else value  # §6.2: "shipNode": []

    def to_domain(self) -> Order:
        info = self.shippingInfo
        address = info.postalAddress if info else None
        node = self.shipNode
        return Order(
            purchase_order_id=self.purchaseOrderId,
            customer_order_id=self.customerOrderId,
            order_date=required_instant(self.orderDate),
            ship_node=ShipNode(type=node.type or "SellerFulfilled", id=node.id, name=node.name)
            if node
            else ShipNode(),
            lines=tuple(
                line.to_domain() for line in (self.orderLines.orderLine if self.orderLines else [])
            ),
            customer_email_id=self.customerEmailId,
            order_type=self.orderType,
            method_code=info.methodCode if info else None,
            estimated_ship_date=instant(info.estimatedShipDate) if info else None,
            estimated_delivery_date=instant(info.estimatedDeliveryDate) if info else None,
            ship_to_state=address.state if address else None,
            ship_to_postal_code=address.postalCode if address else None,
            ship_to_country=address.country if address else None,
        )


class ListMeta(Wire):
    totalCount: int | None = None
    limit: int | None = None
    nextCursor: str | None = None


class OrderElements(Wire):
    order: ListOf[OrderWire] = []


class OrderList(Wire):
    meta: ListMeta | None = None
    elements: OrderElements | None = None


class OrdersPage(Wire):
    """``GET /v3/orders`` and ``/v3/orders/released`` (§6.1)."""

    list: OrderList

    @property
    def orders(self) -> tuple[OrderWire, ...]:
        return tuple(self.list.elements.order) if self.list.elements else ()

    @property
    def next_cursor(self) -> str | None:
        return (self.list.meta.nextCursor or None) if self.list.meta else None


class OrderEnvelope(Wire):
    """Single order, acknowledge, cancel, ship, refund all answer ``{"order": ...}`` (§6.3)."""

    order: OrderWire
