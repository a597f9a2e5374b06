"""The webhook-receiver over real HTTP, with real RabbitMQ and PostgreSQL (issue 5).

Every delivery goes through uvicorn on 127.0.0.1; what the receiver publishes is read back
from ``orchestrator.events`` by a consumer on the same broker. "Nothing else published" is
checked with a sentinel: queues are FIFO, so once a later event arrives, anything published
before it has arrived too.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import AsyncIterator

import httpx
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, Topology
from mlc_shared.messages.webhooks import WebhookEventReceived, WebhookEventUnhandled
from mlc_shared.store import SqlStore, open_store
from mlc_shared.store.records import WebhookEvent
from webhook_receiver.events import message_id
from webhook_receiver.service import WebhookReceiverService
from webhook_receiver.signature import sign

from tests.integration.webhook_receiver.proxy import CuttableProxy
from tests.integration.webhook_receiver.support import (
    BASIC,
    WAIT,
    Collector,
    Receivers,
    event,
    event_id_of,
    marked,
    new_id,
    sentinel,
    stored,
    until,
)


async def assert_refused(
    client: httpx.AsyncClient,
    store: SqlStore,
    collector: Collector,
    tenant: str,
    body: bytes,
    headers: dict[str, str],
) -> None:
    response = await client.post(f"/webhooks/walmart/{tenant}", content=body, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "unauthorized"}  # says nothing about why
    assert await stored(store, event_id_of(body)) is None
    await sentinel(client, collector)
    assert collector.count(message_id(tenant, event_id_of(body))) == 0


# --- authentication, one method at a time ---------------------------------------------------


async def test_basic_auth(client: httpx.AsyncClient, store: SqlStore, collector: Collector) -> None:
    bare = base64.b64encode(b"walmart:b-pass").decode()
    for value in (bare, BASIC):
        body = event()
        response = await client.post(
            "/webhooks/walmart/basic", content=body, headers={"Authorization": value}
        )
        assert response.status_code == 200
        assert response.json() == {"status": "accepted", "eventId": event_id_of(body)}
        message = await collector.wait_for(message_id("basic", event_id_of(body)))
        assert isinstance(message.payload, WebhookEventReceived)
        assert message.payload.purchase_order_ids == ("PO-1",)
        assert message.tenant == "basic"
        row = await stored(store, event_id_of(body))
        assert row is not None
        await marked(store, event_id_of(body))
    wrong = "Basic " + base64.b64encode(b"walmart:guess").decode()
    for headers in ({"Authorization": wrong}, {}, {"Authorization": "Basic !!"}):
        await assert_refused(client, store, collector, "basic", event(), headers)


async def test_hmac_auth_hex_and_base64(
    client: httpx.AsyncClient, store: SqlStore, collector: Collector
) -> None:
    body = event()
    digest = hmac.new(b"h-key", body, hashlib.sha256).digest()
    response = await client.post(
        "/webhooks/walmart/hmac-hex", content=body, headers={"Authorization": digest.hex()}
    )
    assert response.status_code == 200
    await collector.wait_for(message_id("hmac-hex", event_id_of(body)))

    body = event()
    digest = hmac.new(b"h-key", body, hashlib.sha256).digest()
    response = await client.post(
        "/webhooks/walmart/hmac-b64",
        content=body,
        headers={"X-Walmart-Signature": base64.b64encode(digest).decode()},
    )
    assert response.status_code == 200
    await collector.wait_for(message_id("hmac-b64", event_id_of(body)))

    body = event()
    good = hmac.new(b"h-key", body, hashlib.sha256).digest()
    await assert_refused(
        client,
        store,
        collector,
        "hmac-hex",
        body,
        {"Authorization": base64.b64encode(good).decode()},
    )  # wrong encoding
    await assert_refused(
        client,
        store,
        collector,
        "hmac-hex",
        body,
        {"Authorization": hmac.new(b"guess", body, hashlib.sha256).hexdigest()},
    )
    await assert_refused(
        client, store, collector, "hmac-hex", body + b" ", {"Authorization": good.hex()}
    )  # body changed after signing


async def test_oauth_token_then_bearer_delivery(
    client: httpx.AsyncClient, store: SqlStore, collector: Collector
) -> None:
    token_url = "/webhooks/walmart/oauth/oauth/token"
    walmart_headers = {  # as Walmart sends them (§9.4)
        "Authorization": base64.b64encode(b"wm-client:o-secret").decode(),
        "Accept": "application/json; charset=UTF-8",
        "Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1",
    }
    response = await client.post(
        token_url, content=b"grant_type=client_credentials", headers=walmart_headers
    )
    assert response.status_code == 200
    issued = response.json()
    assert issued["token_type"] == "Bearer"
    assert issued["expires_in"] == 3600
    assert response.headers["cache-control"] == "no-store"

    body = event()
    response = await client.post(
        "/webhooks/walmart/oauth",
        content=body,
        headers={"Authorization": f"Bearer {issued['access_token']}"},
    )
    assert response.status_code == 200
    await collector.wait_for(message_id("oauth", event_id_of(body)))

    bad_client = {**walmart_headers, "Authorization": base64.b64encode(b"wm-client:guess").decode()}
    response = await client.post(
        token_url, content=b"grant_type=client_credentials", headers=bad_client
    )
    assert (response.status_code, response.json()) == (401, {"detail": "unauthorized"})
    response = await client.post(token_url, content=b"grant_type=password", headers=walmart_headers)
    assert (response.status_code, response.json()) == (400, {"error": "unsupported_grant_type"})
    response = await client.post(
        "/webhooks/walmart/basic/oauth/token",
        content=b"grant_type=client_credentials",
        headers=walmart_headers,
    )
    assert response.status_code == 401  # basic tenants have no token endpoint

    for value in (
        issued["access_token"],
        "Bearer forged.token.value",
        f"Bearer {issued['access_token']}x",
    ):
        await assert_refused(client, store, collector, "oauth", event(), {"Authorization": value})


async def test_performance_notifications_are_signed(
    client: httpx.AsyncClient, store: SqlStore, collector: Collector
) -> None:
    path = "/webhooks/walmart/perf"

    def signed(body: bytes, stamp: int, secret: str = "p-secret") -> dict[str, str]:
        return {
            "Authorization": BASIC,
            "WM_SEC.TIMESTAMP": str(stamp),
            "WM_SEC.SIGNATURE": sign(secret, "POST", path, "", str(stamp), body),
        }

    payload = {"partnerId": "1", "notificationType": "ALARMS"}
    body = event("SELLER_PERFORMANCE_NOTIFICATIONS", payload)
    response = await client.post(path, content=body, headers=signed(body, int(time.time())))
    assert response.status_code == 200
    message = await collector.wait_for(message_id("perf", event_id_of(body)))
    assert isinstance(message.payload, WebhookEventReceived)

    body = event("SELLER_PERFORMANCE_NOTIFICATIONS", payload)
    await assert_refused(client, store, collector, "perf", body, {"Authorization": BASIC})
    await assert_refused(
        client, store, collector, "perf", body, signed(body, int(time.time()) - 3600)
    )  # a replay from an hour ago
    await assert_refused(
        client, store, collector, "perf", body, signed(body, int(time.time()), secret="guess")
    )
    other = event()  # other event types need no signature on this tenant
    assert (
        await client.post(path, content=other, headers={"Authorization": BASIC})
    ).status_code == 200


async def test_unknown_tenant_is_unauthorized(
    client: httpx.AsyncClient, store: SqlStore, collector: Collector
) -> None:
    await assert_refused(client, store, collector, "nobody", event(), {"Authorization": BASIC})


# --- validation -------------------------------------------------------------------------------


async def test_malformed_and_oversized_bodies(client: httpx.AsyncClient, store: SqlStore) -> None:
    headers = {"Authorization": BASIC}
    for body in (b"{not json", b"[]", b'{"payload": {}}'):
        response = await client.post("/webhooks/walmart/basic", content=body, headers=headers)
        assert response.status_code == 400

    big_id = new_id()
    big = event(payload={"purchaseOrderId": "PO-1", "pad": "x" * 5000}, event_id=big_id)
    response = await client.post("/webhooks/walmart/basic", content=big, headers=headers)
    assert response.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while streaming
        for start in range(0, len(big), 1000):
            yield big[start : start + 1000]

    response = await client.post("/webhooks/walmart/basic", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert await stored(store, big_id) is None


async def test_unknown_type_and_invalid_payload_are_kept_for_operators(
    client: httpx.AsyncClient, store: SqlStore, collector: Collector
) -> None:
    headers = {"Authorization": BASIC}
    unknown = event("DRIVER_STATUS_NOTIFICATION", {"driver": "on the way"})
    invalid = event("RETURN_CREATED", {"returnOrders": "not a list"})
    for body, problem, known in (
        (unknown, "unknown_type", False),
        (invalid, "invalid_payload", True),
    ):
        response = await client.post("/webhooks/walmart/basic", content=body, headers=headers)
        assert response.status_code == 200
        message = await collector.wait_for(message_id("basic", event_id_of(body)))
        assert isinstance(message.payload, WebhookEventUnhandled)
        assert message.payload.problem == problem
        assert message.payload.body == body.decode()
        row = await stored(store, event_id_of(body))
        assert row is not None
        assert row["known_type"] is known
        await marked(store, event_id_of(body))


# --- duplicates -------------------------------------------------------------------------------


async def test_duplicate_event_id_publishes_nothing_new(
    client: httpx.AsyncClient, collector: Collector
) -> None:
    body = event()
    headers = {"Authorization": BASIC}
    answers = [
        await client.post("/webhooks/walmart/basic", content=body, headers=headers)
        for _ in range(3)
    ]
    assert [a.json()["status"] for a in answers] == ["accepted", "duplicate", "duplicate"]
    assert {a.status_code for a in answers} == {200}

    concurrent = event()
    answers = await asyncio.gather(
        *(
            client.post("/webhooks/walmart/basic", content=concurrent, headers=headers)
            for _ in range(5)
        )
    )
    assert sorted(a.json()["status"] for a in answers) == ["accepted"] + ["duplicate"] * 4
    await sentinel(client, collector)
    assert collector.count(message_id("basic", event_id_of(body))) == 1
    assert collector.count(message_id("basic", event_id_of(concurrent))) == 1


# --- outages: 503, and nothing lost -----------------------------------------------------------


async def test_broker_down_answers_503_and_loses_nothing(
    amqp_url: str,
    topology: Topology,
    fresh_store: SqlStore,
    collector: Collector,
    start_receiver: Receivers,
) -> None:
    proxy = CuttableProxy.for_url(amqp_url, 5672)
    await proxy.start()
    bus = AmqpBus(
        proxy.url_through(amqp_url),
        topology=topology,
        queues=[ORCHESTRATOR_EVENTS],
        publish_timeout=1.5,
        reconnect_interval=0.5,
    )
    receiver = await start_receiver(bus, fresh_store, webhook_dependency_timeout=3.0)
    headers = {"Authorization": BASIC}
    try:
        async with httpx.AsyncClient(base_url=receiver.url, timeout=WAIT) as client:
            before = event()
            assert (
                await client.post("/webhooks/walmart/basic", content=before, headers=headers)
            ).status_code == 200

            await proxy.cut()
            retried, swept = event(), event()
            for body in (retried, swept):
                response = await client.post(
                    "/webhooks/walmart/basic", content=body, headers=headers
                )
                assert response.status_code == 503
                assert response.headers["retry-after"]
            ready = await client.get("/readyz")
            assert (ready.status_code, ready.json()["checks"]["broker"]) == (503, False)
            for body in (retried, swept):  # kept, waiting to be published
                row = await stored(fresh_store, event_id_of(body))
                assert row is not None
                assert row["published_at"] is None

            await proxy.restore()
            await until(bus.ping)
            # Walmart's retry of one event publishes it; the sweep publishes the other.
            response = await client.post(
                "/webhooks/walmart/basic", content=retried, headers=headers
            )
            assert response.status_code == 200
            assert await receiver.sweep_now() == 1
            assert await receiver.sweep_now() == 0
            for body in (before, retried, swept):
                await collector.wait_for(message_id("basic", event_id_of(body)))
            await sentinel(client, collector)
            for body in (before, retried, swept):
                assert collector.count(message_id("basic", event_id_of(body))) == 1
                row = await stored(fresh_store, event_id_of(body))
                assert row is not None
                await marked(fresh_store, event_id_of(body))
    finally:
        await receiver.stop()
        await bus.close()
        await proxy.cut()


async def test_receiver_starts_while_the_broker_is_down(
    amqp_url: str,
    topology: Topology,
    store: SqlStore,
    collector: Collector,
    start_receiver: Receivers,
) -> None:
    """It must come up and answer 503 (so Walmart retries), not refuse connections."""
    proxy = CuttableProxy.for_url(amqp_url, 5672)
    await proxy.start()
    await proxy.cut()
    bus = AmqpBus(
        proxy.url_through(amqp_url),
        topology=topology,
        queues=[ORCHESTRATOR_EVENTS],
        publish_timeout=1.5,
        reconnect_interval=0.5,
    )
    receiver = await start_receiver(
        bus,
        store,
        webhook_dependency_timeout=3.0,
        webhook_sweep_interval=0.2,
        webhook_sweep_grace=0.0,
    )
    headers = {"Authorization": BASIC}
    try:
        async with httpx.AsyncClient(base_url=receiver.url, timeout=WAIT) as client:
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/readyz")).status_code == 503
            body = event()
            response = await client.post("/webhooks/walmart/basic", content=body, headers=headers)
            assert response.status_code == 503

            await proxy.restore()  # the sweep loop connects the bus, then publishes the event
            await collector.wait_for(message_id("basic", event_id_of(body)))
            response = await client.post("/webhooks/walmart/basic", content=body, headers=headers)
            assert response.json()["status"] == "duplicate"
            await sentinel(client, collector)
            assert collector.count(message_id("basic", event_id_of(body))) == 1
    finally:
        await receiver.stop()
        await bus.close()
        await proxy.cut()


async def test_store_down_answers_503(
    postgres_url: str,
    bus: AmqpBus,
    store: SqlStore,
    collector: Collector,
    start_receiver: Receivers,
) -> None:
    proxy = CuttableProxy.for_url(postgres_url, 5432)
    await proxy.start()
    proxied = open_store(proxy.url_through(postgres_url))
    assert isinstance(proxied, SqlStore)
    receiver = await start_receiver(bus, proxied, webhook_dependency_timeout=3.0)
    headers = {"Authorization": BASIC}
    try:
        async with httpx.AsyncClient(base_url=receiver.url, timeout=WAIT) as client:
            await proxy.cut()
            body = event()
            response = await client.post("/webhooks/walmart/basic", content=body, headers=headers)
            assert response.status_code == 503
            ready = await client.get("/readyz")
            assert (ready.status_code, ready.json()["checks"]["store"]) == (503, False)

            await proxy.restore()

            async def accepted() -> bool:
                response = await client.post(
                    "/webhooks/walmart/basic", content=body, headers=headers
                )
                return response.status_code == 200

            await until(accepted)
            await collector.wait_for(message_id("basic", event_id_of(body)))
    finally:
        await receiver.stop()
        await proxied.close()
        await proxy.cut()


async def test_sweep_publishes_what_a_crash_left_unpublished(
    receiver: WebhookReceiverService,
    store: SqlStore,
    collector: Collector,
    client: httpx.AsyncClient,
) -> None:
    """A receiver that stored an event and died before publishing it."""
    body = event("INVENTORY_OOS", {"sku": "SKU-9"})
    inserted = await store.add_webhook_events(
        [
            WebhookEvent(
                event_id=event_id_of(body),
                tenant="basic",
                event_type="INVENTORY_OOS",
                event_time=None,
                received_at=receiver.app.state.receiver.intake.now(),
                body=body.decode(),
                known_type=True,
            )
        ]
    )
    assert inserted == {event_id_of(body)}
    assert await receiver.sweep_now() >= 1
    message = await collector.wait_for(message_id("basic", event_id_of(body)))
    assert isinstance(message.payload, WebhookEventReceived)
    assert message.payload.event_type == "INVENTORY_OOS"
    row = await stored(store, event_id_of(body))
    assert row is not None
    await marked(store, event_id_of(body))


# --- health and the OpenAPI document ----------------------------------------------------------


async def test_health_readiness_metrics_and_openapi(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).status_code == 200
    ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()) == (
        200,
        {"ready": True, "checks": {"broker": True, "store": True}},
    )
    response = await client.post(
        "/webhooks/walmart/basic", content=event(), headers={"Authorization": BASIC}
    )
    assert response.status_code == 200
    metrics = (await client.get("/metrics")).text
    assert 'mlc_webhook_deliveries_total{outcome="accepted"}' in metrics
    assert 'mlc_webhook_events_total{event_type="PO_CREATED"}' in metrics
    document = (await client.get("/openapi.json")).json()
    receive = document["paths"]["/webhooks/walmart/{tenant}"]["post"]
    assert set(receive["responses"]) == {"200", "400", "401", "413", "503"}
    assert "WalmartDelivery" in document["components"]["schemas"]
    assert "/webhooks/walmart/{tenant}/oauth/token" in document["paths"]
