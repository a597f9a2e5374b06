"""Small conversions between the simulator's records and Walmart's wire values."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from starlette.responses import JSONResponse, Response

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money_number(value: Decimal) -> float:
    """JSON number for an amount (orders, items: ``"amount": 10.0``)."""
    return float(cents(value))


def money_text(value: Decimal) -> str:
    """Recon values are strings with two decimals (walmart-api.md §8.1)."""
    return f"{cents(value):.2f}"


def iso_ms(epoch_ms: int) -> str:
    """ISO-8601 UTC with milliseconds, as returns and webhooks carry it (§7, §9.3)."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def to_date(epoch_ms: int) -> date:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).date()


def day_start_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def day_end_ms(day: date) -> int:
    return day_start_ms(day + timedelta(days=1)) - 1


def mmddyyyy(day: date) -> str:
    return day.strftime("%m%d%Y")


def us_date(day: date) -> str:
    """``MM/DD/YYYY`` as recon rows print dates (§8.2)."""
    return day.strftime("%m/%d/%Y")


def parse_wire_time(text: str) -> int:
    """Parse ``yyyy-MM-dd`` or an ISO-8601 timestamp (``Z`` or offset) to epoch ms
    (walmart-api.md §6.1 date parameters). Raises ``ValueError`` on anything else."""
    text = text.strip()
    if len(text) == 10:
        day = date.fromisoformat(text)
        return day_start_ms(day)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def json_response(
    content: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(content, status_code=status, headers=headers)


def json_bytes(content: Any) -> bytes:
    return json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
