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


def node_quantities(item: StockItem, mapping: TenantMapping) -> dict[str, Decimal]:
    """On-hand quantity per ship node (mapping key): the sum of the node's godowns."""
    default_godown = mapping.ship_nodes[mapping.default_ship_node].godowns[0]
    per_godown = godown_quantities(item, default_godown)
    return {
        node_id: sum((per_godown.get(g, Decimal(0)) for g in node.godowns), Decimal(0))
        for node_id, node in mapping.ship_nodes.items()
    }


def offered(on_hand: Decimal, pending: Decimal, buffer: int, cap: int | None) -> int:
    """What Walmart may sell: on hand, less units sold on Walmart but not yet in Tally, less
    the buffer, at most the cap, never negative; whole units (Walmart counts EACH, §5)."""
    qty = on_hand - pending - buffer
    if cap is not None:
        qty = min(qty, Decimal(cap))
    return max(int(qty), 0)


def walmart_node(node_id: str) -> str | None:
    """The ship node an update names; the mapping key "default" is Walmart's default node."""
    return None if node_id == "default" else node_id


def inventory_updates(
    items: Iterable[StockItem],
    mapping: TenantMapping,
    *,
    pending_orders: Mapping[tuple[str, str], Decimal] | None = None,
) -> tuple[list[InventoryUpdate], list[StockItem]]:
    """Quantities to offer per (SKU, ship node), and the items no SKU maps to.

    ``pending_orders``: units per (sku, ship node) sold on Walmart but not yet posted to
    Tally; subtracted so a push never re-inflates stock Walmart already decremented.
    Buffer and cap: the SKU's own rule, else its stock group's (``TenantMapping.stock_rule``).
    """
    pending = pending_orders or {}
    updates: list[InventoryUpdate] = []
    unmapped: list[StockItem] = []
    for item in items:
        sku = mapping.sku_for_item(item)
        if sku is None:
            unmapped.append(item)
            continue
        buffer, cap = mapping.stock_rule(sku, item.parent)
        for node_id, on_hand in node_quantities(item, mapping).items():
            qty = offered(on_hand, pending.get((sku, node_id), Decimal(0)), buffer, cap)
            updates.append(InventoryUpdate(sku=sku, quantity=qty, ship_node=walmart_node(node_id)))
    return updates, unmapped
