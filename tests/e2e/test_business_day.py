"""A whole business day through the connector, end to end, in both run modes (issue 6,
"Proof"): real RabbitMQ and PostgreSQL (or SQLite and the embedded bus), both simulators
over HTTP.

The day (tests/e2e/business_day.py, the demo's data set at full size): 200 Walmart orders
on two ship nodes, multi-line, some lines and one whole order cancelled; all but the last 20
shipped; 20 returns received; one settlement report covering the shipments and the refunds.

Tally's books afterwards must hold exactly what an accountant works out from the seed
(tests/e2e/business_books.py): each Sales voucher and Credit Note with its debtor amount and
its stock movements per godown, one Journal and one Receipt for the settlement, every ledger's
change, every godown's change; the settlement invariant holds (the report's rows add up to
Total Payable, the bank got exactly that, every settled order's bill is cleared and only the
unshipped orders are owed); Walmart acknowledged every order, refunded every return, and
offers what Tally holds. Then every flow runs again and nothing in Tally changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sync_orchestrator.mapping import TenantMapping
from tally_sim import TallySimulator
from walmart_sim import WalmartSimulator

from ml_connector.demo import dataset
from ml_connector.demo.scenario import FLOWS_AGAIN
from ml_connector.demo.scenario import seed_walmart as seed_walmart_catalog
from tests.e2e import business_day as day_of
from tests.e2e.business_books import Books, Expected, bill_names, customer_order_id
from tests.e2e.business_connector import Connector, distributed, standalone
from tests.e2e.business_tally import TallyState, found_books, read_tally

ConnectorFactory = Callable[
    [Path, TallySimulator, WalmartSimulator, TenantMapping], AbstractAsyncContextManager[Connector]
]


@dataclass
class Sims:
    tally: TallySimulator
    walmart: WalmartSimulator
    company: str
    http: httpx.AsyncClient

    async def tally_state(self) -> TallyState:
        return await read_tally(self.http, self.tally.admin_url, self.company)

    async def walmart_input(self, sku: str) -> dict[str, int | None]:
        reply = await self.http.get(f"{self.walmart.url}/admin/inventory/{quote(sku)}")
        nodes = reply.raise_for_status().json() if reply.status_code != 404 else {}
        return {node: (nodes.get(node) or {}).get("input") for node in dataset.NODES}


@pytest.fixture
async def sims() -> AsyncIterator[Sims]:
    tally = TallySimulator(data="demo")
    walmart = WalmartSimulator(data="empty", time_scale=0.001)
    await tally.start(host="127.0.0.1", port=0, admin_port=0)
    await walmart.start(host="127.0.0.1", port=0)
    try:
        assert tally.demo_company is not None
        async with httpx.AsyncClient(timeout=30) as http:
            yield Sims(tally, walmart, tally.demo_company, http)
    finally:
        await walmart.stop()
        await tally.stop()


async def test_business_day_distributed_on_rabbitmq_and_postgresql(
    sims: Sims, tmp_path: Path, amqp_url: str, fresh_postgres_url: str, bus_namespace: str
) -> None:
    connector = partial(
        distributed, amqp_url=amqp_url, database_url=fresh_postgres_url, namespace=bus_namespace
    )
    await _business_day(sims, tmp_path, connector)


async def test_business_day_standalone_on_sqlite_and_the_embedded_bus(
    sims: Sims, tmp_path: Path
) -> None:
    await _business_day(sims, tmp_path, standalone)


async def _business_day(sims: Sims, workdir: Path, connector_for: ConnectorFactory) -> None:
    http, walmart = sims.http, sims.walmart
    listed = await day_of.listed_products(http, sims.tally)
    await seed_walmart_catalog(http, walmart.url, listed)
    mapping = dataset.mapping(listed)
    day = day_of.plan(listed, datetime.now(UTC))
    expected = Expected(
        day, mapping, walmart.config.commission_rate_percent, walmart.config.shipping_label_fee
    )

    async with connector_for(workdir, sims.tally, walmart, mapping) as connector:
        await connector.run("catalog")
        before = await sims.tally_state()

        await day_of.place_orders(http, walmart, day)
        await connector.run("orders")
        _assert_acknowledged(walmart, day)

        await day_of.ship(http, walmart, day)
        await day_of.take_returns(http, walmart, day)
        await connector.run("returns")
        _assert_refunded(walmart, day)

        await day_of.close_settlement(http, walmart, day)
        await connector.run("settlements")
        await connector.run("catalog")

        after = await sims.tally_state()
        found = found_books(before, after, mapping.ledgers.party, bill_names(day))
        _assert_books(expected.books(), found)
        _assert_settlement_invariant(expected, walmart, day, found, mapping)
        offered = expected.walmart_inventory(before.stock)
        assert await _walmart_offers(sims, day) == offered

        for flow in FLOWS_AGAIN:
            await connector.run(flow)
        again = await sims.tally_state()
        assert again.keys == after.keys, "running every flow again changed Tally's vouchers"
        assert again.ledgers == after.ledgers
        assert again.stock == after.stock
        _assert_refunded(walmart, day)
        assert await _walmart_offers(sims, day) == offered


def _assert_books(want: Books, found: Books) -> None:
    """Component by component, so a failure names what differs."""
    assert found.types == want.types
    assert not found.twice, f"posted twice: {found.twice[:10]}"
    missing = sorted(want.postings.keys() - found.postings.keys())
    extra = sorted(found.postings.keys() - want.postings.keys())
    assert not missing, f"vouchers not in Tally: {missing[:10]}"
    assert not extra, f"vouchers Tally should not have: {extra[:10]}"
    wrong = {n: (p, found.postings[n]) for n, p in want.postings.items() if found.postings[n] != p}
    assert not wrong, f"{len(wrong)} vouchers differ (expected, found): {list(wrong.items())[:3]}"
    assert found.ledgers == want.ledgers
    assert found.stock == want.stock
    assert found.bills == want.bills
    assert found.cost_centres == want.cost_centres


def _assert_settlement_invariant(
    expected: Expected, walmart: WalmartSimulator, day: day_of.Day, found: Books, m: TenantMapping
) -> None:
    """The report's rows add up to its Total Payable to the cent, and that is what the seed
    says Walmart owes; the bank got exactly that; every settled order's bill is cleared, so
    the debtor owes only the orders not shipped yet, each its whole Sales voucher."""
    assert day.report_date is not None
    report = walmart.state.settlements[day.report_date]
    rows = [r for r in report.rows if r["Transaction Type"] != "PaymentSummary"]
    assert sum((Decimal(r["Amount"]) for r in rows), Decimal(0)) == report.total_payable
    assert report.total_payable == expected.total_payable()
    assert found.ledgers[m.settlements.bank_ledger] == report.total_payable
    sales = expected.books().postings
    unpaid = {customer_order_id(o): sales[f"WM-{o.purchase_order_id}"].party for o in day.unshipped}
    assert found.bills == unpaid
    assert found.ledgers[m.ledgers.party] == sum(unpaid.values(), Decimal(0))


def _assert_acknowledged(walmart: WalmartSimulator, day: day_of.Day) -> None:
    """Every open line acknowledged once its Sales voucher was in Tally; nothing done to
    cancelled lines."""
    for order in day.orders:
        placed = walmart.state.orders[order.purchase_order_id]
        statuses = {s.status for line in placed.lines for s in line.states}
        want = {"Acknowledged"} if order.open_lines else set()
        want |= {"Cancelled"} if order.open_lines < len(order.lines) else set()
        assert statuses == want, (order.purchase_order_id, statuses)


def _assert_refunded(walmart: WalmartSimulator, day: day_of.Day) -> None:
    """Every returned unit refunded once, no more."""
    for ret in day.returns:
        lines = walmart.state.returns[ret.return_order_id].lines
        assert [(ln.quantity, ln.refunded_qty) for ln in lines] == [
            (qty, qty) for _, qty in ret.lines
        ]


async def _walmart_offers(sims: Sims, day: day_of.Day) -> dict[tuple[str, str], int | None]:
    offered: dict[tuple[str, str], int | None] = {}
    for product in day.listed:
        for node, qty in (await sims.walmart_input(product.sku)).items():
            offered[(product.sku, node)] = qty
    return offered
