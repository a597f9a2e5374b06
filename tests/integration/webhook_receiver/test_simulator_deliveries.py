"""Deliveries from the Walmart simulator's webhook subscriptions to the receiver, over HTTP.

The simulator (sandbox/walmart_sim, docs/walmart-simulator.md) subscribes the receiver the
way a seller would (``POST /v3/webhooks/subscriptions``, walmart-api.md §9.1), then raises
real events: an order (PO_CREATED and its ORDER_UPDATES twin), a return (RETURN_CREATED) and
a performance notification (signed, §9.4). Each subscription uses another authentication
method. Every event is also delivered twice (duplicate probability 1), as Walmart may.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from mlc_shared.messages.webhooks import (
    OrderUpdates,
    PoCreated,
    ReturnCreated,
    SellerPerformanceNotification,
    WebhookEventReceived,
    WebhookEventUnhandled,
)
from walmart_sim.simulator import WalmartSimulator
from webhook_receiver.events import message_id
from webhook_receiver.service import WebhookReceiverService

from tests.integration.webhook_receiver.support import WAIT, Collector, sentinel, until

SKU = "MLX-KURTA-COT-BLU-M"  # in the simulator's demo data


@pytest.fixture
async def simulator() -> AsyncIterator[WalmartSimulator]:
    # The performance signature of a BASIC_AUTH subscription uses the seller's API client
    # secret (docs/walmart-simulator.md): the "perf" tenant's signature secret.
    # Its identifiers (event ids too) follow the seed: a fresh seed per test, or the second
    # test's events would be duplicates of the first's in the session's database.
    sim = WalmartSimulator(
        client_secret="p-secret", data="demo", time_scale=0.001, seed=uuid.uuid4().int % 2**31
    )
    await sim.start()
    yield sim
    await sim.stop()


async def walmart_client(sim: WalmartSimulator) -> httpx.AsyncClient:
    """A client holding an access token for the simulator's seller API (§2)."""
    headers = {
        "WM_SVC.NAME": "ml-connector tests",
        "WM_QOS.CORRELATION_ID": str(uuid.uuid4()),
        "Accept": "application/json",
    }
    async with httpx.AsyncClient(base_url=sim.url, timeout=WAIT) as bare:
        response = await bare.post(
            "/v3/token",
            data={"grant_type": "client_credentials"},
            auth=(sim.client_id, sim.client_secret),
            headers=headers,
        )
        response.raise_for_status()
    token = response.json()["access_token"]
    return httpx.AsyncClient(
        base_url=sim.url, timeout=WAIT, headers={**headers, "WM_SEC.ACCESS_TOKEN": token}
    )


def subscription(event_type: str, resource: str, url: str, auth: dict[str, str]) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "eventVersion": "V1",
        "resourceName": resource,
        "eventUrl": url,
        "status": "ACTIVE",
        "authDetails": auth,
        "headers": {"content-type": "application/json"},
    }


# The simulator's switches for the UNCERTAIN parts of §9.4: ``Basic `` prefix, HMAC encoding.
SWITCHES = [
    pytest.param({"basic_auth_prefix": False, "hmac_encoding": "hex"}, id="bare-basic-hex-hmac"),
    pytest.param(
        {"basic_auth_prefix": True, "hmac_encoding": "base64"}, id="prefixed-basic-b64-hmac"
    ),
]


@pytest.mark.parametrize("switches", SWITCHES)
async def test_simulator_deliveries_reach_the_orchestrator_once(
    switches: dict[str, Any],
    simulator: WalmartSimulator,
    receiver: WebhookReceiverService,
    collector: Collector,
    client: httpx.AsyncClient,
) -> None:
    hook = f"{receiver.url}/webhooks/walmart"
    basic = {
        "authMethod": "BASIC_AUTH",
        "userName": "walmart",
        "password": "b-pass",
        "authHeaderName": "Authorization",
    }
    async with httpx.AsyncClient(base_url=simulator.url, timeout=WAIT) as admin:
        config = {"webhook_duplicate_probability": 1.0, **switches}
        assert (await admin.patch("/admin/config", json=config)).status_code == 200

    async with await walmart_client(simulator) as walmart:
        events = [
            subscription("PO_CREATED", "ORDER", f"{hook}/basic", basic),
            subscription(
                "ORDER_UPDATES",
                "ORDER",
                f"{hook}/hmac-any",
                {"authMethod": "HMAC", "clientSecret": "h-key", "authHeaderName": "Authorization"},
            ),
            subscription(
                "RETURN_CREATED",
                "RETURNS",
                f"{hook}/oauth",
                {
                    "authMethod": "OAUTH",
                    "clientId": "wm-client",
                    "clientSecret": "o-secret",
                    "authUrl": f"{hook}/oauth/oauth/token",
                    "authHeaderName": "Authorization",
                },
            ),
            subscription("SELLER_PERFORMANCE_NOTIFICATIONS", "FEEDS", f"{hook}/perf", basic),
        ]
        response = await walmart.post("/v3/webhooks/subscriptions", json={"events": events})
        assert response.status_code == 200, response.text
        # Walmart's URL check: a sample payload (no purchaseOrderId) is kept for an operator.
        probe = {
            key: events[0][key]
            for key in (
                "eventType",
                "eventVersion",
                "resourceName",
                "eventUrl",
                "authDetails",
                "headers",
            )
        }
        response = await walmart.post("/v3/webhooks/test", json=probe)
        assert response.status_code == 200, response.text

    async with httpx.AsyncClient(base_url=simulator.url, timeout=WAIT) as admin:
        order = (
            await admin.post(
                "/admin/orders", json={"lines": [{"sku": SKU, "quantity": 1, "status": "Shipped"}]}
            )
        ).json()["order"]
        po = order["purchaseOrderId"]
        response = await admin.post(
            "/admin/returns", json={"purchase_order_id": po, "lines": [{"line_number": "1"}]}
        )
        assert response.status_code == 200, response.text
        response = await admin.post(
            "/admin/events", json={"event_type": "SELLER_PERFORMANCE_NOTIFICATIONS"}
        )
        assert response.status_code == 200, response.text

        async def all_delivered_twice() -> bool:
            rows = (await admin.get("/admin/webhooks/deliveries")).json()
            ok = [d for d in rows if d["status_code"] == 200]
            return len({d["event_type"] for d in ok}) == 4 and len(ok) >= 9

        await until(all_delivered_twice)
        rows: list[dict[str, Any]] = (await admin.get("/admin/webhooks/deliveries")).json()
    assert {d["status_code"] for d in rows} == {200}, rows  # every attempt accepted
    tenant_of = {
        "PO_CREATED": "basic",
        "ORDER_UPDATES": "hmac-any",
        "RETURN_CREATED": "oauth",
        "SELLER_PERFORMANCE_NOTIFICATIONS": "perf",
    }
    received: dict[str, Any] = {}
    for row in rows:
        tenant = tenant_of[row["event_type"]]
        message = await collector.wait_for(message_id(tenant, row["event_id"]))
        payload = message.payload
        if isinstance(payload, WebhookEventReceived):
            received[row["event_type"]] = payload.event
        else:
            assert isinstance(payload, WebhookEventUnhandled)  # the /v3/webhooks/test sample
            assert payload.problem == "invalid_payload"

    assert isinstance(received["PO_CREATED"], PoCreated)
    assert received["PO_CREATED"].purchase_order_id == po
    assert isinstance(received["ORDER_UPDATES"], OrderUpdates)
    assert received["ORDER_UPDATES"].order_id == po
    assert isinstance(received["RETURN_CREATED"], ReturnCreated)
    assert received["RETURN_CREATED"].return_orders[0].purchase_order_id == po
    assert isinstance(received["SELLER_PERFORMANCE_NOTIFICATIONS"], SellerPerformanceNotification)
    # Each event was delivered at least twice and published exactly once.
    await sentinel(client, collector)
    for row in rows:
        assert collector.count(message_id(tenant_of[row["event_type"]], row["event_id"])) == 1
