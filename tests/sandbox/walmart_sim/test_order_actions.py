"""Single order, acknowledge, cancel, ship, refund and their status rules (walmart-api.md §6.3)."""

from __future__ import annotations

from typing import Any

import httpx

from .client import Admin, WalmartClient
from .conftest import line, new_order


def cancellation(
    number: str, qty: int, reason: str = "SELLER_CANCEL_OUT_OF_STOCK"
) -> dict[str, Any]:
    return {"orderCancellation": {"orderLines": {"orderLine": [{"lineNumber": number, "orderLineStatuses": {"orderLineStatus": [
        {"status": "Cancelled", "cancellationReason": reason, "statusQuantity": {"unitOfMeasurement": "EA", "amount": str(qty)}}]}}]}}}  # fmt: skip


def shipment(
    number: str,
    qty: int,
    *,
    carrier: dict[str, str] | None = None,
    method: str = "Standard",
    **line_extra: Any,
) -> dict[str, Any]:
    tracking = {
        "shipDateTime": 1580821866000,
        "carrierName": carrier or {"carrier": "UPS"},
        "methodCode": method,
        "trackingNumber": "1Z999",
        "trackingURL": "https://example.com/t/1Z999",
    }
    status = {
        "status": "Shipped",
        "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(qty)},
        "trackingInfo": tracking,
    }
    return {
        "orderShipment": {
            "orderLines": {
                "orderLine": [
                    {
                        "lineNumber": number,
                        **line_extra,
                        "orderLineStatuses": {"orderLineStatus": [status]},
                    }
                ]
            }
        }
    }


def refund(
    number: str,
    amount: float,
    tax: float | None = None,
    *,
    full: bool = False,
    charge_type: str = "PRODUCT",
) -> dict[str, Any]:
    charge: dict[str, Any] = {
        "chargeType": charge_type,
        "chargeName": "ItemPrice",
        "chargeAmount": {"currency": "USD", "amount": amount},
    }
    if tax is not None:
        charge["tax"] = {"taxName": "Tax1", "taxAmount": {"currency": "USD", "amount": tax}}
    refunds = {
        "refund": [
            {
                "refundComments": "damaged",
                "refundCharges": {
                    "refundCharge": [{"refundReason": "DamagedItem", "charge": charge}]
                },
            }
        ]
    }
    return {
        "orderRefund": {
            "orderLines": {
                "orderLine": [{"lineNumber": number, "isFullRefund": full, "refunds": refunds}]
            }
        }
    }


def statuses(order: dict[str, Any], number: str = "1") -> list[tuple[str, str]]:
    ln = next(x for x in order["orderLines"]["orderLine"] if x["lineNumber"] == number)
    return [
        (s["status"], s["statusQuantity"]["amount"])
        for s in ln["orderLineStatuses"]["orderLineStatus"]
    ]


def order_code(response: httpx.Response) -> str:
    code: str = response.json()["errors"]["error"][0]["code"]
    return code


async def test_single_order_and_acknowledge(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    po = (await new_order(admin, line(), line("SKU-2")))["purchaseOrderId"]
    single = await wm.get(f"/v3/orders/{po}")
    assert single.status_code == 200
    assert single.json()["order"]["purchaseOrderId"] == po
    acked = await wm.post(f"/v3/orders/{po}/acknowledge")
    assert acked.status_code == 200
    order = acked.json()["order"]
    assert statuses(order, "1") == [("Acknowledged", "1")]
    assert statuses(order, "2") == [("Acknowledged", "1")]
    again = await wm.post(f"/v3/orders/{po}/acknowledge")
    assert again.status_code == 200
    assert (await wm.get("/v3/orders/1234567890123")).status_code == 404


async def test_partial_cancel_then_no_cancel_after_ship(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    po = (await new_order(admin, line("SKU-1", 3)))["purchaseOrderId"]
    cancelled = await wm.post(f"/v3/orders/{po}/cancel", json=cancellation("1", 1))
    assert cancelled.status_code == 200
    order = cancelled.json()["order"]
    assert statuses(order) == [("Created", "2"), ("Cancelled", "1")]
    cancel_status = order["orderLines"]["orderLine"][0]["orderLineStatuses"]["orderLineStatus"][1]
    assert cancel_status["cancellationReason"] == "SELLER_CANCEL_OUT_OF_STOCK"
    # Cancelled units are not charged (§6.2): 2 x 10.00 left.
    assert (
        order["orderLines"]["orderLine"][0]["charges"]["charge"][0]["chargeAmount"]["amount"]
        == 20.0
    )
    shipped = await wm.post(f"/v3/orders/{po}/shipping", json=shipment("1", 2))
    assert shipped.status_code == 200
    refused = await wm.post(f"/v3/orders/{po}/cancel", json=cancellation("1", 1))
    assert refused.status_code == 400
    assert order_code(refused) == "INVALID_REQUEST_CONTENT.GMP_ORDER_API"


async def test_cancel_validation(wm: WalmartClient, admin: Admin, catalog: object) -> None:
    po = (await new_order(admin, line()))["purchaseOrderId"]
    bodies: list[dict[str, Any]] = [
        cancellation("1", 1, reason="BORED"),
        cancellation("1", 1, reason="CUSTOMER_REQUESTED_SELLER_TO_CANCEL"),
        cancellation("9", 1),
        cancellation("1", 2),
        {"orderCancellation": {}},
    ]
    for body in bodies:
        response = await wm.post(f"/v3/orders/{po}/cancel", json=body)
        assert response.status_code == 400, body
    await admin.post(f"/orders/{po}/intent-to-cancel")
    customer = await wm.post(
        f"/v3/orders/{po}/cancel",
        json=cancellation("1", 1, reason="CUSTOMER_REQUESTED_SELLER_TO_CANCEL"),
    )
    assert customer.status_code == 200


async def test_ship_with_tracking_and_the_method_code_error(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    po = (await new_order(admin, line("SKU-1", 2)))["purchaseOrderId"]
    bad_method = await wm.post(
        f"/v3/orders/{po}/shipping", json=shipment("1", 1, method="Teleport")
    )
    assert bad_method.status_code == 400
    error = bad_method.json()["errors"]["error"][0]
    assert (error["field"], error["description"]) == (
        "methodCode",
        "Method code is not supported in line number 1",
    )
    other = await wm.post(
        f"/v3/orders/{po}/shipping",
        json=shipment("1", 1, carrier={"otherCarrier": "Blue Dart"}, sellerOrderId="92344"),
    )
    assert other.status_code == 200
    state = other.json()["order"]["orderLines"]["orderLine"][0]["orderLineStatuses"][
        "orderLineStatus"
    ]
    assert [(s["status"], s["statusQuantity"]["amount"]) for s in state] == [
        ("Created", "1"),
        ("Shipped", "1"),
    ]
    assert state[1]["trackingInfo"]["carrierName"] == {"otherCarrier": "Blue Dart", "carrier": None}
    no_url = shipment("1", 1, carrier={"otherCarrier": "Blue Dart"})
    del no_url["orderShipment"]["orderLines"]["orderLine"][0]["orderLineStatuses"][
        "orderLineStatus"
    ][0]["trackingInfo"]["trackingURL"]
    assert (await wm.post(f"/v3/orders/{po}/shipping", json=no_url)).status_code == 400
    assert (
        await wm.post(f"/v3/orders/{po}/shipping", json=shipment("1", 2))
    ).status_code == 400  # only 1 left
    fix = shipment("1", 1, carrier={"carrier": "FedEx"})
    fix["orderShipment"]["processMode"] = "PARTIAL_UPDATE"
    corrected = await wm.post(f"/v3/orders/{po}/shipping", json=fix)
    assert corrected.status_code == 200


async def test_intent_to_cancel_needs_override_to_ship(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    po = (await new_order(admin, line()))["purchaseOrderId"]
    await admin.post(f"/orders/{po}/intent-to-cancel")
    assert (await wm.post(f"/v3/orders/{po}/shipping", json=shipment("1", 1))).status_code == 400
    override = await wm.post(
        f"/v3/orders/{po}/shipping", json=shipment("1", 1, intentToCancelOverride=True)
    )
    assert override.status_code == 200


async def test_cancelled_line_cannot_be_shipped_and_wfs_orders_are_walmarts(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    po = (await new_order(admin, line(status="Cancelled")))["purchaseOrderId"]
    assert (await wm.post(f"/v3/orders/{po}/shipping", json=shipment("1", 1))).status_code == 400
    assert (await wm.post(f"/v3/orders/{po}/acknowledge")).status_code == 400
    wfs = (await new_order(admin, line(), ship_node_type="WFSFulfilled"))["purchaseOrderId"]
    assert (await wm.post(f"/v3/orders/{wfs}/shipping", json=shipment("1", 1))).status_code == 400


async def test_refund_rules(wm: WalmartClient, admin: Admin, catalog: object) -> None:
    po = (await new_order(admin, line("SKU-1", 2)))["purchaseOrderId"]
    not_shipped = await wm.post(f"/v3/orders/{po}/refund", json=refund("1", -5.0))
    assert not_shipped.status_code == 400
    await wm.post(f"/v3/orders/{po}/shipping", json=shipment("1", 2))
    assert (
        await wm.post(f"/v3/orders/{po}/refund", json=refund("1", 5.0))
    ).status_code == 400  # positive
    assert (
        await wm.post(f"/v3/orders/{po}/refund", json=refund("1", -20.01))
    ).status_code == 400  # above 20.00
    assert (
        await wm.post(f"/v3/orders/{po}/refund", json=refund("1", -1.0, tax=-1.61))
    ).status_code == 400  # tax above 1.60
    partial = await wm.post(f"/v3/orders/{po}/refund", json=refund("1", -5.0, tax=-0.40))
    assert partial.status_code == 200
    refunded = partial.json()["order"]["orderLines"]["orderLine"][0]["refund"]
    charge = refunded["refundCharges"]["refundCharge"][0]
    assert (charge["refundReason"], charge["charge"]["chargeAmount"]["amount"]) == (
        "DamagedItem",
        -5.0,
    )
    assert refunded["refundComments"] == "damaged"
    assert (await wm.post(f"/v3/orders/{po}/refund", json=refund("1", -15.01))).status_code == 400
    full = await wm.post(f"/v3/orders/{po}/refund", json=refund("1", 0, full=True))
    assert full.status_code == 200
    charges = full.json()["order"]["orderLines"]["orderLine"][0]["refund"]["refundCharges"][
        "refundCharge"
    ]
    assert sum(c["charge"]["chargeAmount"]["amount"] for c in charges) == -20.0
    assert (
        await wm.post(f"/v3/orders/{po}/refund", json=refund("1", 0, full=True))
    ).status_code == 400


async def test_refund_request_is_all_full_or_all_partial(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    po = (await new_order(admin, line(status="Shipped"), line("SKU-2", status="Shipped")))[
        "purchaseOrderId"
    ]
    mixed = refund("1", -1.0)
    mixed["orderRefund"]["orderLines"]["orderLine"].append(
        refund("2", 0, full=True)["orderRefund"]["orderLines"]["orderLine"][0]
    )
    assert (await wm.post(f"/v3/orders/{po}/refund", json=mixed)).status_code == 400


async def test_auto_cancel_after_estimated_ship_date(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    po = (await new_order(admin, line(), ship_by_days=1))["purchaseOrderId"]
    shipped = (await new_order(admin, line(status="Shipped"), ship_by_days=1))["purchaseOrderId"]
    result = await admin.post("/clock/advance", {"seconds": 6 * 86400})
    assert result["auto_cancelled_lines"] == 1
    assert statuses((await wm.get(f"/v3/orders/{po}")).json()["order"]) == [("Cancelled", "1")]
    assert statuses((await wm.get(f"/v3/orders/{shipped}")).json()["order"]) == [("Shipped", "1")]
