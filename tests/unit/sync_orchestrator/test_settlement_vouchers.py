"""Reconciliation report -> Journal (charges) + Receipt (deposit): the invariant, the coding
of every row, and that each settled order's bill ends at zero."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from mlc_shared.domain.tally import Voucher
from mlc_shared.domain.walmart import ReconReport, ReconRow
from sync_orchestrator.mapping import Ledgers, TenantMapping
from sync_orchestrator.mapping_sections import AmountRule, SettlementMapping
from sync_orchestrator.receipts import SettlementPlan, settlement_of, settlement_vouchers
from sync_orchestrator.recon import SettlementNotPostable, check_report, code_rows
from tally_agent.protocol.vouchers import check

LABEL = "Walmart Shipping Label Service Charge"


def _row(
    amount: str,
    amount_type: str,
    bill: str | None = "CO-A",
    kind: str = "Sale",
    description: str = "Purchase",
) -> ReconRow:
    return ReconRow(
        transaction_type=kind,
        transaction_description=description,
        customer_order_id=bill,
        purchase_order_id=None if bill is None else f"PO-{bill}",
        amount=Decimal(amount),
        amount_type=amount_type,
    )


def _report(
    rows: list[ReconRow], total: str | None = None, declared: int | None = None
) -> ReconReport:
    payable = total if total is not None else str(sum((r.amount or 0 for r in rows), Decimal(0)))
    summary = ReconRow(
        transaction_type="PaymentSummary",
        total_payable=Decimal(payable),
        period_start_date=date(2026, 3, 1),
        period_end_date=date(2026, 3, 14),
        transaction_posted_date=date(2026, 3, 16),
    )
    return ReconReport(report_date="03142026", rows=(summary, *rows), declared_row_count=declared)


BUSINESS = [
    # order A sold: price, shipping, tax and its withheld twin, commission, a label
    _row("100.00", "Product Price"),
    _row("4.99", "Shipping Price"),
    _row("7.00", "Product tax"),
    _row("-7.00", "Product tax withheld"),
    _row("-15.00", "Commission on Product"),
    _row("-4.25", "Fee/Reimbursement", kind="Adjustment", description=LABEL),
    # order B (sold in an earlier period) refunded now: more taken back than paid
    _row("-50.00", "Product Price", "CO-B", "Refund", "Return Refund"),
    _row("-3.50", "Product tax", "CO-B", "Refund", "Return Refund"),
    _row("3.50", "Product tax withheld", "CO-B", "Refund", "Return Refund"),
    _row("7.50", "Commission on Product", "CO-B", "Refund", "Return Refund"),
    # an account-level fee (no order, §8.3)
    _row("-10.00", "Item Fees", None, "Service Fee", "Item fees"),
]


def _mapping(**settlements: object) -> TenantMapping:
    return TenantMapping(
        ledgers=Ledgers(party="Walmart Marketplace", tax="Output Tax"),
        settlements=SettlementMapping(bank_ledger="HDFC Bank", **settlements),
    )


def _plan(report: ReconReport, mapping: TenantMapping | None = None) -> SettlementPlan:
    mapping = mapping or _mapping()
    checked = check_report(report)
    return settlement_vouchers(
        checked,
        code_rows(checked.rows, mapping, report.report_date),
        mapping,
        tenant="t1",
        receipt_pattern="WMS-{report_date}",
        journal_pattern="WMS-{report_date}-CHG",
    )


def _legs(voucher: Voucher) -> dict[tuple[str, str], Decimal]:
    return {(e.ledger, e.side): e.amount for e in voucher.ledger_entries if not e.is_party}


def _bill_credits(vouchers: tuple[Voucher, ...]) -> dict[str, Decimal]:
    credits: dict[str, Decimal] = defaultdict(Decimal)
    for voucher in vouchers:
        for leg in voucher.ledger_entries:
            for bill in leg.bills:
                credits[bill.name] += bill.amount if bill.side == "credit" else -bill.amount
    return dict(credits)


def test_a_report_becomes_a_charges_journal_and_a_deposit_receipt() -> None:
    plan = _plan(_report(BUSINESS))
    journal, receipt = plan.vouchers
    for voucher in plan.vouchers:
        check(voucher)  # balanced, bills add up to their leg: the agent would post it
        assert voucher.date == date(2026, 3, 16)
    assert (journal.voucher_type, journal.number) == ("Journal", "WMS-03142026-CHG")
    assert _legs(journal) == {
        ("Walmart Commission", "debit"): Decimal("7.50"),
        ("Walmart Shipping Labels", "debit"): Decimal("4.25"),
        ("Walmart Fees", "debit"): Decimal("10.00"),
        ("Output Tax", "debit"): Decimal("3.50"),
    }
    assert (receipt.voucher_type, receipt.number) == ("Receipt", "WMS-03142026")
    assert receipt.remote_id == "mlc:t1:settlement:03142026:deposit"
    assert settlement_of(receipt.remote_id, "t1") == "03142026"
    total = Decimal("33.24")
    assert plan.total_payable == total
    assert _legs(receipt) == {("HDFC Bank", "debit"): total}
    (party,) = [e for e in receipt.ledger_entries if e.is_party]
    assert (party.ledger, party.side, party.amount) == ("Walmart Marketplace", "credit", total)


def test_every_settled_bill_is_credited_with_what_its_order_earned() -> None:
    plan = _plan(_report(BUSINESS))
    credits = _bill_credits(plan.vouchers)
    # A: 100 + 4.99 + 7 (its Sales voucher) ; B: -53.50 (its Credit Note already credited it)
    assert credits["CO-A"] == Decimal("111.99")
    assert credits["CO-B"] == Decimal("-53.50")
    assert credits["Walmart settlement 03142026"] == 0  # on account: fee in, fee out
    assert plan.bills == {"CO-A": Decimal("111.99"), "CO-B": Decimal("-53.50")}


def test_rows_that_do_not_add_up_are_not_postable_and_say_by_how_much() -> None:
    with pytest.raises(SettlementNotPostable) as caught:
        _plan(_report(BUSINESS, total="33.25"))
    assert caught.value.status == "unbalanced"
    assert caught.value.difference == Decimal("-0.01")
    assert "-0.01" in caught.value.reason


@pytest.mark.parametrize(
    ("report", "words"),
    [
        (ReconReport(report_date="03142026", rows=tuple(BUSINESS)), "PaymentSummary"),
        (_report(BUSINESS, declared=40), "declares 40 lines"),
        (
            _report([_row("1.00", "Product Price"), ReconRow(amount_type="Product tax")]),
            "no Amount",
        ),
    ],
)
def test_incomplete_reports_are_not_postable(report: ReconReport, words: str) -> None:
    with pytest.raises(SettlementNotPostable, match=words) as caught:
        _plan(report)
    assert caught.value.status == "incomplete"


def test_an_amount_type_no_rule_codes_parks_the_report_unless_a_suspense_ledger_is_set() -> None:
    rows = [*BUSINESS, _row("-1.00", "Extra Savings")]
    with pytest.raises(SettlementNotPostable, match="Sale / Extra Savings") as caught:
        _plan(_report(rows))
    assert caught.value.status == "unmapped"
    plan = _plan(_report(rows), _mapping(unmapped_ledger="Walmart Suspense"))
    assert _legs(plan.vouchers[0])[("Walmart Suspense", "debit")] == Decimal("1.00")


def test_operator_rules_win_and_the_most_specific_rule_codes_a_row() -> None:
    mapping = _mapping(
        rules=(
            AmountRule(amount_type="Commission on Product", ledger="Marketplace Commission"),
            AmountRule(amount_type="fee/reimbursement", ledger="Courier", description=LABEL),
        ),
        cost_centre="Walmart US",
    )
    journal = _plan(_report(BUSINESS), mapping).vouchers[0]
    legs = {e.ledger: e for e in journal.ledger_entries}
    assert legs["Marketplace Commission"].amount == Decimal("7.50")
    assert legs["Courier"].amount == Decimal("4.25")
    assert legs["Courier"].cost_centres[0].cost_centre == "Walmart US"
    assert legs["Output Tax"].cost_centres == ()  # never on the tax or party legs


def test_a_negative_payout_is_a_payment_and_a_zero_one_only_a_journal() -> None:
    refund_only = [r for r in BUSINESS if r.customer_order_id == "CO-B"]
    payment = _plan(_report(refund_only)).vouchers[-1]
    assert payment.voucher_type == "Payment"
    assert _legs(payment) == {("HDFC Bank", "credit"): Decimal("42.50")}
    check(payment)
    even = [_row("10.00", "Product Price"), _row("-10.00", "Commission on Product")]
    plan = _plan(_report(even))
    assert [v.voucher_type for v in plan.vouchers] == ["Journal"]
    assert _bill_credits(plan.vouchers) == {"CO-A": Decimal("10.00")}
