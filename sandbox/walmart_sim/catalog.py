"""Catalog changes shared by single-item calls and feeds: item setup, retire, prices,
promotions, lag time. Each raises ``Rejected`` with Walmart's ingestion error code when the
entry is refused (walmart-api.md §3.2: ``ERR_PDI_0034`` required fields missing or invalid,
``ERR_PDI_0047`` bad GTIN check digit, ``ERR_EXT_DATA_0101211`` SKU already set up with a
different product id; meanings per C-54836535321).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .bodies import as_list, dig
from .context import SimContext
from .ids import gtin_is_valid
from .models import Item, PromoPrice
from .webhook_events import offer_event
from .wire import parse_wire_time

PRICE_TYPES = ("BASE", "REDUCED", "CLEARANCE")
PROMO_TYPES = ("REDUCED", "CLEARANCE")


class Rejected(Exception):
    def __init__(self, code: str, description: str, *, unknown_sku: bool = False) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.unknown_sku = unknown_sku


def missing(*names: str) -> Rejected:
    return Rejected("ERR_PDI_0034", f"Required fields missing or invalid: {', '.join(names)}")


def require_item(ctx: SimContext, sku: Any) -> Item:
    if not isinstance(sku, str) or not sku:
        raise missing("sku")
    item = ctx.state.items.get(sku)
    if item is None:
        raise Rejected("ERR_PDI_0034", f"SKU {sku} is not set up in the catalog", unknown_sku=True)
    return item


def _amount(value: Any, name: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (ArithmeticError, ValueError) as exc:
        raise missing(name) from exc
    if isinstance(value, bool) or value is None or not amount.is_finite() or amount <= 0:
        raise missing(name)
    return amount


def setup_item(ctx: SimContext, entry: Any, header: dict[str, Any], *, maintenance: bool) -> Item:
    """One ``MPItem`` entry of an MP_ITEM / MP_MAINTENANCE feed (walmart-api.md §3.1)."""
    orderable = dig(entry, "Orderable")
    if not isinstance(orderable, dict):
        raise missing("Orderable")
    sku = orderable.get("sku")
    ids = orderable.get("productIdentifiers") or {}
    product_id = str(dig(ids, "productId") or "")
    id_type = str(dig(ids, "productIdType") or "GTIN")
    absent = [
        name
        for name, value in (
            ("sku", sku), ("productIdentifiers.productId", product_id),
            ("productName", orderable.get("productName")), ("brand", orderable.get("brand")),
        )
        if not value
    ]  # fmt: skip
    if absent:
        raise missing(*absent)
    price = _amount(orderable.get("price"), "price")
    if id_type in ("GTIN", "UPC", "EAN") and not gtin_is_valid(product_id):
        raise Rejected(
            "ERR_PDI_0047",
            f"ID Type={id_type}, ID Value={product_id}, invalid check-digit in product ID",
        )
    gtin = product_id.zfill(14) if id_type in ("GTIN", "UPC", "EAN") else product_id
    existing = ctx.state.items.get(str(sku))
    if existing is not None and existing.gtin != gtin:
        raise Rejected(
            "ERR_EXT_DATA_0101211", "This SKU is already set up with a different Product ID"
        )
    if maintenance and existing is None:
        raise Rejected("ERR_PDI_0034", f"SKU {sku} is not set up in the catalog")
    visible = dig(entry, "Visible")
    category = (
        next(iter(visible), "Home Decor, Kitchen, & Other")
        if isinstance(visible, dict)
        else "Home Decor, Kitchen, & Other"
    )
    product_type = str(orderable.get("productType") or header.get("subCategory") or "Other")
    weight = orderable.get("ShippingWeight")
    now = ctx.clock.now_ms()
    if existing is None:
        item = Item(
            sku=str(sku), gtin=gtin, product_name=str(orderable["productName"]),
            brand=str(orderable["brand"]), price=price, product_type=product_type,
            category=category, wpid=ctx.ids.wpid(), item_id=ctx.ids.item_id(),
            created_ms=now, shelf=["Home Page", category], upc=gtin[-12:] if id_type == "UPC" else "",
        )  # fmt: skip
        ctx.state.items[item.sku] = item
    else:
        item = existing
        item.product_name = str(orderable["productName"])
        item.brand = str(orderable["brand"])
        item.price = price
        item.category = category
        item.product_type = product_type
    if weight is not None:
        item.shipping_weight_lb = _amount(weight, "ShippingWeight")
    was_published = existing is not None and existing.published_status == "PUBLISHED"
    item.lifecycle_status = "ACTIVE"
    item.published_status = "PUBLISHED"
    item.unpublished_reasons = []
    if not was_published:
        offer_event(ctx, item)
    return item


def retire(ctx: SimContext, sku: Any) -> Item:
    item = require_item(ctx, sku)
    was_published = item.published_status == "PUBLISHED"
    item.lifecycle_status = "RETIRED"
    item.published_status = "UNPUBLISHED"
    item.unpublished_reasons = ["Item was retired by the seller"]
    if was_published:
        offer_event(ctx, item)
    return item


def set_price(ctx: SimContext, entry: Any) -> Item:
    """``{"sku", "pricing":[{"currentPriceType":"BASE","currentPrice":{…}}]}`` (§4)."""
    item = require_item(ctx, dig(entry, "sku"))
    pricing = as_list(dig(entry, "pricing"))
    if not pricing:
        raise missing("pricing")
    for price in pricing:
        price_type = dig(price, "currentPriceType") or "BASE"
        if price_type not in PRICE_TYPES:
            raise missing("currentPriceType")
        if dig(price, "currentPrice", "currency") not in (None, "USD"):
            raise missing("currentPrice.currency")
        amount = _amount(dig(price, "currentPrice", "amount"), "currentPrice.amount")
        if price_type == "BASE":
            item.price = amount
    return item


def _promo_time(value: Any, name: str) -> int:
    if isinstance(value, int):
        return value
    try:
        return parse_wire_time(str(value))
    except ValueError as exc:
        raise missing(name) from exc


def set_promos(ctx: SimContext, entry: Any) -> Item:
    """Promotional prices (walmart-api.md §4, ``PUT /v3/price?promo=true``): UPSERT or
    DELETE per (type, effective date); ``replaceAll: "true"`` first clears the SKU's promos."""
    sku = dig(entry, "sku") or dig(entry, "itemIdentifier", "sku")
    item = require_item(ctx, sku)
    pricing = as_list(dig(entry, "pricing") or dig(entry, "pricingList", "pricing"))
    if str(dig(entry, "replaceAll")).lower() == "true":
        item.promos = []
    for price in pricing:
        price_type = dig(price, "currentPriceType")
        if price_type not in PROMO_TYPES:
            raise missing("currentPriceType")
        effective = _promo_time(dig(price, "effectiveDate"), "effectiveDate")
        expiration = _promo_time(dig(price, "expirationDate"), "expirationDate")
        if expiration <= effective:
            raise Rejected("ERR_PDI_0034", "expirationDate must be after effectiveDate")
        item.promos = [
            p
            for p in item.promos
            if not (p.current_price_type == price_type and p.effective_ms == effective)
        ]
        if (dig(price, "processMode") or "UPSERT") == "DELETE":
            continue
        current = _amount(dig(price, "currentPrice", "amount"), "currentPrice.amount")
        comparison_raw = dig(price, "comparisonPrice", "amount")
        comparison = (
            _amount(comparison_raw, "comparisonPrice.amount")
            if comparison_raw is not None
            else None
        )
        if comparison is not None and comparison < current:
            raise Rejected("ERR_PDI_0034", "comparisonPrice must not be below currentPrice")
        item.promos.append(
            PromoPrice(
                current_price_type=str(price_type), current_price=current,
                effective_ms=effective, expiration_ms=expiration, comparison_price=comparison,
                comparison_price_type=dig(price, "comparisonPriceType") or ("BASE" if comparison else None),
                price_display_codes=dig(price, "priceDisplayCodes"), promo_id=dig(price, "promoId"),
            )
        )  # fmt: skip
    return item


def set_lag_time(ctx: SimContext, entry: Any) -> Item:
    item = require_item(ctx, dig(entry, "sku"))
    raw = dig(entry, "fulfillmentLagTime")
    try:
        days = int(str(raw))
    except ValueError as exc:
        raise missing("fulfillmentLagTime") from exc
    if days < 0:
        raise missing("fulfillmentLagTime")
    item.lag_time_days = days
    return item


def parse_quantity(raw: Any) -> int:
    """``{"unit":"EACH","amount":10}`` → 10 (walmart-api.md §5)."""
    if not isinstance(raw, dict) or raw.get("unit", "EACH") != "EACH":
        raise missing("quantity.unit")
    amount = raw.get("amount")
    if (
        isinstance(amount, bool)
        or not isinstance(amount, (int, float))
        or amount < 0
        or int(amount) != amount
    ):
        raise missing("quantity.amount")
    return int(amount)
