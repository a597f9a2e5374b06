"""Typed vouchers used by the unit, contract and integration tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mlc_shared.domain.tally import CostCentreAllocation, InventoryEntry, LedgerEntry, Voucher


def sales(
    number: str = "WM-1001",
    *,
    party: str = "Walmart Marketplace",
    item: str = "Widget",
    qty: str = "2",
    rate: str = "500.00",
    day: date | None = None,
    sales_ledger: str = "Sales",
    tax_ledger: str = "Output IGST 18%",
    shipping_ledger: str = "Shipping Charges",
    godown: str = "Main Location",
    cost_centre: str | None = "Walmart",
    narration: str | None = None,
    remote_id: str | None = None,
) -> Voucher:
    amount = Decimal(qty) * Decimal(rate)
    tax = (amount * Decimal("0.18")).quantize(Decimal("0.01"))
    shipping = Decimal("40.00")
    centres = (CostCentreAllocation(cost_centre=cost_centre, amount=amount),) if cost_centre else ()
    return Voucher(
        voucher_type="Sales",
        number=number,
        date=day or date(2025, 4, 15),
        remote_id=remote_id or f"mlc:test:order:{number}",
        party_ledger=party,
        reference=f"REF-{number}",
        narration=narration or f"Walmart PO {number} [mlc:{number}]",
        inventory_entries=(
            InventoryEntry(
                stock_item=item,
                side="credit",
                quantity=Decimal(qty),
                unit="Nos",
                rate=Decimal(rate),
                amount=amount,
                ledger=sales_ledger,
                godown=godown,
                cost_centres=centres,
            ),
        ),
        ledger_entries=(
            LedgerEntry(
                ledger=party,
                side="debit",
                amount=amount + tax + shipping,
                is_party=True,
                bill_reference=f"REF-{number}",
            ),
            LedgerEntry(ledger=tax_ledger, side="credit", amount=tax),
            LedgerEntry(ledger=shipping_ledger, side="credit", amount=shipping),
        ),
    )


def credit_note(
    number: str = "CN-1",
    *,
    party: str = "Walmart Marketplace",
    item: str = "Widget",
    day: date | None = None,
) -> Voucher:
    amount = Decimal("500.00")
    tax = Decimal("90.00")
    return Voucher(
        voucher_type="Credit Note",
        number=number,
        date=day or date(2025, 4, 20),
        remote_id=f"mlc:test:return:{number}",
        party_ledger=party,
        narration=f"Return {number}",
        inventory_entries=(
            InventoryEntry(
                stock_item=item,
                side="debit",
                quantity=Decimal(1),
                unit="Nos",
                rate=amount,
                amount=amount,
                ledger="Sales Returns",
            ),
        ),
        ledger_entries=(
            LedgerEntry(
                ledger=party,
                side="credit",
                amount=amount + tax,
                is_party=True,
                bill_reference="REF-WM-1001",
            ),
            LedgerEntry(ledger="Output IGST 18%", side="debit", amount=tax),
        ),
    )


def receipt(
    number: str = "RC-1",
    *,
    party: str = "Walmart Marketplace",
    bank: str = "HDFC Bank",
    amount: str = "5000.00",
    fees: str = "150.00",
    day: date | None = None,
) -> Voucher:
    gross = Decimal(amount)
    fee = Decimal(fees)
    return Voucher(
        voucher_type="Receipt",
        number=number,
        date=day or date(2025, 4, 30),
        remote_id=f"mlc:test:settlement:{number}",
        party_ledger=party,
        narration=f"Settlement {number}",
        ledger_entries=(
            LedgerEntry(ledger=bank, side="debit", amount=gross - fee),
            LedgerEntry(
                ledger="Marketplace Commission",
                side="debit",
                amount=fee,
                cost_centres=(CostCentreAllocation(cost_centre="Walmart", amount=fee),),
            ),
            LedgerEntry(
                ledger=party,
                side="credit",
                amount=gross,
                is_party=True,
                bill_reference="REF-WM-1001",
            ),
        ),
    )


def payment(number: str = "PY-1", *, day: date | None = None) -> Voucher:
    return Voucher(
        voucher_type="Payment",
        number=number,
        date=day or date(2025, 4, 30),
        remote_id=f"mlc:test:payment:{number}",
        narration="Refund",
        ledger_entries=(
            LedgerEntry(
                ledger="Walmart Marketplace", side="debit", amount=Decimal("100.00"), is_party=True
            ),
            LedgerEntry(ledger="HDFC Bank", side="credit", amount=Decimal("100.00")),
        ),
    )


def journal(number: str = "JV-1", *, day: date | None = None) -> Voucher:
    return Voucher(
        voucher_type="Journal",
        number=number,
        date=day or date(2025, 4, 30),
        remote_id=f"mlc:test:journal:{number}",
        narration="Fee adjustment",
        ledger_entries=(
            LedgerEntry(ledger="Marketplace Commission", side="debit", amount=Decimal("25.50")),
            LedgerEntry(ledger="Walmart Marketplace", side="credit", amount=Decimal("25.50")),
        ),
    )
