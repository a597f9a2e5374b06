"""Reading the catalog: ``GET /v3/items`` paging, single item, counts (walmart-api.md §3.3).

Live quirks reproduced (S3): a ``nextCursor`` is returned only when the first request sends
``nextCursor=*``; it is passed back as ``nextCursor=`` with the same ``limit``; the end of the
data is a 404 ``CONTENT_NOT_FOUND``, even after a full page. Without ``nextCursor`` the call
pages by ``offset`` and carries no cursor. The cursor is opaque standard base64 (it can hold
``+``, ``/`` and ``=`` and so must be URL-encoded).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
from collections.abc import Mapping
from typing import Any

from .context import SimContext
from .errors import bad_param, not_found
from .models import Item
from .wire import money_number

ITEM_NOT_FOUND = "Item does not exist in Walmart's catalog"
FILTERS = ("sku", "lifecycleStatus", "publishedStatus", "variantGroupId", "condition")
_CURSOR_MAGIC = b"\x02\x81"


def item_json(item: Item) -> dict[str, Any]:
    body: dict[str, Any] = {
        "mart": "WALMART_US",
        "sku": item.sku,
        "condition": item.condition,
        "wpid": item.wpid,
        "upc": item.upc,
        "gtin": item.gtin,
        "productName": item.product_name,
        # ``shelf`` is a JSON-encoded string (S1 examples).
        "shelf": json.dumps(item.shelf),
        "productType": item.product_type,
        "price": {"currency": "USD", "amount": money_number(item.price)},
        "publishedStatus": item.published_status,
        "lifecycleStatus": item.lifecycle_status,
    }
    if item.unpublished_reasons:
        body["unpublishedReasons"] = {"reason": list(item.unpublished_reasons)}
    if item.variant_group_id:
        body["variantGroupId"] = item.variant_group_id
    return body


def _filters_digest(q: Mapping[str, str]) -> bytes:
    text = "&".join(f"{k}={q[k]}" for k in FILTERS if q.get(k))
    return hashlib.sha1(text.encode(), usedforsecurity=False).digest()[:8]


def _encode_cursor(position: int, limit: int, q: Mapping[str, str]) -> str:
    raw = _CURSOR_MAGIC + struct.pack(">II", position, limit) + _filters_digest(q)
    return base64.b64encode(raw).decode()


def _decode_cursor(text: str, q: Mapping[str, str]) -> tuple[int, int]:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise bad_param("items", "Invalid nextCursor", "nextCursor") from exc
    if len(raw) != 18 or raw[:2] != _CURSOR_MAGIC or raw[10:] != _filters_digest(q):
        raise bad_param("items", "Invalid nextCursor", "nextCursor")
    position, limit = struct.unpack(">II", raw[2:10])
    return position, limit


def _matches(item: Item, q: Mapping[str, str]) -> bool:
    values = {
        "sku": item.sku,
        "lifecycleStatus": item.lifecycle_status,
        "publishedStatus": item.published_status,
        "variantGroupId": item.variant_group_id,
        "condition": item.condition,
    }
    return all(not q.get(k) or values[k] == q[k] for k in FILTERS)


def list_items(ctx: SimContext, q: Mapping[str, str]) -> dict[str, Any]:
    limit_text = q.get("limit", "20")
    if not limit_text.isdigit() or int(limit_text) < 1:
        raise bad_param("items", f"Invalid limit {limit_text}", "limit")
    limit = int(limit_text)
    cursor = q.get("nextCursor")
    if cursor is None:
        offset_text = q.get("offset", "0")
        if not offset_text.isdigit():
            raise bad_param("items", f"Invalid offset {offset_text}", "offset")
        position = int(offset_text)
    elif cursor == "*":
        position = 0
    else:
        position, cursor_limit = _decode_cursor(cursor, q)
        if cursor_limit != limit:
            raise bad_param("items", "nextCursor must be sent with the same limit", "limit")
    # Creation order (the dict keeps insertion order), stable across calls.
    matched = [i for i in ctx.state.items.values() if _matches(i, q)]
    page = matched[position : position + limit]
    if not page:
        raise not_found("items", ITEM_NOT_FOUND)
    body: dict[str, Any] = {
        "ItemResponse": [item_json(i) for i in page],
        "totalItems": len(matched),
    }
    if cursor is not None:
        body["nextCursor"] = _encode_cursor(position + limit, limit, q)
    return body


ID_TYPES = ("SKU", "GTIN", "UPC", "ISBN", "EAN", "ITEM_ID")


def find_item(ctx: SimContext, identifier: str, id_type: str | None) -> Item:
    if not id_type:
        raise bad_param("items", "productIdType is required", "productIdType")
    if id_type not in ID_TYPES:
        raise bad_param("items", f"Invalid productIdType {id_type}", "productIdType")
    for item in ctx.state.items.values():
        if id_type == "SKU":
            hit = item.sku == identifier
        elif id_type == "ITEM_ID":
            hit = item.item_id == identifier
        else:
            hit = identifier.isdigit() and int(identifier) == int(item.gtin or "0")
        if hit:
            return item
    raise not_found("items", ITEM_NOT_FOUND)


COUNT_STATUSES = ("ALL", "PUBLISHED", "UNPUBLISHED", "SYSTEM_PROBLEM", "IN_PROGRESS")


def count_items(ctx: SimContext, status: str | None) -> dict[str, int]:
    status = status or "ALL"
    if status not in COUNT_STATUSES:
        raise bad_param("items", f"Invalid status {status}", "status")
    if status == "ALL":
        return {"All": len(ctx.state.items)}
    return {status: sum(1 for i in ctx.state.items.values() if i.published_status == status)}
