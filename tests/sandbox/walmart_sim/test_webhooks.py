"""Webhook subscriptions and deliveries (walmart-api.md §9)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from typing import Any

from walmart_sim import WalmartSimulator

from .client import Admin, WalmartClient
from .conftest import CLIENT_SECRET, NODE_A, line, new_order
from .receiver import Receiver
from .test_feeds import GOOD_GTIN, item_feed, mp_item, submit


async def subscribe(
    wm: WalmartClient, receiver: Receiver, event_type: str, resource: str, **extra: Any
) -> str:
    body = {
        "events": [
            {
                "eventType": event_type,
                "eventVersion": "V1",
                "resourceName": resource,
                "eventUrl": f"{receiver.url}/hooks/{event_type.lower()}",
                "status": "ACTIVE",
                **extra,
            }
        ]
    }
    response = await wm.post("/v3/webhooks/subscriptions", json=body)
    assert response.status_code == 200, response.text
    sub_id: str = response.json()["events"][0]["subscriptionId"]
    return sub_id


BASIC = {
    "authMethod": "BASIC_AUTH",
    "userName": "hook-user",
    "password": "hook-pass",
    "authHeaderName": "Authorization",
}


async def test_event_types_and_subscription_lifecycle(
    wm: WalmartClient, receiver: Receiver
) -> None:
    types = (await wm.get("/v3/webhooks/eventTypes")).json()["events"]
    names = {t["eventType"]: t["resourceName"] for t in types}
    assert names["PO_CREATED"] == "ORDER"
    assert names["SELLER_PERFORMANCE_NOTIFICATIONS"] == "FEEDS"
    assert "REPORT_GENERATED" not in names
    created = await wm.post("/v3/webhooks/subscriptions", json={"event": [
        {"eventType": "PO_CREATED", "eventVersion": "V1", "resourceName": "ORDER", "eventUrl": f"{receiver.url}/hooks/a", "status": "ACTIVE", "authDetails": BASIC, "headers": {"content-type": "application/json", "x-tenant": "t1"}},
        {"eventType": "OFFER_UNPUBLISHED", "eventVersion": "V1", "resourceName": "ITEM", "eventUrl": f"{receiver.url}/hooks/b", "status": "INACTIVE"},
    ]})  # fmt: skip
    assert created.status_code == 200
    first, second = created.json()["events"]
    assert (first["partnerId"], first["status"], second["status"]) == (
        "10000012345",
        "ACTIVE",
        "INACTIVE",
    )
    listed = (
        await wm.get("/v3/webhooks/subscriptions", params={"eventType": "PO_CREATED"})
    ).json()["events"]
    assert [s["subscriptionId"] for s in listed] == [first["subscriptionId"]]
    assert listed[0]["headers"]["x-tenant"] == "t1"
    assert listed[0]["authDetails"]["authMethod"] == "BASIC_AUTH"
    patched = await wm.patch(
        f"/v3/webhooks/subscriptions/{second['subscriptionId']}",
        json={"status": "ACTIVE", "eventUrl": f"{receiver.url}/hooks/c"},
    )
    assert patched.status_code == 200
    assert (patched.json()["status"], patched.json()["eventUrl"]) == (
        "ACTIVE",
        f"{receiver.url}/hooks/c",
    )
    deleted = await wm.delete(f"/v3/webhooks/subscriptions/{first['subscriptionId']}")
    assert deleted.json() == {
        "subscriptionId": first["subscriptionId"],
        "message": "Successfully deleted subscription",
    }
    assert (
        await wm.delete(f"/v3/webhooks/subscriptions/{first['subscriptionId']}")
    ).status_code == 404
    assert len((await wm.get("/v3/webhooks/subscriptions")).json()["events"]) == 1


async def test_subscription_validation(wm: WalmartClient, receiver: Receiver) -> None:
    base = {"eventVersion": "V1", "eventUrl": f"{receiver.url}/hooks/x", "status": "ACTIVE"}
    for event in (
        {**base, "eventType": "REPORT_GENERATED", "resourceName": "REPORTS"},
        {**base, "eventType": "PO_CREATED", "resourceName": "ITEM"},
        {**base, "eventType": "PO_CREATED", "resourceName": "ORDER", "eventUrl": "ftp://x"},
        {
            **base,
            "eventType": "PO_CREATED",
            "resourceName": "ORDER",
            "authDetails": {"authMethod": "BASIC_AUTH", "userName": "u"},
        },
        {
            **base,
            "eventType": "PO_CREATED",
            "resourceName": "ORDER",
            "authDetails": {"authMethod": "KERBEROS"},
        },
    ):
        assert (
            await wm.post("/v3/webhooks/subscriptions", json={"events": [event]})
        ).status_code == 400, event


async def test_test_notification_validates_the_url(wm: WalmartClient, receiver: Receiver) -> None:
    body = {
        "eventType": "OFFER_UNPUBLISHED",
        "eventVersion": "V1",
        "resourceName": "ITEM",
        "eventUrl": f"{receiver.url}/hooks/test",
        "authDetails": BASIC,
        "headers": {"content-type": "application/json"},
    }
    ok = await wm.post("/v3/webhooks/test", json=body)
    assert ok.json() == {"message": "Eventurl successfully validated"}
    assert receiver.deliveries[0].json["source"]["eventType"] == "OFFER_UNPUBLISHED"
    receiver.statuses.append(500)
    failed = await wm.post("/v3/webhooks/test", json=body)
    assert failed.status_code == 400


async def test_order_created_events_with_basic_auth_and_custom_headers(
    wm: WalmartClient, admin: Admin, receiver: Receiver, catalog: object
) -> None:
    await subscribe(
        wm, receiver, "PO_CREATED", "ORDER", authDetails=BASIC, headers={"x-tenant": "t1"}
    )
    await subscribe(wm, receiver, "ORDER_UPDATES", "ORDER")
    inactive = await subscribe(wm, receiver, "PO_CREATED", "ORDER", status="INACTIVE")
    order = await new_order(admin, line("SKU-1", 2))
    got = await receiver.wait_for(2)
    by_type = {d.json["source"]["eventType"]: d for d in got}
    created = by_type["PO_CREATED"]
    assert created.headers["authorization"] == base64.b64encode(b"hook-user:hook-pass").decode()
    assert created.headers["x-tenant"] == "t1"
    payload = created.json["payload"]
    assert payload["purchaseOrderId"] == order["purchaseOrderId"]
    assert payload["orderLines"][0]["quantity"] == {
        "unitOfMeasure": "EACH",
        "measurementValue": "2",
    }
    assert payload["orderLines"][0]["status"] == "CREATED"
    assert by_type["ORDER_UPDATES"].json["payload"]["subEventType"] == "PO_CREATED"
    log = await admin.get("/webhooks/deliveries")
    assert inactive not in {d["subscription_id"] for d in log}
    assert all(
        d["headers"].get("Authorization", "").endswith("…(masked)")
        for d in log
        if d["event_type"] == "PO_CREATED"
    )


async def test_basic_auth_prefix_switch(
    wm: WalmartClient, admin: Admin, receiver: Receiver
) -> None:
    await admin.patch("/config", {"basic_auth_prefix": True})
    await subscribe(wm, receiver, "REPORT_STATUS", "REPORTS", authDetails=BASIC)
    await admin.post("/events", {"event_type": "REPORT_STATUS"})
    (delivery,) = await receiver.wait_for(1)
    assert (
        delivery.headers["authorization"]
        == "Basic " + base64.b64encode(b"hook-user:hook-pass").decode()
    )
    assert delivery.json["payload"]["requestStatus"] == "READY"


async def test_deliveries_share_pooled_connections(
    wm: WalmartClient, admin: Admin, receiver: Receiver
) -> None:
    """Walmart's side keeps connections open: one per delivery capped the simulator near 16
    events a second."""
    await subscribe(wm, receiver, "REPORT_STATUS", "REPORTS", authDetails=BASIC)
    for n in range(1, 21):
        await admin.post("/events", {"event_type": "REPORT_STATUS"})
        await receiver.wait_for(n)
    # wait_for returns once the body arrived, before the answer went back, so the next
    # delivery may find that connection still busy and open a second one
    assert len({d.peer for d in receiver.deliveries}) <= 2


async def test_hmac_signature_hex_and_base64(
    wm: WalmartClient, admin: Admin, receiver: Receiver
) -> None:
    auth = {"authMethod": "HMAC", "clientSecret": "hmac-key", "authHeaderName": "X-Signature"}
    await subscribe(wm, receiver, "REPORT_STATUS", "REPORTS", authDetails=auth)
    await admin.post("/events", {"event_type": "REPORT_STATUS"})
    (first,) = await receiver.wait_for(1)
    digest = hmac.new(b"hmac-key", first.body, hashlib.sha256).digest()
    assert first.headers["x-signature"] == digest.hex()
    await admin.patch("/config", {"hmac_encoding": "base64"})
    await admin.post("/events", {"event_type": "REPORT_STATUS"})
    second = (await receiver.wait_for(2))[1]
    assert (
        second.headers["x-signature"]
        == base64.b64encode(hmac.new(b"hmac-key", second.body, hashlib.sha256).digest()).decode()
    )


async def test_oauth_fetches_a_token_from_the_auth_url_first(
    wm: WalmartClient, admin: Admin, receiver: Receiver
) -> None:
    auth = {
        "authMethod": "OAUTH",
        "authUrl": f"{receiver.url}/oauth/token",
        "clientId": "cid",
        "clientSecret": "csec",
        "authHeaderName": "Authorization",
    }
    await subscribe(wm, receiver, "REPORT_STATUS", "REPORTS", authDetails=auth)
    await admin.post("/events", {"event_type": "REPORT_STATUS"})
    (delivery,) = await receiver.wait_for(1)
    (token_call,) = receiver.token_requests
    assert token_call.body == b"grant_type=client_credentials"
    assert token_call.headers["authorization"] == base64.b64encode(b"cid:csec").decode()
    assert (
        token_call.headers["content-type"]
        == "application/x-www-form-urlencoded; charset=ISO-8859-1"
    )
    assert delivery.headers["authorization"] == "Bearer receiver-token-1"


async def test_performance_events_are_signed(
    wm: WalmartClient, admin: Admin, receiver: Receiver
) -> None:
    await subscribe(wm, receiver, "SELLER_PERFORMANCE_NOTIFICATIONS", "FEEDS")
    await admin.post("/events", {"event_type": "SELLER_PERFORMANCE_NOTIFICATIONS"})
    (delivery,) = await receiver.wait_for(1)
    timestamp = delivery.headers["wm_sec.timestamp"]
    message = f"POST\n{delivery.path}\n{timestamp}\n{hashlib.sha256(delivery.body).hexdigest()}"
    expected = base64.b64encode(
        hmac.new(CLIENT_SECRET.encode(), message.encode(), hashlib.sha256).digest()
    ).decode()
    assert delivery.headers["wm_sec.signature"] == expected
    assert delivery.json["payload"]["notificationType"] == "ALARMS"


async def test_retries_on_non_2xx_with_the_same_event_id(
    wm: WalmartClient, admin: Admin, receiver: Receiver
) -> None:
    await subscribe(wm, receiver, "REPORT_STATUS", "REPORTS")
    receiver.statuses.extend([500, 503])
    await admin.post("/events", {"event_type": "REPORT_STATUS"})
    got = await receiver.wait_for(3)
    assert len({d.json["source"]["eventId"] for d in got}) == 1
    log = await admin.get("/webhooks/deliveries")
    assert [(d["attempt"], d["status_code"]) for d in log] == [(1, 500), (2, 503), (3, 200)]
    gaps = [b["sent_ms"] - a["sent_ms"] for a, b in itertools.pairwise(log)]
    assert gaps[1] > gaps[0] > 0  # +5 then +15 minutes, scaled


async def test_delivery_gives_up_after_the_configured_attempts(
    wm: WalmartClient, admin: Admin, receiver: Receiver, sim: WalmartSimulator
) -> None:
    await admin.patch("/config", {"webhook_retry_delays": [0, 1, 1]})
    await subscribe(wm, receiver, "REPORT_STATUS", "REPORTS")
    receiver.statuses.extend([500, 500, 500, 500])
    await admin.post("/events", {"event_type": "REPORT_STATUS"})
    await receiver.wait_for(3)
    await sim.ctx.cancel_background()  # nothing may be left to send
    assert [d.attempt for d in sim.state.deliveries] == [1, 2, 3]


async def test_advancing_the_clock_releases_a_due_retry(
    wm: WalmartClient, admin: Admin, receiver: Receiver
) -> None:
    await admin.patch("/config", {"time_scale": 1.0})
    await subscribe(wm, receiver, "REPORT_STATUS", "REPORTS")
    receiver.statuses.append(500)
    await admin.post("/events", {"event_type": "REPORT_STATUS"})
    await receiver.wait_for(1)
    await admin.post("/clock/advance", {"seconds": 301})
    second = (await receiver.wait_for(2))[1]
    assert second.json["source"]["eventId"] == receiver.deliveries[0].json["source"]["eventId"]


async def test_duplicate_deliveries(wm: WalmartClient, admin: Admin, receiver: Receiver) -> None:
    await admin.patch("/config", {"webhook_duplicate_probability": 1.0})
    await subscribe(wm, receiver, "REPORT_STATUS", "REPORTS")
    await admin.post("/events", {"event_type": "REPORT_STATUS"})
    first, second = await receiver.wait_for(2)
    assert first.body == second.body
    assert [d["duplicate"] for d in await admin.get("/webhooks/deliveries")] == [False, True]


async def test_catalog_inventory_return_and_autocancel_events(
    wm: WalmartClient, admin: Admin, receiver: Receiver, catalog: object
) -> None:
    for event_type, resource in [
        ("OFFER_PUBLISHED", "ITEM"),
        ("OFFER_UNPUBLISHED", "ITEM"),
        ("INVENTORY_OOS", "INVENTORY"),
        ("RETURN_CREATED", "RETURNS"),
        ("PO_LINE_AUTOCANCELLED", "ORDER"),
    ]:
        await subscribe(wm, receiver, event_type, resource)
    await wm.wait_feed(await submit(wm, "MP_ITEM", item_feed(mp_item("FRESH-1", GOOD_GTIN))))
    await wm.delete("/v3/items/SKU-2")
    await new_order(admin, line("SKU/3 special", 1), ship_node=NODE_A)  # its only unit
    shipped = await new_order(admin, line("SKU-1", 1, status="Delivered"))
    await admin.post(
        "/returns",
        {"purchase_order_id": shipped["purchaseOrderId"], "lines": [{"line_number": "1"}]},
    )
    await new_order(admin, line("SKU-1", 1), ship_by_days=1)
    await admin.post("/clock/advance", {"seconds": 6 * 86400})
    got = await receiver.wait_for(6)  # two lines are auto-cancelled (SKU/3 and the last order)
    payloads = {d.json["source"]["eventType"]: d.json["payload"] for d in got}
    assert payloads["OFFER_PUBLISHED"]["sku"] == "FRESH-1"
    assert payloads["OFFER_UNPUBLISHED"]["sku"] == "SKU-2"
    assert payloads["OFFER_UNPUBLISHED"]["statusChangeReasons"]
    oos = payloads["INVENTORY_OOS"]
    assert oos["sku"] == "SKU/3 special"
    assert {"shipNode": NODE_A, "shipNodeName": "Node A", "availToSellQty": 0} in oos["shipNodes"]
    assert (
        payloads["RETURN_CREATED"]["returnOrders"][0]["purchaseOrderId"]
        == shipped["purchaseOrderId"]
    )
    assert payloads["PO_LINE_AUTOCANCELLED"]["orderLines"][0]["status"] == "CANCELLED"
