"""Event subscriptions (walmart-api.md §9.1).

Walmart's examples and its schema disagree on the array key (``events`` vs ``event`` /
``eventTypes``); requests are accepted with either and answers follow the examples.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from ..bodies import as_list, json_body
from ..context import SimContext
from ..errors import WalmartError, bad_content, not_found
from ..guard import guard
from ..models import Subscription
from ..webhook_dispatch import deliver_once
from ..webhook_events import EVENT_TYPES, EVENTS_BY_TYPE, sample_payload
from ..wire import iso_ms, json_response

router = APIRouter()

# Subscribing needs view_only or full_access on the resource (D-subscribe-to-an-event-notification).
RESOURCE_SCOPE = {
    "ORDER": "orders", "ITEM": "item", "PRICE": "price", "INVENTORY": "inventory",
    "RETURNS": "returns", "REPORTS": "reports", "FEEDS": "feeds",
}  # fmt: skip
AUTH_FIELDS = {
    "BASIC_AUTH": ("userName", "password"),
    "HMAC": ("clientSecret",),
    "OAUTH": ("authUrl", "clientId", "clientSecret"),
}


def _bad(description: str, field: str | None = None) -> WalmartError:
    return bad_content("webhooks", description, field)


def _auth(raw: Any) -> dict[str, str] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _bad("authDetails must be an object", "authDetails")
    method = raw.get("authMethod")
    if method not in AUTH_FIELDS:
        raise _bad(f"Invalid authMethod {method}", "authMethod")
    for name in AUTH_FIELDS[method]:
        if not raw.get(name):
            raise _bad(f"authDetails.{name} is required for {method}", name)
    return {k: str(v) for k, v in raw.items() if v is not None}


def _url(raw: Any) -> str:
    parts = urlsplit(str(raw or ""))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _bad(f"Invalid eventUrl {raw}", "eventUrl")
    return str(raw)


def _headers(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _bad("headers must be an object", "headers")
    return {str(k): str(v) for k, v in raw.items()}


def _check_event(ctx: SimContext, raw: dict[str, Any]) -> tuple[str, str, str]:
    event_type = raw.get("eventType")
    known = EVENTS_BY_TYPE.get(str(event_type))
    if known is None:
        raise _bad(f"Invalid eventType {event_type}", "eventType")
    resource = raw.get("resourceName", known.resource_name)
    if resource != known.resource_name:
        raise _bad(
            f"eventType {event_type} belongs to resourceName {known.resource_name}", "resourceName"
        )
    version = raw.get("eventVersion", "V1")
    if version != known.event_version:
        raise _bad(f"Invalid eventVersion {version}", "eventVersion")
    if ctx.config.scopes.get(RESOURCE_SCOPE[resource], "full_access") == "no_access":
        raise _bad(f"No delegated access to {resource}", "resourceName")
    return known.event_type, known.resource_name, known.event_version


def subscription_json(sub: Subscription, partner_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "eventType": sub.event_type,
        "subscriptionId": sub.subscription_id,
        "partnerId": partner_id,
        "eventVersion": sub.event_version,
        "resourceName": sub.resource_name,
        "eventUrl": sub.event_url,
        "headers": dict(sub.headers),
        "status": sub.status,
    }
    if sub.auth is not None:
        body["authDetails"] = dict(sub.auth)
    return body


@router.get("/v3/webhooks/eventTypes")
async def event_types(ctx: Annotated[SimContext, Depends(guard(None, None))]) -> Response:
    return json_response(
        {
            "events": [
                {
                    "resourceName": e.resource_name,
                    "eventType": e.event_type,
                    "eventVersion": e.event_version,
                    "description": e.description,
                }
                for e in EVENT_TYPES
            ]
        }
    )


def _status(raw: Any) -> str:
    status = raw if raw is not None else "ACTIVE"
    if status not in ("ACTIVE", "INACTIVE"):
        raise _bad(f"Invalid status {status}", "status")
    return str(status)


@router.post("/v3/webhooks/subscriptions")
async def create(
    request: Request, ctx: Annotated[SimContext, Depends(guard(None, None, write=True))]
) -> Response:
    body = await json_body(request, "webhooks")
    raw_events = as_list(body.get("events", body.get("event")) if isinstance(body, dict) else None)
    if not raw_events:
        raise _bad("events is required", "events")
    created = []
    for raw in raw_events:
        if not isinstance(raw, dict):
            raise _bad("each event must be an object", "events")
        event_type, resource, version = _check_event(ctx, raw)
        created.append(
            Subscription(
                subscription_id=ctx.ids.uuid(), event_type=event_type, event_version=version,
                resource_name=resource, event_url=_url(raw.get("eventUrl")),
                status=_status(raw.get("status")), auth=_auth(raw.get("authDetails")),
                headers=_headers(raw.get("headers")),
            )
        )  # fmt: skip
    for sub in created:
        ctx.state.subscriptions[sub.subscription_id] = sub
    return json_response(
        {
            "events": [
                {
                    "eventType": s.event_type,
                    "subscriptionId": s.subscription_id,
                    "partnerId": ctx.config.partner_id,
                    "eventVersion": s.event_version,
                    "resourceName": s.resource_name,
                    "status": s.status,
                }
                for s in created
            ]
        }
    )


@router.get("/v3/webhooks/subscriptions")
async def list_subscriptions(
    request: Request, ctx: Annotated[SimContext, Depends(guard(None, None))]
) -> Response:
    q = request.query_params
    subs = [
        s
        for s in ctx.state.subscriptions.values()
        if (not q.get("subscriptionId") or s.subscription_id == q["subscriptionId"])
        and (not q.get("eventType") or s.event_type == q["eventType"])
        and (not q.get("resourceName") or s.resource_name == q["resourceName"])
        and (not q.get("status") or s.status == q["status"])
    ]
    return json_response({"events": [subscription_json(s, ctx.config.partner_id) for s in subs]})


def _find(ctx: SimContext, subscription_id: str) -> Subscription:
    sub = ctx.state.subscriptions.get(subscription_id)
    if sub is None:
        raise not_found("webhooks", f"Subscription {subscription_id} not found")
    return sub


@router.patch("/v3/webhooks/subscriptions/{subscription_id}")
async def update(
    subscription_id: str,
    request: Request,
    ctx: Annotated[SimContext, Depends(guard(None, None, write=True))],
) -> Response:
    sub = _find(ctx, subscription_id)
    body = await json_body(request, "webhooks")
    if not isinstance(body, dict):
        raise _bad("Request body must be an object")
    url = _url(body["eventUrl"]) if "eventUrl" in body else sub.event_url
    status = _status(body["status"]) if "status" in body else sub.status
    auth = _auth(body["authDetails"]) if "authDetails" in body else sub.auth
    headers = _headers(body["headers"]) if "headers" in body else sub.headers
    version = body.get("eventVersion", sub.event_version)
    if version != "V1":
        raise _bad(f"Invalid eventVersion {version}", "eventVersion")
    sub.event_url, sub.status, sub.auth, sub.headers, sub.event_version = (
        url,
        status,
        auth,
        headers,
        version,
    )
    return json_response(subscription_json(sub, ctx.config.partner_id))


@router.delete("/v3/webhooks/subscriptions/{subscription_id}")
async def delete(
    subscription_id: str, ctx: Annotated[SimContext, Depends(guard(None, None, write=True))]
) -> Response:
    sub = _find(ctx, subscription_id)
    del ctx.state.subscriptions[sub.subscription_id]
    return json_response(
        {"subscriptionId": sub.subscription_id, "message": "Successfully deleted subscription"}
    )


@router.post("/v3/webhooks/test")
async def test(
    request: Request, ctx: Annotated[SimContext, Depends(guard(None, None, write=True))]
) -> Response:
    body = await json_body(request, "webhooks")
    if not isinstance(body, dict):
        raise _bad("Request body must be an object")
    event_type, resource, version = _check_event(ctx, body)
    probe = Subscription(
        subscription_id="test", event_type=event_type, event_version=version,
        resource_name=resource, event_url=_url(body.get("eventUrl")), status="ACTIVE",
        auth=_auth(body.get("authDetails")), headers=_headers(body.get("headers")),
    )  # fmt: skip
    envelope = {
        "source": {
            "eventType": event_type,
            "eventTime": iso_ms(ctx.clock.now_ms()),
            "eventId": ctx.ids.uuid(),
        },
        "payload": sample_payload(ctx, event_type),
    }
    if not await deliver_once(ctx, probe, envelope, attempt=1):
        last = ctx.state.deliveries[-1]
        reason = last.error or f"eventUrl answered {last.status_code}"
        raise _bad(f"Eventurl validation failed: {reason}", "eventUrl")
    return json_response({"message": "Eventurl successfully validated"})
