"""Feeds: submission (JSON or multipart), asynchronous processing, per-item results
(walmart-api.md §3.1, §3.2, §4, §5, §10.2)."""

from __future__ import annotations

import json
from typing import Any

from .client import Admin, WalmartClient
from .conftest import NODE_A, NODE_B

GOOD_GTIN = "00012345678905"
BAD_GTIN = "00012345678906"


def mp_item(sku: str, gtin: str, **orderable: Any) -> dict[str, Any]:
    fields = {
        "sku": sku,
        "productIdentifiers": {"productIdType": "GTIN", "productId": gtin},
        "productName": f"Product {sku}",
        "brand": "Mahalaxmi",
        "price": 12.99,
        "ShippingWeight": 1,
        **orderable,
    }
    return {
        "Orderable": fields,
        "Visible": {"Home Decor, Kitchen, & Other": {"shortDescription": "x"}},
    }


def item_feed(*entries: dict[str, Any]) -> dict[str, Any]:
    header = {
        "sellingChannel": "marketplace",
        "processMode": "REPLACE",
        "subset": "EXTERNAL",
        "locale": "en",
        "version": "4.8",
        "subCategory": "home_other",
    }
    return {"MPItemFeedHeader": header, "MPItem": list(entries)}


async def submit(wm: WalmartClient, feed_type: str, body: Any, **params: str) -> str:
    response = await wm.post("/v3/feeds", params={"feedType": feed_type, **params}, json=body)
    assert response.status_code == 200, response.text
    feed_id: str = response.json()["feedId"]
    return feed_id


async def test_item_feed_runs_received_inprogress_processed_with_partial_failure(
    wm: WalmartClient, admin: Admin
) -> None:
    await admin.patch("/config", {"time_scale": 1.0, "feed_stage_seconds": 60})
    feed_id = await submit(
        wm,
        "MP_ITEM",
        item_feed(
            mp_item("NEW-1", GOOD_GTIN),
            mp_item("NEW-2", BAD_GTIN),
            mp_item("NEW-3", "00012345678912", brand=""),
        ),
    )
    assert "@" in feed_id
    received = (await wm.get(f"/v3/feeds/{feed_id}")).json()
    assert received["feedStatus"] == "RECEIVED"
    await admin.post("/clock/advance", {"seconds": 60})
    progress = await wm.wait_feed(feed_id, done=("INPROGRESS",))
    assert progress["itemsProcessing"] == 3
    assert {s["ingestionStatus"] for s in progress["itemDetails"]["itemIngestionStatus"]} == {
        "INPROGRESS"
    }
    await admin.post("/clock/advance", {"seconds": 60})
    done = await wm.wait_feed(feed_id)
    assert done["feedStatus"] == "PROCESSED"
    assert (
        done["itemsReceived"],
        done["itemsSucceeded"],
        done["itemsFailed"],
        done["itemsProcessing"],
    ) == (3, 1, 2, 0)
    statuses = {s["sku"]: s for s in done["itemDetails"]["itemIngestionStatus"]}
    assert statuses["NEW-1"]["ingestionStatus"] == "SUCCESS"
    assert statuses["NEW-1"]["ingestionErrors"]["ingestionError"] is None
    assert statuses["NEW-1"]["wpid"]
    bad = statuses["NEW-2"]["ingestionErrors"]["ingestionError"]
    assert bad["code"] == "ERR_PDI_0047"  # one error: an object, not a list (§3.2)
    assert statuses["NEW-3"]["ingestionErrors"]["ingestionError"]["code"] == "ERR_PDI_0034"
    assert statuses["NEW-2"]["wpid"] is None
    listed = await wm.get("/v3/items", params={"sku": "NEW-1"})
    assert listed.json()["ItemResponse"][0]["gtin"] == GOOD_GTIN


async def test_ingestion_errors_as_lists_under_the_switch(wm: WalmartClient, admin: Admin) -> None:
    await admin.patch("/config", {"ingestion_error_shape": "list"})
    feed_id = await submit(wm, "MP_ITEM", item_feed(mp_item("X-1", BAD_GTIN)))
    done = await wm.wait_feed(feed_id)
    errors = done["itemDetails"]["itemIngestionStatus"][0]["ingestionErrors"]["ingestionError"]
    assert isinstance(errors, list)
    assert errors[0]["type"] == "DATA_ERROR"


async def test_multipart_file_part_is_accepted(wm: WalmartClient) -> None:
    payload = json.dumps(item_feed(mp_item("MULTI-1", GOOD_GTIN))).encode()
    response = await wm.post(
        "/v3/feeds",
        params={"feedType": "MP_ITEM"},
        files={"file": ("items.json", payload, "application/json")},
    )
    assert response.status_code == 200
    done = await wm.wait_feed(response.json()["feedId"])
    assert done["itemsSucceeded"] == 1
    listing = (await wm.get("/v3/feeds")).json()
    entry = listing["results"]["feed"][0]
    assert (entry["fileName"], entry["feedType"], entry["feedStatus"]) == (
        "items.json",
        "MP_ITEM",
        "PROCESSED",
    )


async def test_malformed_file_is_an_error_feed(wm: WalmartClient) -> None:
    response = await wm.post(
        "/v3/feeds",
        params={"feedType": "MP_ITEM"},
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    done = await wm.wait_feed(response.json()["feedId"])
    assert done["feedStatus"] == "ERROR"
    assert done["ingestionErrors"]["ingestionError"]["code"] == "ERR_PDI_0001"
    assert done["itemsReceived"] == 0


async def test_empty_feed_is_processed_with_no_eligible_item(wm: WalmartClient) -> None:
    done = await wm.wait_feed(await submit(wm, "MP_ITEM", item_feed()))
    assert done["feedStatus"] == "PROCESSED"
    assert "not a single eligible item" in done["ingestionErrors"]["ingestionError"]["description"]


async def test_sku_with_another_product_id_is_refused(
    wm: WalmartClient, catalog: dict[str, Any]
) -> None:
    done = await wm.wait_feed(await submit(wm, "MP_ITEM", item_feed(mp_item("SKU-1", GOOD_GTIN))))
    error = done["itemDetails"]["itemIngestionStatus"][0]["ingestionErrors"]["ingestionError"]
    assert error["code"] == "ERR_EXT_DATA_0101211"


async def test_retire_price_inventory_and_lagtime_feeds(
    wm: WalmartClient, catalog: dict[str, Any]
) -> None:
    price = await submit(wm, "price", {"PriceHeader": {"version": "1.7"}, "Price": [
        {"sku": "SKU-1", "pricing": [{"currentPriceType": "BASE", "currentPrice": {"currency": "USD", "amount": 11.5}}]},
        {"sku": "NOPE", "pricing": [{"currentPriceType": "BASE", "currentPrice": {"currency": "USD", "amount": 1}}]},
    ]})  # fmt: skip
    inventory = await submit(
        wm,
        "inventory",
        {
            "InventoryHeader": {"version": "1.4"},
            "Inventory": [{"sku": "SKU-2", "quantity": {"unit": "EACH", "amount": 7}}],
        },
        shipNode=NODE_B,
    )
    multi = await submit(
        wm,
        "MP_INVENTORY",
        {
            "inventoryHeader": {"version": "1.5"},
            "inventory": [
                {
                    "sku": "SKU-1",
                    "shipNodes": [
                        {"shipNode": NODE_A, "quantity": {"unit": "EACH", "amount": 44}},
                        {"shipNode": NODE_B, "quantity": {"unit": "EACH", "amount": 0}},
                    ],
                }
            ],
        },
    )
    lag = await submit(
        wm,
        "lagtime",
        {
            "LagTimeHeader": {"version": "1.0"},
            "lagTime": [{"sku": "SKU-1", "fulfillmentLagTime": "2"}],
        },
    )
    retire = await submit(
        wm,
        "RETIRE_ITEM",
        {
            "RetireItemHeader": {"feedDate": "2020-01-22T00:59:14.000Z", "version": "1.0"},
            "RetireItem": [{"sku": "SKU-2"}],
        },
    )
    results = {
        name: await wm.wait_feed(fid)
        for name, fid in [
            ("price", price),
            ("inv", inventory),
            ("multi", multi),
            ("lag", lag),
            ("retire", retire),
        ]
    }
    assert (results["price"]["itemsSucceeded"], results["price"]["itemsFailed"]) == (1, 1)
    item = (await wm.get("/v3/items/SKU-1", params={"productIdType": "SKU"})).json()[
        "ItemResponse"
    ][0]
    assert item["price"]["amount"] == 11.5
    nodes = {n["shipNode"]: n for n in (await wm.get("/v3/inventories/SKU-2")).json()["nodes"]}
    assert nodes[NODE_B]["inputQty"]["amount"] == 7
    nodes = {n["shipNode"]: n for n in (await wm.get("/v3/inventories/SKU-1")).json()["nodes"]}
    assert (nodes[NODE_A]["inputQty"]["amount"], nodes[NODE_B]["inputQty"]["amount"]) == (44, 0)
    assert (await wm.get("/v3/lagtime", params={"sku": "SKU-1"})).json() == {
        "sku": "SKU-1",
        "fulfillmentLagTime": 2,
    }
    retired = (await wm.get("/v3/items/SKU-2", params={"productIdType": "SKU"})).json()[
        "ItemResponse"
    ][0]
    assert retired["lifecycleStatus"] == "RETIRED"


async def test_feed_detail_pages_are_capped_at_50(
    wm: WalmartClient, catalog: dict[str, Any]
) -> None:
    entries = [{"sku": "SKU-1", "quantity": {"unit": "EACH", "amount": i}} for i in range(60)]
    feed_id = await submit(
        wm, "inventory", {"InventoryHeader": {"version": "1.4"}, "Inventory": entries}
    )
    await wm.wait_feed(feed_id)
    page = (
        await wm.get(f"/v3/feeds/{feed_id}", params={"includeDetails": "true", "limit": 1000})
    ).json()
    assert page["limit"] == 50
    assert len(page["itemDetails"]["itemIngestionStatus"]) == 50
    rest = (
        await wm.get(f"/v3/feeds/{feed_id}", params={"includeDetails": "true", "offset": 50})
    ).json()
    assert [s["index"] for s in rest["itemDetails"]["itemIngestionStatus"]] == list(range(50, 60))


async def test_feed_id_with_encoded_at_sign_and_unknown_feed(
    wm: WalmartClient, catalog: dict[str, Any]
) -> None:
    feed_id = await submit(
        wm, "inventory", {"InventoryHeader": {"version": "1.4"}, "Inventory": []}
    )
    encoded = await wm.get(f"/v3/feeds/{feed_id.replace('@', '%40')}")
    assert encoded.status_code == 200
    assert encoded.json()["feedId"] == feed_id
    assert (await wm.get("/v3/feeds/NOPE%40AAAAAAA")).status_code == 404


async def test_oversized_feed_answers_413_and_bad_feed_type_400(
    wm: WalmartClient, admin: Admin
) -> None:
    await admin.patch(
        "/config",
        {"feed_size_limits": {"item": 100, "inventory": 100, "price": 100, "lagtime": 100}},
    )
    big = await wm.post(
        "/v3/feeds",
        params={"feedType": "MP_ITEM"},
        json=item_feed(*[mp_item(f"S{i}", GOOD_GTIN) for i in range(5)]),
    )
    assert big.status_code == 413
    unknown = await wm.post("/v3/feeds", params={"feedType": "FITMENT_ACES"}, json={})
    assert unknown.status_code == 400
    assert (
        unknown.json()["errors"]["error"][0]["code"] == "INVALID_REQUEST_PARAM.GMP_ITEM_QUERY_API"
    )
