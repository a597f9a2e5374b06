"""The scalar forms of tally-xml.md §7.3-§7.5, one gotcha per case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from tally_agent.protocol.values import (
    CompoundUnit,
    parse_amount,
    parse_date,
    parse_logical,
    parse_number,
    parse_quantity,
    parse_rate,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-1500.00", Decimal("-1500.00")),  # plain signed decimal, negative = debit
        ("1500.00", Decimal("1500.00")),
        (" 42.50", Decimal("42.50")),  # leading space (§3.2)
        ("(-)5,000.00", Decimal("-5000.00")),  # Tally's (-) negative prefix (§7.4)
        ("1,23,456.00 Cr", Decimal("123456.00")),  # Indian grouping, Cr = credit = positive
        ("5,000.00Dr", Decimal("-5000.00")),  # Dr suffix = debit = negative
        ("-$100.00 @ ₹ 83.00/$ = -₹ 8300.00", Decimal("-8300.00")),  # forex: after "=" (§7.3)
        ("$100.00 @ ₹ 83.00/$ = ₹ 8300.00", Decimal("8300.00")),
        ("?1,000.00", Decimal("1000.00")),  # currency symbol turned '?' (§7.2)
        ("0.00", Decimal("0.00")),
    ],
)
def test_amounts(text: str, expected: Decimal) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_amount_is_unknown_not_zero(text: str | None) -> None:
    assert parse_amount(text) is None  # §7.3, BRIDGE §7: empty TYPE="Amount" != 0


def test_unreadable_amount_is_an_error_not_a_zero() -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount("N/A")


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        (" 10 Nos", Decimal("10"), "Nos"),  # leading space, unit suffix (§7.4)
        ("(-)3 Nos", Decimal("-3"), "Nos"),
        ("-2.5 Kgs", Decimal("-2.5"), "Kgs"),
        (" 1,200.50 Kgs", Decimal("1200.50"), "Kgs"),
        ("12", Decimal("12"), None),  # bare number (TDK)
        ("4 Box of 10 Nos", Decimal("4"), "Box of 10 Nos"),  # a compound unit named as the unit
        ("10 Nos = 1 Box", Decimal("10"), "Nos"),  # alternate unit after "="
    ],
)
def test_quantities(text: str, value: Decimal, unit: str | None) -> None:
    quantity = parse_quantity(text)
    assert quantity is not None
    assert (quantity.value, quantity.unit) == (value, unit)


def test_compound_quantity_in_base_unit() -> None:
    quantity = parse_quantity(" 2 Box 5 Nos", "Box of 10 Nos")
    assert quantity is not None
    assert quantity.value == Decimal("2.5")
    assert quantity.unit == "Box of 10 Nos"


def test_compound_quantity_without_its_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="does not explain"):
        parse_quantity("2 Box 5 Nos", "Nos")


def test_compound_unit_name() -> None:
    assert CompoundUnit.from_name("Box of 10 Nos") == CompoundUnit("Box", Decimal(10), "Nos")
    assert CompoundUnit.from_name("Nos") is None


def test_empty_quantity() -> None:
    assert parse_quantity("") is None
    assert parse_quantity(None) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100.00/Nos", (Decimal("100.00"), "Nos")),
        ("1,250.75/Kgs", (Decimal("1250.75"), "Kgs")),
        ("$1.20 = ₹ 100.00/Nos", (Decimal("100.00"), "Nos")),  # forex rate (§7.4)
        ("55", (Decimal("55"), None)),
    ],
)
def test_rates(text: str, expected: tuple[Decimal, str | None]) -> None:
    assert parse_rate(text) == expected


def test_empty_rate() -> None:
    assert parse_rate(" ") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20250415", date(2025, 4, 15)),  # collections (§2.7)
        ("1-Apr-2025", date(2025, 4, 1)),
        ("15-Apr-25", date(2025, 4, 15)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_bad_date() -> None:
    assert parse_date("") is None
    with pytest.raises(ValueError, match="not a date"):
        parse_date("2025-13-45")


def test_logical_and_numbers() -> None:
    assert parse_logical("Yes") is True
    assert parse_logical(" No") is False
    assert parse_logical("") is None
    with pytest.raises(ValueError, match="not Yes/No"):
        parse_logical("Maybe")
    assert parse_number(" 301") == 301  # leading space (§3.2)
    assert parse_number("1,200") == 1200
    assert parse_number("") is None
    with pytest.raises(ValueError, match="not a whole number"):
        parse_number("12.5")
