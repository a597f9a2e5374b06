"""Reading and retiring items (walmart-api.md §3.3, §3.4)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from .client import Admin, WalmartClient


async def seed_items(admin: Admin, count: int) -> None:
    await admin.post(
        "/catalog",
        {
            "items": [
                {"sku": f"ITEM-{i:03d}", "product_name": f"Item {i}", "price": "5.00"}
                for i in range(count)
            ]
        },
    )


async def test_items_page_by_cursor_and_end_with_404(wm: WalmartClient, admin: Admin) -> None:
    await seed_items(admin, 5)
    first = await wm.get("/v3/items", params={"nextCursor": "*", "limit": 2})
    assert first.status_code == 200
    body = first.json()
    assert body["totalItems"] == 5
    seen = [i["sku"] for i in body["ItemResponse"]]
    cursor = body["nextCursor"]
    while True:
        page = await wm.get("/v3/items", params={"nextCursor": cursor, "limit": 2})
        if page.status_code == 404:
            assert (
                page.json()["errors"]["error"][0]["code"] == "CONTENT_NOT_FOUND.GMP_ITEM_QUERY_API"
            )
            break
        assert page.status_code == 200
        seen += [i["sku"] for i in page.json()["ItemResponse"]]
        cursor = page.json()["nextCursor"]
    assert seen == [f"ITEM-{i:03d}" for i in range(5)]


async def test_end_of_data_is_404_even_after_a_full_page(wm: WalmartClient, admin: Admin) -> None:
    await seed_items(admin, 4)
    first = (await wm.get("/v3/items", params={"nextCursor": "*", "limit": 2})).json()
    second = await wm.get("/v3/items", params={"nextCursor": first["nextCursor"], "limit": 2})
    assert len(second.json()["ItemResponse"]) == 2
    after = await wm.get(
        "/v3/items", params={"nextCursor": second.json()["nextCursor"], "limit": 2}
    )
    assert after.status_code == 404


async def test_no_cursor_without_the_star_bootstrap(wm: WalmartClient, admin: Admin) -> None:
    await seed_items(admin, 3)
    body = (await wm.get("/v3/items", params={"limit": 2})).json()
    assert "nextCursor" not in body
    offset = (await wm.get("/v3/items", params={"limit": 2, "offset": 2})).json()
    assert [i["sku"] for i in offset["ItemResponse"]] == ["ITEM-002"]


async def test_cursor_must_come_back_with_the_same_limit(wm: WalmartClient, admin: Admin) -> None:
    await seed_items(admin, 3)
    cursor = (await wm.get("/v3/items", params={"nextCursor": "*", "limit": 1})).json()[
        "nextCursor"
    ]
    wrong = await wm.get("/v3/items", params={"nextCursor": cursor, "limit": 2})
    assert wrong.status_code == 400
    garbled = await wm.get(
        "/v3/items", params={"nextCursor": cursor.replace("A", "B", 1) + "x", "limit": 1}
    )
    assert garbled.status_code == 400


async def test_item_shape_and_filters(
    wm: WalmartClient, admin: Admin, catalog: dict[str, Any]
) -> None:
    await admin.post("/items/SKU-2/unpublish", {"reasons": ["Reasonable Price Not Satisfied"]})
    body = (await wm.get("/v3/items", params={"publishedStatus": "UNPUBLISHED"})).json()
    assert [i["sku"] for i in body["ItemResponse"]] == ["SKU-2"]
    item = body["ItemResponse"][0]
    assert item["mart"] == "WALMART_US"
    assert json.loads(item["shelf"])[0] == "Home Page"  # a JSON-encoded string (S1)
    assert item["unpublishedReasons"] == {"reason": ["Reasonable Price Not Satisfied"]}
    assert item["price"] == {"currency": "USD", "amount": 25.0}
    none = await wm.get("/v3/items", params={"lifecycleStatus": "RETIRED"})
    assert none.status_code == 404


async def test_single_item_by_sku_gtin_and_item_id(
    wm: WalmartClient, catalog: dict[str, Any]
) -> None:
    by_sku = await wm.get(
        f"/v3/items/{quote('SKU/3 special', safe='')}", params={"productIdType": "SKU"}
    )
    assert by_sku.status_code == 200
    item = by_sku.json()["ItemResponse"][0]
    assert item["sku"] == "SKU/3 special"
    assert by_sku.json()["totalItems"] == 1
    by_gtin = await wm.get(f"/v3/items/{item['gtin']}", params={"productIdType": "GTIN"})
    assert by_gtin.json()["ItemResponse"][0]["sku"] == "SKU/3 special"
    missing = await wm.get("/v3/items/NOPE", params={"productIdType": "SKU"})
    assert missing.status_code == 404
    error = missing.json()["errors"]["error"][0]
    assert error["description"] == "Item does not exist in Walmart's catalog"
    assert (error["severity"], error["category"]) == ("INFO", "APPLICATION")
    no_type = await wm.get("/v3/items/SKU-1")
    assert no_type.status_code == 400


async def test_count_by_status(wm: WalmartClient, admin: Admin, catalog: dict[str, Any]) -> None:
    await admin.post("/items/SKU-1/unpublish")
    assert (await wm.get("/v3/items/count")).json() == {"All": 3}
    assert (await wm.get("/v3/items/count", params={"status": "PUBLISHED"})).json() == {
        "PUBLISHED": 2
    }
    assert (await wm.get("/v3/items/count", params={"status": "BOGUS"})).status_code == 400


async def test_retire_an_item(wm: WalmartClient, catalog: dict[str, Any]) -> None:
    response = await wm.delete("/v3/items/SKU-1")
    assert response.status_code == 200
    body = response.json()
    assert body["sku"] == "SKU-1"
    assert body["message"].startswith("Thank you.")
    assert body["additionalAttributes"] is None
    assert body["errors"] is None
    item = (await wm.get("/v3/items/SKU-1", params={"productIdType": "SKU"})).json()[
        "ItemResponse"
    ][0]
    assert (item["lifecycleStatus"], item["publishedStatus"]) == ("RETIRED", "UNPUBLISHED")
    assert (await wm.delete("/v3/items/UNKNOWN")).status_code == 404
