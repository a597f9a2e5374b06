"""Writing Tally's XML: escaping, value formats and line layout.

* `&`, `<`, `>`, `"`, `'` are escaped in text and attributes (`NAME="Ram &amp; Sons"`,
  tally-xml.md §1.1/§7.6); the system-value mark U+0004 is written as the invalid character
  reference `&#4;` (§3.2, §7.1), exactly the bytes that make strict parsers fail.
* Dates are `YYYYMMDD`, amounts plain signed decimals with two places, quantities
  ` 10 Nos` with a leading space, rates `100.00/Nos`, numbers with a leading space
  (` 301`), logicals `Yes`/`No` (§2.7, §3.2, §3.3, §7.3-§7.5).
* Lines end in CRLF and nest by one space, as in live captures.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tally_sim.model.values import SYSTEM_MARK, Quantity, Rate

CRLF = "\r\n"

_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&apos;",
        SYSTEM_MARK: "&#4;",
    }
)


def escape(text: str) -> str:
    return text.translate(_ESCAPES)


def fmt_amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def fmt_number_text(value: Decimal) -> str:
    """Quantities print without trailing zeros: 10, 2.5."""
    text = f"{value.normalize():f}"
    return text if "." not in text else text.rstrip("0").rstrip(".")


def fmt_quantity(value: Quantity | None) -> str:
    if value is None:
        return ""
    unit = f" {value.unit}" if value.unit else ""
    return f" {fmt_number_text(value.value)}{unit}"


def fmt_rate(value: Rate | None) -> str:
    if value is None:
        return ""
    return f"{value.value:.2f}/{value.unit}" if value.unit else f"{value.value:.2f}"


def fmt_date(value: date | None) -> str:
    return "" if value is None else value.strftime("%Y%m%d")


def fmt_logical(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def fmt_number(value: int | None) -> str:
    return "" if value is None else f" {value}"


def indent(depth: int) -> str:
    return " " * depth


def element(tag: str, text: str, depth: int, attrs: str = "") -> str:
    """One scalar line; `text` must already be escaped."""
    return f"{indent(depth)}<{tag}{attrs}>{text}</{tag}>{CRLF}"


def attr(name: str, value: str) -> str:
    return f' {name}="{escape(value)}"'
