"""TDL filter formulas for ``SYSTEM TYPE="Formulae"`` (tally-xml.md §2.2, §3.5, §3.6).

Formulas are plain text here; lxml escapes ``<``/``>`` to ``&lt;``/``&gt;`` when the
envelope is serialised (§2.2: they must be escaped). String literals go through
:func:`tdl_string` so a ``"`` in a voucher number cannot end the literal early (§7.6).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tally_agent.protocol.envelopes import tdl_date, tdl_string


def alter_id_above(alter_id: int) -> str:
    """``$AlterID > N``: works server-side (BRIDGE §10.1) but scans everything (§3.6)."""
    return f"$AlterID > {int(alter_id)}"


def date_between(start: date, end: date) -> str:
    """Both ends inclusive. SVFROMDATE/SVTODATE do not bound collection rows (§2.6, §3.5),
    so the range is a filter."""
    return f"$Date >= {tdl_date(start)} AND $Date <= {tdl_date(end)}"


def date_is(day: date) -> str:
    return f"$Date = {tdl_date(day)}"


def voucher_type_is(voucher_type: str) -> str:
    return f"$VoucherTypeName = {tdl_string(voucher_type)}"


def voucher_number_is(number: str) -> str:
    return f"$VoucherNumber = {tdl_string(number)}"


def not_cancelled() -> str:
    return "NOT $IsCancelled"


def not_optional() -> str:
    return "NOT $IsOptional"


def name_in(names: Sequence[str]) -> str:
    """``$Name = "A" OR $Name = "B" ...``"""
    return " OR ".join(f"$Name = {tdl_string(name)}" for name in names)
