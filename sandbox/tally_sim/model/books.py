"""How a posted voucher moves the books: ledger balances and godown-wise stock.

Balances are kept incrementally (apply on create, revert on alter/delete/cancel) so a
100,000-item export never rescans the vouchers. Closing rate follows TallyPrime's default
costing method, Avg. Cost: (opening value + inward value) / (opening qty + inward qty).
Ledger closing balances are lifetime figures that ignore any requested window
(tally-xml.md §3.2 balance caveats).

Which voucher types post where (a simulator choice, documented in docs/tally-simulator.md):
orders, memoranda, reversing journals, attendance and payroll post nothing (LOADER flags
orders with `$$IsOrderVch`; tally-xml.md §4.5); delivery/receipt notes, rejections, material
in/out, physical stock and stock journals move stock only; everything else moves ledgers and,
when it carries inventory entries, stock. Cancelled and optional vouchers post nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tally_sim.model.company import Company
from tally_sim.model.defaults import MAIN_LOCATION, PREDEFINED_VOUCHER_TYPES
from tally_sim.model.masters import Ledger, StockItem
from tally_sim.model.values import ZERO, money, name_key
from tally_sim.model.vouchers import Voucher

_NO_POSTING = {
    "Sales Order",
    "Purchase Order",
    "Job Work In Order",
    "Job Work Out Order",
    "Memorandum",
    "Reversing Journal",
    "Attendance",
    "Payroll",
}
_STOCK_ONLY = {
    "Delivery Note",
    "Receipt Note",
    "Rejections In",
    "Rejections Out",
    "Material In",
    "Material Out",
    "Physical Stock",
    "Stock Journal",
}
_PREDEFINED = set(PREDEFINED_VOUCHER_TYPES)


def base_type(company: Company, voucher_type_name: str) -> str:
    """The predefined type a (possibly user-made) voucher type descends from."""
    seen: set[str] = set()
    current = company.voucher_types.get(voucher_type_name)
    while current is not None and name_key(current.name) not in seen:
        if current.reserved_name in _PREDEFINED:
            return current.reserved_name
        seen.add(name_key(current.name))
        current = company.voucher_types.get(current.parent)
    return voucher_type_name


def posts_accounts_type(company: Company, voucher_type: str) -> bool:
    """Whether vouchers of this type move ledgers (and so must balance, Dr = Cr)."""
    kind = base_type(company, voucher_type)
    return kind not in _NO_POSTING and kind not in _STOCK_ONLY


def posts_accounts(company: Company, voucher: Voucher) -> bool:
    if voucher.is_cancelled or voucher.is_optional:
        return False
    return posts_accounts_type(company, voucher.voucher_type)


def posts_stock(company: Company, voucher: Voucher) -> bool:
    if voucher.is_cancelled or voucher.is_optional:
        return False
    return base_type(company, voucher.voucher_type) not in _NO_POSTING


def apply_voucher(company: Company, voucher: Voucher, sign: int) -> None:
    """Add (sign=+1) or remove (sign=-1) a voucher's effect on balances."""
    if posts_accounts(company, voucher):
        for entry in voucher.ledger_entries:
            _move_ledger(company.ledgers.get(entry.ledger_name), entry.amount * sign)
        for inventory in voucher.inventory_entries:
            for allocation in inventory.accounting_allocations:
                _move_ledger(company.ledgers.get(allocation.ledger_name), allocation.amount * sign)
    if posts_stock(company, voucher):
        for inventory in voucher.inventory_entries:
            item = company.stock_items.get(inventory.stock_item_name)
            if item is None:
                continue
            direction = 1 if inventory.is_deemed_positive else -1
            allocations = [(a.godown, a.actual_qty) for a in inventory.batch_allocations]
            if not allocations:
                allocations = [(MAIN_LOCATION, inventory.actual_qty)]
            for godown, quantity in allocations:
                _move_stock(item, godown, quantity * direction * sign)
            if inventory.is_deemed_positive:
                item.inward_quantity += inventory.actual_qty * sign
                item.inward_value += abs(inventory.amount) * sign


def _move_ledger(ledger: Ledger | None, amount: Decimal) -> None:
    if ledger is not None:
        ledger.movement += amount


def _move_stock(item: StockItem, godown: str, quantity: Decimal) -> None:
    key = name_key(godown)
    name, current = item.godown_movement.get(key, (godown, ZERO))
    item.godown_movement[key] = (name, current + quantity)


def ledger_closing(ledger: Ledger) -> Decimal:
    return ledger.opening_balance + ledger.movement


@dataclass(frozen=True)
class GodownBalance:
    godown: str
    opening_quantity: Decimal
    opening_value: Decimal
    opening_rate: Decimal | None
    closing_quantity: Decimal


@dataclass
class _Tally:
    godown: str
    opening_quantity: Decimal = ZERO
    opening_value: Decimal = ZERO
    opening_rate: Decimal | None = None
    movement: Decimal = ZERO


def godown_balances(item: StockItem) -> list[GodownBalance]:
    """Opening and closing quantity per godown, in first-seen order."""
    rows: dict[str, _Tally] = {}
    for opening in item.openings:
        row = rows.setdefault(
            name_key(opening.godown), _Tally(opening.godown, opening_rate=opening.rate)
        )
        row.opening_quantity += opening.quantity
        row.opening_value += opening.value
    for key, (name, quantity) in item.godown_movement.items():
        rows.setdefault(key, _Tally(name)).movement += quantity
    return [
        GodownBalance(
            godown=row.godown,
            opening_quantity=row.opening_quantity,
            opening_value=row.opening_value,
            opening_rate=row.opening_rate,
            closing_quantity=row.opening_quantity + row.movement,
        )
        for row in rows.values()
    ]


def opening_quantity(item: StockItem) -> Decimal:
    return sum((o.quantity for o in item.openings), ZERO)


def opening_value(item: StockItem) -> Decimal:
    return sum((o.value for o in item.openings), ZERO)


def closing_quantity(item: StockItem) -> Decimal:
    movement = sum((q for _, q in item.godown_movement.values()), ZERO)
    return opening_quantity(item) + movement


def closing_rate(item: StockItem) -> Decimal | None:
    """Average cost of opening stock plus everything that came in."""
    quantity = opening_quantity(item) + item.inward_quantity
    if quantity <= 0:
        return None
    return money(abs(opening_value(item)) + item.inward_value) / quantity


def closing_value(item: StockItem) -> Decimal | None:
    rate = closing_rate(item)
    if rate is None:
        return None
    return money(closing_quantity(item) * rate)
