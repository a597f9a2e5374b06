"""Value types and text conventions shared by the model and the wire.

TallyPrime writes quantities as ``" 10 Nos"``, rates as ``"100.00/Nos"``, signed amounts
(debit negative) and system values prefixed by the invalid character ``&#4;``
(tally-xml.md §3.2, §7.3, §7.4). Internally a system value keeps a raw U+0004 prefix, and the
XML writer turns it back into ``&#4;``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

SYSTEM_MARK = "\x04"
SYSTEM_PREFIX = SYSTEM_MARK + " "  # tally-xml.md §3.2: `&#4; Primary`, `&#4; Not Applicable`

PRIMARY = SYSTEM_PREFIX + "Primary"
NOT_APPLICABLE = SYSTEM_PREFIX + "Not Applicable"
ANY = SYSTEM_PREFIX + "Any"
RESAVE = SYSTEM_PREFIX + "Resave"
APPLICABLE = SYSTEM_PREFIX + "Applicable"

ZERO = Decimal(0)
CENT = Decimal("0.01")

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def is_system_value(text: str) -> bool:
    return text.startswith(SYSTEM_MARK)


def strip_system(text: str) -> str:
    """`&#4; Primary` -> `Primary`; ordinary text unchanged."""
    return text[1:].lstrip() if text.startswith(SYSTEM_MARK) else text


def name_key(name: str) -> str:
    """Master names match case-insensitively but not space-insensitively: trailing spaces are
    part of a user's name (tally-xml.md §7.12)."""
    return name.casefold()


def company_key(name: str) -> str:
    """Company names match case-insensitively and whitespace-trimmed (tally-xml.md §1.7)."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Quantity:
    value: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class Rate:
    value: Decimal
    unit: str


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def parse_decimal(text: str | None) -> Decimal | None:
    """Tolerant number reading: commas, `(-)` negatives and forex `… = ₹ 8300.00` forms
    (tally-xml.md §7.3, §7.4). Empty text is not zero: it returns None.

    A forex amount `-$100.00 @ ₹ 83.00/$ = -₹ 8300.00` books the part after `=`, sign
    included (LOADER keeps that part, §7.3): the minus stands before the currency symbol, so
    a `-` anywhere before the first digit makes the amount negative."""
    if text is None:
        return None
    cleaned = text.strip()
    if "=" in cleaned:
        cleaned = cleaned.rsplit("=", 1)[1]
    cleaned = cleaned.replace("(-)", "-").replace(",", "")
    match = re.search(r"\d+(?:\.\d+)?", cleaned)
    if not match:
        return None
    try:
        value = Decimal(match.group(0))
    except InvalidOperation:
        return None
    return -value if "-" in cleaned[: match.start()] else value


def parse_quantity(text: str | None) -> Quantity | None:
    """` 10 Nos`, `10`, `(-)2 Box` -> Quantity; the unit is the first word after the number."""
    if text is None or not text.strip():
        return None
    body = text.strip().replace("(-)", "-")
    match = re.match(r"(-?\s*[\d,]+(?:\.\d+)?)\s*([^\s=]*)", body)
    if not match:
        return None
    number = parse_decimal(match.group(1))
    if number is None:
        return None
    return Quantity(number, match.group(2))


def parse_rate(text: str | None) -> Rate | None:
    """`100.00/Nos` -> Rate(100.00, "Nos") (tally-xml.md §3.3)."""
    if text is None or not text.strip():
        return None
    head, _, unit = text.strip().partition("/")
    number = parse_decimal(head)
    if number is None:
        return None
    return Rate(number, unit.strip())


def parse_logical(text: str | None) -> bool | None:
    if text is None:
        return None
    value = text.strip().casefold()
    if value in ("yes", "true", "1"):
        return True
    if value in ("no", "false", "0"):
        return False
    return None


def parse_yyyymmdd(text: str | None) -> date | None:
    """The only voucher DATE form we accept on import (tally-xml.md §2.7, TP-TXN)."""
    if text is None:
        return None
    value = text.strip()
    if not re.fullmatch(r"\d{8}", value):
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def parse_any_date(text: str | None) -> date | None:
    """Static-variable dates: `20250401`, `1-Apr-2025`, `01-04-2025`, `2025-04-01`
    (tally-xml.md §2.7)."""
    if text is None:
        return None
    value = text.strip().strip('"')
    found = parse_yyyymmdd(value)
    if found:
        return found
    match = re.fullmatch(r"(\d{1,2})-([A-Za-z]{3})-(\d{2,4})", value)
    try:
        if match:
            month = [m.casefold() for m in MONTHS].index(match.group(2).casefold()) + 1
            year = int(match.group(3))
            year = year + 2000 if year < 100 else year
            return date(year, month, int(match.group(1)))
        match = re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{4})", value)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return None


def tally_display_date(value: date) -> str:
    """`1-Apr-2025`, the form Tally shows dates in (used for Function results)."""
    return f"{value.day}-{MONTHS[value.month - 1]}-{value.year}"


def financial_year_start(value: date) -> date:
    """Indian financial years begin on 1 April."""
    return date(value.year if value.month >= 4 else value.year - 1, 4, 1)


def financial_year_end(value: date) -> date:
    start = financial_year_start(value)
    return date(start.year + 1, 3, 31)
