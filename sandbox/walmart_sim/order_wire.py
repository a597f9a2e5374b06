"""Orders in Walmart's JSON shape (walmart-api.md §6.2).

Epoch-millisecond dates, string quantities and line numbers, explicit ``null`` for absent
values (``address2``, ``tax``, ``refund``, ``trackingInfo``…), ship node at order level.
Cancelled quantities are not charged (cancelled lines show ``amount: 0``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .context import SimContext
from .models import LineState, Order, OrderLine, Tracking
from .wire import money_number


def _money(amount: Decimal) -> dict[str, Any]:
    return {"currency": "USD", "amount": money_number(amount)}


def _qty(quantity: int) -> dict[str, str]:
    return {"unitOfMeasurement": "EACH", "amount": str(quantity)}


def _charges(ctx: SimContext, line: OrderLine) -> list[dict[str, Any]]:
    billable = line.quantity - line.qty_in("Cancelled")
    factor = (
        Decimal(billable)
        if ctx.config.charge_amount_is_line_total
        else Decimal(1 if billable else 0)
    )
    charges: list[dict[str, Any]] = [
        {
            "chargeType": "PRODUCT",
            "chargeName": "ItemPrice",
            "chargeAmount": _money(line.unit_price * factor),
            "tax": {"taxName": "Tax1", "taxAmount": _money(line.unit_tax * factor)}
            if line.unit_tax
            else None,
        }
    ]
    if line.unit_shipping:
        charges.append(
            {
                "chargeType": "SHIPPING",
                "chargeName": "Shipping",
                "chargeAmount": _money(line.unit_shipping * factor),
                "tax": {"taxName": "Tax2", "taxAmount": _money(line.unit_shipping_tax * factor)}
                if line.unit_shipping_tax
                else None,
            }
        )
    return charges


def _tracking(tracking: Tracking | None) -> dict[str, Any] | None:
    if tracking is None:
        return None
    carrier: dict[str, Any] = (
        {"carrier": tracking.carrier}
        if tracking.carrier
        else {"otherCarrier": tracking.other_carrier, "carrier": None}
    )
    return {
        "shipDateTime": tracking.ship_ms,
        "carrierName": carrier,
        "methodCode": tracking.method_code,
        "trackingNumber": tracking.tracking_number,
        "trackingURL": tracking.tracking_url,
    }


def _status(state: LineState) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "status": state.status,
        "statusQuantity": _qty(state.quantity),
        "cancellationReason": state.cancellation_reason,
        "trackingInfo": _tracking(state.tracking),
    }
    if state.return_center is not None:
        entry["returnCenterAddress"] = state.return_center
    return entry


def _refund(line: OrderLine) -> dict[str, Any] | None:
    if not line.refunds:
        return None
    latest = line.refunds[-1]
    return {
        "refundId": latest.refund_id,
        "refundComments": latest.comments,
        "refundCharges": {
            "refundCharge": [
                {
                    "refundReason": charge.reason,
                    "charge": {
                        "chargeType": charge.charge_type,
                        "chargeName": charge.charge_name,
                        "chargeAmount": _money(charge.amount),
                        "tax": {
                            "taxName": charge.tax_name or "Tax1",
                            "taxAmount": _money(charge.tax_amount),
                        }
                        if charge.tax_amount is not None
                        else None,
                    },
                }
                for refund in line.refunds
                for charge in refund.charges
            ]
        },
    }


def _line(ctx: SimContext, order: Order, line: OrderLine, product_info: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"productName": line.product_name, "sku": line.sku}
    catalog = ctx.state.items.get(line.sku)
    if product_info:
        item["imageUrl"] = f"https://i5.walmartimages.com/asr/{line.sku}.jpeg"
        weight = catalog.shipping_weight_lb if catalog else Decimal("1")
        item["weight"] = {"value": str(weight), "unit": "Pounds"}
    return {
        "lineNumber": line.line_number,
        "item": item,
        "charges": {"charge": _charges(ctx, line)},
        "orderLineQuantity": _qty(line.quantity),
        "statusDate": line.status_ms,
        "orderLineStatuses": {"orderLineStatus": [_status(s) for s in line.states]},
        "refund": _refund(line),
        "fulfillment": {
            "fulfillmentOption": line.fulfillment_option,
            "shipMethod": line.ship_method,
            "storeId": None,
            "pickUpDateTime": order.estimated_delivery_ms,
            "pickUpBy": None,
            "shippingProgramType": line.shipping_program_type,
        },
    }


def order_json(
    ctx: SimContext, order: Order, *, product_info: bool = False, replacement_info: bool = False
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "purchaseOrderId": order.purchase_order_id,
        "customerOrderId": order.customer_order_id,
        "customerEmailId": order.customer_email_id,
    }
    if replacement_info:
        # Only with replacementInfo=true (walmart-api.md §6.2).
        body["orderType"] = order.order_type
        body["originalCustomerOrderID"] = order.original_customer_order_id
    body["orderDate"] = order.order_date_ms
    body["shippingInfo"] = {
        "phone": order.phone,
        "estimatedDeliveryDate": order.estimated_delivery_ms,
        "estimatedShipDate": order.estimated_ship_ms,
        "methodCode": order.method_code,
        "postalAddress": dict(order.address),
    }
    body["orderLines"] = {"orderLine": [_line(ctx, order, ln, product_info) for ln in order.lines]}
    body["shipNode"] = {
        "type": order.ship_node_type,
        "name": order.ship_node_name,
        "id": order.ship_node_id,
    }
    return body
