"""What Walmart's gateway does before a data call reaches its service.

In order: the WM_QOS.CORRELATION_ID and WM_SVC.NAME headers (400 MISSING_REQUEST_HEADER,
walmart-api.md §1), the Accept type (406), the ``WM_SEC.ACCESS_TOKEN`` (401, or 400
INVALID_TOKEN by switch, §2), the token's scope (403 FORBIDDEN, §2), the API's token bucket
(429, §10.1), then injected faults (500 before the call takes effect, or a 504 decided now
and sent after it took effect).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from starlette.requests import Request

from . import tokens
from .context import SimContext
from .errors import WalmartError, gateway_error

REQUIRED_HEADERS = ("WM_QOS.CORRELATION_ID", "WM_SVC.NAME")
JSON_TYPES = ("application/json",)
POST_EFFECT_FAULT = "mlc_sim_post_effect_fault"
THROTTLE_HEADERS = "mlc_sim_throttle_headers"


def context_of(request: Request) -> SimContext:
    ctx: SimContext = request.app.state.ctx
    return ctx


def accepts(header: str | None, produces: tuple[str, ...]) -> bool:
    if not header:
        return True
    offered = [part.split(";")[0].strip().lower() for part in header.split(",")]
    wildcards = {"*/*"} | {p.split("/")[0] + "/*" for p in produces}
    return any(o in produces or o in wildcards for o in offered)


def _throttle(ctx: SimContext, request: Request, api: str) -> None:
    now = ctx.clock.now_ms()
    if ctx.config.throttle_storm > 0:
        ctx.config.throttle_storm -= 1
        raise _too_many(ctx, 0, now + 60_000)
    if not ctx.config.throttling_enabled:
        return
    verdict = ctx.throttle.check(api, now)
    if verdict is None:
        return
    headers = {
        "x-current-token-count": str(verdict.tokens_left),
        ctx.config.replenishment_header: str(verdict.next_replenishment_ms),
    }
    if ctx.config.send_max_token_count:
        headers["x-max-token-count"] = str(verdict.limit)
    if not verdict.allowed:
        raise _too_many(ctx, verdict.tokens_left, verdict.next_replenishment_ms, verdict.limit)
    request.scope.setdefault("state", {})[THROTTLE_HEADERS] = headers


def _too_many(ctx: SimContext, left: int, next_ms: int, limit: int | None = None) -> WalmartError:
    headers = {
        "x-current-token-count": str(left),
        ctx.config.replenishment_header: str(next_ms),
    }
    if ctx.config.send_max_token_count and limit is not None:
        headers["x-max-token-count"] = str(limit)
    if ctx.fault_rng.random() < ctx.config.retry_after_probability:
        wait_ms = max(0, next_ms - ctx.clock.now_ms())
        headers["Retry-After"] = str(max(1, math.ceil(wait_ms / 1000)))
    return gateway_error(
        429,
        "REQUEST_THRESHOLD_VIOLATED",
        "Request threshold violated. Please try again after some time.",
        headers=headers,
    )


def _faults(ctx: SimContext, request: Request) -> None:
    path = request.url.path
    for fault in list(ctx.planned_faults):
        if fault.remaining > 0 and path.startswith(fault.path_prefix):
            fault.remaining -= 1
            if fault.remaining == 0:
                ctx.planned_faults.remove(fault)
            if fault.after_effect:
                request.scope.setdefault("state", {})[POST_EFFECT_FAULT] = fault.status
                return
            raise _fault_error(fault.status)
    if ctx.config.error_rate and ctx.fault_rng.random() < ctx.config.error_rate:
        raise _fault_error(500)
    if ctx.config.timeout_rate and ctx.fault_rng.random() < ctx.config.timeout_rate:
        request.scope.setdefault("state", {})[POST_EFFECT_FAULT] = 504


def _fault_error(status: int) -> WalmartError:
    if status == 504:
        return gateway_error(504, "DOWNSTREAM_SYSTEM_TIME_OUT", "Downstream system timed out")
    if status == 503:
        # An unreachable gateway answers a bare status (walmart-api.md §10.3).
        return WalmartError(503, "SERVICE_UNAVAILABLE", "Service Unavailable", envelope="bare")
    return gateway_error(status, "SYSTEM_ERROR", "Internal system error")


def admit(
    request: Request,
    *,
    api: str | None,
    scope: str | None,
    write: bool = False,
    produces: tuple[str, ...] = JSON_TYPES,
) -> SimContext:
    ctx = context_of(request)
    for name in REQUIRED_HEADERS:
        if not request.headers.get(name):
            raise gateway_error(
                400, "MISSING_REQUEST_HEADER", f"{name} header is missing", field=name
            )
    if not accepts(request.headers.get("accept"), produces):
        raise gateway_error(
            406, "INVALID_ACCEPT_TYPE", f"Accept {request.headers.get('accept')} is not supported"
        )
    tokens.authenticate(ctx, request.headers.get("WM_SEC.ACCESS_TOKEN"))
    if scope is not None:
        level = ctx.config.scopes.get(scope, "full_access")
        if level == "no_access" or (write and level == "view_only"):
            raise gateway_error(403, "FORBIDDEN", f"Access to {scope} is not granted to this token")
    if api is not None:
        _throttle(ctx, request, api)
    _faults(ctx, request)
    return ctx


def guard(
    api: str | None,
    scope: str | None,
    *,
    write: bool = False,
    produces: tuple[str, ...] = JSON_TYPES,
) -> Callable[[Request], Awaitable[SimContext]]:
    """A FastAPI dependency running ``admit`` for one route."""

    async def dependency(request: Request) -> SimContext:
        return admit(request, api=api, scope=scope, write=write, produces=produces)

    return dependency
