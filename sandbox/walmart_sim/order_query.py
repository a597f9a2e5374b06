"""``GET /v3/orders`` and ``/v3/orders/released``: filters, limits and the cursor.

walmart-api.md §6.1: ``limit`` default 100, at most 200; ``shipNodeType`` defaults to
SellerFulfilled (WFS orders are invisible unless asked for); ``createdStartDate`` defaults to
seven days ago and reaches back at most 180 days; no match answers 404
``CONTENT_NOT_FOUND.GMP_ORDER_API``. ``list.meta.nextCursor`` is a ready-made query string
(``?limit=…&hasMoreElements=true&soIndex=…&poIndex=…&…&createdEndDate=2019-09-17T18:47:03.703Z``)
to append verbatim; it freezes ``createdEndDate`` at the first call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, quote

from .context import SimContext
from .errors import bad_param, not_found
from .models import Order
from .order_wire import order_json
from .wire import day_end_ms, iso_ms, parse_wire_time

DAY_MS = 86_400_000
LIST_STATUSES = ("Created", "Acknowledged", "Shipped", "Delivered", "Cancelled")
SHIP_NODE_TYPES = ("SellerFulfilled", "WFSFulfilled", "3PLFulfilled")
# Filters carried over into the cursor, in this order (S1 example and issue #6).
CARRIED = (
    "sku", "customerOrderId", "purchaseOrderId", "status", "fromExpectedShipDate",
    "toExpectedShipDate", "lastModifiedStartDate", "lastModifiedEndDate", "productInfo",
    "shippingProgramType", "replacementInfo", "orderType",
)  # fmt: skip
NOT_FOUND = "Failed when called getAllOrders. Orders not found for given search parameters"


@dataclass(frozen=True)
class _Window:
    start: int | None
    end: int | None


def _time(q: Mapping[str, str], name: str, *, end: bool) -> int | None:
    text = q.get(name)
    if not text:
        return None
    try:
        value = parse_wire_time(text)
    except ValueError as exc:
        raise bad_param("orders", f"Invalid value for {name}: {text}", name) from exc
    if end and len(text.strip()) == 10:
        # A bare date as an upper bound includes that whole day.
        return day_end_ms(date.fromisoformat(text.strip()))
    return value


def _window(q: Mapping[str, str], start: str, end: str) -> _Window:
    return _Window(_time(q, start, end=False), _time(q, end, end=True))


def _inside(value: int, window: _Window) -> bool:
    return (window.start is None or value >= window.start) and (
        window.end is None or value <= window.end
    )


def _params(raw: Mapping[str, str], ctx: SimContext) -> dict[str, str]:
    q = dict(raw)
    cursor = q.pop("nextCursor", None)
    if cursor and ctx.config.orders_accept_next_cursor_param:
        # Some clients send the cursor as ?nextCursor=<cursor> (walmart-api.md §6.1).
        q.update(parse_qsl(cursor.lstrip("?"), keep_blank_values=True))
    return q


def _limit(q: Mapping[str, str]) -> int:
    text = q.get("limit", "100")
    if not text.isdigit() or not 1 <= int(text) <= 200:
        raise bad_param("orders", f"limit must be between 1 and 200, got {text}", "limit")
    return int(text)


def _choice(
    q: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str | None
) -> str | None:
    value = q.get(name, default)
    if value is not None and value not in allowed:
        raise bad_param("orders", f"Invalid value for {name}: {value}", name)
    return value


def _matches(
    order: Order, q: Mapping[str, str], released: bool, windows: dict[str, _Window]
) -> bool:
    lines = order.lines
    if released and not any(ln.qty_in("Created") for ln in lines):
        return False
    checks = (
        ("sku", lambda v: any(ln.sku == v for ln in lines)),
        ("customerOrderId", lambda v: order.customer_order_id == v),
        ("purchaseOrderId", lambda v: order.purchase_order_id == v),
        ("shippingProgramType", lambda v: any(ln.shipping_program_type == v for ln in lines)),
        ("orderType", lambda v: order.order_type == v),
    )
    for name, check in checks:
        if q.get(name) and not check(q[name]):
            return False
    if not released and q.get("status") and not any(ln.qty_in(q["status"]) for ln in lines):
        return False
    return (
        _inside(order.order_date_ms, windows["created"])
        and _inside(order.estimated_ship_ms, windows["ship"])
        and (released or _inside(order.last_modified_ms, windows["modified"]))
    )


def list_orders(ctx: SimContext, raw: Mapping[str, str], *, released: bool) -> dict[str, Any]:
    q = _params(raw, ctx)
    limit = _limit(q)
    continuing = q.get("hasMoreElements") == "true"
    offset = int(q["poIndex"]) if continuing and q.get("poIndex", "").isdigit() else 0
    if not released:
        _choice(q, "status", LIST_STATUSES, None)
    node_type = _choice(q, "shipNodeType", SHIP_NODE_TYPES, "SellerFulfilled")
    _choice(q, "orderType", ("REGULAR", "REPLACEMENT"), None)
    now = ctx.clock.now_ms()
    created = _window(q, "createdStartDate", "createdEndDate")
    by_id = bool(q.get("purchaseOrderId") or q.get("customerOrderId"))
    floor = now - 180 * DAY_MS
    start = created.start if created.start is not None else (None if by_id else now - 7 * DAY_MS)
    start = max(start, floor) if start is not None else floor
    end_text = q.get("createdEndDate") or iso_ms(now)
    windows = {
        "created": _Window(
            start, created.end if created.end is not None else parse_wire_time(end_text)
        ),
        "ship": _window(q, "fromExpectedShipDate", "toExpectedShipDate"),
        "modified": _window(q, "lastModifiedStartDate", "lastModifiedEndDate"),
    }
    matched = [
        o
        for o in ctx.state.orders.values()
        if o.ship_node_type == node_type and _matches(o, q, released, windows)
    ]
    matched.sort(key=lambda o: (-o.order_date_ms, o.purchase_order_id))
    if len(matched) > ctx.config.max_orders_per_query:
        raise bad_param(
            "orders",
            f"Query matches more than {ctx.config.max_orders_per_query} orders; narrow the date range",
            "createdStartDate",
        )
    page = matched[offset : offset + limit]
    if not page:
        raise not_found("orders", NOT_FOUND)
    meta: dict[str, Any] = {"totalCount": len(matched), "limit": limit}
    if offset + limit < len(matched):
        start_text = q.get("createdStartDate") or iso_ms(start)
        meta["nextCursor"] = _cursor(
            ctx, q, limit, len(matched), offset + limit, released, start_text, end_text, node_type
        )
    product_info = q.get("productInfo") == "true"
    replacement_info = q.get("replacementInfo") == "true"
    return {
        "list": {
            "meta": meta,
            "elements": {
                "order": [
                    order_json(ctx, o, product_info=product_info, replacement_info=replacement_info)
                    for o in page
                ]
            },
        }
    }


def _cursor(
    ctx: SimContext,
    q: Mapping[str, str],
    limit: int,
    total: int,
    next_offset: int,
    released: bool,
    created_start: str,
    created_end: str,
    node_type: str | None,
) -> str:
    pairs: list[tuple[str, str]] = [
        ("limit", str(limit)),
        ("hasMoreElements", "true"),
        ("soIndex", str(total)),
        ("poIndex", str(next_offset)),
        ("partnerId", ctx.config.partner_id),
        ("sellerId", ctx.config.seller_id),
    ]
    if released:
        pairs.append(("status", "Created"))  # as in the S1 released example
    pairs += [
        (name, q[name]) for name in CARRIED if q.get(name) and not (released and name == "status")
    ]
    pairs.append(("createdStartDate", created_start))
    pairs.append(("createdEndDate", created_end))
    pairs.append(("shipNodeType", node_type or "SellerFulfilled"))
    # ':' stays as is (dates), everything else that needs it is percent-encoded once, so the
    # string can be appended to the URL verbatim.
    return "?" + "&".join(f"{k}={quote(v, safe=':')}" for k, v in pairs)


def find_order(ctx: SimContext, purchase_order_id: str) -> Order:
    order = ctx.state.orders.get(purchase_order_id)
    if order is None:
        raise not_found("orders", f"Order {purchase_order_id} not found")
    return order
