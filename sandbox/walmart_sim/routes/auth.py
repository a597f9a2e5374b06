"""``POST /v3/token`` and ``GET /v3/token/detail`` (walmart-api.md §2)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from .. import tokens
from ..context import SimContext
from ..errors import WalmartError, gateway_error
from ..guard import REQUIRED_HEADERS, accepts, context_of, guard
from ..wire import json_response

router = APIRouter()


def _bad_credentials(ctx: SimContext) -> WalmartError:
    # Observed: a bare 400 "Bad Request" for rejected credentials; older clients saw 401
    # (walmart-api.md §2, switch ``bad_credentials_status``). Body UNCERTAIN.
    if ctx.config.bad_credentials_status == 401:
        return tokens.unauthorized()
    return gateway_error(400, "INVALID_REQUEST", "Bad Request", field="Authorization")


@router.post("/v3/token")
async def issue_token(request: Request) -> Response:
    ctx = context_of(request)
    for name in REQUIRED_HEADERS:
        if not request.headers.get(name):
            raise gateway_error(
                400, "MISSING_REQUEST_HEADER", f"{name} header is missing", field=name
            )
    if not accepts(request.headers.get("accept"), ("application/json",)):
        raise gateway_error(406, "INVALID_ACCEPT_TYPE", "Only application/json is simulated")
    content_type = request.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" not in content_type.lower():
        raise gateway_error(
            415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/x-www-form-urlencoded"
        )
    credentials = tokens.parse_basic(request.headers.get("authorization"))
    if credentials != (ctx.client_id, ctx.client_secret):
        raise _bad_credentials(ctx)
    form = parse_qs((await request.body()).decode("latin-1"))
    grant = form.get("grant_type", [""])[0]
    if grant != "client_credentials":
        raise gateway_error(
            400, "INVALID_REQUEST", f"Unsupported grant_type {grant!r}", field="grant_type"
        )
    value, token = tokens.issue(ctx)
    lifetime = (token.expires_ms - token.issued_ms) // 1000
    return json_response({"access_token": value, "token_type": "Bearer", "expires_in": lifetime})


@router.get("/v3/token/detail")
async def token_detail(
    request: Request, ctx: Annotated[SimContext, Depends(guard(None, None))]
) -> Response:
    value = request.headers["WM_SEC.ACCESS_TOKEN"]
    return json_response(
        tokens.detail(ctx, value, ctx.state.tokens[value], dict(ctx.config.scopes))
    )
