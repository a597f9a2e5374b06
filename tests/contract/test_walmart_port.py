"""Contract of the Walmart port: the gateway's client and resource APIs against the Walmart
simulator over real HTTP on 127.0.0.1 (never a stand-in transport).

Faults come from the simulator's own knobs (``/admin/faults/next``, ``/admin/config``,
``/admin/tokens/revoke``); what the gateway sent is read back from ``/admin/requests``.
Rows of the error table the simulator cannot produce on demand (405, 406, 415, 423, a
missing header) are covered in tests/unit/walmart_gateway/test_client_rows.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from mlc_shared.domain.walmart import InventoryUpdate, ItemSetup, PriceUpdate, RefundLine
from walmart_gateway.api.orders import OrderQuery
from walmart_gateway.api.returns import ReturnQuery
from walmart_gateway.api.webhooks import DeliveryAuth, SubscriptionRequest
from walmart_gateway.apis import Api
from walmart_gateway.errors import (
    WalmartBadCredentials,
    WalmartForbidden,
    WalmartNotFound,
    WalmartPayloadTooLarge,
    WalmartRejected,
    WalmartThrottled,
)
from walmart_gateway.gateway import WalmartGateway, WalmartSeller
from walmart_gateway.settings import WalmartSettings
from walmart_gateway.wire.catalog import multi_node_inventory_feed
from walmart_sim import WalmartSimulator
from walmart_sim.config import SimConfig

CLIENT_ID = "contract-client"
SECRET = "contract-secret-0001"
NODE, NODE_2 = "10000000101", "10000000102"
LONG_AGO = datetime.now(UTC) - timedelta(days=30)


class Admin:
    """The simulator's admin API (outside /v3, no Walmart auth)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def _json(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.http.request(method, path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def config(self, **changes: Any) -> None:
        await self._json("PATCH", "/admin/config", changes)

    async def catalog(self, *skus: str, quantity: int = 10) -> None:
        await self._json(
            "POST",
            "/admin/catalog",
            {
                "ship_nodes": [
                    {"ship_node": NODE, "name": "Main DC"},
                    {"ship_node": NODE_2, "name": "Second DC"},
                ],
                "items": [
                    {
                        "sku": sku,
                        "product_name": f"Item {sku}",
                        "price": "12.50",
                        "inventory": {NODE: quantity},
                    }
                    for sku in skus
                ],
            },
        )

    async def order(self, sku: str, **spec: Any) -> str:
        answer = await self._json("POST", "/admin/orders", {"lines": [{"sku": sku}], **spec})
        return str(answer["order"]["purchaseOrderId"])

    async def requests(self, path: str | None = None, prefix: str = "/v3/") -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = await self._json(
            "GET", f"/admin/requests?path_prefix={prefix}"
        )
        return [e for e in entries if path is None or e["path"] == path]

    async def fault(
        self, status: int, *, after_effect: bool = False, path_prefix: str = "/v3/", count: int = 1
    ) -> None:
        await self._json(
            "POST",
            "/admin/faults/next",
            {
                "status": status,
                "after_effect": after_effect,
                "path_prefix": path_prefix,
                "count": count,
            },
        )


@pytest.fixture(scope="module")
async def sim() -> AsyncIterator[WalmartSimulator]:
    simulator = WalmartSimulator(
        client_id=CLIENT_ID, client_secret=SECRET, data="empty", seed=7, time_scale=0.001
    )
    await simulator.start(host="127.0.0.1", port=0)
    yield simulator
    await simulator.stop()


@pytest.fixture
async def admin(sim: WalmartSimulator) -> AsyncIterator[Admin]:
    baseline = SimConfig(time_scale=0.001).model_dump(mode="json")
    async with httpx.AsyncClient(base_url=sim.url, timeout=60) as http:
        assert (await http.post("/admin/reset", json={"data": "empty"})).status_code == 200
        assert (await http.delete("/admin/faults")).status_code == 200
        assert (await http.patch("/admin/config", json=baseline)).status_code == 200
        yield Admin(http)


def make_gateway(sim: WalmartSimulator, **overrides: Any) -> WalmartGateway:
    values: dict[str, Any] = {
        "walmart_base_url": sim.url,
        "walmart_client_id": CLIENT_ID,
        "walmart_client_secret": SECRET,
        "walmart_retry_base_delay": 0.01,
        "walmart_retry_max_delay": 0.02,
        **overrides,
    }
    return WalmartGateway(WalmartSettings(**values))


@pytest.fixture
async def gateway(sim: WalmartSimulator, admin: Admin) -> AsyncIterator[WalmartGateway]:
    gw = make_gateway(sim)
    yield gw
    await gw.aclose()


@pytest.fixture
async def seller(gateway: WalmartGateway) -> WalmartSeller:
    return await gateway.seller("default")


# ---------------------------------------------------------------- token and headers (§1, §2)


async def test_concurrent_callers_through_a_cold_cache_share_one_token(
    seller: WalmartSeller, admin: Admin
) -> None:
    details = await asyncio.gather(*(seller.token_detail() for _ in range(200)))
    assert all(d.is_valid for d in details)
    assert len(await admin.requests("/v3/token")) == 1
    assert seller.client.tokens.requests == 1


async def test_every_call_carries_walmarts_headers(seller: WalmartSeller, admin: Admin) -> None:
    detail = await seller.token_detail()
    assert detail.scopes["orders"] == "full_access"
    token_call, data_call = await admin.requests(prefix="/v3/token")
    assert token_call["headers"]["authorization"].startswith("Basic ")
    assert token_call["body"] == "grant_type=client_credentials"
    assert data_call["headers"]["wm_svc.name"] == "Walmart Marketplace"
    assert data_call["headers"]["wm_qos.correlation_id"]
    assert data_call["headers"]["wm_sec.access_token"]
    assert "authorization" not in data_call["headers"]  # §1: only WM_SEC.ACCESS_TOKEN


@pytest.mark.parametrize("status", [400, 401])
async def test_bad_credentials_are_one_request_and_one_alert(
    sim: WalmartSimulator, admin: Admin, status: int
) -> None:
    await admin.config(bad_credentials_status=status)
    gw = make_gateway(sim, walmart_client_secret="not-the-secret")
    seller = await gw.seller("default")
    results = await asyncio.gather(
        *(seller.token_detail() for _ in range(20)), return_exceptions=True
    )
    await gw.aclose()
    assert all(isinstance(r, WalmartBadCredentials) for r in results)
    assert [r["status"] for r in await admin.requests("/v3/token")] == [status]
    assert seller.client.alerts == 1
    assert "not-the-secret" not in str(results[0])


@pytest.mark.parametrize("refusal", [401, 400])
async def test_a_refused_token_is_refreshed_once_and_the_call_completes(
    seller: WalmartSeller, admin: Admin, refusal: int
) -> None:
    await admin.config(invalid_token_status=refusal)  # 400 = legacy INVALID_TOKEN (§2)
    await seller.token_detail()
    await admin._json("POST", "/admin/tokens/revoke")
    assert (await seller.token_detail()).is_valid
    assert len(await admin.requests("/v3/token")) == 2
    assert [r["status"] for r in await admin.requests("/v3/token/detail")] == [200, refusal, 200]


async def test_revoked_credentials_are_refreshed_once_then_alerted(
    sim: WalmartSimulator, seller: WalmartSeller, admin: Admin
) -> None:
    await seller.token_detail()
    await admin._json("POST", "/admin/tokens/revoke")
    sim.ctx.client_secret = "rotated-in-seller-center"  # the seller rotated the secret
    try:
        with pytest.raises(WalmartBadCredentials):
            await seller.token_detail()
    finally:
        sim.ctx.client_secret = SECRET
    assert [r["status"] for r in await admin.requests("/v3/token")] == [200, 400]
    assert seller.client.alerts == 1


async def test_missing_scope_is_an_alert_not_a_retry(seller: WalmartSeller, admin: Admin) -> None:
    await admin.config(scopes={"orders": "no_access"})
    with pytest.raises(WalmartForbidden):
        await seller.orders.get("1234")
    assert len(await admin.requests(prefix="/v3/orders")) == 1
    assert seller.client.alerts == 1


# ---------------------------------------------------------------- error table rows (§10.3)


async def test_5xx_on_a_read_is_retried(seller: WalmartSeller, admin: Admin) -> None:
    await admin.catalog("SKU-A")
    po = await admin.order("SKU-A")
    await admin.fault(500, path_prefix="/v3/orders")
    await admin.fault(503, path_prefix="/v3/orders")  # bare status, no Walmart body
    order = await seller.orders.get(po)
    assert order is not None
    assert order.purchase_order_id == po
    assert [r["status"] for r in await admin.requests(prefix="/v3/orders")] == [500, 503, 200]


async def test_invalid_request_is_rejected_with_walmarts_reason(seller: WalmartSeller) -> None:
    with pytest.raises(WalmartRejected) as caught:
        await seller.orders.all(OrderQuery(status="Lost"))
    assert caught.value.status == 400
    assert "INVALID_REQUEST_PARAM" in caught.value.reason


async def test_unknown_order_is_none_and_unknown_ack_is_not_found(seller: WalmartSeller) -> None:
    assert await seller.orders.get("999999999") is None
    with pytest.raises(WalmartNotFound):
        await seller.orders.acknowledge("999999999")


async def test_feed_above_the_size_limit_is_413_then_fits_when_split(
    sim: WalmartSimulator, admin: Admin
) -> None:
    skus = [f"SKU-{n:03d}" for n in range(120)]
    await admin.catalog(*skus)
    await admin.config(
        feed_size_limits={"inventory": 2048, "item": 10**6, "price": 10**6, "lagtime": 10**6}
    )  # the sandbox's 2 KB (§10.1)
    updates = [InventoryUpdate(sku=s, quantity=3, ship_node=NODE) for s in skus]
    big = make_gateway(sim)
    with pytest.raises(WalmartPayloadTooLarge):
        await (await big.seller("default")).inventory.push(updates, key="too-big")
    fitted = make_gateway(sim, walmart_feed_max_bytes=2048)
    pushed = await (await fitted.seller("default")).inventory.push(updates, key="fits")
    await big.aclose()
    await fitted.aclose()
    assert len(pushed.feeds) > 1
    assert all(r["status"] == 200 for r in await admin.requests("/v3/feeds") if "fits" in r["body"])


# ---------------------------------------------------------------- throttling (§10.1)


async def _tight_orders_bucket(sim: WalmartSimulator, admin: Admin) -> tuple[str, WalmartGateway]:
    await admin.catalog("SKU-A")
    po = await admin.order("SKU-A")
    limits = sim.config.model_dump(mode="json")["throttle_limits"]
    await admin.config(
        throttle_limits={**limits, "orders.list": {"limit": 2, "period_seconds": 0.4}}
    )
    return po, make_gateway(sim, walmart_budgets={"orders.list": "none"})  # no local budget


async def test_an_empty_bucket_in_the_headers_is_waited_for_before_calling(
    sim: WalmartSimulator, admin: Admin
) -> None:
    po, gw = await _tight_orders_bucket(sim, admin)
    seller = await gw.seller("default")
    orders = [await seller.orders.get(po) for _ in range(6)]
    await gw.aclose()
    assert all(o is not None for o in orders)
    # x-current-token-count: 0 + x-next-replenishment-time made the client wait, not fail.
    assert [r["status"] for r in await admin.requests(prefix="/v3/orders")] == [200] * 6
    assert seller.client.throttle.waited > 0


async def test_429s_are_waited_out_as_walmart_says(sim: WalmartSimulator, admin: Admin) -> None:
    po, gw = await _tight_orders_bucket(sim, admin)
    seller = await gw.seller("default")
    orders = await asyncio.gather(*(seller.orders.get(po) for _ in range(6)))
    await gw.aclose()
    assert all(o is not None for o in orders)
    statuses = [r["status"] for r in await admin.requests(prefix="/v3/orders")]
    assert statuses.count(429) == seller.client.throttled_responses >= 1
    assert statuses.count(200) == 6


async def test_local_budget_below_walmarts_meets_no_429(
    sim: WalmartSimulator, admin: Admin
) -> None:
    skus = [f"SKU-{n}" for n in range(12)]
    await admin.catalog(*skus)
    limits = sim.config.model_dump(mode="json")["throttle_limits"]
    await admin.config(
        throttle_limits={**limits, "inventory.update": {"limit": 5, "period_seconds": 1}}
    )
    gw = make_gateway(sim, walmart_budgets={"inventory.update": "4/second"})
    seller = await gw.seller("default")
    pushed = await seller.inventory.push(
        [InventoryUpdate(sku=s, quantity=2, ship_node=NODE) for s in skus], key="paced"
    )
    await gw.aclose()
    assert all(r.ok for r in pushed.results)
    assert len(pushed.results) == 12
    assert [r["status"] for r in await admin.requests("/v3/inventory")] == [200] * 12
    assert seller.client.throttle.waited > 0


async def test_a_429_storm_beyond_the_wait_cap_gives_the_work_back(
    sim: WalmartSimulator, admin: Admin
) -> None:
    await admin.config(throttle_storm=3)
    gw = make_gateway(sim, walmart_max_throttle_wait=1.0)
    seller = await gw.seller("default")
    with pytest.raises(WalmartThrottled) as caught:
        await seller.orders.get("1")
    await gw.aclose()
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 1.0
    assert [r["status"] for r in await admin.requests(prefix="/v3/orders")] == [429]


# ---------------------------------------------------------------- paging (§3.3, §6.1, §7)


async def test_no_orders_is_an_empty_list(seller: WalmartSeller, admin: Admin) -> None:
    assert await seller.orders.all(OrderQuery(created_since=LONG_AGO)) == []
    assert [r["status"] for r in await admin.requests("/v3/orders")] == [404]


async def test_exactly_one_full_page(sim: WalmartSimulator, admin: Admin) -> None:
    await admin.catalog("SKU-A")
    placed = {await admin.order("SKU-A") for _ in range(5)}
    gw = make_gateway(sim, walmart_orders_page_size=5)
    orders = await (await gw.seller("default")).orders.all(OrderQuery(created_since=LONG_AGO))
    await gw.aclose()
    assert {o.purchase_order_id for o in orders} == placed
    assert len(await admin.requests("/v3/orders")) == 1


@pytest.mark.parametrize("form", ["query", "param"])
async def test_cursor_is_sent_back_verbatim(sim: WalmartSimulator, admin: Admin, form: str) -> None:
    sku = "MUG 12/OZ+blue"  # space, '/' and '+' percent-encoded once inside the cursor
    await admin.catalog(sku, "OTHER")
    placed = {await admin.order(sku) for _ in range(7)}
    await admin.order("OTHER")
    gw = make_gateway(sim, walmart_orders_page_size=3, walmart_orders_cursor_form=form)
    orders = await (await gw.seller("default")).orders.all(
        OrderQuery(created_since=LONG_AGO, sku=sku)
    )
    await gw.aclose()
    assert [o.purchase_order_id for o in orders if o.purchase_order_id in placed] == [
        o.purchase_order_id for o in orders
    ]
    assert {o.purchase_order_id for o in orders} == placed
    calls = await admin.requests("/v3/orders")
    assert len(calls) == 3
    if form == "query":
        assert calls[1]["query"].startswith("limit=3&hasMoreElements=true")
        assert "sku=MUG%2012%2FOZ%2Bblue" in calls[1]["query"]
        assert "createdEndDate=" in calls[1]["query"]
        assert "%253A" not in calls[1]["query"]


async def test_released_orders_are_the_unacknowledged_ones(
    seller: WalmartSeller, admin: Admin
) -> None:
    await admin.catalog("SKU-A")
    first, second = await admin.order("SKU-A"), await admin.order("SKU-A")
    done = await seller.orders.acknowledge(first)
    assert not done.already
    assert done.order is not None
    assert {line.status for line in done.order.lines} == {"Acknowledged"}
    released = await seller.orders.all(OrderQuery(created_since=LONG_AGO, released=True))
    assert [o.purchase_order_id for o in released] == [second]


async def test_items_page_from_the_star_cursor_to_the_404(
    sim: WalmartSimulator, admin: Admin
) -> None:
    skus = {f"SKU-{n}" for n in range(7)}
    await admin.catalog(*skus)
    gw = make_gateway(sim, walmart_items_page_size=3)
    seen = [i.sku async for page in (await gw.seller("default")).items.pages() for i in page]
    await gw.aclose()
    assert sorted(seen) == sorted(skus)
    calls = await admin.requests("/v3/items")
    assert calls[0]["query"] == "nextCursor=%2A&limit=3"
    assert all("limit=3" in c["query"] for c in calls)


# ---------------------------------------------------------------- feeds (§3, §4, §5)


async def test_many_inventory_updates_are_one_feed_with_per_sku_outcomes(
    seller: WalmartSeller, admin: Admin
) -> None:
    skus = [f"SKU-{n:04d}" for n in range(300)]
    await admin.catalog(*skus)
    updates = [InventoryUpdate(sku=s, quantity=n % 7, ship_node=NODE) for n, s in enumerate(skus)]
    updates.append(InventoryUpdate(sku="NOT-LISTED", quantity=1, ship_node=NODE))
    pushed = await seller.inventory.push(updates, key="cmd-inventory")
    (feed,) = pushed.feeds
    assert feed.feed_type == "MP_INVENTORY"
    assert not feed.reused
    status = await seller.feeds.follow(feed.feed_id, poll_interval=0.02, give_up_after=60)
    assert status.complete
    assert status.items_received == 301
    failed = [r for r in status.results if not r.ok]
    assert [r.sku for r in failed] == ["NOT-LISTED"]
    assert failed[0].error_codes
    assert len(status.results) == 301
    (level,) = [lv for lv in await seller.inventory.levels("SKU-0005") if lv.ship_node == NODE]
    assert level.input_qty == 5


async def test_a_redelivered_command_finds_its_feed_instead_of_resubmitting(
    seller: WalmartSeller, admin: Admin
) -> None:
    skus = [f"SKU-{n}" for n in range(60)]
    await admin.catalog(*skus)
    updates = [InventoryUpdate(sku=s, quantity=1, ship_node=NODE) for s in skus]
    first = await seller.inventory.push(updates, key="same-message-id")
    again = await seller.inventory.push(updates, key="same-message-id")
    assert again.feeds[0].feed_id == first.feeds[0].feed_id
    assert again.feeds[0].reused
    assert len(await admin.requests("/v3/feeds")) == 1 + 2  # one POST, two lookups (GET)


async def _send_inventory_feed(seller: WalmartSeller, skus: list[str]) -> str:
    """``FeedsApi.send``: the submit minus its opening lookup, so the simulator's next planned
    fault (matched by path, not by method) lands on the POST itself."""
    document = multi_node_inventory_feed(
        [InventoryUpdate(sku=s, quantity=4, ship_node=NODE) for s in skus]
    )
    sent = await seller.feeds.send(
        "MP_INVENTORY", document, file_name="mlc-ambiguous.json", api=Api.FEED_INVENTORY
    )
    return sent.feed_id


async def test_a_feed_submit_that_landed_but_answered_504_is_found_not_resent(
    sim: WalmartSimulator, seller: WalmartSeller, admin: Admin
) -> None:
    skus = [f"SKU-{n}" for n in range(60)]
    await admin.catalog(*skus)
    await admin.fault(504, after_effect=True, path_prefix="/v3/feeds")
    feed_id = await _send_inventory_feed(seller, skus)
    calls = [(r["method"], r["status"]) for r in await admin.requests("/v3/feeds")]
    assert calls == [("POST", 504), ("GET", 200)]
    assert list(sim.state.feeds) == [feed_id]


async def test_a_feed_submit_refused_with_500_is_checked_then_resent_once(
    sim: WalmartSimulator, seller: WalmartSeller, admin: Admin
) -> None:
    skus = [f"SKU-{n}" for n in range(60)]
    await admin.catalog(*skus)
    await admin.fault(500, after_effect=False, path_prefix="/v3/feeds")
    feed_id = await _send_inventory_feed(seller, skus)
    calls = [(r["method"], r["status"]) for r in await admin.requests("/v3/feeds")]
    assert calls == [("POST", 500), ("GET", 200), ("POST", 200)]
    assert list(sim.state.feeds) == [feed_id]


async def test_few_updates_go_one_by_one_and_refusals_are_outcomes(
    seller: WalmartSeller, admin: Admin
) -> None:
    await admin.catalog("SKU-A", "SKU-B")
    pushed = await seller.inventory.push(
        [
            InventoryUpdate(sku="SKU-A", quantity=9, ship_node=NODE),
            InventoryUpdate(sku="SKU-B", quantity=4, ship_node=NODE_2),
            InventoryUpdate(sku="SKU-A", quantity=1, ship_node="99999"),
        ],
        key="few",
    )
    assert pushed.feeds == ()
    ok = {(r.sku, r.ship_node): r.ok for r in pushed.results}
    assert ok == {("SKU-A", NODE): True, ("SKU-B", NODE_2): True, ("SKU-A", "99999"): False}
    levels = {lv.ship_node: lv.input_qty for lv in await seller.inventory.levels("SKU-B")}
    assert levels[NODE_2] == 4


async def test_prices_single_and_as_a_feed(seller: WalmartSeller, admin: Admin) -> None:
    skus = [f"SKU-{n}" for n in range(15)]
    await admin.catalog(*skus)
    single = await seller.prices.push([PriceUpdate(sku="SKU-1", amount=Decimal("19.99"))], key="p1")
    assert single.results[0].ok
    item = await seller.items.get("SKU-1")
    assert item is not None
    assert item.price == Decimal("19.99")
    fed = await seller.prices.push(
        [PriceUpdate(sku=s, amount=Decimal("7.25")) for s in skus], key="p2"
    )
    status = await seller.feeds.follow(fed.feeds[0].feed_id, poll_interval=0.02, give_up_after=60)
    assert status.complete
    assert all(r.ok for r in status.results)


async def test_item_setup_feed_reports_each_sku(seller: WalmartSeller) -> None:
    base = ItemSetup(
        sku="NEW-1",
        product_id="00012345678905",
        product_name="Blue Mug",
        brand="Acme",
        price=Decimal("12.99"),
        shipping_weight_lb=Decimal(1),
        category="Home Decor, Kitchen, & Other",
        sub_category="home_other",
        short_description="A mug",
        main_image_url="https://example.com/a.jpg",
    )
    bad = base.model_copy(update={"sku": "NEW-2", "product_id": "00012345678906"})
    (feed,) = await seller.items.setup([base, bad], key="items-1")
    status = await seller.feeds.follow(feed.feed_id, poll_interval=0.02, give_up_after=60)
    outcomes = {r.sku: r for r in status.results}
    assert outcomes["NEW-1"].ok
    assert not outcomes["NEW-2"].ok
    assert outcomes["NEW-2"].error_codes == ("ERR_PDI_0047",)  # bad GTIN check digit (§3.2)
    item = await seller.items.get("NEW-1")
    assert item is not None
    assert item.product_name == "Blue Mug"


# ---------------------------------------------------------------- returns and refunds (§7)


async def _shipped_return(admin: Admin, **order: Any) -> tuple[str, str]:
    await admin.catalog("SKU-R")
    po = await admin.order(
        "SKU-R", **{"lines": [{"sku": "SKU-R", "quantity": 2, "status": "Shipped"}], **order}
    )
    ret = await admin._json(
        "POST",
        "/admin/returns",
        {"purchase_order_id": po, "lines": [{"line_number": "1", "quantity": 2}]},
    )
    return str(ret["returnOrderId"]), str(ret["customerOrderId"])


async def test_refund_once_and_not_again(seller: WalmartSeller, admin: Admin) -> None:
    return_id, customer_order = await _shipped_return(admin)
    listed = await seller.returns.get(return_id)
    assert listed is not None
    assert listed.lines[0].quantity == 2
    lines = (RefundLine(return_order_line_number=1, quantity=Decimal(2)),)
    first = await seller.returns.refund(return_id, customer_order, lines)
    again = await seller.returns.refund(return_id, customer_order, lines)
    assert (first.already, again.already) == (False, True)
    refunds = [r for r in await admin.requests(prefix="/v3/returns") if r["method"] == "POST"]
    assert len(refunds) == 1


async def test_an_ambiguous_refund_is_verified_not_repeated(
    seller: WalmartSeller, admin: Admin
) -> None:
    return_id, customer_order = await _shipped_return(admin)
    await admin.fault(504, after_effect=True, path_prefix=f"/v3/returns/{return_id}/refund")
    result = await seller.returns.refund(
        return_id, customer_order, (RefundLine(return_order_line_number=1, quantity=Decimal(2)),)
    )
    assert not result.already
    assert result.lines
    refunds = [r for r in await admin.requests(prefix="/v3/returns") if r["method"] == "POST"]
    assert [r["status"] for r in refunds] == [504]
    after = await seller.returns.get(return_id)
    assert after is not None
    assert after.lines[0].refunded_qty == 2


async def test_wfs_returns_refuse_refunds(seller: WalmartSeller, admin: Admin) -> None:
    return_id, customer_order = await _shipped_return(admin, ship_node_type="WFSFulfilled")
    with pytest.raises(WalmartRejected, match="WFS"):
        await seller.returns.refund(
            return_id,
            customer_order,
            (RefundLine(return_order_line_number=1, quantity=Decimal(1)),),
        )


async def test_returns_listing(seller: WalmartSeller, admin: Admin) -> None:
    assert [r async for r in seller.returns.pages(ReturnQuery(created_since=LONG_AGO))] == []
    return_id, _ = await _shipped_return(admin)
    pages = [p async for p in seller.returns.pages(ReturnQuery(created_since=LONG_AGO))]
    assert [r.return_order_id for p in pages for r in p] == [return_id]


# ---------------------------------------------------------------- reconciliation (§8)


async def _settled(admin: Admin) -> str:
    await admin.catalog("SKU-S")
    for quantity in (1, 3):
        await admin.order(
            "SKU-S",
            lines=[{"sku": "SKU-S", "quantity": quantity, "status": "Shipped"}],
            label_fee=True,
        )
    # Transactions post two days after they happen (S3, §8.2): close a period that holds them.
    closed = await admin._json(
        "POST",
        "/admin/settlements/close",
        {"report_date": (datetime.now(UTC) + timedelta(days=3)).date().isoformat()},
    )
    return str(closed["report_date"])


async def test_recon_zip_rows_sum_to_total_payable(seller: WalmartSeller, admin: Admin) -> None:
    report_date = await _settled(admin)
    assert await seller.recon.dates() == [report_date]
    report = await seller.recon.report(report_date)
    assert report.source == "zip"
    assert report.rows
    assert report.total_payable is not None
    assert sum((r.amount or Decimal(0)) for r in report.rows) == report.total_payable
    assert {r.partner_item_id for r in report.rows if r.transaction_type == "Sale"} == {"SKU-S"}
    (call,) = await admin.requests("/v3/report/reconreport/reconFile")
    assert call["headers"]["accept"] == "application/octet-stream"


async def test_recon_json_pages_match_the_zip(sim: WalmartSimulator, admin: Admin) -> None:
    report_date = await _settled(admin)
    zipped = make_gateway(sim)
    paged = make_gateway(sim, walmart_recon_source="json", walmart_recon_json_page_size=3)
    from_zip = await (await zipped.seller("default")).recon.report(report_date)
    from_json = await (await paged.seller("default")).recon.report(report_date)
    await zipped.aclose()
    await paged.aclose()
    assert from_json.source == "json"
    assert sorted(r.model_dump_json() for r in from_json.rows) == sorted(
        r.model_dump_json() for r in from_zip.rows
    )


# ---------------------------------------------------------------- webhooks (§9.1)


async def _receiver() -> tuple[asyncio.Server, str, list[bytes]]:
    received: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            ),
            0,
        )
        received.append(await reader.readexactly(length))
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/walmart/events", received


async def test_webhook_subscriptions(seller: WalmartSeller) -> None:
    server, url, received = await _receiver()
    request = SubscriptionRequest(
        event_type="PO_CREATED",
        resource_name="ORDER",
        event_url=url,
        auth=DeliveryAuth(method="BASIC_AUTH", user_name="walmart", password="hook-password-1"),
    )
    try:
        assert "validated" in ((await seller.webhooks.test(request)) or "")
        (created,) = await seller.webhooks.subscribe(request)
        listed = await seller.webhooks.subscriptions()
        assert [s.subscription_id for s in listed] == [created.subscription_id]
        assert listed[0].event_url == url
        assert listed[0].auth_method == "BASIC_AUTH"
        await seller.webhooks.delete(created.subscription_id)
        assert await seller.webhooks.subscriptions() == []
    finally:
        server.close()
        await server.wait_closed()
    assert received
    assert b'"source"' in received[0]
