"""Item reads and retire (walmart-api.md §3.3, §3.4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from .. import catalog
from ..context import SimContext
from ..errors import not_found
from ..guard import guard
from ..items import ITEM_NOT_FOUND, count_items, find_item, item_json, list_items
from ..wire import json_response

router = APIRouter()

RETIRE_MESSAGE = (
    "Thank you.  Your item has been submitted for retirement from Walmart Catalog.  "
    "Please note that it can take up to 48 hours for items to be retired from our catalog."
)


@router.get("/v3/items")
async def get_items(
    request: Request, ctx: Annotated[SimContext, Depends(guard("items.list", "item"))]
) -> Response:
    return json_response(list_items(ctx, request.query_params))


@router.get("/v3/items/count")
async def get_count(
    request: Request, ctx: Annotated[SimContext, Depends(guard("items.list", "item"))]
) -> Response:
    return json_response(count_items(ctx, request.query_params.get("status")))


@router.get("/v3/items/{identifier:path}")
async def get_item(
    identifier: str,
    request: Request,
    ctx: Annotated[SimContext, Depends(guard("items.get", "item"))],
) -> Response:
    item = find_item(ctx, identifier, request.query_params.get("productIdType"))
    return json_response({"ItemResponse": [item_json(item)], "totalItems": 1})


@router.delete("/v3/items/{sku:path}")
async def retire_item(
    sku: str, ctx: Annotated[SimContext, Depends(guard(None, "item", write=True))]
) -> Response:
    try:
        item = catalog.retire(ctx, sku)
    except catalog.Rejected as exc:
        raise not_found("items", ITEM_NOT_FOUND) from exc
    return json_response(
        {"sku": item.sku, "message": RETIRE_MESSAGE, "additionalAttributes": None, "errors": None}
    )
