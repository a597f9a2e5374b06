"""Helpers for the webhook-receiver integration tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import sqlalchemy as sa
from mlc_shared.messages.envelope import Envelope
from mlc_shared.store import SqlStore
from pydantic import SecretStr
from webhook_receiver.events import message_id
from webhook_receiver.service import WebhookReceiverService
from webhook_receiver.tenants import (
    BasicAuth,
    HmacAuth,
    OAuthAuth,
    PerformanceSignature,
    StaticTenantConfigs,
    TenantWebhookConfig,
)

WAIT = 30.0  # upper bound for anything asynchronous to show up; never a speed assertion

TENANTS = StaticTenantConfigs(
    {
        "basic": TenantWebhookConfig(
            auth=BasicAuth(username="walmart", password=SecretStr("b-pass"))
        ),
        "hmac-hex": TenantWebhookConfig(auth=HmacAuth(secret=SecretStr("h-key"), encoding="hex")),
        "hmac-b64": TenantWebhookConfig(
            auth=HmacAuth(
                header="X-Walmart-Signature", secret=SecretStr("h-key"), encoding="base64"
            )
        ),
        "hmac-any": TenantWebhookConfig(auth=HmacAuth(secret=SecretStr("h-key"), encoding="any")),
        "oauth": TenantWebhookConfig(
            auth=OAuthAuth(client_id="wm-client", client_secret=SecretStr("o-secret"))
        ),
        "perf": TenantWebhookConfig(
            auth=BasicAuth(username="walmart", password=SecretStr("b-pass")),
            performance_signature=PerformanceSignature(secret=SecretStr("p-secret")),
        ),
    }
)
BASIC = "Basic " + base64.b64encode(b"walmart:b-pass").decode()


def new_id() -> str:
    return f"evt-{uuid.uuid4()}"


def event(
    event_type: str = "PO_CREATED", payload: Any = None, event_id: str | None = None
) -> bytes:
    if payload is None:
        payload = {"purchaseOrderId": "PO-1", "orderLines": [{"lineNumber": "1", "sku": "S"}]}
    return json.dumps(
        {
            "source": {
                "eventType": event_type,
                "eventTime": "2026-01-01T00:00:00Z",
                "eventId": event_id or new_id(),
            },
            "payload": payload,
        }
    ).encode()


def event_id_of(body: bytes) -> str:
    return str(json.loads(body)["source"]["eventId"])


async def until(condition: Callable[[], Awaitable[bool]]) -> None:
    """Poll a remote condition (a reconnecting client has nothing to await on)."""
    async with asyncio.timeout(WAIT):
        while not await condition():  # noqa: ASYNC110
            await asyncio.sleep(0.2)


class Collector:
    """Everything published to ``orchestrator.events`` in this test's namespace."""

    def __init__(self) -> None:
        self.messages: list[Envelope] = []
        self._arrived = asyncio.Condition()

    async def handle(self, message: Envelope) -> None:
        async with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()

    async def wait_for(self, msg_id: str) -> Envelope:
        async with asyncio.timeout(WAIT), self._arrived:
            await self._arrived.wait_for(lambda: any(m.message_id == msg_id for m in self.messages))
        return next(m for m in self.messages if m.message_id == msg_id)

    def count(self, msg_id: str) -> int:
        return sum(1 for m in self.messages if m.message_id == msg_id)


Receivers = Callable[..., Awaitable[WebhookReceiverService]]


async def stored(store: SqlStore, event_id: str) -> dict[str, Any] | None:
    table = sa.table(
        "webhook_events",
        sa.column("event_id"),
        sa.column("published_at"),
        sa.column("known_type"),
        sa.column("tenant"),
    )
    async with store.engine.connect() as conn:
        row = (await conn.execute(sa.select(table).where(table.c.event_id == event_id))).first()
    return None if row is None else dict(row._mapping)


async def marked(store: SqlStore, event_id: str) -> None:
    """Wait until the row says published (marks are committed in batches, after the 200)."""

    async def published() -> bool:
        row = await stored(store, event_id)
        return row is not None and row["published_at"] is not None

    await until(published)


async def sentinel(client: httpx.AsyncClient, collector: Collector) -> None:
    """Publish one more event through ``basic`` and wait for it: all before it has arrived."""
    body = event()
    assert (
        await client.post("/webhooks/walmart/basic", content=body, headers={"Authorization": BASIC})
    ).status_code == 200
    await collector.wait_for(message_id("basic", event_id_of(body)))
