"""What `mlc demo` compares: expected against found, and the counts `--json` prints."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from mlc_shared.domain.tally import PostedVoucher
from mlc_shared.domain.walmart import ReconReport, ReturnOrder

from ml_connector.demo.dataset import DemoOrder

CENT = Decimal("0.01")
_MARKER = re.compile(r"\[mlc:[^\]]+\]")


@dataclass
class Check:
    label: str
    expected: str
    actual: str

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


@dataclass
class DemoResult:
    counts: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def duplicates(vouchers: list[PostedVoucher]) -> int:
    """Vouchers of any type posted more than once. The connector marks each voucher's
    narration with its source (``[mlc:...]``, tally-xml.md §4.7): numbers alone cannot
    tell, since Receipt and Journal types number automatically."""
    seen = Counter(
        (v.voucher_type, marker.group(0))
        for v in vouchers
        if not v.is_cancelled and (marker := _MARKER.search(v.narration or ""))
    )
    return sum(n - 1 for n in seen.values() if n > 1)


def _fully_refunded(ret: ReturnOrder) -> bool:
    return bool(ret.lines) and all(ln.refunded_qty >= ln.quantity for ln in ret.lines)


def returns_part(
    result: DemoResult,
    vouchers: list[PostedVoucher],
    seen: dict[str, ReturnOrder],
    received: list[str],
    in_transit: list[str],
) -> None:
    notes = {v.number for v in vouchers if v.voucher_type == "Credit Note"}
    credited = [rid for rid in received if f"WMR-{rid}" in notes]
    early = [rid for rid in in_transit if f"WMR-{rid}" in notes]
    refunded = [rid for rid in received if rid in seen and _fully_refunded(seen[rid])]
    refunded_early = [
        rid for rid in in_transit if rid in seen and any(ln.refunded_qty for ln in seen[rid].lines)
    ]
    result.counts.update(
        {
            "returns_seen": len(seen),
            "credit_notes_created": len(credited) + len(early),
            "refunds_issued": len(refunded) + len(refunded_early),
        }
    )
    result.checks += [
        Check("Credit Notes in Tally for received returns", str(len(received)), str(len(credited))),
        Check("Credit Notes for returns still in transit", "0", str(len(early))),
        Check(
            "Refunds issued on Walmart once received (none in transit)",
            f"{len(received)} / 0",
            f"{len(refunded)} / {len(refunded_early)}",
        ),
    ]


def settlement_part(
    result: DemoResult,
    vouchers: list[PostedVoucher],
    reports: list[ReconReport],
    bank_received: Decimal,
    debtor_change: Decimal,
    unpaid: Decimal,
) -> None:
    """``bank_received``: the bank ledger's debit change over the day; ``debtor_change``: the
    marketplace debtor's; ``unpaid``: the Sales vouchers of the orders not shipped yet."""
    deposits = [v for v in vouchers if v.voucher_type in ("Receipt", "Payment")]
    posted = [
        r
        for r in reports
        if any(f"[mlc:settlement:{r.report_date}]" in (v.narration or "") for v in deposits)
    ]
    payable = sum((r.total_payable or Decimal(0) for r in reports), Decimal(0))
    rows = sum(
        (
            row.amount or Decimal(0)
            for r in reports
            for row in r.rows
            if row.transaction_type != "PaymentSummary"
        ),
        Decimal(0),
    )
    difference = (bank_received - payable).quantize(CENT)
    result.counts.update(
        {"settlements_posted": len(posted), "settlement_difference": str(difference)}
    )
    result.checks += [
        Check("Settlement reports posted (Journal + Receipt)", str(len(reports)), str(len(posted))),
        Check(
            "Walmart report rows add up to Total Payable",
            str(payable.quantize(CENT)),
            str(rows.quantize(CENT)),
        ),
        Check("Bank deposit in Tally minus Total Payable", "0.00", str(difference)),
        Check(
            "Walmart Marketplace owes only the unshipped orders",
            str(unpaid.quantize(CENT)),
            str(debtor_change.quantize(CENT)),
        ),
    ]


def sales_total(vouchers: list[PostedVoucher], orders: list[DemoOrder]) -> Decimal:
    numbers = {f"WM-{o.purchase_order_id}" for o in orders if o.open_lines}
    return sum(
        (
            v.amount or Decimal(0)
            for v in vouchers
            if v.voucher_type == "Sales" and v.number in numbers
        ),
        Decimal(0),
    )


def orders_part(
    result: DemoResult,
    orders: list[DemoOrder],
    vouchers: list[PostedVoucher],
    acknowledged: int,
) -> None:
    expected = {f"WM-{o.purchase_order_id}" for o in orders if o.open_lines}
    created = {v.number for v in vouchers if v.voucher_type == "Sales"} & expected
    result.counts.update(
        {
            "orders_seen": len(orders),
            "orders_with_open_lines": len(expected),
            "sales_vouchers_created": len(created),
            "orders_acknowledged": acknowledged,
        }
    )
    result.checks += [
        Check(
            "Sales vouchers in Tally for orders with open lines",
            str(len(expected)),
            str(len(created)),
        ),
        Check(
            "Orders acknowledged on Walmart after posting", str(len(expected)), str(acknowledged)
        ),
    ]
