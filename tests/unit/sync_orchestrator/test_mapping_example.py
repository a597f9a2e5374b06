"""The worked example in docs/mapping.md is a valid mapping and does what the page says."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

from mlc_shared.domain.tally import GodownQuantity, StockItem
from sync_orchestrator.inventory import inventory_updates
from sync_orchestrator.mapping import TenantMapping
from sync_orchestrator.pricing import price_for

DOC = Path(__file__).parents[3] / "docs" / "mapping.md"


def example() -> TenantMapping:
    section = DOC.read_text().split("## Worked example", 1)[1]
    block = re.search(r"```toml\n(.*?)```", section, re.S)
    assert block is not None
    return TenantMapping.model_validate(tomllib.loads(block.group(1)))


def test_the_worked_example_offers_and_prices_as_documented() -> None:
    mapping = example()
    cooker = StockItem(
        name="Pressure Cooker 5L",
        guid="g",
        master_id=1,
        alter_id=1,
        parent="Cookware",
        standard_price=Decimal(2150),
        godowns=(GodownQuantity(godown="Chennai Warehouse", qty=Decimal(60)),),
    )
    updates, _ = inventory_updates(
        [cooker], mapping, pending_orders={("SHK-CW-002", "10001"): Decimal(3)}
    )
    assert [(u.sku, u.ship_node, u.quantity) for u in updates] == [("SHK-CW-002", "10001", 50)]
    price = price_for(cooker, "SHK-CW-002", mapping)
    assert price is not None
    assert (price.amount, price.currency) == (Decimal("28.38"), "USD")
    assert mapping.party.mode == "per_customer"
    assert mapping.reversal.policy == "credit_note"
