"""Amounts and rates of a voucher in a foreign currency, in the text Tally reads.

What the fact sheet has is the *export* form (tally-xml.md §7.3, from LOADER
``parseTallyDataTypeValue``): ``-$100.00 @ ₹ 83.00/$ = -₹ 8300.00``, the part after ``=``
being the base-currency amount; forex rates look like ``$1.20 = ₹ 100.00/Nos`` (§7.4). It is
silent on what an import must send, so the form is a setting (``MLC_TALLY_FOREX_FORM``,
docs/tally-agent.md "UNCERTAIN switches"). Public evidence for each choice, none of it in the
fact sheet:

* ``full`` (default): ``-$448.44 @ 82.99/$ = -37216.04``, the export form with the base
  stated and no base-currency symbol. A live TallyPrime probe imported exactly this on a
  Sales voucher's ledger lines and read it back as forex (ripu-nuvanta/tally_agent,
  ``v2/tests/fixtures/sync/forex_shape_2026-09-25_run2/summary.json``, variant V1b); the same
  form with ``?`` as base symbol was refused (EXCEPTIONS=1, variant V1). Stating the base is
  also what lets the sender keep debits equal to credits to the paisa: Tally checks the
  totals in the base currency after converting each line, and one paisa of rounding refuses
  the voucher (TallyConnector#44, "Voucher totals do not match! ... Diff: $ 0.00 ... ₹ 0.01").
* ``no_base``: ``-$448.44 @ 82.99/$``, Tally converts (TallyConnector 2021,
  ``TallyConnector/Models/Voucher.cs`` at bad1fe4 wrote ``{ForexAmount} @ {RateofExchange}``).
  Tally's own rounding may then differ from ours by a paisa (TallyConnector#44).
* ``base``: the base amount alone, as for a home-currency voucher: the books are right but
  Tally keeps no foreign amount or rate.

``MLC_TALLY_FOREX_BASE_SYMBOL`` puts the base currency's symbol into the text as the export
shows it (``@ ₹ 83.00/$ = -₹ 8300.00``); none is the probed form. Whether bill, batch,
accounting and cost-centre allocations take the forex form too is not known either
(``MLC_TALLY_FOREX_ALLOCATIONS``): ``forex`` writes every AMOUNT of the voucher alike,
``base`` only the ledger and item lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from mlc_shared.domain.tally import Forex, Side

ForexForm = Literal["full", "no_base", "base"]
ForexAllocations = Literal["forex", "base"]


@dataclass(frozen=True)
class ForexStyle:
    form: ForexForm = "full"
    base_symbol: str = ""
    allocations: ForexAllocations = "forex"


DEFAULT_STYLE = ForexStyle()


def plain(value: Decimal) -> str:
    """Plain decimal text, never exponent form (``Decimal('1E+2')`` -> ``100``)."""
    return format(value, "f")


def _base(value: Decimal, style: ForexStyle) -> str:
    return f"{style.base_symbol} {plain(value)}" if style.base_symbol else plain(value)


def forex_amount_text(
    signed_base: Decimal, forex_amount: Decimal, terms: Forex, style: ForexStyle
) -> str:
    """One AMOUNT: ``signed_base`` is the booked amount already signed per §4.2 (debit
    negative); the foreign face value takes the same sign."""
    if style.form == "base":
        return plain(signed_base)
    sign = "-" if signed_base < 0 else ""
    face = f"{sign}{terms.currency}{plain(forex_amount)}"
    text = f"{face} @ {_base(terms.rate, style)}/{terms.currency}"
    if style.form == "no_base":
        return text
    return f"{text} = {sign}{_base(abs(signed_base), style)}"


def forex_rate_text(
    base_rate: Decimal, forex_rate: Decimal, unit: str, terms: Forex, style: ForexStyle
) -> str:
    """An item's RATE: ``$1.20 = ₹ 100.00/Nos`` (§7.4), per the same form."""
    if style.form == "base":
        return f"{plain(base_rate)}/{unit}"
    if style.form == "no_base":
        return f"{terms.currency}{plain(forex_rate)}/{unit}"
    return f"{terms.currency}{plain(forex_rate)} = {_base(base_rate, style)}/{unit}"


def signed_base(side: Side, amount: Decimal) -> Decimal:
    """Tally's sign for a booked amount (§4.2): debit negative; zero stays unsigned."""
    return -amount if side == "debit" and amount else amount
