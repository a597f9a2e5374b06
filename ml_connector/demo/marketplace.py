"""What happens on Walmart's side during the demo day, outside the connector: the seller's
warehouse ships orders (through Walmart's own API, as shipping software does), customers send
items back and the return centre receives some (simulator admin API), and Walmart closes a
settlement period (simulator admin API).
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from walmart_sim import WalmartSimulator

from ml_connector.demo import dataset


def _headers(token: str | None = None) -> dict[str, str]:
    # walmart-api.md §1: every call names a correlation id and the service; §2: the token
    # travels in WM_SEC.ACCESS_TOKEN, not Authorization.
    headers = {
        "WM_QOS.CORRELATION_ID": str(uuid.uuid4()),
        "WM_SVC.NAME": "Walmart Marketplace",
        "Accept": "application/json",
    }
    if token:
        headers["WM_SEC.ACCESS_TOKEN"] = token
    return headers


async def _token(http: httpx.AsyncClient, walmart: WalmartSimulator) -> str:
    """OAuth client credentials (walmart-api.md §2)."""
    basic = base64.b64encode(f"{walmart.client_id}:{walmart.client_secret}".encode()).decode()
    answer = await http.post(
        f"{walmart.url}/v3/token",
        headers={**_headers(), "Authorization": f"Basic {basic}"},
        data={"grant_type": "client_credentials"},
    )
    return str(answer.raise_for_status().json()["access_token"])


def _shipment(order: dataset.DemoOrder, shipped_at: datetime) -> dict[str, Any]:
    """``POST /v3/orders/{po}/shipping`` body (walmart-api.md §6.3), every open unit."""
    lines = [
        {
            "lineNumber": str(number),
            "orderLineStatuses": {
                "orderLineStatus": [
                    {
                        "status": "Shipped",
                        "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(qty)},
                        "trackingInfo": {
                            "shipDateTime": int(shipped_at.timestamp() * 1000),
                            "carrierName": {"carrier": "UPS"},
                            "methodCode": "Standard",
                            "trackingNumber": f"1Z{order.purchase_order_id}{number}",
                        },
                    }
                ]
            },
        }
        for number, qty in order.open_line_numbers()
    ]
    return {"orderShipment": {"orderLines": {"orderLine": lines}}}


async def ship(
    http: httpx.AsyncClient, walmart: WalmartSimulator, orders: list[dataset.DemoOrder]
) -> None:
    token = await _token(http, walmart)
    now = datetime.now(UTC)
    for order in orders:
        answer = await http.post(
            f"{walmart.url}/v3/orders/{order.purchase_order_id}/shipping",
            headers=_headers(token),
            json=_shipment(order, now),
        )
        answer.raise_for_status()


async def take_returns(
    http: httpx.AsyncClient, walmart: WalmartSimulator, shipped: list[dataset.DemoOrder]
) -> tuple[list[str], list[str]]:
    """Return ids (received, in transit): customers return the first shipped orders."""
    received: list[str] = []
    in_transit: list[str] = []
    for index, order in enumerate(shipped[: dataset.RETURNS]):
        made = await http.post(f"{walmart.url}/admin/returns", json=dataset.return_body(order))
        rid = str(made.raise_for_status().json()["returnOrderId"])
        if index < dataset.RECEIVED:
            (await http.post(f"{walmart.url}/admin/returns/{rid}/deliver")).raise_for_status()
            received.append(rid)
        else:
            in_transit.append(rid)
    return received, in_transit


async def close_settlement(http: httpx.AsyncClient, walmart: WalmartSimulator) -> str:
    """Close the period holding today's shipments and refunds: Walmart posts a movement
    ``posting_lag_days`` (2) after it happens (walmart-simulator.md settlement rules)."""
    lag = walmart.config.posting_lag_days
    day = (datetime.now(UTC) + timedelta(days=lag)).date()
    closed = await http.post(
        f"{walmart.url}/admin/settlements/close", json={"report_date": day.isoformat()}
    )
    return str(closed.raise_for_status().json()["report_date"])
