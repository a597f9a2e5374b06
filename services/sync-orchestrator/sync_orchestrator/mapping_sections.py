"""The returns, settlements and currency sections of a tenant's mapping (docs/mapping.md,
"Returns", "Settlements" and "Currencies"). ``mapping.TenantMapping`` holds one of each.

Settlement rows are coded by rules on the report's own words (walmart-api.md §8.3): the
``Amount Type``, optionally narrowed by ``Transaction Type`` and ``Transaction Description``
(a shipping label is a ``Fee/Reimbursement`` told apart only by its description, §8.3). A rule
names a ledger, or one of two roles: ``party`` (the marketplace debtor, against the bill of
the row's order) and ``tax`` (the tax ledger the Sales vouchers credit).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from mlc_shared.domain.walmart import ReconRow
from pydantic import BaseModel, ConfigDict, Field, field_validator

PARTY = "party"
"""Rule target: the marketplace debtor, bill-wise against the row's customer order."""
TAX = "tax"
"""Rule target: the mapping's tax ledger (``ledgers.tax``), where the Sales vouchers put it."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReturnsMapping(_Model):
    sales_return_ledger: str = "Sales Returns"
    restock: bool = Field(
        default=True,
        description="bring returned units back as inward stock (an item Credit Note); "
        "False: an accounting-only Credit Note on the sales-return ledger",
    )
    godown: str | None = Field(
        default=None,
        description="where returned units go; None: the first godown of the default ship node "
        "(a return does not say which node shipped it, walmart-api.md §7)",
    )
    voucher_type: str | None = Field(
        default=None, description="a Credit Note type of the company; None: 'Credit Note'"
    )


def _words(text: str | None) -> str:
    # Walmart pads and doubles spaces ("Deposited in  account", §8.1 example).
    return re.sub(r"\s+", " ", text or "").strip().casefold()


class AmountRule(_Model):
    amount_type: str = Field(min_length=1)
    transaction_type: str | None = None
    description: str | None = Field(
        default=None, description="the row's Transaction Description, when it decides"
    )
    ledger: str = Field(min_length=1, description="a ledger name, or 'party' / 'tax'")

    @property
    def specificity(self) -> int:
        return (self.transaction_type is not None) + (self.description is not None)

    def matches(self, row: ReconRow) -> bool:
        return (
            _words(self.amount_type) == _words(row.amount_type)
            and (
                self.transaction_type is None
                or _words(self.transaction_type) == _words(row.transaction_type)
            )
            and (
                self.description is None
                or _words(self.description) == _words(row.transaction_description)
            )
        )


def _rule(amount_type: str, ledger: str, *, description: str | None = None) -> AmountRule:
    return AmountRule(amount_type=amount_type, ledger=ledger, description=description)


_FEES = "Walmart Fees"
DEFAULT_RULES: tuple[AmountRule, ...] = (
    # What the customer paid for the order: settles its bill (§8.3 "item revenue").
    _rule("Product Price", PARTY),
    _rule("Product tax", PARTY),
    _rule("Shipping Price", PARTY),  # amount-type names for shipping UNCERTAIN (§8.3)
    _rule("Shipping tax", PARTY),
    # Walmart remits sales tax as marketplace facilitator (§8.3): the withheld half clears
    # the output tax the Sales voucher raised, so the tax ledger nets to nothing.
    _rule("Product tax withheld", TAX),
    _rule("Shipping tax withheld", TAX),
    _rule("Commission on Product", "Walmart Commission"),
    _rule(
        "Fee/Reimbursement",
        "Walmart Shipping Labels",
        description="Walmart Shipping Label Service Charge",
    ),
    _rule("Fee/Reimbursement", _FEES),
    _rule("Total Walmart Funded Savings", "Walmart Funded Savings"),
    _rule("Promo Code", "Walmart Promotions"),
    *(
        _rule(kind, _FEES)
        for kind in (
            "Item Fees",
            "Other tax (Fees)",
            "Review Accelerator Fee",
            "SEM Marketing Fee",
            "Walmart Product Advertising",
            "WFS Fee/Reimbursement",
            "WFS Fulfillment fee",
            "WFS Inbound Fee",
            "WFS Inventory Fee/Reimbursement",
            "WFS Return Processing Fee",
        )
    ),
)
"""Every Amount Type §8.3 explains. ``Extra Savings``, ``ExcessRefundAdjustment`` and any
type Walmart adds later have no default on purpose: a report holding one is parked until
the operator says where it goes (or sets ``unmapped_ledger``)."""


class SettlementMapping(_Model):
    bank_ledger: str = Field(
        default="Bank Account", description="where Walmart deposits Total Payable"
    )
    rules: tuple[AmountRule, ...] = Field(
        default=(), description="the operator's rules; they win over the defaults"
    )
    use_default_rules: bool = True
    unmapped_ledger: str | None = Field(
        default=None,
        description="a suspense ledger for amount types no rule names; None: park the report",
    )
    cost_centre: str | None = Field(
        default=None, description="cost centre for the fee and income legs (not party, tax)"
    )
    receipt_voucher_type: str | None = None
    journal_voucher_type: str | None = None
    payment_voucher_type: str | None = Field(
        default=None, description="used instead of a Receipt when Total Payable is negative"
    )

    def rule_for(self, row: ReconRow) -> AmountRule | None:
        """The most specific matching rule; on a tie, the operator's before the defaults."""
        candidates = (*self.rules, *(DEFAULT_RULES if self.use_default_rules else ()))
        best: AmountRule | None = None
        for rule in candidates:
            if rule.matches(row) and (best is None or rule.specificity > best.specificity):
                best = rule
        if best is None and self.unmapped_ledger:
            return AmountRule(amount_type=row.amount_type or "?", ledger=self.unmapped_ledger)
        return best


class DatedRate(_Model):
    date: date
    rate: Decimal = Field(gt=0, description="company currency per one unit of Walmart's")


class CurrencyMapping(_Model):
    """The Tally company's base currency and how Walmart's amounts are converted into it.

    Unset ``base`` (or Walmart's own currency) changes nothing: vouchers carry Walmart's
    amounts as before. Otherwise every voucher is a forex voucher, as Tally's own are: each
    amount in Walmart's currency (named ``foreign_name`` in the company), at the rate of its
    date, and what that books in the base currency (tally-xml.md §7.3)."""

    base: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{3}$",
        description="ISO code of the company's base currency, e.g. INR; None: Walmart's",
    )
    foreign_name: str | None = Field(
        default=None,
        min_length=1,
        description="Walmart's currency as it is named in the Tally company ('$', 'USD')",
    )
    source: Literal["fixed", "table"] = Field(
        default="fixed", description="fixed: ``rate``; table: ``rates`` by voucher date"
    )
    rate: Decimal | None = Field(
        default=None, gt=0, description="company currency per one unit of Walmart's (83.25)"
    )
    rates: tuple[DatedRate, ...] = Field(
        default=(),
        description="the operator's rates; a voucher takes the latest on or before its date",
    )
    max_age_days: int | None = Field(
        default=None,
        ge=0,
        description="a table rate older than this (days before the voucher) counts as "
        "missing; None: any earlier rate applies",
    )

    @field_validator("rates")
    @classmethod
    def _one_rate_a_day(cls, value: tuple[DatedRate, ...]) -> tuple[DatedRate, ...]:
        days = [r.date for r in value]
        twice = sorted({d.isoformat() for d in days if days.count(d) > 1})
        if twice:
            raise ValueError(f"two rates for the same date: {', '.join(twice)}")
        return tuple(sorted(value, key=lambda r: r.date))

    def converts(self, walmart_currency: str) -> bool:
        """Whether vouchers need converting: the company keeps its books in another currency."""
        return self.base is not None and self.base != walmart_currency

    def problems(self, walmart_currency: str) -> list[str]:
        """What a converting section lacks (refused when the mapping is loaded)."""
        if not self.converts(walmart_currency):
            return []
        found = []
        if not self.foreign_name:
            found.append(
                f"currency.foreign_name: how {walmart_currency} is named in the Tally company"
            )
        if self.source == "fixed" and self.rate is None:
            found.append("currency.rate (currency.source is 'fixed')")
        if self.source == "table" and not self.rates:
            found.append("at least one [[currency.rates]] (currency.source is 'table')")
        return found

    def rate_on(self, day: date) -> Decimal | None:
        """The rate for a voucher dated ``day``; None when the table has none for it."""
        if self.source == "fixed":
            return self.rate
        earlier = [r for r in self.rates if r.date <= day]
        if not earlier:
            return None
        latest = earlier[-1]
        if self.max_age_days is not None and day - latest.date > timedelta(self.max_age_days):
            return None
        return latest.rate
