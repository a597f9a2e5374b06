"""Token buckets, 429s and fault knobs (walmart-api.md §10)."""

from __future__ import annotations

from walmart_sim import WalmartSimulator

from .client import Admin, WalmartClient
from .conftest import line, new_order
from .test_feeds import GOOD_GTIN, item_feed, mp_item


async def test_default_limits_come_from_the_sheet(admin: Admin) -> None:
    limits = await admin.get("/throttle")
    assert limits["feeds.item"] == {"limit": 10, "period_seconds": 3600.0, "tokens": 10}
    assert limits["orders.list"]["limit"] == 5000
    assert limits["inventory.update"] == {"limit": 200, "period_seconds": 60.0, "tokens": 200}


async def test_empty_bucket_answers_429_with_replenishment_headers(
    wm: WalmartClient, admin: Admin, sim: WalmartSimulator
) -> None:
    await admin.patch(
        "/config",
        {
            "throttle_limits": {"items.list": {"limit": 2, "period_seconds": 60}},
            "retry_after_probability": 1.0,
            "send_max_token_count": True,
        },
    )
    first = await wm.get("/v3/items/count")
    assert first.headers["x-current-token-count"] == "1"
    await wm.get("/v3/items/count")
    refused = await wm.get("/v3/items/count")
    assert refused.status_code == 429
    assert refused.json()["error"][0]["code"] == "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API"
    assert refused.headers["x-current-token-count"] == "0"
    assert refused.headers["x-max-token-count"] == "2"
    next_ms = int(refused.headers["x-next-replenishment-time"])
    assert 0 < next_ms - sim.ctx.clock.now_ms() <= 30_000  # one token every 30 s
    assert 1 <= int(refused.headers["Retry-After"]) <= 30
    # Other APIs keep their own buckets.
    assert (await wm.get("/v3/items/SKU-X", params={"productIdType": "SKU"})).status_code == 404
    await admin.post("/clock/advance", {"seconds": 30})
    assert (await wm.get("/v3/items/count")).status_code == 200


async def test_retry_after_is_only_sometimes_present(wm: WalmartClient, admin: Admin) -> None:
    await admin.patch(
        "/config",
        {
            "throttle_limits": {"items.list": {"limit": 1, "period_seconds": 3600}},
            "retry_after_probability": 0.0,
        },
    )
    await wm.get("/v3/items/count")
    refused = await wm.get("/v3/items/count")
    assert refused.status_code == 429
    assert "retry-after" not in refused.headers


async def test_item_feeds_are_limited_to_ten_an_hour(wm: WalmartClient) -> None:
    feed = item_feed(mp_item("F-1", GOOD_GTIN))
    statuses = [
        (await wm.post("/v3/feeds", params={"feedType": "MP_ITEM"}, json=feed)).status_code
        for _ in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    inventory = await wm.post(
        "/v3/feeds",
        params={"feedType": "inventory"},
        json={"InventoryHeader": {"version": "1.4"}, "Inventory": []},
    )
    assert inventory.status_code == 200


async def test_throttle_storm(wm: WalmartClient, admin: Admin) -> None:
    await admin.patch("/config", {"throttle_storm": 2})
    assert [(await wm.get("/v3/items/count")).status_code for _ in range(3)] == [429, 429, 200]


async def test_error_rate_answers_500_before_anything_happens(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    await admin.patch("/config", {"error_rate": 1.0})
    refused = await wm.put(
        "/v3/price",
        json={
            "sku": "SKU-1",
            "pricing": [
                {"currentPriceType": "BASE", "currentPrice": {"currency": "USD", "amount": 99}}
            ],
        },
    )
    assert refused.status_code == 500
    assert refused.json()["error"][0]["code"] == "SYSTEM_ERROR.GMP_GATEWAY_API"
    await admin.call("DELETE", "/faults")
    item = (await wm.get("/v3/items/SKU-1", params={"productIdType": "SKU"})).json()[
        "ItemResponse"
    ][0]
    assert item["price"]["amount"] == 10.0


async def test_504_after_effect_leaves_the_change_applied(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    po = (await new_order(admin, line()))["purchaseOrderId"]
    await admin.post(
        "/faults/next", {"status": 504, "after_effect": True, "path_prefix": "/v3/orders/"}
    )
    ack = await wm.post(f"/v3/orders/{po}/acknowledge")
    assert ack.status_code == 504
    assert ack.json()["error"][0]["code"] == "DOWNSTREAM_SYSTEM_TIME_OUT.GMP_GATEWAY_API"
    order = (await wm.get(f"/v3/orders/{po}")).json()["order"]
    assert (
        order["orderLines"]["orderLine"][0]["orderLineStatuses"]["orderLineStatus"][0]["status"]
        == "Acknowledged"
    )


async def test_planned_bare_503_and_timeout_rate(wm: WalmartClient, admin: Admin) -> None:
    await admin.post("/faults/next", {"status": 503, "count": 2})
    first = await wm.get("/v3/items/count")
    assert first.status_code == 503
    assert first.text == "Service Unavailable"
    assert (await wm.get("/v3/items/count")).status_code == 503
    assert (await wm.get("/v3/items/count")).status_code == 200
    await admin.patch("/config", {"timeout_rate": 1.0})
    assert (await wm.get("/v3/items/count")).status_code == 504


async def test_replenishment_header_name_switch(wm: WalmartClient, admin: Admin) -> None:
    await admin.patch(
        "/config",
        {
            "replenishment_header": "x-next-replenish-time",
            "throttle_limits": {"items.list": {"limit": 5, "period_seconds": 60}},
        },
    )
    response = await wm.get("/v3/items/count")
    assert "x-next-replenish-time" in response.headers
    assert "x-next-replenishment-time" not in response.headers


async def test_feed_entries_can_fail_with_retryable_system_errors(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    await admin.patch("/config", {"feed_system_error_rate": 1.0})
    response = await wm.post(
        "/v3/feeds",
        params={"feedType": "inventory"},
        json={
            "InventoryHeader": {"version": "1.4"},
            "Inventory": [{"sku": "SKU-1", "quantity": {"unit": "EACH", "amount": 99}}],
        },
    )
    done = await wm.wait_feed(response.json()["feedId"])
    status = done["itemDetails"]["itemIngestionStatus"][0]
    assert status["ingestionStatus"] == "SYSTEM_ERROR"
    assert status["ingestionErrors"]["ingestionError"]["type"] == "SYSTEM_ERROR"
    assert (await wm.get("/v3/inventory", params={"sku": "SKU-1"})).json()["quantity"][
        "amount"
    ] == 10
