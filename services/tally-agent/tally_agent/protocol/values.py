"""Tally's scalar text forms -> Python values (tally-xml.md §3.2, §7.3-§7.5).

Every reader takes the element text as Tally sent it and returns ``None`` for an empty
value: an empty Amount is *unknown*, never zero (§7.3, BRIDGE §7). Text that is present but
unreadable raises :class:`ValueError` naming it; the record parser adds which field of which
row, so bad input is reported, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?|\.\d+")
_DR_CR = re.compile(r"\s*(Dr|Cr)\.?\s*$", re.IGNORECASE)
_COMPOUND_UNIT = re.compile(r"^\s*(?P<main>\S+) of (?P<factor>\d+(?:\.\d+)?) (?P<sub>\S+)\s*$")
_NUM = r"(?:\d[\d,]*(?:\.\d+)?|\.\d+)"
_QTY_HEAD = re.compile(rf"^(?P<neg>\(-\)|-)?\s*(?P<num>{_NUM})(?P<rest>.*)$")
_QTY_SIMPLE = re.compile(r"^\s*(?P<neg>\(-\)|-)?(?P<num>\d+(?:\.\d+)?)\s+(?P<unit>[^\d\s=]+)\s*$")
_DIGIT = re.compile(r"\d")
_QTY_TAIL = re.compile(rf"^(?P<main>\S+)\s+(?P<num>{_NUM})\s+(?P<sub>\S+)$")


DIGITS = 15
"""Digits an amount, rate or quantity may have before the point. No ledger or stock figure
comes near 10^15; a longer one is a damaged answer, and passed on it would break what is
done with it later (cent rounding in decimal's 28 digits, a JSON integer for Walmart)."""


def _short(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:40]!r}... ({len(text)} characters)"


def _bounded(value: Decimal, original: str) -> Decimal:
    if value.adjusted() >= DIGITS:
        raise ValueError(f"more than {DIGITS} digits before the point: {_short(original)}")
    return value


def _decimal(digits: str, original: str) -> Decimal:
    try:
        value = Decimal(digits.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not a number: {_short(original)}") from None
    return _bounded(value, original)


CACHE = 16384
"""Readers are memoised: Tally's exports repeat the same texts over and over (units, dates,
rates, quantities), and a 100,000-row export should not parse " 7 Nos" 100,000 times. Only
successful readings are cached (the values are immutable); errors are raised every time."""


@lru_cache(maxsize=CACHE)
def parse_amount(text: str | None) -> Decimal | None:
    """``-1500.00``, `` 1,23,456.00 Cr``, ``(-)5,000.00``, ``5,000.00Dr`` and forex
    ``-$100.00 @ ₹ 83.00/$ = -₹ 8300.00`` (the part after ``=`` is in base currency, as
    LOADER keeps it, §7.3). Negative = debit, Tally's collection convention (§3.2); a
    ``Dr`` suffix therefore reads as negative and ``Cr`` as positive."""
    if text is None:
        return None
    raw = text.strip()
    if not raw:
        return None
    if "=" in raw:
        raw = raw.rsplit("=", 1)[1].strip()
    side = None
    dr_cr = _DR_CR.search(raw)
    if dr_cr:
        side = dr_cr.group(1).lower()
        raw = raw[: dr_cr.start()]
    match = _NUMBER.search(raw)
    if match is None:
        raise ValueError(f"not an amount: {text!r}")
    value = _decimal(match.group(0), text)
    prefix = raw[: match.start()]
    negative = "-" in prefix  # covers "-", "(-)" and "-₹ " (sign before a currency symbol)
    if side == "dr":
        negative = True
    elif side == "cr":
        negative = False
    return -value if negative else value


@dataclass(frozen=True)
class CompoundUnit:
    """A compound unit such as ``Box of 10 Nos``: one ``main`` = ``factor`` ``sub``."""

    main: str
    factor: Decimal
    sub: str

    @classmethod
    def from_name(cls, name: str | None) -> CompoundUnit | None:
        match = _COMPOUND_UNIT.match(name or "")
        if match is None:
            return None
        return cls(match["main"], Decimal(match["factor"]), match["sub"])


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str | None


@lru_cache(maxsize=CACHE)
def parse_quantity(text: str | None, base_unit: str | None = None) -> Quantity | None:
    """`` 10 Nos`` (leading space, unit suffix, §7.4), ``(-)3 Nos``, ``12.5`` (bare),
    ``4 Box of 10 Nos`` (a compound unit's name as the unit), and the compound display
    ``2 Box 5 Nos``: for an item whose base unit is ``Box of 10 Nos`` that is 2.5 in the base
    unit. Parts that the base unit cannot relate are refused rather than guessed."""
    if text is None:
        return None
    simple = _QTY_SIMPLE.match(text)
    if simple is not None:  # " 10 Nos": the common case, one regex
        value = _bounded(Decimal(simple["num"]), text)
        return Quantity(-value if simple["neg"] else value, simple["unit"])
    raw = text.strip()
    if not raw:
        return None
    if "=" in raw:  # "10 Nos = 1 Box": the part before "=" is in the item's own unit
        raw = raw.split("=", 1)[0].strip()
    match = _QTY_HEAD.match(raw)
    if match is None:
        raise ValueError(f"not a quantity: {text!r}")
    value = _decimal(match["num"], text)
    sign = -1 if match["neg"] else 1
    rest = match["rest"].strip()
    if not rest:
        return Quantity(sign * value, None)
    if _DIGIT.search(rest) is None or CompoundUnit.from_name(rest) is not None:
        return Quantity(sign * value, rest)
    tail = _QTY_TAIL.match(rest)
    compound = CompoundUnit.from_name(base_unit)
    if (
        tail is None
        or compound is None
        or not compound.factor  # "Box of 0 Nos" relates nothing (and would divide by zero)
        or tail["main"] != compound.main
        or tail["sub"] != compound.sub
    ):
        raise ValueError(
            f"quantity {text!r} has parts that base unit {base_unit!r} does not explain"
        )
    value = _bounded(value + _decimal(tail["num"], text) / compound.factor, text)
    return Quantity(sign * value, base_unit)


@lru_cache(maxsize=CACHE)
def parse_rate(text: str | None) -> tuple[Decimal, str | None] | None:
    """``100.00/Nos`` -> (100.00, "Nos"); forex ``$1.20 = ₹ 100.00/Nos`` keeps the base
    currency part (§7.4). Empty -> None."""
    if text is None or not text.strip():
        return None
    raw = text.strip()
    unit = None
    if "/" in raw:
        raw, unit = raw.rsplit("/", 1)
        unit = unit.strip() or None
    amount = parse_amount(raw)
    if amount is None:
        raise ValueError(f"not a rate: {text!r}")
    return amount, unit


@lru_cache(maxsize=CACHE)
def parse_date(text: str | None) -> date | None:
    """``20250415`` (collections, §2.7); also ``1-Apr-2025`` and ``1-Apr-25`` (reports)."""
    if text is None:
        return None
    raw = text.strip()
    if not raw:
        return None
    if len(raw) == 8 and raw.isdigit():  # the common case, without strptime's cost
        try:
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        except ValueError:
            raise ValueError(f"not a date: {text!r}") from None
    for fmt in ("%Y%m%d", "%d-%b-%Y", "%d-%b-%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def parse_logical(text: str | None) -> bool | None:
    """``Yes``/``No`` (§7.5)."""
    if text is None or not text.strip():
        return None
    raw = text.strip().lower()
    if raw in ("yes", "true", "1"):
        return True
    if raw in ("no", "false", "0"):
        return False
    raise ValueError(f"not Yes/No: {text!r}")


NUMBER_LIMIT = 2**63 - 1
"""The largest whole number read: a signed 64-bit integer, as wide as any counter or id Tally
keeps and the store holds. Past it a number is refused, never built: ``1e99999999`` would
otherwise become a hundred-million-digit integer (tests/badinput found the hang)."""


def parse_number(text: str | None) -> int | None:
    """`` 301`` (numbers can carry a leading space, §3.2)."""
    if text is None:
        return None
    try:
        value = int(text)  # the usual " 301" (int() skips the blanks): no copies on the way
    except ValueError:
        if not text.strip():
            return None
        value = _slow_number(text)
    if not -NUMBER_LIMIT <= value <= NUMBER_LIMIT:
        raise ValueError(f"number out of range: {_short(text)}")
    return value


def _slow_number(text: str) -> int:
    """Thousands separators, ``5.0``, ``3e2``; never an infinity, a NaN or a huge number."""
    raw = text.strip().replace(",", "")
    try:
        return int(raw)
    except ValueError:
        pass  # not digits, or more of them than int() reads (4,300)
    try:
        exact = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"not a number: {_short(text)}") from None
    if not exact.is_finite():  # "NaN", "Infinity", "sNaN" (which no comparison survives)
        raise ValueError(f"not a number: {_short(text)}")
    if exact != exact.to_integral_value():
        raise ValueError(f"not a whole number: {_short(text)}")
    if exact.adjusted() > 18 or exact.copy_abs() > NUMBER_LIMIT:  # no context: no Overflow
        raise ValueError(f"number out of range: {_short(text)}")
    return int(exact)


def parse_text(text: str | None) -> str | None:
    """Strings as Tally sends them, surrounding blanks removed; empty -> None."""
    if text is None:
        return None
    stripped = text.strip()
    return stripped or None
