"""Delivering events to subscribers: authentication, retries, duplicates, the delivery log.

walmart-api.md §9.4 (authentication per ``authDetails``; performance events additionally
signed with WM_SEC.TIMESTAMP / WM_SEC.SIGNATURE) and §9.5 (retries on non-2xx at
configurable delays, default t0, +5, +15, +45 minutes; occasional duplicates with the same
``eventId``). Delays are simulated time, scaled by ``time_scale``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from .context import SimContext
from .models import DeliveryAttempt, Subscription

PERFORMANCE_EVENT = "SELLER_PERFORMANCE_NOTIFICATIONS"
"""Performance events are additionally signed (walmart-api.md §9.4)."""


def dispatch(ctx: SimContext, envelope: dict[str, Any]) -> None:
    event_type = envelope["source"]["eventType"]
    for sub in list(ctx.state.subscriptions.values()):
        if sub.event_type == event_type and sub.status == "ACTIVE":
            ctx.spawn(_deliver_with_retries(ctx, sub.subscription_id, envelope))


async def _deliver_with_retries(ctx: SimContext, sub_id: str, envelope: dict[str, Any]) -> None:
    for attempt, delay in enumerate(ctx.config.webhook_retry_delays, start=1):
        await ctx.clock.sleep(delay)
        sub = ctx.state.subscriptions.get(sub_id)
        if sub is None or sub.status != "ACTIVE":
            return
        if await deliver_once(ctx, sub, envelope, attempt=attempt):
            if ctx.delivery_rng.random() < ctx.config.webhook_duplicate_probability:
                await deliver_once(ctx, sub, envelope, attempt=attempt, duplicate=True)
            return


def _credential(ctx: SimContext, user: str, secret: str) -> str:
    encoded = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return f"Basic {encoded}" if ctx.config.basic_auth_prefix else encoded


def hmac_digest(ctx: SimContext, key: str, body: bytes) -> str:
    digest = hmac.new(key.encode(), body, hashlib.sha256).digest()
    if ctx.config.hmac_encoding == "base64":
        return base64.b64encode(digest).decode()
    return digest.hex()


def performance_signature(secret: str, url: str, timestamp: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, "METHOD\\nPATH?QUERY\\nTIMESTAMP\\nsha256_hex(body)"))
    (walmart-api.md §9.4). Without a query the second line is the bare path."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    message = f"POST\n{target}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}"
    return base64.b64encode(
        hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    ).decode()


def _timeout(ctx: SimContext) -> httpx.Timeout:
    return httpx.Timeout(ctx.config.webhook_timeout_seconds)


async def _oauth_token(ctx: SimContext, client: httpx.AsyncClient, sub: Subscription) -> str:
    auth = sub.auth or {}
    key = (auth.get("authUrl", ""), auth.get("clientId", ""), auth.get("clientSecret", ""))
    cached = ctx.oauth_tokens.get(key)
    if cached and cached[1] > time.monotonic():
        return cached[0]
    headers = dict(sub.headers)
    headers[auth.get("authHeaderName") or "Authorization"] = _credential(ctx, key[1], key[2])
    headers["Accept"] = "application/json; charset=UTF-8"
    headers["Content-type"] = "application/x-www-form-urlencoded; charset=ISO-8859-1"
    response = await client.post(
        key[0], content=b"grant_type=client_credentials", headers=headers, timeout=_timeout(ctx)
    )
    if response.status_code != 200:
        raise RuntimeError(f"authUrl answered {response.status_code}")
    data = response.json()
    token = str(data["access_token"])
    ctx.oauth_tokens[key] = (token, time.monotonic() + float(data.get("expires_in", 0)) * 0.9)
    return token


async def _headers_for(
    ctx: SimContext, client: httpx.AsyncClient, sub: Subscription, body: bytes, event_type: str
) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    headers.update(sub.headers)
    auth = sub.auth or {}
    method = auth.get("authMethod")
    name = auth.get("authHeaderName") or "Authorization"
    if method == "BASIC_AUTH":
        headers[name] = _credential(ctx, auth.get("userName", ""), auth.get("password", ""))
    elif method == "HMAC":
        headers[name] = hmac_digest(ctx, auth.get("clientSecret", ""), body)
    elif method == "OAUTH":
        headers[name] = f"Bearer {await _oauth_token(ctx, client, sub)}"
    if event_type == PERFORMANCE_EVENT:
        timestamp = str(ctx.clock.now_ms() // 1000)
        secret = auth.get("clientSecret") or ctx.client_secret
        headers["WM_SEC.TIMESTAMP"] = timestamp
        headers["WM_SEC.SIGNATURE"] = performance_signature(secret, sub.event_url, timestamp, body)
    return headers


def _masked(headers: dict[str, str], sub: Subscription) -> dict[str, str]:
    secret_names = {"authorization", (sub.auth or {}).get("authHeaderName", "").lower()}
    return {
        k: (v[:6] + "…(masked)" if k.lower() in secret_names and v else v)
        for k, v in headers.items()
    }


async def deliver_once(
    ctx: SimContext,
    sub: Subscription,
    envelope: dict[str, Any],
    *,
    attempt: int,
    duplicate: bool = False,
) -> bool:
    """POST one envelope to the subscriber; True on 2xx. Every try lands in the log."""
    body = json.dumps(envelope, separators=(",", ":")).encode()
    source = envelope["source"]
    record = DeliveryAttempt(
        event_id=source["eventId"],
        event_type=source["eventType"],
        subscription_id=sub.subscription_id,
        attempt=attempt,
        url=sub.event_url,
        sent_ms=ctx.clock.now_ms(),
        duplicate=duplicate,
        headers={},
        body=body.decode(),
    )
    ctx.state.deliveries.append(record)
    client = ctx.webhook_client()
    try:
        headers = await _headers_for(ctx, client, sub, body, source["eventType"])
        record.headers = _masked(headers, sub)
        response = await client.post(
            sub.event_url, content=body, headers=headers, timeout=_timeout(ctx)
        )
    except (httpx.HTTPError, RuntimeError, KeyError, ValueError) as exc:
        record.error = f"{type(exc).__name__}: {exc}"
        return False
    record.status_code = response.status_code
    return 200 <= response.status_code < 300
