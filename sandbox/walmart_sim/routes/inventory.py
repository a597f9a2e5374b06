"""Single-node and multi-node inventory (walmart-api.md §5). The model (inputQty,
availToSellQty, reservedQty) is described in ``walmart_sim.inventory``."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from .. import catalog, inventory
from ..bodies import as_list, dig, json_body
from ..context import SimContext
from ..errors import bad_content, bad_param, not_found, service_error
from ..guard import guard
from ..models import ShipNode
from ..wire import json_response

router = APIRouter()
MAX_INVENTORIES_LIMIT = 50


def _qty(amount: int) -> dict[str, Any]:
    return {"unit": "EACH", "amount": amount}


def _node(ctx: SimContext, ship_node: str | None) -> ShipNode:
    node = ctx.state.node(ship_node) if ship_node else ctx.state.default_node
    if node is None:
        raise bad_param("inventory", f"Unknown shipNode {ship_node}", "shipNode")
    return node


def _sku(ctx: SimContext, request: Request) -> str:
    sku = request.query_params.get("sku")
    if not sku:
        raise service_error(
            "inventory", 400, "MISSING_REQUEST_PARAM", "sku is required", field="sku"
        )
    if sku not in ctx.state.items:
        raise not_found("inventory", f"SKU {sku} is not set up in the catalog")
    return sku


@router.get("/v3/inventory")
async def get_inventory(
    request: Request, ctx: Annotated[SimContext, Depends(guard(None, "inventory"))]
) -> Response:
    sku = _sku(ctx, request)
    node = _node(ctx, request.query_params.get("shipNode"))
    stock = ctx.state.stock.get((sku, node.ship_node))
    return json_response({"sku": sku, "quantity": _qty(stock.avail_to_sell if stock else 0)})


@router.put("/v3/inventory")
async def put_inventory(
    request: Request,
    ctx: Annotated[SimContext, Depends(guard("inventory.update", "inventory", write=True))],
) -> Response:
    sku = _sku(ctx, request)
    node = _node(ctx, request.query_params.get("shipNode"))
    body = await json_body(request, "inventory")
    if dig(body, "sku") != sku:
        raise bad_content("inventory", "sku in the body must match the sku parameter", "sku")
    try:
        quantity = catalog.parse_quantity(dig(body, "quantity"))
    except catalog.Rejected as exc:
        raise bad_content("inventory", exc.description, "quantity") from exc
    inventory.set_quantity(ctx, sku, node.ship_node, quantity)
    return json_response({"sku": sku, "quantity": _qty(quantity)})


def nodes_json(
    ctx: SimContext, sku: str, reserved: dict[tuple[str, str], int], only: str | None = None
) -> list[dict[str, Any]]:
    rows = []
    for node in ctx.state.ship_nodes:
        if only and node.ship_node != only:
            continue
        stock = ctx.state.stock.get((sku, node.ship_node))
        rows.append(
            {
                "shipNode": node.ship_node,
                "inputQty": _qty(stock.input_qty if stock else 0),
                "availToSellQty": _qty(stock.avail_to_sell if stock else 0),
                "reservedQty": _qty(reserved.get((sku, node.ship_node), 0)),
            }
        )
    return rows


@router.get("/v3/inventories")
async def list_inventories(
    request: Request, ctx: Annotated[SimContext, Depends(guard(None, "inventory"))]
) -> Response:
    text = request.query_params.get("limit", "10")
    if not text.isdigit() or not 1 <= int(text) <= MAX_INVENTORIES_LIMIT:
        # S3 (live): limit above 50 → 400 INVALID_REQUEST_PARAM.
        raise bad_param(
            "inventory", f"limit must be between 1 and {MAX_INVENTORIES_LIMIT}", "limit"
        )
    limit = int(text)
    position = 0
    cursor = request.query_params.get("nextCursor")
    if cursor:
        # The cursor names a server-side position and the limit it was made for; it must
        # come back as the nextCursor query parameter with the same limit (S3).
        try:
            key, cursor_limit = base64.b64decode(cursor, validate=True).decode().split(" ")
            position = ctx.state.inventory_cursors[key]
        except (ValueError, KeyError, UnicodeDecodeError) as exc:
            raise bad_param("inventory", "Invalid nextCursor", "nextCursor") from exc
        if cursor_limit != str(limit):
            raise bad_param("inventory", "nextCursor must be sent with the same limit", "limit")
    skus = sorted(ctx.state.items)
    page = skus[position : position + limit]
    reserved = inventory.reserved_map(ctx)
    meta: dict[str, Any] = {"totalCount": len(skus)}
    if position + limit < len(skus):
        key = ctx.ids.uuid()
        ctx.state.inventory_cursors[key] = position + limit
        meta["nextCursor"] = base64.b64encode(f"{key} {limit}".encode()).decode()
    return json_response(
        {
            "meta": meta,
            "elements": {
                "inventories": [{"sku": s, "nodes": nodes_json(ctx, s, reserved)} for s in page]
            },
        }
    )


@router.get("/v3/inventories/{sku:path}")
async def get_inventories(
    sku: str, request: Request, ctx: Annotated[SimContext, Depends(guard(None, "inventory"))]
) -> Response:
    if sku not in ctx.state.items:
        raise not_found("inventory", f"SKU {sku} is not set up in the catalog")
    only = request.query_params.get("shipNode")
    if only is not None:
        _node(ctx, only)
    return json_response(
        {"sku": sku, "nodes": nodes_json(ctx, sku, inventory.reserved_map(ctx), only)}
    )


@router.put("/v3/inventories/{sku:path}")
async def put_inventories(
    sku: str,
    request: Request,
    ctx: Annotated[SimContext, Depends(guard("inventory.update", "inventory", write=True))],
) -> Response:
    if sku not in ctx.state.items:
        raise not_found("inventory", f"SKU {sku} is not set up in the catalog")
    body = await json_body(request, "inventory")
    nodes = as_list(dig(body, "inventories", "nodes"))
    if not nodes:
        raise bad_content("inventory", "inventories.nodes is required", "inventories")
    results = []
    for raw in nodes:
        ship_node = dig(raw, "shipNode")
        try:
            if not isinstance(ship_node, str) or ctx.state.node(ship_node) is None:
                raise catalog.Rejected("INVALID_REQUEST_CONTENT", f"Unknown shipNode {ship_node}")
            quantity = catalog.parse_quantity(dig(raw, "inputQty"))
        except catalog.Rejected as exc:
            error = bad_content("inventory", exc.description, "shipNode").entry(service=False)
            results.append({"shipNode": ship_node, "status": "Failure", "errors": [error]})
            continue
        inventory.set_quantity(ctx, sku, ship_node, quantity)
        results.append({"shipNode": ship_node, "status": "Success"})
    return json_response({"sku": sku, "nodes": results})
