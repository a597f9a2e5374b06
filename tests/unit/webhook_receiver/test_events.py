"""From Walmart's bytes to the stored row and the published message (walmart-api.md §9.3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.webhooks import (
    EVENT_MODELS,
    BuyBoxChanged,
    InventoryOos,
    OfferUnpublished,
    OrderUpdates,
    PoCreated,
    ReportStatus,
    SellerPerformanceNotification,
    WebhookEventReceived,
    WebhookEventUnhandled,
)
from webhook_receiver.events import MalformedDelivery, interpret, message_id

RECEIVED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

# One payload per event type, with the field names of §9.3 and the event pages it cites.
PAYLOADS: dict[str, dict[str, Any]] = {
    "PO_CREATED": {
        "partnerId": "10000682332",
        "purchaseOrderId": "1234567891234",
        "customerOrderId": "5281956426648",
        "orderDate": "2020-07-29T13:40:00.000Z",
        "orderLines": [
            {
                "lineNumber": "1",
                "sku": "SKU-1",
                "productName": "Widget",
                "quantity": {"unitOfMeasure": "EACH", "measurementValue": "1"},
                "status": "CREATED",
                "statusDate": "2020-07-29T13:41:00.000Z",
                "shippingProgramType": "TWO_DAY",
                "shippingMethod": "Value",
                "shipNodeType": "SellerFulfilled",
            }
        ],
    },
    "PO_LINE_AUTOCANCELLED": {
        "partnerId": "1",
        "purchaseOrderId": "1234567891235",
        "orderLines": [
            {
                "lineNumber": "2",
                "sku": "SKU-2",
                "status": "CANCELLED",
                "cancellationReason": "Auto-cancelled",
            }
        ],
    },
    "ORDER_UPDATES": {
        "subEventType": "INTENT_TO_CANCEL",
        "order": {"purchaseOrderId": "1234567891236"},
    },
    "RETURN_CREATED": {
        "partnerId": "1",
        "partnerName": "Seller",
        "returnOrders": [
            {"purchaseOrderId": "1234567891237", "returnOrderId": "RO-1", "productName": "Widget"}
        ],
    },
    "INVENTORY_OOS": {
        "partnerId": "1",
        "itemId": "99",
        "sku": "SKU-3",
        "shipNodes": [{"shipNode": "123", "shipNodeName": "Main", "availToSellQty": 0}],
    },
    "OFFER_PUBLISHED": {
        "partnerId": "1",
        "itemId": "98",
        "sku": "SKU-4",
        "publishStatus": "PUBLISHED",
        "sellerOfferPrice": 12.5,
    },
    "OFFER_UNPUBLISHED": {
        "sku": "SKU-5",
        "publishStatus": "UNPUBLISHED",
        "statusChangeReasons": {"REASONABLE_PRICE_NOT_SATISFIED": "price"},
        "referencePrice": 10.0,
        "referencePriceURL": "https://x/y",
    },
    "BUY_BOX_CHANGED": {
        "partnerId": "1",
        "itemInfo": {"itemId": "97", "sku": "SKU-6", "totalNumberOfOffers": 3},
        "offer": {
            "currentOffer": {"sellerName": "Us", "sellerOfferPrice": 9.99, "isWFS": False},
            "winningOffer": {"sellerName": "Them", "sellerOfferPrice": 9.49},
        },
    },
    "REPORT_STATUS": {
        "partnerId": "1",
        "requestId": "6da7357b",
        "requestStatus": "READY",
        "reportType": "ITEM",
        "reportVersion": "v1",
    },
    "SELLER_PERFORMANCE_NOTIFICATIONS": {
        "partnerId": "1",
        "notificationType": "ALARMS",
        "lastRefreshTs": "2026-05-30T11:55:00Z",
        "enNotification": {"alarms": [{"alarmType": "LateOriginScan", "orderCount": 12}]},
    },
}


def body(
    event_type: str,
    payload: Any,
    event_id: str = "04d868a0-d1a2-11ea",
    event_time: Any = "2020-07-29T13:47:18.442Z",
) -> bytes:
    return json.dumps(
        {
            "source": {"eventType": event_type, "eventTime": event_time, "eventId": event_id},
            "payload": payload,
        }
    ).encode()


def test_every_known_event_type_has_a_sample() -> None:
    assert set(PAYLOADS) == set(EVENT_MODELS)


@pytest.mark.parametrize("event_type", sorted(PAYLOADS))
def test_known_event_becomes_typed_message(event_type: str) -> None:
    result = interpret("acme", body(event_type, PAYLOADS[event_type]), RECEIVED)
    assert result.row.known_type
    assert result.row.event_type == event_type
    assert result.row.event_time == datetime(2020, 7, 29, 13, 47, 18, 442000, tzinfo=UTC)
    message = Envelope.decode(result.message.encode())  # survives the wire
    assert isinstance(message.payload, WebhookEventReceived)
    assert message.payload.event_type == event_type
    assert message.tenant == "acme"


def test_order_and_return_identifiers_for_the_orchestrator() -> None:
    def received(event_type: str) -> WebhookEventReceived:
        payload = interpret(
            "acme", body(event_type, PAYLOADS[event_type]), RECEIVED
        ).message.payload
        assert isinstance(payload, WebhookEventReceived)
        return payload

    assert received("PO_CREATED").purchase_order_ids == ("1234567891234",)
    assert received("PO_LINE_AUTOCANCELLED").purchase_order_ids == ("1234567891235",)
    assert received("ORDER_UPDATES").purchase_order_ids == ("1234567891236",)
    returned = received("RETURN_CREATED")
    assert returned.return_order_ids == ("RO-1",)
    assert returned.purchase_order_ids == ("1234567891237",)
    assert received("INVENTORY_OOS").purchase_order_ids == ()


def test_payload_fields_are_typed() -> None:
    def event(event_type: str) -> Any:
        payload = interpret(
            "acme", body(event_type, PAYLOADS[event_type]), RECEIVED
        ).message.payload
        assert isinstance(payload, WebhookEventReceived)
        return payload.event

    po = event("PO_CREATED")
    assert isinstance(po, PoCreated)
    assert po.order_lines[0].quantity is not None
    assert po.order_lines[0].quantity.measurement_value == "1"
    assert isinstance(event("INVENTORY_OOS"), InventoryOos)
    unpublished = event("OFFER_UNPUBLISHED")
    assert isinstance(unpublished, OfferUnpublished)
    assert unpublished.reference_price_url == "https://x/y"
    box = event("BUY_BOX_CHANGED")
    assert isinstance(box, BuyBoxChanged)
    assert box.offer is not None
    assert box.offer.current_offer is not None
    assert box.offer.current_offer.is_wfs is False
    assert isinstance(event("REPORT_STATUS"), ReportStatus)
    assert isinstance(event("SELLER_PERFORMANCE_NOTIFICATIONS"), SellerPerformanceNotification)


def test_order_updates_reads_sub_event_from_meta_and_order_id_from_payload() -> None:
    update = OrderUpdates.model_validate(
        {"meta": {"subEventType": "FRAUD_CANCEL"}, "purchaseOrderId": "55"}
    )
    assert (update.sub_event_type, update.order_id) == ("FRAUD_CANCEL", "55")


def test_extra_fields_are_tolerated() -> None:
    payload = {**PAYLOADS["PO_CREATED"], "brandNewField": {"x": 1}}
    result = interpret("acme", body("PO_CREATED", payload), RECEIVED)
    assert isinstance(result.message.payload, WebhookEventReceived)


def test_unknown_event_type_is_kept_for_an_operator() -> None:
    raw = body("DRIVER_STATUS_NOTIFICATION", {"anything": [1, 2]})
    result = interpret("acme", raw, RECEIVED)
    assert not result.row.known_type
    assert result.row.body == raw.decode()
    payload = result.message.payload
    assert isinstance(payload, WebhookEventUnhandled)
    assert payload.problem == "unknown_type"
    assert payload.body == raw.decode()


@pytest.mark.parametrize(
    ("event_type", "payload", "reason"),
    [
        ("PO_CREATED", {"orderLines": []}, "purchaseOrderId"),
        ("RETURN_CREATED", {"returnOrders": []}, "returnOrders"),
        ("ORDER_UPDATES", {"subEventType": "PO_CREATED"}, "purchaseOrderId"),
        ("REPORT_STATUS", {"requestId": "r"}, "requestStatus"),
        ("OFFER_PUBLISHED", {"sku": "s", "sellerOfferPrice": "lots"}, "sellerOfferPrice"),
        ("INVENTORY_OOS", [1, 2], "not an object"),
        ("INVENTORY_OOS", None, "not an object"),
    ],
)
def test_known_type_with_invalid_payload_is_kept_with_the_reason(
    event_type: str, payload: Any, reason: str
) -> None:
    result = interpret("acme", body(event_type, payload), RECEIVED)
    assert result.row.known_type
    unhandled = result.message.payload
    assert isinstance(unhandled, WebhookEventUnhandled)
    assert unhandled.problem == "invalid_payload"
    assert reason in unhandled.reason


def test_infinite_number_is_invalid_not_null() -> None:
    raw = b'{"source":{"eventType":"OFFER_PUBLISHED","eventId":"e"},"payload":{"sku":"s","sellerOfferPrice":1e400}}'
    assert isinstance(interpret("acme", raw, RECEIVED).message.payload, WebhookEventUnhandled)


def test_lone_surrogate_in_payload_is_kept_not_crashed() -> None:
    raw = b'{"source":{"eventType":"INVENTORY_OOS","eventId":"e"},"payload":{"sku":"\\ud800"}}'
    result = interpret("acme", raw, RECEIVED)
    assert isinstance(result.message.payload, WebhookEventUnhandled)
    result.message.encode()


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"\xff\xfe{}",
        b"[]",
        b'"text"',
        b"{}",
        b'{"source": "PO_CREATED"}',
        b'{"source": {"eventType": "PO_CREATED"}}',
        b'{"source": {"eventId": "e1"}}',
        b'{"source": {"eventType": "", "eventId": "e1"}}',
        b'{"source": {"eventType": "PO_CREATED", "eventId": 7}}',
        b'{"source": {"eventType": "PO_CREATED", "eventId": "has space"}}',
        b'{"source": {"eventType": "PO_CREATED", "eventId": "\\u0000"}}',
        b'{"source": {"eventType": "PO\\u0000", "eventId": "e1"}}',
        ('{"source": {"eventType": "PO_CREATED", "eventId": "' + "x" * 129 + '"}}').encode(),
        ('{"source": {"eventType": "' + "X" * 65 + '", "eventId": "e"}}').encode(),
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_not_an_envelope_is_a_400(raw: bytes) -> None:
    with pytest.raises(MalformedDelivery):
        interpret("acme", raw, RECEIVED)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-07-29T13:47:18Z", datetime(2020, 7, 29, 13, 47, 18, tzinfo=UTC)),
        ("2020-07-29T15:47:18+02:00", datetime(2020, 7, 29, 13, 47, 18, tzinfo=UTC)),
        ("2020-07-29T13:47:18", datetime(2020, 7, 29, 13, 47, 18, tzinfo=UTC)),
        ("0001-01-01T00:00:00+14:00", None),
        ("yesterday", None),
        (1596030438442, None),
        (None, None),
    ],
)
def test_event_time_is_parsed_or_left_out(value: Any, expected: datetime | None) -> None:
    row = interpret(
        "acme", body("PO_CREATED", PAYLOADS["PO_CREATED"], event_time=value), RECEIVED
    ).row
    assert row.event_time == expected


def test_same_event_same_message_id_per_tenant() -> None:
    raw = body("PO_CREATED", PAYLOADS["PO_CREATED"])
    first, again = interpret("acme", raw, RECEIVED), interpret("acme", raw, datetime.now(UTC))
    assert (
        first.message.message_id == again.message.message_id == message_id("acme", first.event_id)
    )
    assert interpret("other", raw, RECEIVED).message.message_id != first.message.message_id
