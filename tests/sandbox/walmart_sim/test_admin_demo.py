"""The admin API, the demo data set and the command-line entry point."""

from __future__ import annotations

import inspect
from decimal import Decimal
from typing import Any

import httpx
from walmart_sim import WalmartSimulator
from walmart_sim.ids import gtin_is_valid

from ml_connector.cli.sandbox_walmart import walmart

from .client import Admin, WalmartClient, http_client
from .conftest import CLIENT_ID, CLIENT_SECRET, SimFactory


async def test_request_log_shows_what_was_sent_with_secrets_masked(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    token = await wm.token()
    await wm.post(
        "/v3/webhooks/subscriptions",
        json={
            "events": [
                {
                    "eventType": "PO_CREATED",
                    "eventVersion": "V1",
                    "resourceName": "ORDER",
                    "eventUrl": "http://127.0.0.1:9/x",
                    "status": "INACTIVE",
                    "authDetails": {
                        "authMethod": "BASIC_AUTH",
                        "userName": "u",
                        "password": "very-secret",
                    },
                }
            ]
        },
    )
    log = await admin.get("/requests?path_prefix=/v3/")
    token_call, subscribe_call = log[0], log[1]
    assert token_call["path"] == "/v3/token"
    assert token_call["status"] == 200
    assert token_call["headers"]["authorization"] == "Basic ***(masked)"
    assert subscribe_call["headers"]["wm_sec.access_token"].endswith("…(masked)")
    assert token not in str(log)
    assert "very-secret" not in subscribe_call["body"]
    assert '"password":"***"' in subscribe_call["body"].replace(" ", "")
    assert subscribe_call["headers"]["wm_svc.name"] == "ml-connector tests"
    await admin.call("DELETE", "/requests")
    assert await admin.get("/requests") == []


async def test_config_patch_is_validated(admin: Admin) -> None:
    await admin.call("PATCH", "/config", {"no_such_knob": 1}, expect=400)
    await admin.call("PATCH", "/config", {"error_rate": 2}, expect=400)
    assert (await admin.patch("/config", {"latency_ms": 5}))["latency_ms"] == 5


async def test_state_summary_reset_and_clock(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    state = await admin.get("/state")
    assert (state["items"], state["ship_nodes"]) == (3, ["1000000001", "1000000002"])
    before = (await admin.get("/clock"))["now_ms"]
    moved = await admin.post("/clock/advance", {"seconds": 3600})
    assert moved["now_ms"] - before >= 3_600_000
    await admin.post("/reset")
    assert (await admin.get("/state"))["items"] == 0
    await admin.post("/reset", {"data": "demo"})
    assert (await admin.get("/state"))["items"] == 10
    await admin.post("/orders", {"lines": [{"sku": "NOPE"}]}, expect=400)
    await admin.post("/settlements/close", {"report_date": "not a date"}, expect=400)


async def rehearse(sim: WalmartSimulator) -> dict[str, Any]:
    """What a connector does first against an account; every answer is schema-checked."""
    async with http_client(sim.url) as http:
        wm = WalmartClient(http, sim.client_id, sim.client_secret)
        items = (await wm.get("/v3/items", params={"nextCursor": "*", "limit": 50})).json()
        nodes = (await wm.get("/v3/settings/shipping/shipnodes")).json()
        inventories = (await wm.get("/v3/inventories", params={"limit": 50})).json()
        orders = (await wm.get("/v3/orders", params={"limit": 3})).json()["list"]
        cursor_page = (await wm.get("/v3/orders" + orders["meta"]["nextCursor"])).json()["list"]
        wfs = (await wm.get("/v3/orders", params={"shipNodeType": "WFSFulfilled"})).json()["list"]
        old = (await wm.get("/v3/orders", params={"createdStartDate": "2000-01-01"})).json()["list"]
        released = (await wm.get("/v3/orders/released")).json()["list"]
        returns = (await wm.get("/v3/returns")).json()
        dates = (
            await wm.get(
                "/v3/report/reconreport/availableReconFiles", params={"reportVersion": "v1"}
            )
        ).json()["availableApReportDates"]
        report = await wm.get(
            "/v3/report/reconreport/reconFile",
            params={"reportDate": dates[0], "reportVersion": "v1"},
            headers={"Accept": "application/octet-stream"},
        )
        page = (
            await wm.get(
                "/v3/report/reconreport/reconFileJson",
                params={"reportDate": dates[0], "offset": 0, "noOfRecords": 1000},
            )
        ).json()
        statement = (await wm.get("/v3/report/payment/statement")).json()
    return {
        "items": items, "nodes": nodes, "inventories": inventories, "orders": orders,
        "cursor_page": cursor_page, "wfs": wfs, "old": old, "released": released,
        "returns": returns, "dates": dates, "report": report, "page": page, "statement": statement,
    }  # fmt: skip


async def test_demo_data_is_a_complete_rehearsal_account(make_sim: SimFactory) -> None:
    seen = await rehearse(await make_sim(data="demo"))
    items = seen["items"]["ItemResponse"]
    assert len(items) == 10
    assert all(gtin_is_valid(i["gtin"]) and i["gtin"].startswith("0890") for i in items)
    assert {i["publishedStatus"] for i in items} == {"PUBLISHED", "UNPUBLISHED"}
    assert len(seen["nodes"]) == 2
    assert len(seen["inventories"]["elements"]["inventories"]) == 10
    recent = seen["orders"]["elements"]["order"] + seen["cursor_page"]["elements"]["order"]
    assert seen["orders"]["meta"]["totalCount"] == 6 == len(recent)
    assert {o["shipNode"]["id"] for o in recent} == {"10000000101", "10000000102"}
    assert any(len(o["orderLines"]["orderLine"]) > 1 for o in recent)
    all_statuses = {
        s["status"]
        for o in recent
        for ln in o["orderLines"]["orderLine"]
        for s in ln["orderLineStatuses"]["orderLineStatus"]
    }
    assert all_statuses == {"Created", "Acknowledged", "Shipped", "Cancelled"}
    assert seen["wfs"]["meta"]["totalCount"] == 1
    assert seen["old"]["meta"]["totalCount"] == 8
    assert len(seen["released"]["elements"]["order"]) == 2
    assert len(seen["returns"]["returnOrders"]) == 2
    assert len(seen["dates"]) == 1
    assert seen["report"].content[:2] == b"PK"
    rows = seen["page"]["reportData"]
    assert seen["page"]["nextOffset"] == -1
    assert sum(Decimal(r["Amount"]) for r in rows if "Amount" in r) == Decimal(
        rows[0]["Total Payable"]
    )


async def test_demo_data_follows_the_seed(make_sim: SimFactory) -> None:
    first = await make_sim(data="demo", seed=3)
    second = await make_sim(data="demo", seed=3)
    other = await make_sim(data="demo", seed=4)
    assert sorted(first.state.orders) == sorted(second.state.orders)
    assert sorted(first.state.orders) != sorted(other.state.orders)
    assert [i.gtin for i in first.state.items.values()] == [
        i.gtin for i in other.state.items.values()
    ]


async def test_default_credentials_and_the_cli_command(make_sim: SimFactory) -> None:
    sim = await make_sim(client_id="mlc-sandbox-client", client_secret="mlc-sandbox-secret")
    async with http_client(sim.url) as http:
        assert (
            await WalmartClient(http, "mlc-sandbox-client", "mlc-sandbox-secret").fetch_token()
        ).status_code == 200
        assert (
            await WalmartClient(http, CLIENT_ID, CLIENT_SECRET).fetch_token()
        ).status_code == 400
    parameters = inspect.signature(walmart).parameters
    assert list(parameters) == ["port", "host", "data", "client_id", "client_secret", "time_scale"]
    assert parameters["port"].default.default == 8081


async def test_admin_errors_are_plain_json(http: httpx.AsyncClient) -> None:
    missing = await http.post("/admin/orders/123/deliver")
    assert missing.status_code == 404
    assert "detail" in missing.json()
