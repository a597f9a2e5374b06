"""Tally godown stock -> absolute Walmart quantities per ship node."""

from __future__ import annotations

from decimal import Decimal

from mlc_shared.domain.tally import GodownQuantity, StockItem
from sync_orchestrator.inventory import inventory_updates
from sync_orchestrator.mapping import ShipNodeMapping, SkuMapping, TenantMapping


def item(
    name: str, *godowns: tuple[str, str], closing: str | None = None, alias: str | None = None
) -> StockItem:
    return StockItem(
        name=name,
        guid=f"g-{name}",
        master_id=1,
        alter_id=1,
        closing_qty=Decimal(closing) if closing else None,
        aliases=(alias,) if alias else (),
        godowns=tuple(GodownQuantity(godown=g, qty=Decimal(q)) for g, q in godowns),
    )


def test_godowns_sum_into_their_ship_nodes_with_buffer_and_cap() -> None:
    mapping = TenantMapping(
        ship_nodes={
            "default": ShipNodeMapping(godowns=("Main Location", "Annex")),
            "NODE-2": ShipNodeMapping(godowns=("Bengaluru WH",)),
        },
        skus={"MUG-1": SkuMapping(stock_item="Blue Mug", buffer=2, cap=50)},
    )
    updates, unmapped = inventory_updates(
        [item("Blue Mug", ("Main Location", "10"), ("Annex", "5"), ("Bengaluru WH", "80"))], mapping
    )
    assert unmapped == []
    assert {(u.sku, u.ship_node, u.quantity) for u in updates} == {
        ("MUG-1", None, 13),
        ("MUG-1", "NODE-2", 50),
    }


def test_pending_walmart_orders_are_subtracted_and_never_below_zero() -> None:
    mapping = TenantMapping(skus={"MUG-1": SkuMapping(stock_item="Blue Mug")})
    updates, _ = inventory_updates(
        [item("Blue Mug", closing="4")], mapping, pending_orders={("MUG-1", "default"): Decimal(3)}
    )
    assert [(u.sku, u.quantity) for u in updates] == [("MUG-1", 1)]
    updates, _ = inventory_updates(
        [item("Blue Mug", closing="2")], mapping, pending_orders={("MUG-1", "default"): Decimal(3)}
    )
    assert [(u.sku, u.quantity) for u in updates] == [("MUG-1", 0)]


def test_items_match_by_alias_when_no_explicit_row_and_unmapped_are_reported() -> None:
    mapping = TenantMapping(match_by_name=True)
    updates, unmapped = inventory_updates(
        [item("Green Bowl", closing="7", alias="BOWL-7")], mapping
    )
    assert [(u.sku, u.quantity) for u in updates] == [("Green Bowl", 7)]
    mapping = TenantMapping(match_by_name=False)
    updates, unmapped = inventory_updates([item("Green Bowl", closing="7")], mapping)
    assert updates == []
    assert [i.name for i in unmapped] == ["Green Bowl"]
