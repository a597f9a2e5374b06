"""Walmart's amounts -> the Tally company's base currency (docs/mapping.md "Currencies").
Pure functions.

Every voucher is first built in Walmart's currency (vouchers.py, credit_notes.py,
receipts.py, reversals.py); when the company keeps its books in another currency it is
turned here into a forex voucher, the way Tally keeps its own: each amount keeps its face
value in Walmart's currency and books that at the voucher's rate, rounded half-up to the
paisa per amount (tally-xml.md §7.3: ``-$100.00 @ ₹ 83.00/$ = -₹ 8300.00``).

Rounding each amount can leave the booked debits a paisa off the credits, and Tally checks
the booked totals after converting each line (TallyConnector#44: "Voucher totals do not
match! ... Diff: $ 0.00 ... ₹ 0.01"). So the difference goes to one leg, the party's (else
the largest), as the workaround in TallyConnector#45 does; the leg's bills and cost centres
are re-split to match it. Face values are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from mlc_shared.domain.tally import (
    BillAllocation,
    CostCentreAllocation,
    Forex,
    InventoryEntry,
    LedgerEntry,
    Side,
    Voucher,
)

from sync_orchestrator.mapping import TenantMapping
from sync_orchestrator.vouchers import MappingGap, money

ZERO = Decimal(0)


class MissingRate(MappingGap):
    """No rate for the voucher's date: the record is parked with this reason, never
    converted at a guessed rate."""


def voucher_rate(mapping: TenantMapping, day: date) -> Decimal | None:
    """The rate a voucher dated ``day`` books at; None when no conversion is needed.
    Raises :class:`MissingRate` when one is needed and the mapping has none."""
    section = mapping.currency
    walmart = mapping.pricing.currency
    if not section.converts(walmart):
        return None
    rate = section.rate_on(day)
    if rate is None:
        known = ", ".join(r.date.isoformat() for r in section.rates[:3]) or "none"
        older = (
            f" no older than {section.max_age_days} days"
            if section.max_age_days is not None
            else ""
        )
        raise MissingRate(
            f"no {walmart}->{section.base} exchange rate on or before {day.isoformat()}{older} "
            f"in the mapping's [[currency.rates]] (earliest: {known}); add one and replay"
        )
    return rate


def in_company_currency(
    voucher: Voucher, mapping: TenantMapping, *, rate: Decimal | None = None
) -> Voucher:
    """``voucher`` (in Walmart's currency) as the company books it: unchanged when the
    company's currency is Walmart's, else a forex voucher at ``rate`` (default: the mapping's
    rate for the voucher's date). Raises :class:`MissingRate`."""
    if not mapping.currency.converts(mapping.pricing.currency):
        return voucher
    if rate is None:
        rate = voucher_rate(mapping, voucher.date)
        assert rate is not None  # converts() said a rate is needed; voucher_rate found one
    name = mapping.currency.foreign_name
    assert name is not None  # TenantMapping refuses a converting section without it
    return convert(voucher, Forex(currency=name, rate=rate))


def convert(voucher: Voucher, terms: Forex) -> Voucher:
    at = _Rate(terms.rate)
    ledgers = [at.ledger(entry) for entry in voucher.ledger_entries]
    items = [at.item(entry) for entry in voucher.inventory_entries]
    difference = _signed_total(ledgers, items)
    if difference:
        ledgers, items = _absorb(ledgers, items, difference)
    return voucher.model_copy(
        update={
            "forex": terms,
            "ledger_entries": tuple(ledgers),
            "inventory_entries": tuple(items),
        }
    )


def _signed(side: Side, amount: Decimal) -> Decimal:
    return amount if side == "debit" else -amount


def _signed_total(ledgers: list[LedgerEntry], items: list[InventoryEntry]) -> Decimal:
    legs: list[LedgerEntry | InventoryEntry] = [*ledgers, *items]
    return sum((_signed(leg.side, leg.amount) for leg in legs), ZERO)


@dataclass(frozen=True)
class _Rate:
    rate: Decimal

    def base(self, face: Decimal) -> Decimal:
        return money(face * self.rate)

    def centres(
        self, centres: tuple[CostCentreAllocation, ...], face: Decimal, booked: Decimal
    ) -> tuple[CostCentreAllocation, ...]:
        converted = [
            c.model_copy(update={"amount": self.base(c.amount), "forex_amount": c.amount})
            for c in centres
        ]
        if not converted or sum((c.amount for c in centres), ZERO) != face:
            return tuple(converted)  # they did not split the whole leg: nothing to keep equal
        return _fit(converted, booked)

    def ledger(self, entry: LedgerEntry) -> LedgerEntry:
        booked = self.base(entry.amount)
        bills = [
            b.model_copy(update={"amount": self.base(b.amount), "forex_amount": b.amount})
            for b in entry.bills
        ]
        return entry.model_copy(
            update={
                "amount": booked,
                "forex_amount": entry.amount,
                "bills": _fit_bills(bills, entry.side, booked),
                "cost_centres": self.centres(entry.cost_centres, entry.amount, booked),
            }
        )

    def item(self, entry: InventoryEntry) -> InventoryEntry:
        booked = self.base(entry.amount)
        return entry.model_copy(
            update={
                "amount": booked,
                "rate": _unit_rate(booked, entry.quantity),
                "forex_amount": entry.amount,
                "forex_rate": entry.rate,
                "cost_centres": self.centres(entry.cost_centres, entry.amount, booked),
            }
        )


def _unit_rate(booked: Decimal, quantity: Decimal) -> Decimal:
    return money(booked / quantity) if quantity else ZERO


def _fit(centres: list[CostCentreAllocation], booked: Decimal) -> tuple[CostCentreAllocation, ...]:
    """Cost centres that split a whole leg keep adding up to it: the largest takes the
    rounding."""
    rest = booked - sum((c.amount for c in centres), ZERO)
    if rest:
        at = max(range(len(centres)), key=lambda i: centres[i].amount)
        centres[at] = centres[at].model_copy(update={"amount": centres[at].amount + rest})
    return tuple(centres)


def _fit_bills(
    bills: list[BillAllocation], side: Side, booked: Decimal
) -> tuple[BillAllocation, ...]:
    """Bills keep adding up to their leg (the agent refuses them otherwise): the largest
    takes the rounding, changing side if it must."""
    if not bills:
        return ()
    rest = _signed(side, booked) - sum((_signed(b.side, b.amount) for b in bills), ZERO)
    if rest:
        at = max(range(len(bills)), key=lambda i: bills[i].amount)
        value = _signed(bills[at].side, bills[at].amount) + rest
        side_now: Side = "debit" if value > 0 else "credit" if value < 0 else bills[at].side
        bills[at] = bills[at].model_copy(update={"amount": abs(value), "side": side_now})
    return tuple(bills)


def _absorb(
    ledgers: list[LedgerEntry], items: list[InventoryEntry], difference: Decimal
) -> tuple[list[LedgerEntry], list[InventoryEntry]]:
    """Moves ``difference`` (booked debits less credits) into one leg: the party's (unless it
    nets to nothing), else the largest ledger leg, else the largest item."""
    party = [i for i, e in enumerate(ledgers) if e.is_party and e.amount]
    if party or ledgers:
        index = party[0] if party else max(range(len(ledgers)), key=lambda i: ledgers[i].amount)
        entry = ledgers[index]
        value = _signed(entry.side, entry.amount) - difference
        side: Side = "debit" if value > 0 else "credit" if value < 0 else entry.side
        booked = abs(value)
        ledgers[index] = entry.model_copy(
            update={
                "amount": booked,
                "side": side,
                "bills": _fit_bills(list(entry.bills), side, booked),
                "cost_centres": _refit(entry.cost_centres, entry.amount, booked),
            }
        )
        return ledgers, items
    index = max(range(len(items)), key=lambda i: items[i].amount)
    item = items[index]
    booked = _less(item.side, item.amount, difference)
    items[index] = item.model_copy(
        update={
            "amount": booked,
            "rate": _unit_rate(booked, item.quantity),
            "cost_centres": _refit(item.cost_centres, item.amount, booked),
        }
    )
    return ledgers, items


def _less(side: Side, amount: Decimal, difference: Decimal) -> Decimal:
    """The leg's amount once it takes ``difference`` out of debits less credits."""
    return amount - difference if side == "debit" else amount + difference


def _refit(
    centres: tuple[CostCentreAllocation, ...], was: Decimal, booked: Decimal
) -> tuple[CostCentreAllocation, ...]:
    if not centres or sum((c.amount for c in centres), ZERO) != was:
        return centres
    return _fit(list(centres), booked)
