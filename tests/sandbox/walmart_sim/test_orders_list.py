"""Order lists, filters and the query-string cursor (walmart-api.md §6.1, §6.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from walmart_sim import WalmartSimulator

from .client import Admin, WalmartClient
from .conftest import NODE_A, NODE_B, line, new_order


def when(days_ago: float) -> str:
    return (datetime.now(tz=UTC) - timedelta(days=days_ago)).isoformat()


async def all_pages(
    wm: WalmartClient, path: str, params: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[str]]:
    response = await wm.get(path, params=params)
    assert response.status_code == 200, response.text
    orders = list(response.json()["list"]["elements"]["order"])
    cursors = []
    while cursor := response.json()["list"]["meta"].get("nextCursor"):
        cursors.append(cursor)
        response = await wm.get(path + cursor)  # appended verbatim (§6.1)
        assert response.status_code == 200, response.text
        orders += response.json()["list"]["elements"]["order"]
    return orders, cursors


async def test_empty_order_list_is_a_404(wm: WalmartClient) -> None:
    response = await wm.get("/v3/orders")
    assert response.status_code == 404
    error = response.json()["errors"]["error"][0]
    assert error["code"] == "CONTENT_NOT_FOUND.GMP_ORDER_API"
    assert (
        error["description"]
        == "Failed when called getAllOrders. Orders not found for given search parameters"
    )
    assert error["errorIdentifiers"] == {"entry": []}


async def test_order_wire_shape(wm: WalmartClient, admin: Admin, catalog: object) -> None:
    await new_order(admin, line("SKU-1", 2, unit_shipping="4.99"), ship_node=NODE_A)
    body = (await wm.get("/v3/orders")).json()["list"]
    assert body["meta"] == {"totalCount": 1, "limit": 100}
    order = body["elements"]["order"][0]
    assert len(order["purchaseOrderId"]) == 13
    assert isinstance(order["orderDate"], int)
    assert order["orderDate"] > 1_600_000_000_000
    assert order["shippingInfo"]["postalAddress"]["address2"] is None
    ln = order["orderLines"]["orderLine"][0]
    assert ln["lineNumber"] == "1"
    assert ln["orderLineQuantity"] == {"unitOfMeasurement": "EACH", "amount": "2"}
    status = ln["orderLineStatuses"]["orderLineStatus"][0]
    assert status["status"] == "Created"
    assert status["statusQuantity"]["amount"] == "2"
    assert status["trackingInfo"] is None
    assert status["cancellationReason"] is None
    assert ln["refund"] is None
    product, shipping = ln["charges"]["charge"]
    assert product["chargeAmount"] == {"currency": "USD", "amount": 20.0}
    assert product["tax"]["taxAmount"]["amount"] == 1.6
    assert shipping["chargeType"] == "SHIPPING"
    assert shipping["tax"] is None
    assert order["shipNode"] == {"type": "SellerFulfilled", "name": "Node A", "id": NODE_A}
    assert "orderType" not in order
    replacement = (await wm.get("/v3/orders", params={"replacementInfo": "true"})).json()["list"][
        "elements"
    ]["order"][0]
    assert replacement["orderType"] == "REGULAR"
    assert replacement["originalCustomerOrderID"] is None
    info = (await wm.get("/v3/orders", params={"productInfo": "true"})).json()["list"]["elements"][
        "order"
    ][0]
    assert info["orderLines"]["orderLine"][0]["item"]["weight"]["unit"] == "Pounds"


async def test_cursor_pages_through_everything_verbatim(
    wm: WalmartClient, admin: Admin, catalog: object, sim: WalmartSimulator
) -> None:
    created = [await new_order(admin, line(), order_date=when(i / 24)) for i in range(5)]
    orders, cursors = await all_pages(wm, "/v3/orders", {"limit": 2})
    assert [o["purchaseOrderId"] for o in orders] == [o["purchaseOrderId"] for o in created]
    assert len(cursors) == 2
    pairs = dict(parse_qsl(cursors[0].lstrip("?")))
    assert pairs["hasMoreElements"] == "true"
    assert pairs["poIndex"] == "2"
    assert pairs["limit"] == "2"
    assert ":" in pairs["createdEndDate"]
    assert pairs["shipNodeType"] == "SellerFulfilled"
    logged = [r.query for r in sim.state.requests if r.path == "/v3/orders"]
    assert logged[1] == cursors[0].lstrip("?")  # nothing re-encoded on the way


async def test_exactly_one_full_page_has_no_cursor(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    for _ in range(2):
        await new_order(admin, line())
    body = (await wm.get("/v3/orders", params={"limit": 2})).json()["list"]
    assert len(body["elements"]["order"]) == 2
    assert "nextCursor" not in body["meta"]


async def test_cursor_freezes_the_created_end_date(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    for i in range(3):
        await new_order(admin, line(), order_date=when(1 + i / 24))
    first = (await wm.get("/v3/orders", params={"limit": 2})).json()["list"]
    await new_order(admin, line())  # arrives after the first call
    second = (await wm.get("/v3/orders" + first["meta"]["nextCursor"])).json()["list"]
    assert second["meta"]["totalCount"] == 3
    assert len(second["elements"]["order"]) == 1


async def test_next_cursor_parameter_form_is_accepted(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    for _ in range(3):
        await new_order(admin, line())
    first = (await wm.get("/v3/orders", params={"limit": 2})).json()["list"]
    second = await wm.get("/v3/orders", params={"nextCursor": first["meta"]["nextCursor"]})
    assert len(second.json()["list"]["elements"]["order"]) == 1


async def test_filters(wm: WalmartClient, admin: Admin, catalog: object) -> None:
    old = await new_order(admin, line("SKU-1"), order_date=when(10))
    mine = await new_order(admin, line("SKU-2", status="Acknowledged"), ship_node=NODE_B)
    await new_order(admin, line("SKU-1"), ship_node_type="WFSFulfilled")
    await new_order(admin, line("SKU-1", shipping_program_type="ONE_DAY"), order_type="REPLACEMENT")

    async def pos(**params: Any) -> list[str]:
        response = await wm.get("/v3/orders", params=params)
        if response.status_code == 404:
            return []
        return [o["purchaseOrderId"] for o in response.json()["list"]["elements"]["order"]]

    assert old["purchaseOrderId"] not in await pos()  # createdStartDate defaults to 7 days ago
    assert await pos(createdStartDate=when(11)[:10], createdEndDate=when(9)) == [
        old["purchaseOrderId"]
    ]
    assert await pos(sku="SKU-2") == [mine["purchaseOrderId"]]
    assert await pos(status="Acknowledged") == [mine["purchaseOrderId"]]
    assert await pos(customerOrderId=mine["customerOrderId"]) == [mine["purchaseOrderId"]]
    assert await pos(purchaseOrderId=old["purchaseOrderId"]) == [old["purchaseOrderId"]]
    assert len(await pos(shipNodeType="WFSFulfilled")) == 1
    assert len(await pos(shippingProgramType="ONE_DAY")) == 1
    assert len(await pos(orderType="REPLACEMENT")) == 1
    assert len(await pos()) == 2  # WFS hidden by default, the old one outside the 7 days
    soon = (datetime.now(tz=UTC) + timedelta(days=1, hours=12)).isoformat()
    assert len(await pos(toExpectedShipDate=soon)) == 0
    assert len(await pos(lastModifiedStartDate=when(0.01))) == 2
    assert (await wm.get("/v3/orders", params={"createdStartDate": "yesterday"})).status_code == 400
    assert (await wm.get("/v3/orders", params={"status": "Lost"})).status_code == 400


async def test_limit_default_100_and_max_200(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    await new_order(admin, line())
    assert (await wm.get("/v3/orders", params={"limit": 201})).status_code == 400
    assert (await wm.get("/v3/orders", params={"limit": 200})).json()["list"]["meta"][
        "limit"
    ] == 200
    assert (await wm.get("/v3/orders")).json()["list"]["meta"]["limit"] == 100


async def test_released_orders_hold_only_created_lines(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    created = [await new_order(admin, line(), order_date=when(i / 24)) for i in range(3)]
    await new_order(admin, line(status="Acknowledged"))
    orders, cursors = await all_pages(wm, "/v3/orders/released", {"limit": 2})
    assert [o["purchaseOrderId"] for o in orders] == [o["purchaseOrderId"] for o in created]
    assert "status=Created" in cursors[0]
