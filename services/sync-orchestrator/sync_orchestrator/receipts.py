"""A checked, coded reconciliation report -> the settlement vouchers. Pure functions.

Two vouchers per report, as an accountant books a marketplace payout (docs/mapping.md,
"Settlements"):

* **Journal** ("charges"): every row Walmart kept or added (commission, shipping labels,
  fees, tax withheld, Walmart-funded savings) on its ledger, against the marketplace debtor,
  bill-wise on the order each row belongs to (account-level rows On Account).
* **Receipt** ("deposit"): the bank debited with Total Payable, the debtor credited with
  what the deposit paid per order, bill-wise (Agst Ref, tally-xml.md §4.3). A negative Total
  Payable (Walmart took money back) is a Payment instead; a zero one needs no bank voucher,
  and the Journal then settles the bills alone.

After both, every order the report settles has a zero bill: its sale (and any Credit Note)
less the charges less the deposit. Sides per §4.2 (the agent signs them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from mlc_shared.domain.tally import (
    BillAllocation,
    CostCentreAllocation,
    LedgerEntry,
    Voucher,
    VoucherType,
)

from sync_orchestrator.mapping import TenantMapping
from sync_orchestrator.recon import CheckedReport, CodedRow, is_party
from sync_orchestrator.vouchers import money

ON_ACCOUNT = None


def settlement_remote_id(tenant: str, report_date: str, part: str) -> str:
    return f"mlc:{tenant}:settlement:{report_date}:{part}"


def settlement_of(remote_id: str, tenant: str) -> str | None:
    """The report date of one of our settlement vouchers' remote ids."""
    prefix = f"mlc:{tenant}:settlement:"
    if not remote_id.startswith(prefix):
        return None
    return remote_id[len(prefix) :].split(":", 1)[0]


@dataclass(frozen=True)
class SettlementPlan:
    report_date: str
    total_payable: Decimal
    vouchers: tuple[Voucher, ...]
    bills: dict[str, Decimal]
    """Per order bill, what the report settled (credit to the debtor, +)."""
    charges: dict[str, Decimal]
    """Per ledger, the net of the Journal's rows (as Walmart signs them: - = charged)."""


def _party_leg(ledger: str, credits: dict[str | None, Decimal], on_account: str) -> LedgerEntry:
    """One debtor leg, credited with ``credits`` per bill (negative: debited)."""
    bills = tuple(
        BillAllocation(
            name=name if name is not ON_ACCOUNT else on_account,
            amount=abs(amount),
            side="credit" if amount > 0 else "debit",
            bill_type="Agst Ref" if name is not ON_ACCOUNT else "On Account",
        )
        for name, amount in sorted(credits.items(), key=lambda kv: kv[0] or "")
        if amount
    )
    net = sum(credits.values(), Decimal(0))
    return LedgerEntry(
        ledger=ledger,
        side="credit" if net >= 0 else "debit",
        amount=abs(net),
        is_party=True,
        bills=bills,
    )


def _sum_by(rows: Iterable[CodedRow], key: str) -> dict[str | None, Decimal]:
    sums: dict[str | None, Decimal] = defaultdict(Decimal)
    for row in rows:
        sums[getattr(row, key)] += row.amount
    return dict(sums)


def settlement_vouchers(
    report: CheckedReport,
    coded: list[CodedRow],
    mapping: TenantMapping,
    *,
    tenant: str,
    receipt_pattern: str,
    journal_pattern: str,
) -> SettlementPlan:
    section = mapping.settlements
    party = mapping.ledgers.party
    date_ = report.report_date
    charges_rows = [r for r in coded if not is_party(r)]
    paid = _sum_by([r for r in coded if is_party(r)], "bill")  # g: what each order earned
    kept = _sum_by(charges_rows, "bill")  # x: what Walmart kept (-) or added (+) per order
    by_ledger = {k: v for k, v in _sum_by(charges_rows, "ledger").items() if k is not None}
    total = report.total_payable
    on_account = f"Walmart settlement {date_}"
    marker = f"[mlc:settlement:{date_}"
    span = " to ".join(d.isoformat() for d in report.period if d is not None)
    period = f" ({span})" if span else ""
    vouchers: list[Voucher] = []

    def voucher(
        kind: VoucherType, type_name: str | None, number: str, part: str, narration: str,
        legs: tuple[LedgerEntry, ...],
    ) -> Voucher:  # fmt: skip
        return Voucher(
            voucher_type=kind,
            voucher_type_name=type_name,
            number=number,
            date=report.day,
            remote_id=settlement_remote_id(tenant, date_, part),
            party_ledger=party,
            reference=date_,
            narration=narration,
            ledger_entries=legs,
        )

    # Journal credits the debtor with what Walmart kept per order; with no bank voucher it
    # also carries what the orders earned (the bills still net to zero).
    journal_credit = {b: -x for b, x in kept.items()}
    deposit_credit = {b: paid.get(b, Decimal(0)) + kept.get(b, Decimal(0)) for b in {*paid, *kept}}
    if not total:
        for bill, net in deposit_credit.items():
            journal_credit[bill] = journal_credit.get(bill, Decimal(0)) + net
    legs = [_charge_leg(ledger, net, mapping) for ledger, net in sorted(by_ledger.items()) if net]
    if legs or any(journal_credit.values()):
        vouchers.append(
            voucher(
                "Journal",
                section.journal_voucher_type,
                journal_pattern.format(report_date=date_),
                "charges",
                f"Walmart settlement {date_}: commission, fees and tax withheld {marker}:charges]",
                (*legs, _party_leg(party, journal_credit, on_account)),
            )
        )
    if total:
        bank = LedgerEntry(
            ledger=section.bank_ledger, side="debit" if total > 0 else "credit", amount=abs(total)
        )
        vouchers.append(
            voucher(
                "Receipt" if total > 0 else "Payment",
                section.receipt_voucher_type if total > 0 else section.payment_voucher_type,
                receipt_pattern.format(report_date=date_),
                "deposit",
                f"Walmart settlement {date_}{period}: Total Payable {total} {marker}]",
                (bank, _party_leg(party, deposit_credit, on_account)),
            )
        )
    return SettlementPlan(
        report_date=date_,
        total_payable=total,
        vouchers=tuple(vouchers),
        bills={b: money(v) for b, v in paid.items() if b is not None},
        charges={k: money(v) for k, v in by_ledger.items()},
    )


def _charge_leg(ledger: str, net: Decimal, mapping: TenantMapping) -> LedgerEntry:
    """Walmart's sign: negative = charged to the seller (a debit to the expense)."""
    side = "debit" if net < 0 else "credit"
    centre = mapping.settlements.cost_centre
    centres = (
        (CostCentreAllocation(cost_centre=centre, amount=abs(net)),)
        if centre and ledger != mapping.ledgers.tax
        else ()
    )
    return LedgerEntry(ledger=ledger, side=side, amount=abs(net), cost_centres=centres)
