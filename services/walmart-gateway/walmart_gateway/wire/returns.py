"""Returns JSON (walmart-api.md §7) -> ``domain.walmart.ReturnOrder``.

Unlike orders, return dates are ISO strings and amounts are ``{currencyAmount, currencyUnit}``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mlc_shared.domain.walmart import RefundLine, ReturnCharge, ReturnLine, ReturnOrder
from walmart_gateway.wire.common import ListOf, Wire, instant


class Amount(Wire):
    currencyAmount: Decimal
    currencyUnit: str = "USD"


class ReturnQuantity(Wire):
    unitOfMeasure: str | None = None
    measurementValue: Decimal


class ReturnTax(Wire):
    taxName: str | None = None
    taxPerUnit: Amount | None = None


class ReturnChargeWire(Wire):
    chargeCategory: str
    chargeName: str | None = None
    chargePerUnit: Amount
    isDiscount: bool = False
    tax: ListOf[ReturnTax] = []

    def to_domain(self) -> ReturnCharge:
        tax = sum((t.taxPerUnit.currencyAmount for t in self.tax if t.taxPerUnit), Decimal(0))
        return ReturnCharge(
            charge_category=self.chargeCategory,
            charge_name=self.chargeName,
            amount_per_unit=self.chargePerUnit.currencyAmount,
            currency=self.chargePerUnit.currencyUnit,
            tax_per_unit=tax,
            is_discount=self.isDiscount,
        )


class ChargeTotal(Wire):
    name: str
    value: Amount | None = None


class ReturnItem(Wire):
    sku: str | None = None
    productName: str | None = None


class ReturnLineWire(Wire):
    returnOrderLineNumber: int
    purchaseOrderId: str | None = None
    purchaseOrderLineNumber: int | None = None
    returnReason: str | None = None
    item: ReturnItem | None = None
    charges: ListOf[ReturnChargeWire] = []
    unitPrice: Amount | None = None
    chargeTotals: ListOf[ChargeTotal] = []
    quantity: ReturnQuantity
    refundedQty: Decimal | None = None
    refundChannel: str | None = None
    status: str | None = None
    currentRefundStatus: str | None = None

    def to_domain(self) -> ReturnLine:
        totals = {t.name: t.value.currencyAmount for t in self.chargeTotals if t.value}
        return ReturnLine(
            return_order_line_number=self.returnOrderLineNumber,
            purchase_order_id=self.purchaseOrderId,
            purchase_order_line_number=self.purchaseOrderLineNumber,
            sku=self.item.sku if self.item else None,
            product_name=self.item.productName if self.item else None,
            quantity=self.quantity.measurementValue,
            return_reason=self.returnReason,
            status=self.status,
            refund_channel=self.refundChannel,
            current_refund_status=self.currentRefundStatus,
            refunded_qty=self.refundedQty or Decimal(0),
            unit_price=self.unitPrice.currencyAmount if self.unitPrice else None,
            line_total=totals.get("lineTotal"),
            charges=tuple(c.to_domain() for c in self.charges),
        )


class CustomerName(Wire):
    firstName: str | None = None
    lastName: str | None = None


class ReturnChannel(Wire):
    channelName: str | None = None


class ReturnOrderWire(Wire):
    returnOrderId: str
    customerOrderId: str
    returnOrderDate: str | None = None
    returnByDate: str | None = None
    refundMode: str | None = None
    returnType: str | None = None
    totalRefundAmount: Amount | None = None
    returnOrderLines: ListOf[ReturnLineWire] = []
    returnChannel: ReturnChannel | None = None

    def to_domain(self) -> ReturnOrder:
        total = self.totalRefundAmount
        return ReturnOrder(
            return_order_id=self.returnOrderId,
            customer_order_id=self.customerOrderId,
            return_order_date=instant(self.returnOrderDate),
            return_by_date=instant(self.returnByDate),
            return_type=self.returnType,
            refund_mode=self.refundMode,
            total_refund_amount=total.currencyAmount if total else None,
            currency=total.currencyUnit if total else "USD",
            return_channel=self.returnChannel.channelName if self.returnChannel else None,
            lines=tuple(line.to_domain() for line in self.returnOrderLines),
        )


class ReturnsMeta(Wire):
    totalCount: int | None = None
    limit: int | None = None
    nextCursor: str | None = None


class ReturnsPage(Wire):
    """``GET /v3/returns`` (§7)."""

    meta: ReturnsMeta | None = None
    returnOrders: ListOf[ReturnOrderWire] = []

    @property
    def next_cursor(self) -> str | None:
        return (self.meta.nextCursor or None) if self.meta else None


class RefundEcho(Wire):
    """``POST /v3/returns/{id}/refund`` 200 echo (§7)."""

    returnOrderId: str | None = None
    customerOrderId: str | None = None


def refund_document(customer_order_id: str, lines: tuple[RefundLine, ...]) -> dict[str, Any]:
    return {
        "customerOrderId": customer_order_id,
        "refundLines": [
            {
                "returnOrderLineNumber": line.return_order_line_number,
                "quantity": {"unitOfMeasure": "EA", "measurementValue": line.quantity},
            }
            for line in lines
        ],
    }
