"""Returns and return refunds (walmart-api.md §7)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from .. import returns
from ..bodies import json_body
from ..context import SimContext
from ..guard import guard
from ..wire import json_response

router = APIRouter()


@router.get("/v3/returns")
async def get_returns(
    request: Request, ctx: Annotated[SimContext, Depends(guard(None, "returns"))]
) -> Response:
    return json_response(returns.list_returns(ctx, request.query_params))


@router.post("/v3/returns/{return_order_id}/refund")
async def refund(
    return_order_id: str,
    request: Request,
    ctx: Annotated[SimContext, Depends(guard(None, "returns", write=True))],
) -> Response:
    body = await json_body(request, "returns")
    return json_response(returns.issue_refund(ctx, return_order_id, body))
