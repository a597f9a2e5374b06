"""Tally stock item -> Walmart item setup (``MP_ITEM`` Orderable/Visible, walmart-api.md §3.1),
or the list of what is missing. Pure functions.

Content comes from the SKU's mapping row, then its stock group's, then Tally itself (the
item's name). An item without enough content is reported as "needs content" with the
missing fields named, never skipped in silence.
"""

from __future__ import annotations

from mlc_shared.domain.tally import StockItem
from mlc_shared.domain.walmart import ItemSetup, PriceUpdate

from sync_orchestrator.mapping import ItemContent, StockGroupMapping, TenantMapping

GTIN_LENGTHS = (8, 12, 13, 14)


def valid_gtin(value: str) -> bool:
    """GS1 check digit (mod 10, weights 3 and 1 from the right); GTIN-8/12/13/14 only."""
    if not value.isdigit() or len(value) not in GTIN_LENGTHS:
        return False
    digits = [int(c) for c in value]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _gtin(item: StockItem, sku: str, mapping: TenantMapping) -> str | None:
    entry = mapping.skus.get(sku)
    if entry is not None and entry.gtin:
        return entry.gtin
    group = mapping.stock_groups.get(item.parent or "")
    if group is not None and group.gtin_from_alias:
        for alias in item.aliases:
            if valid_gtin(alias):
                return alias
    return None


def eligible(item: StockItem, sku: str, mapping: TenantMapping) -> bool:
    """Should the connector set this item up when Walmart does not list it? Yes when its
    stock group says so, or its SKU row carries a GTIN."""
    group = mapping.stock_groups.get(item.parent or "")
    entry = mapping.skus.get(sku)
    return (group is not None and group.list_on_walmart) or (
        entry is not None and entry.gtin is not None
    )


def _layers(item: StockItem, sku: str, mapping: TenantMapping) -> list[ItemContent]:
    layers: list[ItemContent] = []
    entry = mapping.skus.get(sku)
    if entry is not None:
        layers.append(entry)
    group: StockGroupMapping | None = mapping.stock_groups.get(item.parent or "")
    if group is not None:
        layers.append(group)
    return layers


def item_setup(
    item: StockItem, sku: str, price: PriceUpdate | None, mapping: TenantMapping
) -> ItemSetup | tuple[str, ...]:
    """The item setup for ``sku``, or the names of the fields still missing."""
    layers = _layers(item, sku, mapping)

    def first(field: str) -> object:
        for layer in layers:
            value = getattr(layer, field)
            if value:
                return value
        return None

    gtin = _gtin(item, sku, mapping)
    values = {
        "product_name": first("product_name") or item.name,
        "brand": first("brand"),
        "category": first("category"),
        "sub_category": first("sub_category"),
        "short_description": first("short_description"),
        "main_image_url": first("main_image_url"),
        "shipping_weight_lb": first("shipping_weight_lb"),
    }
    missing = [name for name, value in values.items() if value is None]
    if gtin is None:
        missing.insert(0, "gtin")
    elif not valid_gtin(gtin):
        missing.insert(0, f"gtin ({gtin!r} is not a valid GTIN)")
    if price is None:
        missing.append("price")
    if missing or gtin is None or price is None:
        return tuple(missing)
    return ItemSetup.model_validate(
        {
            **values,
            "sku": sku,
            # Every GTIN written as 14 digits (GS1: shorter GTINs are zero-padded).
            "product_id_type": "GTIN",
            "product_id": gtin.zfill(14),
            "price": price.amount,
            "key_features": first("key_features") or (),
        }
    )
