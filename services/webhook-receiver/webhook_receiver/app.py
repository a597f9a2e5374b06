"""The HTTP surface: ``POST /webhooks/walmart/{tenant}``, the OAuth token endpoint, health.

Per delivery, in this order: find the tenant; read at most ``webhook_max_body_bytes`` (413,
counted while reading, before parsing); authenticate the exact bytes (401, reason logged
only); read the envelope (400); check the performance signature (401); store and publish
(:mod:`webhook_receiver.intake`; 503 when the store or broker cannot); answer 200.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from mlc_shared.bus.base import Bus
from mlc_shared.logging import get_logger
from mlc_shared.ops_http import ops_routes
from mlc_shared.store.base import Store
from starlette.requests import ClientDisconnect

from webhook_receiver.auth import Delivery, Unauthorized
from webhook_receiver.events import MalformedDelivery, interpret
from webhook_receiver.gate import Gatekeeper, TenantGate
from webhook_receiver.intake import DependencyDown, Intake
from webhook_receiver.metrics import DELIVERIES, EVENTS, SECONDS, event_type_label
from webhook_receiver.openapi import install_openapi
from webhook_receiver.settings import WebhookReceiverSettings
from webhook_receiver.tenants import TenantConfigSource

log = get_logger(__name__)

TOKEN_REQUEST_LIMIT = 4096
"""A client-credentials form is a few dozen bytes (§9.4)."""

DRAIN_LIMIT = 1024 * 1024
"""How much of a body over the limit is still read (and dropped) before the 413. A socket
closed with unread data in it sends a TCP reset, which can destroy the 413 before the
sender reads it: the sender would see a broken connection, not the reason
(tests/badinput/test_webhook_bodies.py caught it). Past this much, it gets the reset."""


class BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class Receiver:
    """Everything a request handler needs; one per app."""

    settings: WebhookReceiverSettings
    bus: Bus
    store: Store
    gatekeeper: Gatekeeper
    intake: Intake


def gate_of(request: Request, tenant: str) -> tuple[Receiver, TenantGate]:
    """The app's receiver and the tenant's gate (401 for an unknown tenant). A plain call,
    not a FastAPI dependency: solving dependencies cost a few per cent of a delivery's CPU
    (bench/webhooks.py) and they are two attribute reads."""
    receiver: Receiver = request.app.state.receiver
    gate = receiver.gatekeeper.for_tenant(tenant)
    if gate is None:
        raise Unauthorized(f"tenant {tenant[:64]!r} has no webhook configuration")
    return receiver, gate


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refused once it passes ``limit`` bytes (declared or streamed). Nothing past
    the limit is kept; up to :data:`DRAIN_LIMIT` of it is read so the 413 arrives whole."""
    declared = request.headers.get("content-length", "")
    too_large = declared.isdigit() and int(declared) > limit
    if too_large and int(declared) > DRAIN_LIMIT:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit or too_large:
                too_large = True
                if size > DRAIN_LIMIT:
                    break
                continue
            chunks.append(chunk)
    except ClientDisconnect:  # the sender gave up mid-body: nothing to store, nobody to answer
        if too_large:
            raise BodyTooLarge from None
        raise MalformedDelivery("the client disconnected before the body was complete") from None
    if too_large:
        raise BodyTooLarge
    return b"".join(chunks)


async def delivery_of(request: Request, limit: int) -> Delivery:
    return Delivery(
        method=request.method,
        path=request.url.path,
        query=request.url.query,
        headers=request.headers,
        body=await read_limited(request, limit),
    )


def create_app(
    settings: WebhookReceiverSettings,
    bus: Bus,
    store: Store,
    tenants: TenantConfigSource | None = None,
    *,
    gatekeeper: Gatekeeper | None = None,
) -> FastAPI:
    """The receiver app. ``tenants`` defaults to the settings' file and environment."""
    app = FastAPI(
        title="ml-connector webhook-receiver",
        version="1.0.0",
        description="Receives Walmart Marketplace event notifications (docs/webhook-receiver.md).",
    )
    app.state.receiver = Receiver(
        settings=settings,
        bus=bus,
        store=store,
        gatekeeper=gatekeeper or Gatekeeper(tenants or settings.tenant_configs()),
        intake=Intake(bus, store, timeout=settings.webhook_dependency_timeout),
    )
    _install_error_answers(app)

    # /healthz, /readyz and /metrics as every service serves them (mlc_shared.ops_http).
    app.router.routes.extend(ops_routes({"broker": bus.ping, "store": store.ping}))

    @app.post(
        "/webhooks/walmart/{tenant}",
        tags=["webhooks"],
        operation_id="receiveEvent",
        summary="One Walmart event notification (walmart-api.md §9.3)",
    )
    async def receive(tenant: str, request: Request) -> JSONResponse:
        started = time.perf_counter()
        receiver, gate = gate_of(request, tenant)
        delivery = await delivery_of(request, receiver.settings.webhook_max_body_bytes)
        gate.verifier.verify(delivery)
        interpretation = interpret(tenant, delivery.body, receiver.intake.now())
        if gate.signature is not None:
            gate.signature.verify(delivery, interpretation.row.event_type)
        outcome = await receiver.intake.accept(interpretation)
        # Every event is in webhook_events and counted in the metrics; at hundreds a second
        # a line each would be most of the log and a tenth of the request's CPU.
        log.debug(
            "webhook.received",
            tenant=tenant,
            event_id=interpretation.event_id,
            event_type=interpretation.row.event_type,
            outcome=outcome,
            message_type=interpretation.message.type,
        )
        DELIVERIES.labels(outcome).inc()
        if outcome == "accepted":
            EVENTS.labels(event_type_label(interpretation.row.event_type)).inc()
        SECONDS.observe(time.perf_counter() - started)
        # A response object, not a dict: FastAPI would encode and validate a dict against
        # the inferred response model; the document describes it (openapi.py).
        return JSONResponse({"status": outcome, "eventId": interpretation.event_id})

    @app.post(
        "/webhooks/walmart/{tenant}/oauth/token",
        tags=["webhooks"],
        operation_id="issueToken",
        summary="OAuth client-credentials token for an OAUTH subscription (§9.4)",
    )
    async def token(tenant: str, request: Request) -> JSONResponse:
        _, gate = gate_of(request, tenant)
        if gate.tokens is None:
            raise Unauthorized("token request for a tenant whose method is not OAUTH")
        header = gate.config.auth.header
        gate.tokens.check_client(request.headers.get(header))
        form = parse_qs((await read_limited(request, TOKEN_REQUEST_LIMIT)).decode("latin-1"))
        if form.get("grant_type") != ["client_credentials"]:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        issued = gate.tokens.issue()
        return JSONResponse(
            {
                "access_token": issued.access_token,
                "token_type": issued.token_type,
                "expires_in": issued.expires_in,
            },
            headers={"Cache-Control": "no-store"},
        )  # RFC 6749 §5.1

    install_openapi(app)
    return app


def _install_error_answers(app: FastAPI) -> None:
    """One answer per failure; the 401 says nothing about why (issue 5)."""

    async def unauthorized(request: Request, exc: Exception) -> JSONResponse:
        DELIVERIES.labels("unauthorized").inc()
        assert isinstance(exc, Unauthorized)
        log.warning("webhook.unauthorized", path=request.url.path, reason=exc.reason)
        return JSONResponse({"detail": "unauthorized"}, status_code=401)

    async def malformed(request: Request, exc: Exception) -> JSONResponse:
        DELIVERIES.labels("malformed").inc()
        assert isinstance(exc, MalformedDelivery)
        log.warning("webhook.malformed", path=request.url.path, reason=exc.reason)
        return JSONResponse({"detail": exc.reason}, status_code=400)

    async def too_large(request: Request, exc: Exception) -> JSONResponse:
        DELIVERIES.labels("too_large").inc()
        log.warning("webhook.too_large", path=request.url.path)
        return JSONResponse(
            {"detail": "body too large"}, status_code=413, headers={"Connection": "close"}
        )

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        DELIVERIES.labels("unavailable").inc()
        assert isinstance(exc, DependencyDown)
        log.warning("webhook.unavailable", path=request.url.path, reason=exc.reason)
        return JSONResponse(
            {"detail": "temporarily unavailable, retry later"},
            status_code=503,
            headers={"Retry-After": "60"},
        )

    handlers: dict[type[Exception], Any] = {
        Unauthorized: unauthorized,
        MalformedDelivery: malformed,
        BodyTooLarge: too_large,
        DependencyDown: unavailable,
    }
    for exc_type, handler in handlers.items():
        app.add_exception_handler(exc_type, handler)
