"""The demo's deterministic data: the Tally simulator's demo company (its stock items carry
part numbers), the same products listed on Walmart under those part numbers as SKUs, two
Walmart ship nodes for the company's two godowns, a day of orders, what the seller ships,
what customers send back, and the ledgers the settlement is coded to (all of them masters of
the demo company).

Everything derives from a seeded random generator, so every run produces the same books.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sync_orchestrator.mapping import Ledgers, ShipNodeMapping, SkuMapping, TenantMapping
from sync_orchestrator.mapping_sections import AmountRule, ReturnsMapping, SettlementMapping

CHENNAI_NODE = "10001"
COIMBATORE_NODE = "10002"
NODES = {CHENNAI_NODE: "Chennai Warehouse", COIMBATORE_NODE: "Coimbatore Store"}
PARTY = "Walmart Marketplace"
BANK = "HDFC Bank Current A/c"
LABEL_FEE = "Walmart Shipping Label Service Charge"
UNSHIPPED = 2
"""The last orders with open lines stay unshipped: unpaid, they stay on the debtor."""
MAX_SHIPPED = 40
"""Walmart allows 60 shipment updates a minute (walmart-simulator.md throttling)."""
RETURNS = 3
RECEIVED = 2
"""The first returns reach the return centre; the rest are still in transit."""


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

    def open_line_numbers(self) -> list[tuple[int, int]]:
        """(Walmart line number, quantity) of each line not cancelled."""
        return [
            (number, int(line["quantity"]))
            for number, line in enumerate(self.lines, start=1)
            if line.get("status") != "Cancelled"
        ]


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
            party=PARTY,
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
        returns=ReturnsMapping(
            sales_return_ledger="Sales Returns - Walmart", godown=NODES[CHENNAI_NODE]
        ),
        settlements=SettlementMapping(
            bank_ledger=BANK,
            cost_centre="Walmart US",
            rules=(
                AmountRule(amount_type="Commission on Product", ledger="Marketplace Commission"),
                AmountRule(
                    amount_type="Fee/Reimbursement", description=LABEL_FEE, ledger="Courier Charges"
                ),
            ),
        ),
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
        # Every fourth order went out on a Walmart label: a fee in the settlement (§8.3).
        "label_fee": int(order.purchase_order_id) % 4 == 0,
    }


def to_ship(orders: list[DemoOrder]) -> list[DemoOrder]:
    """Orders the seller ships today: all with open lines but the last ``UNSHIPPED``."""
    open_orders = [o for o in orders if o.open_lines]
    return open_orders[: max(len(open_orders) - UNSHIPPED, 0)][:MAX_SHIPPED]


def return_body(order: DemoOrder) -> dict[str, Any]:
    """The customer sends back one unit of the order's first open line."""
    number, _ = order.open_line_numbers()[0]
    return {
        "purchase_order_id": order.purchase_order_id,
        "lines": [{"line_number": str(number), "quantity": 1, "reason": "NO_LONGER_WANTED"}],
    }
