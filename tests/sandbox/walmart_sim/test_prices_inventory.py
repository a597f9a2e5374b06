"""Prices, promotions, inventory and ship nodes (walmart-api.md §4, §5)."""

from __future__ import annotations

from typing import Any

from .client import Admin, WalmartClient
from .conftest import NODE_A, NODE_B, line, new_order


def base_price(sku: str, amount: float) -> dict[str, Any]:
    return {
        "sku": sku,
        "pricing": [
            {"currentPriceType": "BASE", "currentPrice": {"currency": "USD", "amount": amount}}
        ],
    }


async def test_price_update_answers_the_item_price_response_wrapper(
    wm: WalmartClient, catalog: object
) -> None:
    response = await wm.put("/v3/price", json=base_price("SKU-1", 19.99))
    assert response.status_code == 200
    wrapped = response.json()["ItemPriceResponse"]
    assert (wrapped["mart"], wrapped["sku"]) == ("WALMART_US", "SKU-1")
    assert wrapped["message"].startswith("Thank you. Your price has been updated.")
    item = (await wm.get("/v3/items/SKU-1", params={"productIdType": "SKU"})).json()[
        "ItemResponse"
    ][0]
    assert item["price"]["amount"] == 19.99


async def test_price_update_refusals(wm: WalmartClient, catalog: object) -> None:
    assert (await wm.put("/v3/price", json=base_price("NOPE", 1))).status_code == 404
    assert (await wm.put("/v3/price", json=base_price("SKU-1", -1))).status_code == 400
    broken = await wm.put("/v3/price", content=b"{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["errors"]["error"][0]["code"].startswith("MALFORMED_REQUEST_CONTENT.")


async def test_promotional_prices_round_trip(wm: WalmartClient, catalog: object) -> None:
    promo: dict[str, Any] = {
        "sku": "SKU-1",
        "pricing": [
            {
                "currentPriceType": "REDUCED",
                "currentPrice": {"currency": "USD", "amount": 8},
                "comparisonPriceType": "BASE",
                "comparisonPrice": {"currency": "USD", "amount": 10},
                "priceDisplayCodes": "CART",
                "effectiveDate": "2030-11-03T09:49:57.943Z",
                "expirationDate": "2030-12-03T09:49:57.943Z",
                "processMode": "UPSERT",
            }
        ],
    }
    response = await wm.put("/v3/price", params={"promo": "true"}, json=promo)
    assert response.status_code == 200
    listed = (await wm.get("/v3/promo/sku/SKU-1")).json()
    pricing = listed["payload"]["pricingList"]["pricing"]
    assert listed["payload"]["itemIdentifier"]["sku"] == "SKU-1"
    assert pricing[0]["currentPriceType"] == "REDUCED"
    assert pricing[0]["currentPrice"]["value"]["amount"] == 8.0
    assert pricing[0]["comparisonPrice"]["value"]["amount"] == 10.0
    promo["pricing"][0]["processMode"] = "DELETE"
    assert (await wm.put("/v3/price", params={"promo": "true"}, json=promo)).status_code == 200
    assert (await wm.get("/v3/promo/sku/SKU-1")).json()["payload"]["pricingList"]["pricing"] == []
    backwards = {
        **promo,
        "pricing": [
            {
                **promo["pricing"][0],
                "processMode": "UPSERT",
                "expirationDate": "2030-01-01T00:00:00Z",
            }
        ],
    }
    assert (await wm.put("/v3/price", params={"promo": "true"}, json=backwards)).status_code == 400


async def test_single_node_inventory_get_and_put(wm: WalmartClient, catalog: object) -> None:
    got = await wm.get("/v3/inventory", params={"sku": "SKU-1"})
    assert got.json() == {"sku": "SKU-1", "quantity": {"unit": "EACH", "amount": 10}}
    put = await wm.put(
        "/v3/inventory",
        params={"sku": "SKU-1", "shipNode": NODE_B},
        json={"sku": "SKU-1", "quantity": {"unit": "EACH", "amount": 12}},
    )
    assert put.json() == {"sku": "SKU-1", "quantity": {"unit": "EACH", "amount": 12}}
    assert (await wm.get("/v3/inventory", params={"sku": "SKU-1", "shipNode": NODE_B})).json()[
        "quantity"
    ]["amount"] == 12
    mismatch = await wm.put(
        "/v3/inventory",
        params={"sku": "SKU-1"},
        json={"sku": "SKU-2", "quantity": {"unit": "EACH", "amount": 1}},
    )
    assert mismatch.status_code == 400
    negative = await wm.put(
        "/v3/inventory",
        params={"sku": "SKU-1"},
        json={"sku": "SKU-1", "quantity": {"unit": "EACH", "amount": -1}},
    )
    assert negative.status_code == 400
    assert (await wm.get("/v3/inventory", params={"sku": "NOPE"})).status_code == 404


async def test_inventory_model_reserves_unshipped_orders(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    order = await new_order(admin, line("SKU-1", 3), ship_node=NODE_A)
    node = {n["shipNode"]: n for n in (await wm.get("/v3/inventories/SKU-1")).json()["nodes"]}[
        NODE_A
    ]
    assert (
        node["inputQty"]["amount"],
        node["availToSellQty"]["amount"],
        node["reservedQty"]["amount"],
    ) == (10, 7, 3)
    # The seller re-sends the on-hand count: reserved units are not sellable again.
    await wm.put(
        "/v3/inventory",
        params={"sku": "SKU-1", "shipNode": NODE_A},
        json={"sku": "SKU-1", "quantity": {"unit": "EACH", "amount": 10}},
    )
    node = {n["shipNode"]: n for n in (await wm.get("/v3/inventories/SKU-1")).json()["nodes"]}[
        NODE_A
    ]
    assert (
        node["inputQty"]["amount"],
        node["availToSellQty"]["amount"],
        node["reservedQty"]["amount"],
    ) == (10, 7, 3)
    shipment = {"orderShipment": {"orderLines": {"orderLine": [{"lineNumber": "1", "orderLineStatuses": {"orderLineStatus": [
        {"status": "Shipped", "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "2"},
         "trackingInfo": {"shipDateTime": 1700000000000, "carrierName": {"carrier": "UPS"}, "methodCode": "Standard", "trackingNumber": "1Z1"}}]}}]}}}  # fmt: skip
    assert (
        await wm.post(f"/v3/orders/{order['purchaseOrderId']}/shipping", json=shipment)
    ).status_code == 200
    node = {n["shipNode"]: n for n in (await wm.get("/v3/inventories/SKU-1")).json()["nodes"]}[
        NODE_A
    ]
    assert (
        node["inputQty"]["amount"],
        node["availToSellQty"]["amount"],
        node["reservedQty"]["amount"],
    ) == (10, 7, 1)
    cancel = {"orderCancellation": {"orderLines": {"orderLine": [{"lineNumber": "1", "orderLineStatuses": {"orderLineStatus": [
        {"status": "Cancelled", "cancellationReason": "SELLER_CANCEL_OUT_OF_STOCK", "statusQuantity": {"unitOfMeasurement": "EA", "amount": "1"}}]}}]}}}  # fmt: skip
    assert (
        await wm.post(f"/v3/orders/{order['purchaseOrderId']}/cancel", json=cancel)
    ).status_code == 200
    node = {n["shipNode"]: n for n in (await wm.get("/v3/inventories/SKU-1")).json()["nodes"]}[
        NODE_A
    ]
    assert (
        node["inputQty"]["amount"],
        node["availToSellQty"]["amount"],
        node["reservedQty"]["amount"],
    ) == (10, 8, 0)


async def test_multi_node_put_reports_each_node(wm: WalmartClient, catalog: object) -> None:
    body = {"inventories": {"nodes": [
        {"shipNode": NODE_A, "inputQty": {"unit": "EACH", "amount": 88}},
        {"shipNode": "999", "inputQty": {"unit": "EACH", "amount": 1}},
    ]}}  # fmt: skip
    response = await wm.put("/v3/inventories/SKU-2", json=body)
    assert response.status_code == 200
    nodes = response.json()["nodes"]
    assert nodes[0] == {"shipNode": NODE_A, "status": "Success"}
    assert nodes[1]["shipNode"] == "999"
    assert nodes[1]["errors"]
    only_a = (await wm.get("/v3/inventories/SKU-2", params={"shipNode": NODE_A})).json()
    assert [n["shipNode"] for n in only_a["nodes"]] == [NODE_A]
    assert only_a["nodes"][0]["inputQty"]["amount"] == 88


async def test_inventories_paging_limit_and_cursor(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    assert (await wm.get("/v3/inventories", params={"limit": 51})).status_code == 400
    first = (await wm.get("/v3/inventories", params={"limit": 2})).json()
    assert first["meta"]["totalCount"] == 3
    skus = [i["sku"] for i in first["elements"]["inventories"]]
    cursor = first["meta"]["nextCursor"]
    assert (
        await wm.get("/v3/inventories", params={"limit": 1, "nextCursor": cursor})
    ).status_code == 400
    # A parameter named "cursor" is silently ignored (S3): the first page again.
    ignored = (await wm.get("/v3/inventories", params={"limit": 2, "cursor": cursor})).json()
    assert [i["sku"] for i in ignored["elements"]["inventories"]] == skus
    second = (await wm.get("/v3/inventories", params={"limit": 2, "nextCursor": cursor})).json()
    skus += [i["sku"] for i in second["elements"]["inventories"]]
    assert "nextCursor" not in second["meta"]
    assert sorted(skus) == sorted(["SKU-1", "SKU-2", "SKU/3 special"])


async def test_ship_nodes_are_a_bare_array(wm: WalmartClient, catalog: object) -> None:
    nodes = (await wm.get("/v3/settings/shipping/shipnodes")).json()
    assert isinstance(nodes, list)
    assert [(n["shipNode"], n["status"], n["nodeType"]) for n in nodes] == [
        (NODE_A, "ACTIVE", "PHYSICAL"),
        (NODE_B, "ACTIVE", "PHYSICAL"),
    ]
    calendar = (
        await wm.get(
            "/v3/settings/shipping/shipnodes", params={"includeCalendarDayConfiguration": "true"}
        )
    ).json()
    assert (
        calendar[0]["calendarDayConfiguration"]["standardProcessingSchedule"]["monday"][
            "isWorkingDay"
        ]
        is True
    )
