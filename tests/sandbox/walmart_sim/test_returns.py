"""Returns and return refunds (walmart-api.md §7)."""

from __future__ import annotations

from typing import Any

from .client import Admin, WalmartClient
from .conftest import line, new_order


async def shipped_return(admin: Admin, qty: int = 2, **order_extra: Any) -> dict[str, Any]:
    order = await new_order(admin, line("SKU-1", qty, status="Delivered"), **order_extra)
    ret: dict[str, Any] = await admin.post(
        "/returns",
        {
            "purchase_order_id": order["purchaseOrderId"],
            "lines": [{"line_number": "1", "quantity": qty, "reason": "DAMAGED"}],
        },
    )
    return ret


async def test_return_shape_and_iso_dates(wm: WalmartClient, admin: Admin, catalog: object) -> None:
    created = await shipped_return(admin)
    body = (await wm.get("/v3/returns")).json()
    assert body["meta"] == {"totalCount": 1, "limit": 10, "nextCursor": None}
    ret = body["returnOrders"][0]
    assert ret["returnOrderId"] == created["returnOrderId"]
    assert len(ret["returnOrderId"]) == 18
    assert ret["returnOrderDate"].endswith("Z")
    assert "T" in ret["returnOrderDate"]
    assert ret["totalRefundAmount"] == {"currencyAmount": 21.6, "currencyUnit": "USD"}
    rl = ret["returnOrderLines"][0]
    assert (rl["status"], rl["returnReason"], rl["refundChannel"]) == (
        "INITIATED",
        "DAMAGED",
        "SELLER_MANUAL_REFUND",
    )
    assert rl["returnTrackingDetail"][0]["eventTag"] == "RETURN_INITIATED"
    assert {t["name"] for t in rl["chargeTotals"]} >= {"lineUnitPrice", "lineTotal"}


async def test_returns_cursor_and_filters(wm: WalmartClient, admin: Admin, catalog: object) -> None:
    made = [await shipped_return(admin, 1) for _ in range(3)]
    first = (await wm.get("/v3/returns", params={"limit": 2})).json()
    cursor = first["meta"]["nextCursor"]
    assert cursor.startswith("?sellerId=")
    assert "offset=2" in cursor
    second = (await wm.get("/v3/returns" + cursor)).json()
    ids = [r["returnOrderId"] for r in first["returnOrders"] + second["returnOrders"]]
    assert sorted(ids) == sorted(r["returnOrderId"] for r in made)
    assert second["meta"]["nextCursor"] is None
    one = (await wm.get("/v3/returns", params={"returnOrderId": made[0]["returnOrderId"]})).json()
    assert [r["returnOrderId"] for r in one["returnOrders"]] == [made[0]["returnOrderId"]]
    assert (await wm.get("/v3/returns", params={"status": "COMPLETED"})).status_code == 404
    assert (await wm.get("/v3/returns", params={"limit": 201})).status_code == 400
    assert (
        await wm.get("/v3/returns", params={"returnCreationStartDate": "2999-01-01"})
    ).status_code == 404


async def test_empty_returns_can_be_an_empty_page(wm: WalmartClient, admin: Admin) -> None:
    assert (await wm.get("/v3/returns")).status_code == 404
    await admin.patch("/config", {"returns_empty_404": False})
    empty = await wm.get("/v3/returns")
    assert empty.status_code == 200
    assert empty.json()["returnOrders"] == []


async def test_issue_refund_echoes_and_completes(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    ret = await shipped_return(admin, 2)
    rid, coid = ret["returnOrderId"], ret["customerOrderId"]
    one = {
        "customerOrderId": coid,
        "refundLines": [
            {"returnOrderLineNumber": 1, "quantity": {"unitOfMeasure": "EA", "measurementValue": 1}}
        ],
    }
    response = await wm.post(f"/v3/returns/{rid}/refund", json=one)
    assert response.status_code == 200
    assert response.json() == {"returnOrderId": rid, **one}
    again = await wm.post(f"/v3/returns/{rid}/refund", json=one)
    assert again.status_code == 200
    line_after = (await wm.get("/v3/returns", params={"returnOrderId": rid})).json()[
        "returnOrders"
    ][0]["returnOrderLines"][0]
    assert (line_after["status"], line_after["refundedQty"]) == ("COMPLETED", 2)
    assert line_after["returnTrackingDetail"][-1]["eventTag"] == "REFUND_ISSUED"
    assert (await wm.post(f"/v3/returns/{rid}/refund", json=one)).status_code == 400  # nothing left
    wrong_customer = {**one, "customerOrderId": "1"}
    assert (await wm.post(f"/v3/returns/{rid}/refund", json=wrong_customer)).status_code == 400
    assert (await wm.post("/v3/returns/999/refund", json=one)).status_code == 404


async def test_wfs_returns_refuse_refunds(wm: WalmartClient, admin: Admin, catalog: object) -> None:
    ret = await shipped_return(admin, 1, ship_node_type="WFSFulfilled")
    body = {
        "customerOrderId": ret["customerOrderId"],
        "refundLines": [{"returnOrderLineNumber": 1}],
    }
    refused = await wm.post(f"/v3/returns/{ret['returnOrderId']}/refund", json=body)
    assert refused.status_code == 400
    assert "WFS" in refused.json()["errors"]["error"][0]["description"]


async def test_delivered_return(wm: WalmartClient, admin: Admin, catalog: object) -> None:
    ret = await shipped_return(admin, 1)
    await admin.post(f"/returns/{ret['returnOrderId']}/deliver")
    rl = (await wm.get("/v3/returns", params={"status": "DELIVERED"})).json()["returnOrders"][0][
        "returnOrderLines"
    ][0]
    assert rl["returnTrackingDetail"][-1]["eventTag"] == "DELIVERED_AT_RETURN_CENTER"
    too_many = {
        "purchase_order_id": ret["returnOrderLines"][0]["purchaseOrderId"],
        "lines": [{"line_number": "1", "quantity": 1}],
    }
    await admin.post("/returns", too_many, expect=400)
