"""Walmart webhook subscriptions and deliveries to the receiver, for the scenarios."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.faults.world import World


async def seller_api(world: World) -> httpx.AsyncClient:
    headers = {
        "WM_SVC.NAME": "ml-connector faults",
        "WM_QOS.CORRELATION_ID": str(uuid.uuid4()),
        "Accept": "application/json",
    }
    async with httpx.AsyncClient(base_url=world.walmart.url, timeout=30) as bare:
        reply = await bare.post(
            "/v3/token",
            data={"grant_type": "client_credentials"},
            auth=(world.walmart.client_id, world.walmart.client_secret),
            headers=headers,
        )
        reply.raise_for_status()
    return httpx.AsyncClient(
        base_url=world.walmart.url,
        timeout=30,
        headers={**headers, "WM_SEC.ACCESS_TOKEN": reply.json()["access_token"]},
    )


async def subscribe(world: World, user: str, password: str) -> str:
    """A BASIC_AUTH PO_CREATED subscription to the receiver of ``world`` (walmart-api.md §9.1)."""
    hook = f"http://127.0.0.1:{world.webhook_port}/webhooks/walmart/default"
    async with await seller_api(world) as api:
        reply = await api.post(
            "/v3/webhooks/subscriptions",
            json={
                "events": [
                    {
                        "eventType": "PO_CREATED",
                        "eventVersion": "V1",
                        "resourceName": "ORDER",
                        "eventUrl": hook,
                        "status": "ACTIVE",
                        "authDetails": {
                            "authMethod": "BASIC_AUTH",
                            "userName": user,
                            "password": password,
                            "authHeaderName": "Authorization",
                        },
                        "headers": {"content-type": "application/json"},
                    }
                ]
            },
        )
        reply.raise_for_status()
    return hook


async def deliveries(world: World) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await world.admin_walmart(
        "GET", "/admin/webhooks/deliveries", params={"event_type": "PO_CREATED"}
    )
    return found


async def deliver_again(hook: str, delivery: dict[str, Any], user: str, password: str) -> str:
    """POST a delivered body once more, as Walmart's own retry would; the answer's status."""
    async with httpx.AsyncClient(timeout=30) as http:
        reply = await http.post(
            hook,
            content=delivery["body"],
            headers={"Content-Type": "application/json"},
            auth=(user, password),
        )
    reply.raise_for_status()
    return str(reply.json()["status"])


async def listening(hook: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as http:
            await http.get(hook.split("/webhooks")[0] + "/healthz")
        return True
    except httpx.TransportError:
        return False
