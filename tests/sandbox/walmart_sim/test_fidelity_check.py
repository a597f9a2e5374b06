"""The fidelity check itself must catch departures; otherwise every other test proves nothing."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from .fidelity import check_delivery, check_response
from .schema_exceptions import SCHEMA_EXCEPTIONS

ORDER: dict[str, Any] = {
    "purchaseOrderId": "1796277083022",
    "customerOrderId": "5281956426648",
    "customerEmailId": "x@relay.walmart.com",
    "orderDate": 1568466571000,
    "shippingInfo": {
        "phone": "3155598681", "estimatedDeliveryDate": 1569438000000, "estimatedShipDate": 1568700000000,
        "methodCode": "Value",
        "postalAddress": {"name": "K C", "address1": "3258B Warners rd", "address2": None, "city": "Warners", "state": "NY", "postalCode": "13164", "country": "USA", "addressType": "RESIDENTIAL"},
    },
    "orderLines": {"orderLine": [{
        "lineNumber": "1", "item": {"productName": "Laundry Bag", "sku": "test1"},
        "charges": {"charge": [{"chargeType": "PRODUCT", "chargeName": "ItemPrice", "chargeAmount": {"currency": "USD", "amount": 10.0}, "tax": None}]},
        "orderLineQuantity": {"unitOfMeasurement": "EACH", "amount": "1"}, "statusDate": 1568466647000,
        "orderLineStatuses": {"orderLineStatus": [{"status": "Created", "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1"}, "cancellationReason": None, "trackingInfo": None}]},
        "refund": None,
    }]},
    "shipNode": {"type": "SellerFulfilled", "name": None, "id": None},
}  # fmt: skip


def answer(body: Any, path: str = "/v3/orders", status: int = 200) -> httpx.Response:
    return httpx.Response(
        status, json=body, request=httpx.Request("GET", f"http://127.0.0.1{path}")
    )


def order_list(order: dict[str, Any]) -> dict[str, Any]:
    return {"list": {"meta": {"totalCount": 1, "limit": 100}, "elements": {"order": [order]}}}


def test_a_faithful_order_list_passes() -> None:
    check_response(answer(order_list(ORDER)))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda o: o.update(purchaseOrderID=o.pop("purchaseOrderId")),
            "extra at list.elements.order.*.purchaseOrderID",
        ),
        (lambda o: o.update(purchaseOrderId=None), "null at list.elements.order.*.purchaseOrderId"),
        (
            lambda o: o["orderLines"]["orderLine"][0]["orderLineQuantity"].update(amount=1),
            "type at",
        ),
        (
            lambda o: o["orderLines"]["orderLine"][0]["orderLineStatuses"]["orderLineStatus"][
                0
            ].update(status="Lost"),
            "enum at",
        ),
        (
            lambda o: o.update(orderDate="2019-09-14T12:00:00Z"),
            "type at list.elements.order.*.orderDate",
        ),
    ],
)
def test_departures_from_the_schema_fail(mutate: Any, expected: str) -> None:
    order = copy.deepcopy(ORDER)
    mutate(order)
    with pytest.raises(AssertionError, match=expected.replace("*", r"\*").replace(".", r"\.")):
        check_response(answer(order_list(order)))


def test_error_envelopes_are_checked() -> None:
    check_response(
        answer(
            {
                "error": [
                    {
                        "code": "UNAUTHORIZED.GMP_GATEWAY_API",
                        "field": "UNAUTHORIZED",
                        "description": "Unauthorized",
                        "info": "x",
                        "severity": "ERROR",
                        "category": "DATA",
                        "causes": [],
                        "errorIdentifiers": {},
                    }
                ]
            },
            status=401,
        )
    )
    with pytest.raises(AssertionError):
        check_response(answer({"message": "Unauthorized"}, status=401))
    with pytest.raises(AssertionError):
        check_response(answer({"error": [{"code": "X", "severity": "FATAL"}]}, status=500))


def test_unmapped_walmart_paths_fail() -> None:
    with pytest.raises(AssertionError, match="no Walmart schema is mapped"):
        check_response(answer({}, path="/v3/brand/new"))


def test_the_third_party_flat_delivery_envelope_fails() -> None:
    check_delivery(
        {
            "source": {
                "eventType": "PO_CREATED",
                "eventTime": "2020-07-29T13:47:18.442Z",
                "eventId": "e1",
            },
            "payload": {"partnerId": "1", "purchaseOrderId": "2"},
        }
    )
    with pytest.raises(AssertionError):
        check_delivery({"eventType": "PO_CREATED", "resource": {"purchaseOrderId": "2"}})


def test_every_exception_names_its_sheet_section() -> None:
    for exception in SCHEMA_EXCEPTIONS:
        assert exception.section.startswith("§"), exception
        assert exception.why, exception
        assert exception.kind in {
            "null",
            "extra",
            "type",
            "required",
            "enum",
            "reshape",
            "schema",
        }, exception
        assert (exception.kind == "reshape") == (exception.reshape is not None), exception
        assert (exception.kind == "schema") == (exception.schema_ref is not None), exception
