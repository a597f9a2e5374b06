"""The admin API's operations side (outside ``/v3``): account summary and reset, run-time
configuration, throttle buckets, the clock, token revocation, fault knobs, the request log,
the webhook delivery log and raising events. Each endpoint is listed in
docs/walmart-simulator.md."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from .. import orders, settlement
from ..admin_models import ClockSpec, EventSpec, PlannedFaultSpec, ResetSpec
from ..context import PlannedFault
from ..errors import AdminError
from ..guard import context_of
from ..webhook_events import EVENTS_BY_TYPE, raise_event, sample_payload
from ..wire import json_response

router = APIRouter(prefix="/admin")


@router.get("/state")
async def summary(request: Request) -> Response:
    ctx = context_of(request)
    s = ctx.state
    return json_response(
        {
            "partner_id": ctx.config.partner_id,
            "clock_ms": ctx.clock.now_ms(),
            "items": len(s.items),
            "ship_nodes": [n.ship_node for n in s.ship_nodes],
            "orders": len(s.orders),
            "returns": len(s.returns),
            "feeds": {f.feed_id: f.status for f in s.feeds.values()},
            "subscriptions": len(s.subscriptions),
            "settlements": sorted(s.settlements),
            "unsettled_transactions": len(settlement.pending(ctx)),
            "requests_logged": len(s.requests),
            "deliveries": len(s.deliveries),
            "events": len(s.events),
        }
    )


@router.post("/reset")
async def reset(request: Request, spec: ResetSpec | None = None) -> Response:
    sim = request.app.state.simulator
    await sim.reset(data=spec.data if spec else None)
    return json_response({"reset": True, "data": sim.data})


@router.get("/config")
async def get_config(request: Request) -> Response:
    return json_response(context_of(request).config.model_dump(mode="json"))


@router.patch("/config")
async def patch_config(request: Request, changes: dict[str, Any]) -> Response:
    ctx = context_of(request)
    try:
        ctx.config = ctx.config.patched(changes)
    except ValueError as exc:
        raise AdminError(400, str(exc)) from exc
    return json_response(ctx.config.model_dump(mode="json"))


@router.get("/throttle")
async def throttle(request: Request) -> Response:
    ctx = context_of(request)
    return json_response(ctx.throttle.snapshot(ctx.clock.now_ms()))


@router.get("/clock")
async def clock(request: Request) -> Response:
    ctx = context_of(request)
    return json_response({"now_ms": ctx.clock.now_ms(), "offset_ms": ctx.clock.offset_ms})


@router.post("/clock/advance")
async def advance(request: Request, spec: ClockSpec) -> Response:
    ctx = context_of(request)
    ctx.clock.advance(spec.seconds)
    cancelled = orders.auto_cancel_due(ctx)
    return json_response({"now_ms": ctx.clock.now_ms(), "auto_cancelled_lines": cancelled})


@router.post("/tokens/revoke")
async def revoke(request: Request) -> Response:
    ctx = context_of(request)
    for token in ctx.state.tokens.values():
        token.revoked = True
    return json_response({"revoked": len(ctx.state.tokens)})


@router.post("/faults/next")
async def plan_fault(request: Request, spec: PlannedFaultSpec) -> Response:
    ctx = context_of(request)
    ctx.planned_faults.append(
        PlannedFault(spec.status, spec.after_effect, spec.path_prefix, spec.count)
    )
    return json_response({"planned": len(ctx.planned_faults)})


@router.delete("/faults")
async def clear_faults(request: Request) -> Response:
    ctx = context_of(request)
    ctx.planned_faults.clear()
    ctx.config = ctx.config.patched(
        {"latency_ms": 0, "error_rate": 0.0, "timeout_rate": 0.0, "throttle_storm": 0}
    )
    return json_response({"cleared": True})


@router.get("/requests")
async def requests(request: Request) -> Response:
    ctx = context_of(request)
    prefix = request.query_params.get("path_prefix", "")
    entries = [r for r in ctx.state.requests if r.path.startswith(prefix)]
    return json_response(
        [
            {
                "seq": r.seq, "time_ms": r.time_ms, "method": r.method, "path": r.path,
                "query": r.query, "headers": r.headers, "body": r.body, "status": r.status,
            }
            for r in entries
        ]
    )  # fmt: skip


@router.delete("/requests")
async def clear_requests(request: Request) -> Response:
    context_of(request).state.requests.clear()
    return json_response({"cleared": True})


@router.get("/webhooks/deliveries")
async def deliveries(request: Request) -> Response:
    ctx = context_of(request)
    wanted = request.query_params.get("event_type")
    return json_response(
        [
            {
                "event_id": d.event_id, "event_type": d.event_type, "subscription_id": d.subscription_id,
                "attempt": d.attempt, "url": d.url, "sent_ms": d.sent_ms, "duplicate": d.duplicate,
                "status_code": d.status_code, "error": d.error, "headers": d.headers, "body": d.body,
            }
            for d in ctx.state.deliveries
            if not wanted or d.event_type == wanted
        ]
    )  # fmt: skip


@router.get("/events")
async def events(request: Request) -> Response:
    return json_response(context_of(request).state.events)


@router.post("/events")
async def emit(request: Request, spec: EventSpec) -> Response:
    ctx = context_of(request)
    if spec.event_type not in EVENTS_BY_TYPE:
        raise AdminError(400, f"unknown event type {spec.event_type}")
    envelope = raise_event(
        ctx, spec.event_type, spec.payload or sample_payload(ctx, spec.event_type)
    )
    return json_response(envelope)
