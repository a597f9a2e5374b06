"""The seeded business day of the end-to-end proof (issue 6): the demo's data set
(``ml_connector.demo.dataset``) at full size, and Walmart's side of the day.

* 200 orders of one to three lines on the company's two ship nodes (Chennai and Coimbatore,
  one godown each), every fifth with a cancelled line and the last one cancelled whole;
* the seller ships every order with open lines but the last ``UNSHIPPED``;
* customers send back ``RETURNS`` shipped orders, all received at the return centre: most
  return one unit of one line, every fourth returns every open line in full;
* Walmart closes one settlement period that covers the shipments and the returns' refunds.

What happens on Walmart's side goes through the simulator's seller and admin APIs, as the
demo does (``ml_connector.demo.marketplace``); the connector's side is the test's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx
from tally_sim import TallySimulator
from walmart_sim import WalmartSimulator

from ml_connector.demo import dataset, marketplace
from ml_connector.demo.dataset import DemoOrder, Product

ORDERS = 200
RETURNS = 20
UNSHIPPED = 20
"""The last orders with open lines stay unshipped: unpaid, they stay on the debtor."""
FULL_RETURN_EVERY = 4
"""Every fourth return sends back every open line in full (multi-line, several units)."""


@dataclass(frozen=True)
class Return:
    return_order_id: str
    order: DemoOrder
    lines: tuple[tuple[int, int], ...]
    """(Walmart order line number, units returned)."""


@dataclass
class Day:
    listed: list[Product]
    orders: list[DemoOrder]
    shipped: list[DemoOrder] = field(default_factory=list)
    returns: list[Return] = field(default_factory=list)
    report_date: str | None = None
    """The settlement report Walmart closed (MMDDYYYY, as Walmart names it)."""

    @property
    def open_orders(self) -> list[DemoOrder]:
        return [o for o in self.orders if o.open_lines]

    @property
    def unshipped(self) -> list[DemoOrder]:
        shipped = {o.purchase_order_id for o in self.shipped}
        return [o for o in self.open_orders if o.purchase_order_id not in shipped]


def line_of(order: DemoOrder, number: int) -> dict[str, Any]:
    """Walmart line ``number`` (1-based, cancelled lines counted) of a seeded order."""
    return order.lines[number - 1]


def money(line: dict[str, Any], key: str) -> Decimal:
    return Decimal(str(line.get(key) or "0"))


async def listed_products(http: httpx.AsyncClient, tally: TallySimulator) -> list[Product]:
    company = tally.demo_company
    assert company is not None
    stock = await http.get(f"{tally.admin_url}/companies/{quote(company)}/stock")
    return dataset.products(stock.raise_for_status().json())


def plan(listed: list[Product], now: datetime) -> Day:
    return Day(listed, dataset.orders(listed, ORDERS, now))


async def place_orders(http: httpx.AsyncClient, walmart: WalmartSimulator, day: Day) -> None:
    for order in day.orders:
        placed = await http.post(f"{walmart.url}/admin/orders", json=dataset.order_body(order))
        placed.raise_for_status()


async def ship(http: httpx.AsyncClient, walmart: WalmartSimulator, day: Day) -> None:
    """Ship the day's orders at the pace Walmart allows (walmart-simulator.md throttling:
    ``orders.ship`` 60 a minute), moving the simulator's clock on a minute between batches
    rather than waiting one."""
    day.shipped = day.open_orders[:-UNSHIPPED]
    budget = walmart.config.throttle_limits["orders.ship"]
    batch = int(budget.limit)
    for start in range(0, len(day.shipped), batch):
        if start:
            advanced = await http.post(
                f"{walmart.url}/admin/clock/advance", json={"seconds": budget.period_seconds}
            )
            advanced.raise_for_status()
        await marketplace.ship(http, walmart, day.shipped[start : start + batch])


def _return_body(index: int, order: DemoOrder) -> dict[str, Any]:
    if index % FULL_RETURN_EVERY != FULL_RETURN_EVERY - 1:
        return dataset.return_body(order)
    lines = [
        {"line_number": str(number), "quantity": qty, "reason": "NO_LONGER_WANTED"}
        for number, qty in order.open_line_numbers()
    ]
    return {"purchase_order_id": order.purchase_order_id, "lines": lines}


async def take_returns(http: httpx.AsyncClient, walmart: WalmartSimulator, day: Day) -> None:
    """``RETURNS`` shipped orders, spread over the day, come back and reach the return
    centre (admin API: create, then deliver)."""
    step = max(len(day.shipped) // RETURNS, 1)
    for index, order in enumerate(day.shipped[::step][:RETURNS]):
        body = _return_body(index, order)
        made = await http.post(f"{walmart.url}/admin/returns", json=body)
        rid = str(made.raise_for_status().json()["returnOrderId"])
        (await http.post(f"{walmart.url}/admin/returns/{rid}/deliver")).raise_for_status()
        lines = tuple((int(ln["line_number"]), int(ln["quantity"])) for ln in body["lines"])
        day.returns.append(Return(rid, order, lines))
    assert len(day.returns) == RETURNS


async def close_settlement(http: httpx.AsyncClient, walmart: WalmartSimulator, day: Day) -> None:
    """Close the period holding everything that happened today: Walmart posts a movement
    ``posting_lag_days`` after it happens (walmart-simulator.md settlement rules), and today
    is the simulator's, whose clock the shipping moved on."""
    clock = (await http.get(f"{walmart.url}/admin/clock")).raise_for_status().json()
    today = datetime.fromtimestamp(clock["now_ms"] / 1000, tz=UTC).date()
    day_closed = today + timedelta(days=walmart.config.posting_lag_days)
    closed = await http.post(
        f"{walmart.url}/admin/settlements/close", json={"report_date": day_closed.isoformat()}
    )
    day.report_date = str(closed.raise_for_status().json()["report_date"])
