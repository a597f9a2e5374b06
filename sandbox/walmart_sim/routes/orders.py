"""Orders: lists, single order, acknowledge, cancel, ship, refund (walmart-api.md §6).
Every action answers ``{"order": …}`` with the order as it now stands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from .. import order_refunds, orders
from ..bodies import json_body
from ..context import SimContext
from ..guard import guard
from ..order_query import find_order, list_orders
from ..order_wire import order_json
from ..wire import json_response

router = APIRouter()


@router.get("/v3/orders")
async def get_orders(
    request: Request, ctx: Annotated[SimContext, Depends(guard("orders.list", "orders"))]
) -> Response:
    return json_response(list_orders(ctx, request.query_params, released=False))


@router.get("/v3/orders/released")
async def get_released(
    request: Request, ctx: Annotated[SimContext, Depends(guard("orders.list", "orders"))]
) -> Response:
    return json_response(list_orders(ctx, request.query_params, released=True))


@router.get("/v3/orders/{purchase_order_id}")
async def get_order(
    purchase_order_id: str,
    request: Request,
    ctx: Annotated[SimContext, Depends(guard("orders.list", "orders"))],
) -> Response:
    order = find_order(ctx, purchase_order_id)
    q = request.query_params
    return json_response(
        {
            "order": order_json(
                ctx,
                order,
                product_info=q.get("productInfo") == "true",
                replacement_info=q.get("replacementInfo") == "true",
            )
        }
    )


@router.post("/v3/orders/{purchase_order_id}/acknowledge")
async def acknowledge(
    purchase_order_id: str,
    ctx: Annotated[SimContext, Depends(guard(None, "orders", write=True))],
) -> Response:
    order = find_order(ctx, purchase_order_id)
    orders.acknowledge(ctx, order)
    return json_response({"order": order_json(ctx, order)})


async def _act(
    ctx: SimContext,
    request: Request,
    purchase_order_id: str,
    action: Callable[[SimContext, Any, Any], None],
) -> Response:
    order = find_order(ctx, purchase_order_id)
    body = await json_body(request, "orders")
    action(ctx, order, body)
    return json_response({"order": order_json(ctx, order)})


@router.post("/v3/orders/{purchase_order_id}/cancel")
async def cancel(
    purchase_order_id: str,
    request: Request,
    ctx: Annotated[SimContext, Depends(guard("orders.cancel", "orders", write=True))],
) -> Response:
    return await _act(ctx, request, purchase_order_id, orders.cancel)


@router.post("/v3/orders/{purchase_order_id}/shipping")
async def ship(
    purchase_order_id: str,
    request: Request,
    ctx: Annotated[SimContext, Depends(guard("orders.ship", "orders", write=True))],
) -> Response:
    return await _act(ctx, request, purchase_order_id, orders.ship)


@router.post("/v3/orders/{purchase_order_id}/refund")
async def refund(
    purchase_order_id: str,
    request: Request,
    ctx: Annotated[SimContext, Depends(guard("orders.refund", "orders", write=True))],
) -> Response:
    return await _act(ctx, request, purchase_order_id, order_refunds.refund)
