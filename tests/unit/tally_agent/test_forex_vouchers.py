"""A voucher in a foreign currency -> Tally's forex amount form (tally_agent.protocol.forex;
the form is a setting because tally-xml.md §7.3 documents only the export form)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree
from mlc_shared.domain.tally import (
    BillAllocation,
    CostCentreAllocation,
    Forex,
    InventoryEntry,
    LedgerEntry,
    Voucher,
)
from tally_agent.protocol.forex import ForexStyle, forex_amount_text, forex_rate_text
from tally_agent.protocol.vouchers import UnrenderableVoucher, render_voucher

from tests.unit.tally_agent.vouchers_fixture import receipt, sales

USD = Forex(currency="$", rate=Decimal("83.25"))


def forex_sale() -> Voucher:
    """2 x $12.00 + $1.50 tax at 83.25: 1998.00 + 124.88 = 2122.88 INR; $25.50."""
    return Voucher(
        voucher_type="Sales",
        number="WM-7",
        date=sales().date,
        remote_id="mlc:test:order:7",
        party_ledger="Walmart Marketplace",
        forex=USD,
        inventory_entries=(
            InventoryEntry(
                stock_item="Widget",
                side="credit",
                quantity=Decimal(2),
                unit="Nos",
                rate=Decimal("999.00"),
                amount=Decimal("1998.00"),
                forex_amount=Decimal("24.00"),
                forex_rate=Decimal("12.00"),
                ledger="Sales",
                cost_centres=(
                    CostCentreAllocation(
                        cost_centre="Walmart US",
                        amount=Decimal("1998.00"),
                        forex_amount=Decimal("24.00"),
                    ),
                ),
            ),
        ),
        ledger_entries=(
            LedgerEntry(
                ledger="Walmart Marketplace",
                side="debit",
                amount=Decimal("2122.88"),
                forex_amount=Decimal("25.50"),
                is_party=True,
                bill_reference="C-7",
            ),
            LedgerEntry(
                ledger="Output Tax",
                side="credit",
                amount=Decimal("124.88"),
                forex_amount=Decimal("1.50"),
            ),
        ),
    )


def texts(element: etree._Element, path: str) -> list[str]:
    return [e.text or "" for e in element.iterfind(path)]


def test_the_texts_of_each_form() -> None:
    full, bare = ForexStyle(), ForexStyle(base_symbol="₹")
    amount = Decimal("-37216.04")
    fx = Decimal("448.44")
    terms = Forex(currency="$", rate=Decimal("82.99"))
    # The form a live TallyPrime kept as forex (ripu-nuvanta/tally_agent probe, variant V1b).
    assert forex_amount_text(amount, fx, terms, full) == "-$448.44 @ 82.99/$ = -37216.04"
    # The export form of tally-xml.md §7.3, with the base symbol.
    assert forex_amount_text(amount, fx, terms, bare) == "-$448.44 @ ₹ 82.99/$ = -₹ 37216.04"
    assert forex_amount_text(-amount, fx, terms, full) == "$448.44 @ 82.99/$ = 37216.04"
    no_base = ForexStyle(form="no_base")
    assert forex_amount_text(amount, fx, terms, no_base) == "-$448.44 @ 82.99/$"
    assert forex_amount_text(amount, fx, terms, ForexStyle(form="base")) == "-37216.04"
    rate = (Decimal("99.60"), Decimal("1.20"), "Nos", terms)
    assert forex_rate_text(*rate, full) == "$1.20 = 99.60/Nos"
    assert forex_rate_text(*rate, bare) == "$1.20 = ₹ 99.60/Nos"  # §7.4's export form
    assert forex_rate_text(*rate, no_base) == "$1.20/Nos"
    assert forex_rate_text(*rate, ForexStyle(form="base")) == "99.60/Nos"


def test_a_forex_sale_writes_every_amount_in_the_forex_form() -> None:
    element = render_voucher(forex_sale())
    assert texts(element, "LEDGERENTRIES.LIST/AMOUNT") == [
        "-$25.50 @ 83.25/$ = -2122.88",
        "$1.50 @ 83.25/$ = 124.88",
    ]
    assert texts(element, "LEDGERENTRIES.LIST/BILLALLOCATIONS.LIST/AMOUNT") == [
        "-$25.50 @ 83.25/$ = -2122.88"
    ]
    item = "ALLINVENTORYENTRIES.LIST"
    assert texts(element, f"{item}/RATE") == ["$12.00 = 999.00/Nos"]
    expected = "$24.00 @ 83.25/$ = 1998.00"
    assert texts(element, f"{item}/AMOUNT") == [expected]
    assert texts(element, f"{item}/BATCHALLOCATIONS.LIST/AMOUNT") == [expected]
    assert texts(element, f"{item}/ACCOUNTINGALLOCATIONS.LIST/AMOUNT") == [expected]
    centres = (
        f"{item}/ACCOUNTINGALLOCATIONS.LIST/CATEGORYALLOCATIONS.LIST/COSTCENTREALLOCATIONS.LIST"
    )
    assert texts(element, f"{centres}/AMOUNT") == [expected]
    # The flags are the booked side's, as for any voucher (§4.2).
    assert texts(element, "LEDGERENTRIES.LIST/ISDEEMEDPOSITIVE") == ["Yes", "No"]


def test_allocations_can_stay_in_the_base_currency() -> None:
    element = render_voucher(forex_sale(), ForexStyle(allocations="base"))
    assert texts(element, "LEDGERENTRIES.LIST/AMOUNT")[0] == "-$25.50 @ 83.25/$ = -2122.88"
    assert texts(element, "LEDGERENTRIES.LIST/BILLALLOCATIONS.LIST/AMOUNT") == ["-2122.88"]
    item = "ALLINVENTORYENTRIES.LIST"
    assert texts(element, f"{item}/AMOUNT") == ["$24.00 @ 83.25/$ = 1998.00"]
    assert texts(element, f"{item}/BATCHALLOCATIONS.LIST/AMOUNT") == ["1998.00"]
    assert texts(element, f"{item}/ACCOUNTINGALLOCATIONS.LIST/AMOUNT") == ["1998.00"]


def test_a_settlement_leg_signs_each_bill_by_its_own_side() -> None:
    deposit = Voucher(
        voucher_type="Receipt",
        number="S-1",
        date=sales().date,
        remote_id="mlc:test:settlement:1",
        forex=USD,
        ledger_entries=(
            LedgerEntry(
                ledger="Bank",
                side="debit",
                amount=Decimal("832.50"),
                forex_amount=Decimal("10.00"),
            ),
            LedgerEntry(
                ledger="Walmart Marketplace",
                side="credit",
                amount=Decimal("832.50"),
                forex_amount=Decimal("10.00"),
                is_party=True,
                bills=(
                    BillAllocation(
                        name="A",
                        amount=Decimal("1248.75"),
                        forex_amount=Decimal("15.00"),
                        side="credit",
                    ),
                    BillAllocation(
                        name="B",
                        amount=Decimal("416.25"),
                        forex_amount=Decimal("5.00"),
                        side="debit",
                    ),
                ),
            ),
        ),
    )
    element = render_voucher(deposit)
    assert texts(element, "ALLLEDGERENTRIES.LIST/AMOUNT") == [
        "-$10.00 @ 83.25/$ = -832.50",
        "$10.00 @ 83.25/$ = 832.50",
    ]
    assert texts(element, "ALLLEDGERENTRIES.LIST/BILLALLOCATIONS.LIST/AMOUNT") == [
        "$15.00 @ 83.25/$ = 1248.75",
        "-$5.00 @ 83.25/$ = -416.25",
    ]


def test_a_voucher_without_forex_is_written_as_before() -> None:
    element = render_voucher(receipt(), ForexStyle(base_symbol="₹"))
    assert all("@" not in t for t in texts(element, "ALLLEDGERENTRIES.LIST/AMOUNT"))


def test_forex_legs_must_all_carry_balanced_face_values() -> None:
    sale = forex_sale()
    tax = sale.ledger_entries[1]
    no_face = sale.model_copy(
        update={
            "ledger_entries": (
                sale.ledger_entries[0],
                tax.model_copy(update={"forex_amount": None}),
            )
        }
    )
    with pytest.raises(UnrenderableVoucher, match="'Output Tax' have none"):
        render_voucher(no_face)
    off = sale.model_copy(
        update={
            "ledger_entries": (
                sale.ledger_entries[0],
                tax.model_copy(update={"forex_amount": Decimal("1.51")}),
            )
        }
    )
    with pytest.raises(UnrenderableVoucher, match=r"foreign amounts .* differ by 0\.01"):
        render_voucher(off)
