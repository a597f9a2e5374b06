"""The demo's deterministic data: the Tally simulator's demo company (its stock items carry
part numbers), the same products listed on Walmart under those part numbers as SKUs, two
Walmart ship nodes for the company's two godowns, and a day of orders.

Everything derives from a seeded random generator, so every run produces the same books.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sync_orchestrator.mapping import Ledgers, ShipNodeMapping, SkuMapping, TenantMapping

CHENNAI_NODE = "10001"
COIMBATORE_NODE = "10002"
NODES = {CHENNAI_NODE: "Chennai Warehouse", COIMBATORE_NODE: "Coimbatore Store"}


@dataclass(frozen=True)
class Product:
    sku: str
    stock_item: str
    unit: str
    price_usd: Decimal


@dataclass(frozen=True)
class DemoOrder:
    purchase_order_id: str
    ship_node: str
    lines: tuple[dict[str, Any], ...]
    placed: datetime

    @property
    def open_lines(self) -> int:
        return sum(1 for line in self.lines if line.get("status") != "Cancelled")


def products(tally_stock: list[dict[str, Any]]) -> list[Product]:
    """Walmart listings for the Tally items that have a part number; INR price / 83, to USD."""
    listed = []
    for item in tally_stock:
        if not item.get("part_number") or not item.get("standard_price"):
            continue
        usd = (Decimal(str(item["standard_price"])) / Decimal(83)).quantize(Decimal("0.01"))
        listed.append(
            Product(item["part_number"], item["name"], item.get("base_unit") or "Nos", usd)
        )
    return listed


def mapping(listed: list[Product]) -> TenantMapping:
    return TenantMapping(
        ledgers=Ledgers(
            party="Walmart Marketplace",
            shipping="Shipping Charges Collected",
            tax="Output IGST 12%",
        ),
        default_ship_node=CHENNAI_NODE,
        ship_nodes={
            CHENNAI_NODE: ShipNodeMapping(
                godowns=(NODES[CHENNAI_NODE],),
                sales_ledger="Sales - Walmart Marketplace",
                cost_centre="Walmart US",
            ),
            COIMBATORE_NODE: ShipNodeMapping(
                godowns=(NODES[COIMBATORE_NODE],),
                sales_ledger="Sales - Walmart Marketplace",
                cost_centre="Walmart US",
            ),
        },
        skus={p.sku: SkuMapping(stock_item=p.stock_item, unit=p.unit) for p in listed},
        match_by_name=False,
    )


def orders(
    listed: list[Product], count: int, now: datetime, *, seed: int = 2026
) -> list[DemoOrder]:
    """``count`` orders of 1-3 lines; every fifth order has a cancelled line, and the last
    order is cancelled whole (it must produce no voucher)."""
    rng = random.Random(seed)
    made = []
    for n in range(count):
        node = CHENNAI_NODE if n % 3 else COIMBATORE_NODE
        picks = rng.sample(listed, k=min(len(listed), rng.randint(1, 3)))
        lines = []
        for i, product in enumerate(picks):
            line: dict[str, Any] = {
                "sku": product.sku,
                "quantity": rng.randint(1, 2),
                "unit_price": str(product.price_usd),
                "unit_tax": str((product.price_usd * Decimal("0.07")).quantize(Decimal("0.01"))),
                "unit_shipping": "0" if i else "4.99",
            }
            if (n % 5 == 4 and i == len(picks) - 1 and len(picks) > 1) or n == count - 1:
                line["status"] = "Cancelled"
                line["cancellation_reason"] = "SELLER_CANCEL_OUT_OF_STOCK"
            lines.append(line)
        placed = now - timedelta(minutes=2 * (count - n))
        made.append(DemoOrder(f"{1796277083000 + n}", node, tuple(lines), placed))
    return made


def order_body(order: DemoOrder) -> dict[str, Any]:
    return {
        "purchase_order_id": order.purchase_order_id,
        "customer_order_id": f"5{order.purchase_order_id[1:]}",
        "order_date": order.placed.astimezone(UTC).isoformat(),
        "ship_node": order.ship_node,
        "lines": list(order.lines),
    }
