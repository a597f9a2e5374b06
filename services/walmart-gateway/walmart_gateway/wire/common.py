"""Pieces every Walmart JSON shape shares: tolerant lists, epoch-ms and ISO instants, money.

Walmart's JSON is derived from XML in places (walmart-api.md §3.2, §10.3): a list of one can
arrive as a bare object and an empty list as ``null``. :data:`ListOf` accepts all three.
Unknown fields are ignored: Walmart adds fields without notice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict

T = TypeVar("T")


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    return value


ListOf = Annotated[list[T], BeforeValidator(_as_list)]


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def instant(value: int | str | Decimal | None) -> datetime | None:
    """Epoch milliseconds (orders, §6.2; may arrive as a string, §2 token detail) or ISO 8601
    (returns, §7; webhooks, §9.3) -> aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, int | Decimal) or (isinstance(value, str) and value.strip().isdigit()):
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def required_instant(value: int | str | Decimal) -> datetime:
    parsed = instant(value)
    if parsed is None:
        raise ValueError("an instant is required here")
    return parsed


AMOUNT_DIGITS = 15
"""Digits before the point an amount may have. Amounts are rounded to the cent downstream
with decimal's 28 significant digits, which already fails at 10^27 (and sums of amounts
sooner); no settlement line comes near 10^15."""


def decimal_or_none(value: str | int | Decimal | None) -> Decimal | None:
    """Amounts written as strings (recon, §8.1; quantities, §6.2). Blank, ``""`` and the
    literal ``"\"\""`` Walmart writes for empty cells are None. ``NaN``, ``Infinity`` and
    absurdly large numbers are not amounts."""
    if value is None:
        return None
    text = str(value).strip().strip('"').replace(",", "").replace("$", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    if number.adjusted() >= AMOUNT_DIGITS:
        raise ValueError(f"{value!r} has more than {AMOUNT_DIGITS} digits before the point")
    return number


def us_date(value: str | None) -> date | None:
    """``MM/DD/YYYY``, sometimes unpadded (``4/29/2026``) (§8.2)."""
    if value is None:
        return None
    text = value.strip().strip('"')
    if not text:
        return None
    month, day, year = text.split(" ")[0].split("/")
    return date(int(year), int(month), int(day))


def blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    return None if text in ("", '""') else text
