"""Items, prices and inventory JSON (walmart-api.md §3.3, §4, §5) and the feed documents the
gateway renders for them (§3.1, §4, §5)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mlc_shared.domain.walmart import InventoryLevel, InventoryUpdate, Item, ItemSetup, PriceUpdate
from walmart_gateway.wire.common import ListOf, Wire

# ---- items (§3.3) ----


class ItemPrice(Wire):
    currency: str | None = None
    amount: Decimal | None = None


class UnpublishedReasons(Wire):
    reason: ListOf[str] = []


class ItemWire(Wire):
    sku: str
    wpid: str | None = None
    upc: str | None = None
    gtin: str | None = None
    productName: str | None = None
    productType: str | None = None
    price: ItemPrice | None = None
    publishedStatus: str | None = None
    lifecycleStatus: str | None = None
    unpublishedReasons: UnpublishedReasons | None = None

    def to_domain(self) -> Item:
        return Item(
            sku=self.sku,
            wpid=self.wpid or None,
            gtin=self.gtin or None,
            upc=self.upc or None,
            product_name=self.productName,
            product_type=self.productType,
            price=self.price.amount if self.price else None,
            currency=self.price.currency if self.price else None,
            published_status=self.publishedStatus,
            lifecycle_status=self.lifecycleStatus,
            unpublished_reasons=tuple(self.unpublishedReasons.reason)
            if self.unpublishedReasons
            else (),
        )


class ItemsPage(Wire):
    """``GET /v3/items`` and ``GET /v3/items/{id}`` (§3.3)."""

    ItemResponse: ListOf[ItemWire] = []
    totalItems: int | None = None
    nextCursor: str | None = None


# ---- prices (§4) ----


class ItemPriceResponse(Wire):
    sku: str | None = None
    message: str | None = None
    mart: str | None = None


class PriceAnswer(Wire):
    """``PUT /v3/price`` 200: every example wraps it in ``ItemPriceResponse`` (§4)."""

    ItemPriceResponse: ItemPriceResponse


def price_document(update: PriceUpdate) -> dict[str, Any]:
    return {
        "sku": update.sku,
        "pricing": [
            {
                "currentPriceType": update.price_type,
                "currentPrice": {"currency": update.currency, "amount": update.amount},
            }
        ],
    }


def price_feed(updates: list[PriceUpdate], version: str) -> dict[str, Any]:
    return {"PriceHeader": {"version": version}, "Price": [price_document(u) for u in updates]}


# ---- inventory (§5) ----


class InventoryQuantity(Wire):
    unit: str | None = "EACH"
    amount: Decimal


class SingleInventory(Wire):
    """``GET``/``PUT /v3/inventory`` (§5)."""

    sku: str
    quantity: InventoryQuantity


class NodeInventory(Wire):
    shipNode: str
    inputQty: InventoryQuantity | None = None
    availToSellQty: InventoryQuantity | None = None
    reservedQty: InventoryQuantity | None = None


class SkuInventories(Wire):
    """``GET /v3/inventories/{sku}`` (§5)."""

    sku: str
    nodes: ListOf[NodeInventory] = []

    def to_domain(self) -> list[InventoryLevel]:
        return [
            InventoryLevel(
                sku=self.sku,
                ship_node=n.shipNode,
                input_qty=_qty(n.inputQty),
                avail_to_sell_qty=_qty(n.availToSellQty),
                reserved_qty=_qty(n.reservedQty),
            )
            for n in self.nodes
        ]


def _qty(quantity: InventoryQuantity | None) -> int | None:
    return int(quantity.amount) if quantity is not None else None


def inventory_document(update: InventoryUpdate) -> dict[str, Any]:
    return {"sku": update.sku, "quantity": {"unit": "EACH", "amount": update.quantity}}


def inventory_feed(updates: list[InventoryUpdate]) -> dict[str, Any]:
    """``feedType=inventory`` (spec 1.4): Walmart's default ship node."""
    return {
        "InventoryHeader": {"version": "1.4"},
        "Inventory": [inventory_document(u) for u in updates],
    }


def multi_node_inventory_feed(updates: list[InventoryUpdate]) -> dict[str, Any]:
    """``feedType=MP_INVENTORY`` (spec 1.5, JSON only): each SKU with its ship nodes."""
    by_sku: dict[str, list[dict[str, Any]]] = {}
    for update in updates:
        by_sku.setdefault(update.sku, []).append(
            {"shipNode": update.ship_node, "quantity": {"unit": "EACH", "amount": update.quantity}}
        )
    return {
        "inventoryHeader": {"version": "1.5"},
        "inventory": [{"sku": sku, "shipNodes": nodes} for sku, nodes in by_sku.items()],
    }


# ---- item setup (§3.1) ----


def item_feed(items: list[ItemSetup], version: str) -> dict[str, Any]:
    """``MP_ITEM``: one header per feed, so one ``subCategory``; the caller groups by it."""
    return {
        "MPItemFeedHeader": {
            "sellingChannel": "marketplace",
            "processMode": "REPLACE",
            "subset": "EXTERNAL",
            "locale": "en",
            "version": version,
            "subCategory": items[0].sub_category,
        },
        "MPItem": [
            {
                "Orderable": {
                    "sku": i.sku,
                    "productIdentifiers": {
                        "productIdType": i.product_id_type,
                        "productId": i.product_id,
                    },
                    "productName": i.product_name,
                    "brand": i.brand,
                    "price": i.price,
                    "ShippingWeight": i.shipping_weight_lb,
                },
                "Visible": {
                    i.category: {
                        "shortDescription": i.short_description,
                        "mainImageUrl": i.main_image_url,
                        "keyFeatures": list(i.key_features),
                    }
                },
            }
            for i in items
        ],
    }
