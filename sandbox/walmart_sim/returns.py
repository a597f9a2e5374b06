"""Returns: listing with filters and cursor, and issuing refunds (walmart-api.md §7).

Status flow: INITIATED (RETURN_INITIATED) → DELIVERED (DELIVERED_AT_RETURN_CENTER, by the
admin API) → COMPLETED once every unit is refunded (REFUND_ISSUED). Refunds cannot be issued
for WFS return orders (D-issue-a-refund). ``meta.nextCursor`` is a query string such as
``?sellerId=151&limit=10&offset=10`` to append to ``/v3/returns``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import quote

from . import settlement
from .bodies import as_list, dig, parse_int
from .context import SimContext
from .errors import WalmartError, bad_content, bad_param, not_found
from .models import ReturnEvent, ReturnLine, ReturnOrder
from .returns_wire import return_json
from .wire import day_end_ms, parse_wire_time

STATUSES = ("INITIATED", "DELIVERED", "COMPLETED")
FILTERS = (
    "returnOrderId", "customerOrderId", "status", "replacementInfo", "returnType",
    "returnCreationStartDate", "returnCreationEndDate", "returnLastModifiedStartDate",
    "returnLastModifiedEndDate",
)  # fmt: skip


def _bound(q: Mapping[str, str], name: str, *, end: bool) -> int | None:
    text = q.get(name)
    if not text:
        return None
    try:
        if end and len(text.strip()) == 10:
            return day_end_ms(date.fromisoformat(text.strip()))
        return parse_wire_time(text)
    except ValueError as exc:
        raise bad_param("returns", f"Invalid value for {name}: {text}", name) from exc


def _within(value: int, low: int | None, high: int | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def list_returns(ctx: SimContext, q: Mapping[str, str]) -> dict[str, Any]:
    text = q.get("limit", "10")
    if not text.isdigit() or not 1 <= int(text) <= 200:
        raise bad_param("returns", f"limit must be between 1 and 200, got {text}", "limit")
    limit = int(text)
    offset_text = q.get("offset", "0")
    offset = int(offset_text) if offset_text.isdigit() else 0
    if q.get("status") and q["status"] not in STATUSES:
        raise bad_param("returns", f"Invalid value for status: {q['status']}", "status")
    created = (
        _bound(q, "returnCreationStartDate", end=False),
        _bound(q, "returnCreationEndDate", end=True),
    )
    modified = (
        _bound(q, "returnLastModifiedStartDate", end=False),
        _bound(q, "returnLastModifiedEndDate", end=True),
    )
    matched = [
        r
        for r in ctx.state.returns.values()
        if (not q.get("returnOrderId") or r.return_order_id == q["returnOrderId"])
        and (not q.get("customerOrderId") or r.customer_order_id == q["customerOrderId"])
        and (not q.get("returnType") or r.return_type == q["returnType"])
        and (not q.get("status") or any(ln.status == q["status"] for ln in r.lines))
        and _within(r.return_date_ms, *created)
        and _within(r.last_modified_ms, *modified)
    ]
    matched.sort(key=lambda r: (-r.return_date_ms, r.return_order_id))
    page = matched[offset : offset + limit]
    if not page and ctx.config.returns_empty_404:
        raise not_found("returns", "Return orders not found for given search parameters")
    next_cursor = None
    if offset + limit < len(matched):
        pairs = [
            ("sellerId", ctx.config.seller_id),
            ("limit", str(limit)),
            ("offset", str(offset + limit)),
        ]
        pairs += [(name, q[name]) for name in FILTERS if q.get(name)]
        next_cursor = "?" + "&".join(f"{k}={quote(v, safe=':')}" for k, v in pairs)
    body = {
        "meta": {"totalCount": len(matched), "limit": limit, "nextCursor": next_cursor},
        "returnOrders": [return_json(r) for r in page],
    }
    return body


def _bad(description: str, field: str | None = None) -> WalmartError:
    return bad_content("returns", description, field)


def issue_refund(ctx: SimContext, return_order_id: str, body: Any) -> dict[str, Any]:
    ret = ctx.state.returns.get(return_order_id)
    if ret is None:
        raise not_found("returns", f"Return order {return_order_id} not found")
    if not isinstance(body, dict):
        raise _bad("Request body must be an object")
    if ret.is_wfs:
        raise _bad("Refunds cannot be issued for WFS return orders", "returnOrderId")
    if str(body.get("customerOrderId", "")) != ret.customer_order_id:
        raise _bad("customerOrderId does not match the return order", "customerOrderId")
    lines = as_list(body.get("refundLines"))
    if not lines:
        raise _bad("refundLines is required", "refundLines")
    plan: list[tuple[ReturnLine, int]] = []
    for raw in lines:
        number = parse_int(
            dig(raw, "returnOrderLineNumber"), "returnOrderLineNumber", "returns", minimum=1
        )
        line = next((ln for ln in ret.lines if ln.number == number), None)
        if line is None:
            raise _bad(f"Invalid returnOrderLineNumber {number}", "returnOrderLineNumber")
        quantity = dig(raw, "quantity", "measurementValue")
        qty = (
            parse_int(quantity, "quantity", "returns", minimum=1)
            if quantity is not None
            else line.quantity - line.refunded_qty
        )
        already = sum(q for ln, q in plan if ln is line)
        if qty + already > line.quantity - line.refunded_qty or qty == 0:
            raise _bad(f"Return line {number} has no {qty} units left to refund", "quantity")
        plan.append((line, qty))
    now = ctx.clock.now_ms()
    for line, qty in plan:
        line.refunded_qty += qty
        settlement.record_return_refund(ctx, ret, line, qty)
        if line.refunded_qty == line.quantity:
            line.status = "COMPLETED"
            line.status_ms = now
            line.current_refund_status = "REFUND_ISSUED"
            line.events.append(ReturnEvent("REFUND_ISSUED", "Refund issued", now))
    ret.last_modified_ms = now
    return {
        "returnOrderId": ret.return_order_id,
        "customerOrderId": ret.customer_order_id,
        "refundLines": lines,
    }


def mark_delivered(ctx: SimContext, ret: ReturnOrder) -> None:
    now = ctx.clock.now_ms()
    for line in ret.lines:
        if line.status == "INITIATED":
            line.status = "DELIVERED"
            line.status_ms = now
            line.current_delivery_status = "DELIVERED"
            line.events.append(
                ReturnEvent("DELIVERED_AT_RETURN_CENTER", "Delivered at return center", now)
            )
    ret.last_modified_ms = now
