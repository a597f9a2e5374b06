"""Webhook subscription JSON (walmart-api.md §9.1) and token detail (§2).

The example bodies name the subscription array ``events`` while the schema says ``event``
(and ``eventTypes`` for the catalogue): every variant is accepted.
"""

from __future__ import annotations

from typing import Any

from mlc_shared.domain.walmart import WebhookSubscription
from pydantic import Field, model_validator
from walmart_gateway.wire.common import ListOf, Wire, instant


class AuthDetailsWire(Wire):
    authMethod: str | None = None


class SubscriptionWire(Wire):
    subscriptionId: str | None = None
    eventType: str
    eventVersion: str | None = None
    resourceName: str | None = None
    eventUrl: str | None = None
    status: str | None = None
    authDetails: AuthDetailsWire | None = None

    def to_domain(self) -> WebhookSubscription:
        return WebhookSubscription(
            subscription_id=self.subscriptionId or "",
            event_type=self.eventType,
            event_version=self.eventVersion,
            resource_name=self.resourceName,
            event_url=self.eventUrl,
            status=self.status,
            auth_method=self.authDetails.authMethod if self.authDetails else None,
        )


class Subscriptions(Wire):
    events: ListOf[SubscriptionWire] = []

    @model_validator(mode="before")
    @classmethod
    def _either_name(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and "events" not in raw and "event" in raw:
            return {**raw, "events": raw["event"]}
        if isinstance(raw, dict) and "event" not in raw and "eventType" in raw:
            return {"events": [raw]}  # PATCH answers with the bare subscription
        return raw


class EventTypeWire(Wire):
    resourceName: str | None = None
    eventType: str
    eventVersion: str | None = None
    description: str | None = None


class EventTypes(Wire):
    events: ListOf[EventTypeWire] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _either_name(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and "events" not in raw and "eventTypes" in raw:
            return {**raw, "events": raw["eventTypes"]}
        return raw


class Message(Wire):
    message: str | None = None
    subscriptionId: str | None = None


class TokenDetailWire(Wire):
    """``GET /v3/token/detail`` (§2): epoch-ms strings, scopes as a map."""

    expire_at: str | int | None = None
    issued_at: str | int | None = None
    is_valid: bool | None = None
    is_channel_match: bool | None = None
    scopes: dict[str, str] = Field(default_factory=dict)

    @property
    def expires(self) -> Any:
        return instant(self.expire_at)
