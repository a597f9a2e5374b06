"""How Walmart things map onto Tally masters, per tenant (docs/mapping.md).

Kept in the store's ``mappings`` table, one row per entry, so an operator can change one SKU
without rewriting the rest; loaded whole into a typed :class:`TenantMapping` for a flow run.
A TOML file (``MLC_MAPPING_FILE``) seeds it at start-up.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from mlc_shared.domain.tally import StockItem
from mlc_shared.store.base import StoreTx
from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SkuMapping(_Model):
    stock_item: str
    unit: str = "Nos"
    buffer: int = Field(default=0, ge=0, description="units held back from Walmart")
    cap: int | None = Field(default=None, ge=0, description="never offer more than this")


class ShipNodeMapping(_Model):
    """A Walmart ship node and the Tally side of it."""

    godowns: tuple[str, ...] = ("Main Location",)
    sales_ledger: str = "Walmart Sales"
    cost_centre: str | None = None


class Ledgers(_Model):
    party: str = "Walmart Marketplace"
    shipping: str = "Shipping Charges"
    tax: str = "Output Sales Tax"


class TenantMapping(_Model):
    ledgers: Ledgers = Ledgers()
    default_ship_node: str = "default"
    ship_nodes: dict[str, ShipNodeMapping] = Field(
        default_factory=lambda: {"default": ShipNodeMapping()}
    )
    skus: dict[str, SkuMapping] = Field(default_factory=dict)
    match_by_name: bool = Field(
        default=True,
        description="a SKU equal to a stock item's name, alias or part number maps to it",
    )

    def ship_node(self, node_id: str | None) -> tuple[str, ShipNodeMapping]:
        key = node_id if node_id and node_id in self.ship_nodes else self.default_ship_node
        return key, self.ship_nodes[key]

    def stock_item_for_sku(self, sku: str) -> SkuMapping | None:
        return self.skus.get(sku)

    def sku_for_item(self, item: StockItem) -> str | None:
        for sku, entry in self.skus.items():
            if entry.stock_item == item.name:
                return sku
        if self.match_by_name:
            for candidate in (item.part_number, item.name, *item.aliases):
                if candidate:
                    return candidate
        return None


_KINDS = ("ledgers", "ship_node", "sku", "options")


async def load_mapping(tx: StoreTx, tenant: str) -> TenantMapping:
    ledgers = await tx.get_mapping(tenant, "ledgers", "default")
    options = await tx.get_mapping(tenant, "options", "default") or {}
    nodes = await tx.list_mappings(tenant, "ship_node")
    skus = await tx.list_mappings(tenant, "sku")
    raw: dict[str, Any] = {**options, "skus": skus}
    if ledgers:
        raw["ledgers"] = ledgers
    if nodes:
        raw["ship_nodes"] = nodes
    return TenantMapping.model_validate(raw)


async def save_mapping(tx: StoreTx, tenant: str, mapping: TenantMapping) -> None:
    await tx.put_mapping(tenant, "ledgers", "default", mapping.ledgers.model_dump())
    await tx.put_mapping(
        tenant,
        "options",
        "default",
        {"default_ship_node": mapping.default_ship_node, "match_by_name": mapping.match_by_name},
    )
    for node, entry in mapping.ship_nodes.items():
        await tx.put_mapping(tenant, "ship_node", node, entry.model_dump())
    for sku, sku_entry in mapping.skus.items():
        await tx.put_mapping(tenant, "sku", sku, sku_entry.model_dump())


def mapping_from_file(path: Path) -> TenantMapping:
    with path.open("rb") as fh:
        return TenantMapping.model_validate(tomllib.load(fh))
