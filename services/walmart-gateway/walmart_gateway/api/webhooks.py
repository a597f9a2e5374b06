"""Webhook subscriptions (walmart-api.md §9.1): list, create, update, delete, test.

Delivery authentication (§9.4) is chosen per subscription; its secrets go to Walmart in the
request and are never kept in the returned records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from mlc_shared.domain.walmart import WebhookSubscription
from walmart_gateway.apis import Api
from walmart_gateway.client import WalmartClient
from walmart_gateway.transport import WalmartRequest, json_body
from walmart_gateway.wire.webhooks import EventTypes, EventTypeWire, Message, Subscriptions


@dataclass(frozen=True)
class DeliveryAuth:
    """``authDetails`` (§9.4). HMAC needs no fields here: Walmart signs with the client
    secret. OAUTH: Walmart fetches a token from ``auth_url`` with ``client_id``/``secret``."""

    method: Literal["BASIC_AUTH", "HMAC", "OAUTH"]
    header_name: str = "Authorization"
    user_name: str | None = None
    password: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    auth_url: str | None = None

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"authMethod": self.method, "authHeaderName": self.header_name}
        for key, value in (
            ("userName", self.user_name),
            ("password", self.password),
            ("clientId", self.client_id),
            ("clientSecret", self.client_secret),
            ("authUrl", self.auth_url),
        ):
            if value is not None:
                doc[key] = value
        return doc


@dataclass(frozen=True)
class SubscriptionRequest:
    event_type: str
    resource_name: str
    event_url: str
    event_version: str = "V1"
    auth: DeliveryAuth | None = None
    headers: tuple[tuple[str, str], ...] = ()
    status: str = "ACTIVE"

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "eventType": self.event_type,
            "eventVersion": self.event_version,
            "resourceName": self.resource_name,
            "eventUrl": self.event_url,
            "status": self.status,
        }
        if self.auth is not None:
            doc["authDetails"] = self.auth.document()
        if self.headers:
            doc["headers"] = dict(self.headers)
        return doc


class WebhooksApi:
    def __init__(self, client: WalmartClient) -> None:
        self._client = client

    async def event_types(self) -> list[EventTypeWire]:
        answer = await self._client.fetch(
            WalmartRequest("GET", "/v3/webhooks/eventTypes", Api.WEBHOOKS), EventTypes
        )
        return list(answer.events)

    async def subscriptions(self, *, event_type: str | None = None) -> list[WebhookSubscription]:
        params = (("eventType", event_type),) if event_type else ()
        answer = await self._client.fetch(
            WalmartRequest("GET", "/v3/webhooks/subscriptions", Api.WEBHOOKS, params=params),
            Subscriptions,
        )
        return [s.to_domain() for s in answer.events]

    async def subscribe(self, *requests: SubscriptionRequest) -> list[WebhookSubscription]:
        """Several events in one request are allowed (§9.1). Creating is not idempotent; a
        caller re-running it should read :meth:`subscriptions` first (the CLI does)."""
        answer = await self._client.fetch(
            WalmartRequest(
                "POST",
                "/v3/webhooks/subscriptions",
                Api.WEBHOOKS,
                idempotent=False,
                body=json_body({"events": [r.document() for r in requests]}),
            ),
            Subscriptions,
        )
        return [s.to_domain() for s in answer.events]

    async def update(self, subscription_id: str, **changes: Any) -> WebhookSubscription | None:
        """PATCH with Walmart's field names (``eventUrl``, ``status``, ``authDetails``...)."""
        answer = await self._client.fetch(
            WalmartRequest(
                "PATCH",
                f"/v3/webhooks/subscriptions/{quote(subscription_id, safe='')}",
                Api.WEBHOOKS,
                body=json_body(changes),
            ),
            Subscriptions,
        )
        return answer.events[0].to_domain() if answer.events else None

    async def delete(self, subscription_id: str) -> str | None:
        answer = await self._client.fetch(
            WalmartRequest(
                "DELETE",
                f"/v3/webhooks/subscriptions/{quote(subscription_id, safe='')}",
                Api.WEBHOOKS,
            ),
            Message,
        )
        return answer.message

    async def test(self, request: SubscriptionRequest) -> str | None:
        """Walmart POSTs a sample event to ``event_url`` and reports whether it got a 200."""
        doc = request.document()
        doc.pop("status", None)
        answer = await self._client.fetch(
            WalmartRequest("POST", "/v3/webhooks/test", Api.WEBHOOKS, body=json_body(doc)), Message
        )
        return answer.message
