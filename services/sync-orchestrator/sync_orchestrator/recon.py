"""Reading a reconciliation report before anything is posted: the settlement invariant and
the coding of every row. Pure functions.

The invariant (walmart-api.md §8.3, issue 6): the ``PaymentSummary`` row carries Total
Payable, and the ``Amount`` of every other row adds up to it to the cent. A report that does
not balance, that lost rows (fewer than its ``Number of Lines in file N``, §8.2), or that holds
an amount type no rule codes, is not postable: :class:`SettlementNotPostable` says why, with
the difference, and the flow parks it for an operator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from mlc_shared.domain.walmart import ReconReport, ReconRow

from sync_orchestrator.mapping import TenantMapping
from sync_orchestrator.mapping_sections import PARTY, TAX
from sync_orchestrator.vouchers import MappingGap, money

SUMMARY = "PaymentSummary"


class SettlementNotPostable(MappingGap):
    """Parked with its reason, like a mapping gap (the dispatcher parks ``MappingGap`` and
    records the flow's last error, which is what raises the operator's alert)."""

    def __init__(self, status: str, reason: str, difference: Decimal | None = None) -> None:
        super().__init__(reason)
        self.status = status
        """``unbalanced``, ``incomplete`` or ``unmapped`` (the audit status)."""
        self.difference = difference


@dataclass(frozen=True)
class CodedRow:
    row: ReconRow
    amount: Decimal
    ledger: str
    """A ledger name, or :data:`PARTY` (the marketplace debtor)."""
    bill: str | None
    """The order's bill (customer order id) for party and order-level rows; None: account."""


@dataclass(frozen=True)
class CheckedReport:
    report_date: str
    total_payable: Decimal
    day: date
    """The deposit date: the summary's posted date, else its period end, else the report date."""
    period: tuple[date | None, date | None]
    rows: tuple[ReconRow, ...]
    """Every row but the summary."""

    @property
    def rows_sum(self) -> Decimal:
        return sum((r.amount or Decimal(0) for r in self.rows), Decimal(0))


def report_day(report_date: str) -> date:
    """MMDDYYYY as Walmart lists it (§8.1)."""
    return datetime.strptime(report_date, "%m%d%Y").date()


def check_report(report: ReconReport) -> CheckedReport:
    summaries = [r for r in report.rows if r.transaction_type == SUMMARY]
    rows = tuple(r for r in report.rows if r.transaction_type != SUMMARY)
    date_ = report.report_date
    if len(summaries) != 1 or summaries[0].total_payable is None:
        raise SettlementNotPostable(
            "incomplete",
            f"report {date_} has {len(summaries)} PaymentSummary rows with Total Payable; "
            "exactly one is needed to know what was deposited",
        )
    summary = summaries[0]
    total = money(summaries[0].total_payable or Decimal(0))
    blank = [i for i, r in enumerate(rows, start=1) if r.amount is None]
    if blank:
        raise SettlementNotPostable(
            "incomplete", f"report {date_}: rows {blank[:10]} have no Amount"
        )
    declared = report.declared_row_count
    # Whether N counts the summary row is UNCERTAIN (§8.2): either reading is accepted.
    if declared is not None and len(report.rows) not in (declared, declared + 1):
        raise SettlementNotPostable(
            "incomplete",
            f"report {date_} declares {declared} lines but {len(report.rows)} were read "
            "(a JSON report capped at 1000 rows? §8.1)",
        )
    checked = CheckedReport(
        report_date=date_,
        total_payable=total,
        day=summary.transaction_posted_date or summary.period_end_date or report_day(date_),
        period=(summary.period_start_date, summary.period_end_date),
        rows=rows,
    )
    difference = money(checked.rows_sum) - total
    if difference:
        raise SettlementNotPostable(
            "unbalanced",
            f"report {date_} does not balance: its rows add up to {money(checked.rows_sum)}, "
            f"Total Payable is {total} (difference {difference}); not posted",
            difference,
        )
    return checked


def code_rows(rows: Sequence[ReconRow], mapping: TenantMapping, report_date: str) -> list[CodedRow]:
    """Each row's ledger by the mapping's rules (mapping_sections.SettlementMapping)."""
    coded: list[CodedRow] = []
    unmapped: dict[str, int] = {}
    for row in rows:
        rule = mapping.settlements.rule_for(row)
        if rule is None:
            key = f"{row.transaction_type or '?'} / {row.amount_type or '?'}"
            unmapped[key] = unmapped.get(key, 0) + 1
            continue
        ledger = mapping.ledgers.tax if rule.ledger == TAX else rule.ledger
        coded.append(
            CodedRow(row=row, amount=row.amount or Decimal(0), ledger=ledger, bill=_bill(row))
        )
    if unmapped:
        listed = ", ".join(f"{k} ({n} rows)" for k, n in sorted(unmapped.items()))
        raise SettlementNotPostable(
            "unmapped",
            f"report {report_date}: no settlement rule codes {listed}; add a "
            "[[settlements.rules]] entry (or settlements.unmapped_ledger) and replay",
        )
    return coded


def _bill(row: ReconRow) -> str | None:
    # Sales vouchers name their bill after the customer order (vouchers.sales_voucher).
    return row.customer_order_id or None


def is_party(row: CodedRow) -> bool:
    return row.ledger == PARTY
