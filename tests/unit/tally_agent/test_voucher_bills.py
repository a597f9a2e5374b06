"""A party leg that settles several bills (a marketplace payout): one BILLALLOCATIONS.LIST
per bill, each signed by its own side (tally-xml.md §4.2, §4.3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from mlc_shared.domain.tally import BillAllocation, LedgerEntry, Voucher
from tally_agent.protocol.vouchers import UnrenderableVoucher, render_voucher


def _receipt(*bills: BillAllocation, party: str = "80.00") -> Voucher:
    return Voucher(
        voucher_type="Receipt",
        number="WMS-1",
        date=date(2026, 3, 16),
        remote_id="mlc:t:settlement:1:deposit",
        ledger_entries=(
            LedgerEntry(ledger="HDFC Bank", side="debit", amount=Decimal("80.00")),
            LedgerEntry(
                ledger="Walmart Marketplace",
                side="credit",
                amount=Decimal(party),
                is_party=True,
                bills=bills,
            ),
        ),
    )


def test_each_bill_is_rendered_with_its_own_sign() -> None:
    element = render_voucher(
        _receipt(
            BillAllocation(name="CO-A", amount=Decimal("100.00"), side="credit"),
            BillAllocation(name="CO-B", amount=Decimal("20.00"), side="debit"),
        )
    )
    (party,) = [e for e in element.iter("ALLLEDGERENTRIES.LIST") if e.findtext("ISPARTYLEDGER")]
    bills = [
        (b.findtext("NAME"), b.findtext("BILLTYPE"), b.findtext("AMOUNT"))
        for b in party.iter("BILLALLOCATIONS.LIST")
    ]
    assert bills == [("CO-A", "Agst Ref", "100.00"), ("CO-B", "Agst Ref", "-20.00")]
    assert party.findtext("AMOUNT") == "80.00"


def test_bills_that_do_not_add_up_to_their_leg_are_refused() -> None:
    with pytest.raises(UnrenderableVoucher, match=r"add up to 90\.00"):
        render_voucher(
            _receipt(BillAllocation(name="CO-A", amount=Decimal("90.00"), side="credit"))
        )
