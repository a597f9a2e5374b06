"""The books a business day must leave in Tally, worked out from the seed alone (what Tally
holds, in the same shape, is read by tests/e2e/business_tally.py).

Expected, as an accountant books it (docs/mapping.md):

* one **Sales** voucher ``WM-<PO>`` per order with open lines: the debtor debited with
  product, shipping and tax of the open lines, the goods out of the ship node's godown;
  cancelled lines left out, an order cancelled whole gets nothing;
* one **Credit Note** ``WMR-<return>`` per received return: the debtor credited with the
  returned units' price and tax, the goods back into the returns godown;
* one **Journal** and one **Receipt** for the settlement report, whose rows follow Walmart's
  rules (walmart-api.md §8.3, as docs/walmart-simulator.md lists them) and are coded to
  ledgers by the mapping: the bank gets Total Payable, every settled order's bill is cleared.

Nothing here reads what the connector recorded: the seed, the simulator's published
settlement rules (commission rate, label fee) and the mapping are the only inputs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sync_orchestrator.mapping import TenantMapping

from ml_connector.demo import dataset
from ml_connector.demo.dataset import NODES, DemoOrder, Product
from tests.e2e.business_day import Day, line_of, money

CENT = Decimal("0.01")
PARTY_AMOUNTS = ("Product Price", "Product tax", "Shipping Price", "Shipping tax")
TAX_WITHHELD = ("Product tax withheld", "Shipping tax withheld")
StockKey = tuple[str, str]
"""(stock item, godown)"""


@dataclass(frozen=True)
class Posting:
    """What one voucher of the connector's numbering does to the books."""

    voucher_type: str
    party: Decimal
    """The debtor's leg, debit positive."""
    stock: tuple[tuple[str, str, Decimal], ...]
    """(stock item, godown, quantity: inward positive), sorted."""


@dataclass
class Books:
    postings: dict[str, Posting] = field(default_factory=dict)
    """Sales vouchers and Credit Notes by number."""
    types: Counter[str] = field(default_factory=Counter)
    """How many vouchers of each type the day added."""
    ledgers: dict[str, Decimal] = field(default_factory=dict)
    """Each ledger's change over the day, debit positive (only ledgers that moved)."""
    stock: dict[StockKey, Decimal] = field(default_factory=dict)
    """Each stock item's change in each godown (only those that moved)."""
    bills: dict[str, Decimal] = field(default_factory=dict)
    """What the debtor still owes on each bill the day raised (only bills not cleared)."""
    cost_centres: dict[str, Decimal] = field(default_factory=dict)
    """What the day's vouchers allocated to each cost centre, debit positive."""
    twice: list[str] = field(default_factory=list)
    """Voucher numbers posted more than once."""


@dataclass
class _Ledger:
    """Postings accumulated per ledger and per bill, debit positive."""

    ledgers: defaultdict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    bills: defaultdict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    centres: defaultdict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def post(self, ledger: str, amount: Decimal, cost_centre: str | None = None) -> None:
        self.ledgers[ledger] += amount
        if cost_centre:
            self.centres[cost_centre] += amount


def nonzero(values: dict[Any, Decimal]) -> dict[Any, Decimal]:
    return {k: v.quantize(CENT) for k, v in values.items() if v.quantize(CENT)}


def sorted_stock(moves: dict[StockKey, Decimal]) -> tuple[tuple[str, str, Decimal], ...]:
    return tuple(sorted((item, godown, qty) for (item, godown), qty in moves.items() if qty))


def customer_order_id(order: DemoOrder) -> str:
    """The bill the order raises: Walmart's customer order id (docs/mapping.md)."""
    return str(dataset.order_body(order)["customer_order_id"])


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class Expected:
    """The expected books of ``day`` under ``mapping``; ``commission_percent`` and
    ``label_fee`` are the Walmart simulator's settings (walmart-simulator.md)."""

    def __init__(
        self, day: Day, mapping: TenantMapping, commission_percent: Decimal, label_fee: Decimal
    ) -> None:
        self.day = day
        self.mapping = mapping
        self.rate = commission_percent
        self.label_fee = label_fee
        self.items = {p.sku: p for p in day.listed}

    def _item(self, line: dict[str, Any]) -> Product:
        return self.items[str(line["sku"])]

    def _sales(self, books: Books, acc: _Ledger) -> None:
        m = self.mapping
        for order in self.day.open_orders:
            node = m.ship_nodes[order.ship_node]
            godown, total = node.godowns[0], Decimal(0)
            moves: defaultdict[StockKey, Decimal] = defaultdict(Decimal)
            for number, qty in order.open_line_numbers():
                line = line_of(order, number)
                price, tax = money(line, "unit_price") * qty, money(line, "unit_tax") * qty
                shipping = money(line, "unit_shipping") * qty
                acc.post(node.sales_ledger, -price, node.cost_centre)
                acc.post(m.ledgers.shipping, -shipping)
                acc.post(m.ledgers.tax, -tax)
                moves[(self._item(line).stock_item, godown)] -= qty
                total += price + tax + shipping
            acc.post(m.ledgers.party, total)
            acc.bills[customer_order_id(order)] += total
            books.postings[f"WM-{order.purchase_order_id}"] = Posting(
                "Sales", total.quantize(CENT), sorted_stock(moves)
            )

    def _credit_notes(self, books: Books, acc: _Ledger) -> None:
        m = self.mapping
        godown = m.returns.godown or m.ship_nodes[m.default_ship_node].godowns[0]
        for ret in self.day.returns:
            total = Decimal(0)
            moves: defaultdict[StockKey, Decimal] = defaultdict(Decimal)
            for number, qty in ret.lines:
                line = line_of(ret.order, number)
                price, tax = money(line, "unit_price") * qty, money(line, "unit_tax") * qty
                acc.post(m.returns.sales_return_ledger, price)
                acc.post(m.ledgers.tax, tax)
                moves[(self._item(line).stock_item, godown)] += qty
                total += price + tax
            acc.post(m.ledgers.party, -total)
            acc.bills[customer_order_id(ret.order)] -= total
            books.postings[f"WMR-{ret.return_order_id}"] = Posting(
                "Credit Note", (-total).quantize(CENT), sorted_stock(moves)
            )

    def report_rows(self) -> list[tuple[DemoOrder, str, Decimal]]:
        """(order, Amount Type, Amount) of every row the settlement report must hold:
        shipped units sold, returned units refunded, Walmart's shipping labels."""
        rows: list[tuple[DemoOrder, str, Decimal]] = []
        for order in self.day.shipped:
            for number, qty in order.open_line_numbers():
                rows += self._movement(order, line_of(order, number), qty, sign=Decimal(1))
            if dataset.order_body(order)["label_fee"]:
                rows.append((order, "Fee/Reimbursement", -self.label_fee))
        for ret in self.day.returns:
            for number, qty in ret.lines:
                rows += self._movement(ret.order, line_of(ret.order, number), qty, sign=Decimal(-1))
        return [(order, kind, amount) for order, kind, amount in rows if amount]

    def _movement(
        self, order: DemoOrder, line: dict[str, Any], qty: int, *, sign: Decimal
    ) -> list[tuple[DemoOrder, str, Decimal]]:
        price, tax = money(line, "unit_price") * qty, money(line, "unit_tax") * qty
        rows = [
            (order, "Product Price", sign * price),
            (order, "Product tax", sign * tax),
            (order, "Product tax withheld", -sign * tax),
            (order, "Commission on Product", -sign * _cents(price * self.rate / 100)),
        ]
        if sign > 0:  # a return refund gives back product and tax only (walmart-simulator.md)
            rows.append((order, "Shipping Price", money(line, "unit_shipping") * qty))
        return rows

    def total_payable(self) -> Decimal:
        return sum((amount for _, _, amount in self.report_rows()), Decimal(0)).quantize(CENT)

    def _ledger_of(self, amount_type: str) -> str:
        m = self.mapping
        if amount_type in PARTY_AMOUNTS:
            return m.ledgers.party
        if amount_type in TAX_WITHHELD:
            return m.ledgers.tax
        return next(r.ledger for r in m.settlements.rules if r.amount_type == amount_type)

    def _settlement(self, books: Books, acc: _Ledger) -> None:
        """Journal (charges against each order's bill) + Receipt (Total Payable to the
        bank, the rest of each order's bill): the debtor's legs add up to the rows coded to
        it, so each bill is credited with what its order earned (docs/mapping.md)."""
        m = self.mapping
        for order, kind, amount in self.report_rows():
            ledger = self._ledger_of(kind)
            # The settlement's cost centre goes on fee and income legs only (docs/mapping.md).
            fee_or_income = ledger not in (m.ledgers.party, m.ledgers.tax)
            acc.post(ledger, -amount, m.settlements.cost_centre if fee_or_income else None)
            if ledger == m.ledgers.party:
                acc.bills[customer_order_id(order)] -= amount
        acc.post(m.settlements.bank_ledger, self.total_payable())
        books.types.update({"Journal": 1, "Receipt": 1})

    def books(self) -> Books:
        books, acc = Books(), _Ledger()
        self._sales(books, acc)
        self._credit_notes(books, acc)
        self._settlement(books, acc)
        books.types.update(p.voucher_type for p in books.postings.values())
        books.ledgers = nonzero(acc.ledgers)
        moved: defaultdict[StockKey, Decimal] = defaultdict(Decimal)
        for posting in books.postings.values():
            for item, godown, qty in posting.stock:
                moved[(item, godown)] += qty
        books.stock = {k: v for k, v in moved.items() if v}
        books.bills = nonzero(acc.bills)
        books.cost_centres = nonzero(acc.centres)
        return books

    def walmart_inventory(self, opening: dict[StockKey, Decimal]) -> dict[tuple[str, str], int]:
        """What Walmart must be offering at each node once the day is in Tally: the node's
        godown balance (no buffer or cap in the demo mapping), never below zero."""
        moved = self.books().stock
        offered = {}
        for product in self.day.listed:
            for node, godown in NODES.items():
                key = (product.stock_item, godown)
                on_hand = opening.get(key, Decimal(0)) + moved.get(key, Decimal(0))
                offered[(product.sku, node)] = max(int(on_hand), 0)
        return offered


def bill_names(day: Day) -> set[str]:
    return {customer_order_id(o) for o in day.orders}
