"""Tally stock -> Walmart inventory per ship node. Pure functions.

Walmart updates are absolute quantities (ARCHITECTURE.md: updates are absolute values, not
increments), so re-sending one is harmless and a lost one is repaired by the next cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from mlc_shared.domain.tally import StockItem
from mlc_shared.domain.walmart import InventoryUpdate

from sync_orchestrator.mapping import TenantMapping


def godown_quantities(item: StockItem, default_godown: str) -> dict[str, Decimal]:
    if item.godowns:
        return {g.godown: g.qty for g in item.godowns}
    return {default_godown: item.closing_qty or Decimal(0)}


def inventory_updates(
    items: Iterable[StockItem],
    mapping: TenantMapping,
    *,
    pending_orders: Mapping[tuple[str, str], Decimal] | None = None,
) -> tuple[list[InventoryUpdate], list[StockItem]]:
    """Quantities to offer per (SKU, ship node), and the items no SKU maps to.

    ``pending_orders``: units per (sku, ship node) sold on Walmart but not yet posted to
    Tally; subtracted so a push never re-inflates stock Walmart already decremented.
    """
    pending = pending_orders or {}
    default_godown = mapping.ship_nodes[mapping.default_ship_node].godowns[0]
    updates: list[InventoryUpdate] = []
    unmapped: list[StockItem] = []
    for item in items:
        sku = mapping.sku_for_item(item)
        if sku is None:
            unmapped.append(item)
            continue
        rule = mapping.skus.get(sku)
        per_godown = godown_quantities(item, default_godown)
        for node_id, node in mapping.ship_nodes.items():
            qty = sum((per_godown.get(g, Decimal(0)) for g in node.godowns), Decimal(0))
            qty -= pending.get((sku, node_id), Decimal(0))
            if rule is not None:
                qty -= rule.buffer
                if rule.cap is not None:
                    qty = min(qty, Decimal(rule.cap))
            ship_node = None if node_id == "default" else node_id
            updates.append(InventoryUpdate(sku=sku, quantity=max(int(qty), 0), ship_node=ship_node))
    return updates, unmapped
