"""Reading the end state back from both systems, and the two figures every scenario reports.

* **lost records**: a Walmart order with no Sales voucher in Tally's books, or one the
  connector never acknowledged on Walmart (when acknowledging is expected), plus any stock
  figure Walmart was not told (catalog scenarios);
* **duplicate vouchers**: every Sales voucher beyond the first for one purchase order,
  found by voucher number and, separately, by the connector's remote id (so a duplicate
  posted under another number is still caught).

Tally's books are read through the simulator's inspection API, Walmart's state from the
simulator's account object: what each system holds, not what the connector says it did.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.faults.world import World

NUMBER_PREFIX = "WM-"
ACKNOWLEDGED = frozenset({"Acknowledged", "Shipped", "Delivered"})


@dataclass
class Books:
    vouchers: list[dict[str, Any]]
    """Sales vouchers of the connector's numbering (``WM-<purchase order>``)."""

    def by_number(self) -> Counter[str]:
        return Counter(v["number"] for v in self.vouchers)

    def by_remote_id(self) -> Counter[str]:
        return Counter(v["remote_id"] for v in self.vouchers if v["remote_id"])


@dataclass
class Figures:
    expected: int
    lost: int
    duplicates: int
    missing_vouchers: list[str] = field(default_factory=list)
    unacknowledged: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"{self.expected} orders: {self.lost} lost (no voucher: {self.missing_vouchers[:10]}, "
            f"not acknowledged: {self.unacknowledged[:10]}), {self.duplicates} duplicate "
            f"vouchers ({self.duplicated[:10]})"
        )


async def read_books(world: World) -> Books:
    vouchers = await world.admin_tally(
        "GET", f"{world.company_path}/vouchers", params={"type": "Sales"}
    )
    return Books([v for v in vouchers if str(v["number"]).startswith(NUMBER_PREFIX)])


def acknowledged(world: World, purchase_order_id: str) -> bool:
    order = world.walmart.state.orders.get(purchase_order_id)
    if order is None:
        return False
    states = [s for line in order.lines for s in line.states if s.status != "Cancelled"]
    return bool(states) and all(s.status in ACKNOWLEDGED for s in states)


async def figures(
    world: World, purchase_orders: list[str], *, expect_acknowledged: bool = True
) -> Figures:
    books = await read_books(world)
    numbers, remote_ids = books.by_number(), books.by_remote_id()
    missing = [po for po in purchase_orders if numbers[f"{NUMBER_PREFIX}{po}"] == 0]
    unacked = (
        [po for po in purchase_orders if not acknowledged(world, po)] if expect_acknowledged else []
    )
    extra_by_number = {n: c - 1 for n, c in numbers.items() if c > 1}
    extra_by_remote = {r: c - 1 for r, c in remote_ids.items() if c > 1}
    duplicates = max(sum(extra_by_number.values()), sum(extra_by_remote.values()))
    return Figures(
        expected=len(purchase_orders),
        lost=len(set(missing) | set(unacked)),
        duplicates=duplicates,
        missing_vouchers=missing,
        unacknowledged=unacked,
        duplicated=sorted({*extra_by_number, *extra_by_remote}),
    )


async def in_flight(world: World, prefix: str = "5") -> int:
    """Orders Walmart holds that are not yet acknowledged by the connector (work under way)."""
    placed = [po for po in world.walmart.state.orders if po.startswith(prefix)]
    return sum(1 for po in placed if not acknowledged(world, po))


async def settled(world: World, purchase_orders: list[str]) -> bool:
    """Every order has its voucher and its acknowledgement (the wait condition)."""
    found = await figures(world, purchase_orders)
    return found.lost == 0
