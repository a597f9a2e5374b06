"""Return orders in Walmart's JSON shape (walmart-api.md §7): ISO dates, unlike orders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .models import ReturnLine, ReturnOrder
from .wire import iso_ms, money_number


def _amount(value: Decimal) -> dict[str, Any]:
    return {"currencyAmount": money_number(value), "currencyUnit": "USD"}


def _qty(quantity: int) -> dict[str, Any]:
    return {"unitOfMeasure": "EACH", "measurementValue": quantity}


def _line(line: ReturnLine) -> dict[str, Any]:
    qty = Decimal(line.quantity)
    return {
        "returnOrderLineNumber": line.number,
        "salesOrderLineNumber": line.po_line_number,
        "purchaseOrderId": line.purchase_order_id,
        "purchaseOrderLineNumber": line.po_line_number,
        "returnReason": line.reason,
        "isReturnForException": False,
        "item": {
            "sku": line.sku,
            "productName": line.product_name,
            "itemWeight": {"unitOfMeasure": "POUND", "measurementValue": 1.0},
        },
        "charges": [
            {
                "chargeCategory": "PRODUCT",
                "chargeName": "ItemPrice",
                "chargePerUnit": _amount(line.unit_price),
                "isDiscount": False,
                "isBillable": True,
                "tax": [
                    {
                        "taxName": "Tax1",
                        "taxPerUnit": _amount(line.unit_tax),
                        "excessTax": _amount(Decimal(0)),
                    }
                ],
                "excessCharge": _amount(Decimal(0)),
                "references": [{"name": "isAdjustment", "value": "false"}],
            }
        ],
        "unitPrice": _amount(line.unit_price),
        "chargeTotals": [
            {"name": "lineUnitPrice", "value": _amount(line.unit_price)},
            {"name": "lineProductTaxes", "value": _amount(line.unit_tax * qty)},
            {"name": "lineSubTotal", "value": _amount(line.unit_price * qty)},
            {"name": "lineTotal", "value": _amount((line.unit_price + line.unit_tax) * qty)},
        ],
        "quantity": _qty(line.quantity),
        "cancellableQty": 0,
        "refundedQty": float(line.refunded_qty),
        "rechargeableQty": 0.0,
        "refundChannel": line.refund_channel,
        "status": line.status,
        "statusTime": iso_ms(line.status_ms),
        "currentDeliveryStatus": line.current_delivery_status,
        "currentRefundStatus": line.current_refund_status,
        "currentTrackingStatuses": [
            {
                "status": line.status,
                "statusTime": iso_ms(line.status_ms),
                "currentRefundStatus": line.current_refund_status,
                "quantity": _qty(line.quantity),
            }
        ],
        "returnTrackingDetail": [
            {
                "sequenceNo": i,
                "eventTag": event.tag,
                "eventDescription": event.description,
                "eventTime": iso_ms(event.time_ms),
                "references": [],
            }
            for i, event in enumerate(line.events)
        ],
        "returnExpectedFlag": True,
        "isKeepIt": False,
        "isFastReplacement": False,
        "lastItem": False,
    }


def return_json(ret: ReturnOrder) -> dict[str, Any]:
    total = sum(((ln.unit_price + ln.unit_tax) * ln.quantity for ln in ret.lines), Decimal(0))
    return {
        "returnOrderId": ret.return_order_id,
        "customerEmailId": ret.customer_email_id,
        "customerName": {"firstName": ret.first_name, "lastName": ret.last_name},
        "customerOrderId": ret.customer_order_id,
        "returnOrderDate": iso_ms(ret.return_date_ms),
        "returnByDate": iso_ms(ret.return_by_ms),
        "refundMode": ret.refund_mode,
        "returnType": ret.return_type,
        "totalRefundAmount": _amount(total),
        "returnLineGroups": [
            {
                "groupNo": 1,
                "returnLines": [{"returnOrderLineNumber": ln.number} for ln in ret.lines],
                "labels": [
                    {
                        "labelImageURL": f"https://returns.walmart.com/labels/{ret.return_order_id}.png",
                        "carrierInfoList": [
                            {
                                "carrierId": "11",
                                "carrierName": "FEDEX",
                                "serviceType": "FedEx Ground",
                                "trackingNo": ret.label_tracking_no,
                            }
                        ],
                    }
                ],
                "returnExpectedFlag": True,
            }
        ],
        "returnOrderLines": [_line(ln) for ln in ret.lines],
        "returnChannel": {"channelName": "ONLINE"},
    }
