"""Orders: party ledgers per mapping and the Credit Note for lines cancelled after posting."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from mlc_shared.domain.walmart import Order, OrderCharge, OrderLine, ShipNode
from pydantic import ValidationError
from sync_orchestrator.mapping import (
    Ledgers,
    PartyMapping,
    ReversalMapping,
    ShipNodeMapping,
    SkuMapping,
    TenantMapping,
)
from sync_orchestrator.parties import party_for
from sync_orchestrator.reversals import (
    booked_order,
    cancelled_quantities,
    reversal_of,
    reversal_voucher,
)
from sync_orchestrator.vouchers import sales_voucher

IST = ZoneInfo("Asia/Kolkata")
MAPPING = TenantMapping(
    ledgers=Ledgers(party="Walmart Marketplace", shipping="Shipping Income", tax="Output Tax"),
    ship_nodes={
        "default": ShipNodeMapping(
            godowns=("Chennai",), sales_ledger="Walmart Sales", cost_centre="Walmart US"
        )
    },
    skus={"MUG": SkuMapping(stock_item="Blue Mug"), "TEA": SkuMapping(stock_item="Tea Pack")},
)


def line(n: str, sku: str, qty: int, price: str, tax: str, ship: str, status: str) -> OrderLine:
    return OrderLine(
        line_number=n,
        sku=sku,
        quantity=Decimal(qty),
        status=status,
        status_date=datetime(2026, 11, 28, 19, 0, tzinfo=UTC),
        charges=(
            OrderCharge(
                charge_type="PRODUCT",
                charge_name="ItemPrice",
                amount=Decimal(price),
                tax_amount=Decimal(tax),
            ),
            OrderCharge(charge_type="SHIPPING", charge_name="Shipping", amount=Decimal(ship)),
        ),
    )


def order(mug: str = "Created", tea: str = "Created", email: str | None = None) -> Order:
    # A cancelled line shows zero charges (walmart-api.md §6.2): reversals use what was booked.
    zero = ("0", "0", "0")
    return Order(
        purchase_order_id="PO1",
        customer_order_id="C1",
        customer_email_id=email,
        order_date=datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
        ship_node=ShipNode(),
        lines=(
            line("1", "MUG", 3, *(("30.00", "2.40", "3.00") if mug != "Cancelled" else zero), mug),
            line("2", "TEA", 1, *(("9.99", "0.80", "0") if tea != "Cancelled" else zero), tea),
        ),
    )


def test_whole_line_cancelled_after_posting_becomes_a_balanced_credit_note() -> None:
    sale = sales_voucher(
        order(), MAPPING, tenant="t", timezone=IST, number_pattern="WM-{purchase_order_id}"
    )
    assert sale is not None
    booked = booked_order(order(), sale, MAPPING)
    later = order(mug="Cancelled")
    cancelled = cancelled_quantities(booked, later)
    assert cancelled == {"1": Decimal(3)}
    note, after = reversal_voucher(booked, cancelled, later, MAPPING, tenant="t", timezone=IST)
    assert (note.voucher_type, note.number, note.remote_id) == (
        "Credit Note",
        "WM-PO1-C1",
        "mlc:t:order_reversal:PO1:1",
    )
    assert note.date == date(2026, 11, 29)  # 19:00 UTC is past midnight in India
    (entry,) = note.inventory_entries
    assert (entry.stock_item, entry.side, entry.quantity, entry.amount, entry.godown) == (
        "Blue Mug",
        "debit",
        Decimal(3),
        Decimal("30.00"),
        "Chennai",
    )
    assert [(c.cost_centre, c.amount) for c in entry.cost_centres] == [
        ("Walmart US", Decimal("30.00"))
    ]
    party, shipping, tax = note.ledger_entries
    assert (party.ledger, party.side, party.amount, party.bill_reference) == (
        "Walmart Marketplace",
        "credit",
        Decimal("35.40"),
        "C1",
    )
    assert (shipping.side, shipping.amount, tax.side, tax.amount) == (
        "debit",
        Decimal("3.00"),
        "debit",
        Decimal("2.40"),
    )
    assert list(after.lines) == ["2"]
    assert after.sequence == 1
    assert cancelled_quantities(after, later) == {}  # nothing reversed twice
    assert reversal_of(note.remote_id) == "PO1"
    assert reversal_of("mlc:t:order:PO1") is None


def test_part_of_a_line_cancelled_reverses_its_share_and_keeps_the_rest_booked() -> None:
    sale = sales_voucher(
        order(), MAPPING, tenant="t", timezone=IST, number_pattern="S-{purchase_order_id}"
    )
    assert sale is not None
    booked = booked_order(order(), sale, MAPPING)
    note, after = reversal_voucher(
        booked, {"1": Decimal(1)}, order(), MAPPING, tenant="t", timezone=IST
    )
    (entry,) = note.inventory_entries
    assert (entry.quantity, entry.amount) == (Decimal(1), Decimal("10.00"))
    assert after.lines["1"].quantity == Decimal(2)
    assert after.lines["1"].product == Decimal("20.00")
    second, _ = reversal_voucher(
        after, {"1": Decimal(2)}, order(), MAPPING, tenant="t", timezone=IST
    )
    assert second.number == "S-PO1-C2"
    assert second.inventory_entries[0].amount == Decimal("20.00")  # no rounding drift


def test_party_ledger_marketplace_per_customer_or_explicit() -> None:
    email = "3A31739D8B0A@relay.walmart.com"
    assert party_for(order(email=email), MAPPING) == ("Walmart Marketplace", None)
    per_customer = MAPPING.model_copy(
        update={"party": PartyMapping(mode="per_customer", group="Walmart Customers")}
    )
    assert party_for(order(email=email), per_customer) == ("Walmart 3A31739D8B0A", None)
    creating = MAPPING.model_copy(
        update={"party": PartyMapping(mode="per_customer", create_ledgers=True)}
    )
    name, spec = party_for(order(email=email), creating)
    assert spec is not None
    assert (name, spec.name, spec.parent, spec.is_bill_wise) == (
        "Walmart 3A31739D8B0A",
        "Walmart 3A31739D8B0A",
        "Sundry Debtors",
        True,
    )
    assert party_for(order(), creating) == ("Walmart Marketplace", None)  # no id: the debtor
    explicit = creating.model_copy(update={"customers": {email: "Ram & Sons"}})
    assert party_for(order(email=email), explicit) == ("Ram & Sons", None)
    with pytest.raises(ValidationError, match="customer_key"):
        PartyMapping(name_pattern="{customer_name}")
    with pytest.raises(ValidationError, match="sequence"):
        ReversalMapping(number_pattern="{voucher}")
