"""Prices and promotional prices (walmart-api.md §4)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from .. import catalog
from ..bodies import json_body
from ..context import SimContext
from ..errors import WalmartError, not_found, service_error
from ..guard import guard
from ..models import Item
from ..wire import json_response, money_number

router = APIRouter()

PRICE_MESSAGE = (
    "Thank you. Your price has been updated. Please allow up to five minutes for this change "
    "to be reflected on the site."
)


def rejected(exc: catalog.Rejected) -> WalmartError:
    if exc.unknown_sku:
        return not_found("price", exc.description)
    return service_error("price", 400, "INVALID_REQUEST_CONTENT", exc.description)


@router.put("/v3/price")
async def update_price(
    request: Request,
    ctx: Annotated[SimContext, Depends(guard("price.update", "price", write=True))],
) -> Response:
    body = await json_body(request, "price")
    promo = request.query_params.get("promo", "false").lower() == "true"
    try:
        item = catalog.set_promos(ctx, body) if promo else catalog.set_price(ctx, body)
    except catalog.Rejected as exc:
        raise rejected(exc) from exc
    # Every example and client shows this wrapper, not the spec's flat schema (§4).
    return json_response(
        {"ItemPriceResponse": {"mart": "WALMART_US", "message": PRICE_MESSAGE, "sku": item.sku}}
    )


def _price_value(amount: Any) -> dict[str, Any]:
    return {"value": {"currency": "USD", "amount": money_number(amount)}}


def promo_json(item: Item) -> dict[str, Any]:
    """``GET /v3/promo/sku/{sku}`` (S1 promotion spec, ``GetPromotionalPrices200Response``)."""
    pricing = []
    for promo in sorted(item.promos, key=lambda p: p.effective_ms):
        entry: dict[str, Any] = {
            "currentPrice": _price_value(promo.current_price),
            "currentPriceType": promo.current_price_type,
        }
        if promo.comparison_price is not None:
            entry["comparisonPrice"] = _price_value(promo.comparison_price)
            entry["comparisonPriceType"] = promo.comparison_price_type or "BASE"
        entry.update(
            {
                "effectiveDate": promo.effective_ms,
                "expirationDate": promo.expiration_ms,
                "processMode": "UPSERT",
            }
        )
        pricing.append(entry)
    return {
        "status": "OK",
        "header": {"headerAttributes": {}},
        "payload": {
            "itemIdentifier": {"sku": item.sku},
            "pricingList": {"replaceAll": False, "pricing": pricing},
        },
    }


@router.get("/v3/promo/sku/{sku:path}")
async def get_promos(
    sku: str, ctx: Annotated[SimContext, Depends(guard(None, "price"))]
) -> Response:
    item = ctx.state.items.get(sku)
    if item is None:
        raise not_found("price", f"SKU {sku} is not set up in the catalog")
    return json_response(promo_json(item))
