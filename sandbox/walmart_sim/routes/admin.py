"""The admin API's data side (outside ``/v3``; no Walmart authentication): seed the catalog
and ship nodes, create orders and returns and move them along, close settlement periods,
look at stock. Operations (config, faults, clock, logs) are in ``admin_ops``. Each endpoint
is listed in docs/walmart-simulator.md."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from .. import inventory, orders, returns, seed, settlement
from ..admin_models import (
    CatalogSpec,
    ItemSpec,
    OrderSpec,
    ReturnSpec,
    SettlementSpec,
    ShipNodeSpec,
    UnpublishSpec,
)
from ..context import SimContext
from ..errors import AdminError
from ..guard import context_of
from ..items import item_json
from ..order_wire import order_json
from ..recon_rows import build_rows
from ..returns_wire import return_json
from ..webhook_events import order_event
from ..wire import json_response, money_text, to_date

router = APIRouter(prefix="/admin")


@router.post("/catalog")
async def seed_catalog(request: Request, spec: CatalogSpec) -> Response:
    ctx = context_of(request)
    for node in spec.ship_nodes:
        seed.add_ship_node(ctx, node)
    for item in spec.items:
        seed.add_item(ctx, item)
    return json_response({"items": len(spec.items), "ship_nodes": len(spec.ship_nodes)})


@router.post("/ship-nodes")
async def add_ship_node(request: Request, spec: ShipNodeSpec) -> Response:
    seed.add_ship_node(context_of(request), spec)
    return json_response({"ship_node": spec.ship_node})


@router.post("/items")
async def add_item(request: Request, spec: ItemSpec) -> Response:
    return json_response(item_json(seed.add_item(context_of(request), spec)))


def _item(ctx: SimContext, sku: str) -> Any:
    item = ctx.state.items.get(sku)
    if item is None:
        raise AdminError(404, f"unknown sku {sku}")
    return item


@router.post("/items/{sku:path}/unpublish")
async def unpublish(request: Request, sku: str, spec: UnpublishSpec | None = None) -> Response:
    ctx = context_of(request)
    item = _item(ctx, sku)
    seed.set_published(ctx, item, False, (spec or UnpublishSpec()).reasons)
    return json_response(item_json(item))


@router.post("/items/{sku:path}/publish")
async def publish(request: Request, sku: str) -> Response:
    ctx = context_of(request)
    item = _item(ctx, sku)
    seed.set_published(ctx, item, True, [])
    return json_response(item_json(item))


@router.post("/orders")
async def create_order(request: Request, spec: OrderSpec) -> Response:
    ctx = context_of(request)
    return json_response({"order": order_json(ctx, seed.create_order(ctx, spec))})


def _order(ctx: SimContext, po: str) -> Any:
    order = ctx.state.orders.get(po)
    if order is None:
        raise AdminError(404, f"unknown purchase order {po}")
    return order


@router.post("/orders/auto-cancel")
async def auto_cancel(request: Request) -> Response:
    return json_response({"cancelled_lines": orders.auto_cancel_due(context_of(request))})


@router.post("/orders/{po}/intent-to-cancel")
async def intent_to_cancel(request: Request, po: str) -> Response:
    ctx = context_of(request)
    order = _order(ctx, po)
    lines = [ln for ln in order.lines if ln.qty_in(*orders.OPEN)]
    for line in lines:
        line.intent_to_cancel = True
    order_event(ctx, "INTENT_TO_CANCEL", order, lines, "CREATED")
    return json_response({"order": order_json(ctx, order)})


@router.post("/orders/{po}/deliver")
async def deliver_order(request: Request, po: str) -> Response:
    ctx = context_of(request)
    order = _order(ctx, po)
    for line in order.lines:
        for state in line.states:
            if state.status == "Shipped":
                state.status = "Delivered"
        line.status_ms = ctx.clock.now_ms()
    order.last_modified_ms = ctx.clock.now_ms()
    return json_response({"order": order_json(ctx, order)})


@router.post("/returns")
async def create_return(request: Request, spec: ReturnSpec) -> Response:
    return json_response(return_json(seed.create_return(context_of(request), spec)))


@router.post("/returns/{return_order_id}/deliver")
async def deliver_return(request: Request, return_order_id: str) -> Response:
    ctx = context_of(request)
    ret = ctx.state.returns.get(return_order_id)
    if ret is None:
        raise AdminError(404, f"unknown return order {return_order_id}")
    returns.mark_delivered(ctx, ret)
    return json_response(return_json(ret))


def _report_day(ctx: SimContext, text: str | None) -> date:
    if not text:
        return to_date(ctx.clock.now_ms())
    try:
        if len(text) == 8 and text.isdigit():
            return datetime.strptime(text, "%m%d%Y").date()
        return date.fromisoformat(text)
    except ValueError as exc:
        raise AdminError(400, f"report_date {text!r} is neither YYYY-MM-DD nor MMDDYYYY") from exc


@router.get("/settlements/pending")
async def pending(request: Request) -> Response:
    ctx = context_of(request)
    today = to_date(ctx.clock.now_ms())
    rows, total = build_rows(ctx, settlement.pending(ctx), today, today)
    return json_response({"total_payable": money_text(total), "rows": rows})


@router.post("/settlements/close")
async def close(request: Request, spec: SettlementSpec | None = None) -> Response:
    ctx = context_of(request)
    closed = settlement.close_period(ctx, _report_day(ctx, spec.report_date if spec else None))
    return json_response(
        {
            "report_date": closed.report_date,
            "total_payable": money_text(closed.total_payable),
            "rows": len(closed.rows),
        }
    )


@router.get("/inventory/{sku:path}")
async def stock(request: Request, sku: str) -> Response:
    ctx = context_of(request)
    _item(ctx, sku)
    reserved = inventory.reserved_map(ctx)
    return json_response(
        {
            node.ship_node: {
                "input": ctx.state.stock_for(sku, node.ship_node).input_qty,
                "avail_to_sell": ctx.state.stock_for(sku, node.ship_node).avail_to_sell,
                "reserved": reserved.get((sku, node.ship_node), 0),
            }
            for node in ctx.state.ship_nodes
        }
    )
