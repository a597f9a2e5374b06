"""A company in another currency than Walmart's: the rate for a voucher's date, and vouchers
turned into forex vouchers that still balance to the paisa (sync_orchestrator.currency)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from mlc_shared.domain.tally import InventoryEntry, LedgerEntry, Voucher
from pydantic import ValidationError
from sync_orchestrator.currency import MissingRate, in_company_currency, voucher_rate
from sync_orchestrator.mapping import TenantMapping
from sync_orchestrator.mapping_sections import CurrencyMapping, DatedRate
from sync_orchestrator.reversals import booked_order
from sync_orchestrator.vouchers import sales_voucher
from tally_agent.protocol.vouchers import check

from tests.unit.sync_orchestrator.test_mapping_example import example
from tests.unit.sync_orchestrator.test_settlement_vouchers import BUSINESS, _plan, _report
from tests.unit.sync_orchestrator.test_vouchers import IST, MAPPING, build, line, order

RATES = (
    DatedRate(date=date(2026, 11, 1), rate=Decimal("83.10")),
    DatedRate(date=date(2026, 11, 20), rate=Decimal("83.25")),
    DatedRate(date=date(2026, 12, 1), rate=Decimal("83.60")),
)


def inr(mapping: TenantMapping = MAPPING, **section: Any) -> TenantMapping:
    values: dict[str, Any] = {"base": "INR", "foreign_name": "$", "source": "table"}
    values["rates"] = RATES
    values.update(section)
    return mapping.model_copy(update={"currency": CurrencyMapping(**values)})


def signed_total(voucher: Voucher, *, face: bool = False) -> Decimal:
    legs: list[LedgerEntry | InventoryEntry] = [*voucher.ledger_entries, *voucher.inventory_entries]
    total = Decimal(0)
    for leg in legs:
        value = (leg.forex_amount or Decimal(0)) if face else leg.amount
        total += value if leg.side == "debit" else -value
    return total


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (date(2026, 11, 1), "83.10"),  # on the day of a rate
        (date(2026, 11, 19), "83.10"),  # the latest before
        (date(2026, 11, 26), "83.25"),
        (date(2027, 3, 31), "83.60"),  # the last one goes on applying
    ],
)
def test_a_table_rate_is_the_latest_on_or_before_the_voucher_date(day: date, rate: str) -> None:
    assert voucher_rate(inr(), day) == Decimal(rate)


def test_no_rate_that_early_parks_with_the_reason() -> None:
    with pytest.raises(MissingRate) as gap:
        voucher_rate(inr(), date(2026, 10, 31))
    assert gap.value.reason == (
        "no USD->INR exchange rate on or before 2026-10-31 in the mapping's [[currency.rates]] "
        "(earliest: 2026-11-01, 2026-11-20, 2026-12-01); add one and replay"
    )


def test_a_rate_older_than_max_age_counts_as_missing() -> None:
    mapping = inr(max_age_days=5)
    assert voucher_rate(mapping, date(2026, 11, 25)) == Decimal("83.25")
    with pytest.raises(MissingRate, match="no older than 5 days"):
        voucher_rate(mapping, date(2026, 11, 26))


def test_a_fixed_rate_applies_to_every_date() -> None:
    mapping = inr(source="fixed", rate=Decimal("84"), rates=())
    assert voucher_rate(mapping, date(1999, 1, 1)) == Decimal(84)


def test_the_company_in_walmarts_currency_changes_nothing() -> None:
    sale = build(order(line("1", "MUG-1", "1", "10.00")))
    assert sale is not None
    for mapping in (MAPPING, inr(base="USD")):
        assert voucher_rate(mapping, sale.date) is None
        assert in_company_currency(sale, mapping) is sale


@pytest.mark.parametrize(
    ("section", "words"),
    [
        ({"foreign_name": None}, "currency.foreign_name"),
        ({"source": "fixed", "rates": ()}, "currency.rate (currency.source is 'fixed')"),
        ({"rates": ()}, "at least one [[currency.rates]]"),
        (
            {"rates": (RATES[0], RATES[0])},
            "two rates for the same date: 2026-11-01",
        ),
    ],
)
def test_an_incomplete_section_is_refused(section: dict[str, Any], words: str) -> None:
    raw = {"base": "INR", "foreign_name": "$", "source": "table", "rates": RATES, **section}
    with pytest.raises(ValidationError, match=re.escape(words)):
        TenantMapping.model_validate({"currency": raw})


def test_a_sale_becomes_a_forex_voucher_at_its_dates_rate() -> None:
    # 2026-11-26 20:00 UTC is 2026-11-27 in Kolkata: the 2026-11-20 rate, 83.25. Walmart's
    # PRODUCT charge is the line total (docs/decisions.md 7): $25.90 for the two mugs.
    usd = build(order(line("1", "MUG-1", "2", "25.90", tax="2.00", ship="3.50")))
    assert usd is not None
    sale = in_company_currency(usd, inr())
    assert sale.forex is not None
    assert (sale.forex.currency, sale.forex.rate) == ("$", Decimal("83.25"))
    (item,) = sale.inventory_entries
    assert (item.amount, item.forex_amount) == (Decimal("2156.18"), Decimal("25.90"))
    assert (item.rate, item.forex_rate) == (Decimal("1078.09"), Decimal("12.95"))
    legs = {e.ledger: (e.amount, e.forex_amount) for e in sale.ledger_entries}
    # $31.40 x 83.25 = 2614.05, but the credits book 2156.18 + 166.50 + 291.38 = 2614.06
    # (each rounded half-up): the party leg takes the paisa.
    assert legs == {
        "Walmart Marketplace": (Decimal("2614.06"), Decimal("31.40")),
        "Output Tax": (Decimal("166.50"), Decimal("2.00")),
        "Shipping Income": (Decimal("291.38"), Decimal("3.50")),
    }
    assert signed_total(sale) == 0
    assert signed_total(sale, face=True) == 0
    check(sale)  # the agent would send it


def test_rounding_goes_to_the_party_so_debits_equal_credits_to_the_paisa() -> None:
    # Each 1.00 line books 83.335 -> 83.34, so the credits are 166.68 while 2.00 of debit
    # would book 166.67 (Tally refuses that paisa, TallyConnector#44): the party takes it.
    usd = build(order(line("1", "MUG-1", "1", "1.00"), line("2", "TEA-1", "1", "1.00")))
    assert usd is not None
    sale = in_company_currency(usd, inr(source="fixed", rate=Decimal("83.335"), rates=()))
    (party,) = sale.ledger_entries
    assert (party.amount, party.forex_amount) == (Decimal("166.68"), Decimal("2.00"))
    assert [i.amount for i in sale.inventory_entries] == [Decimal("83.34"), Decimal("83.34")]
    assert signed_total(sale) == 0
    check(sale)


def test_cost_centres_and_bills_keep_adding_up_to_their_leg() -> None:
    node = order(line("1", "MUG-1", "3", "0.10"), node="NODE-2")
    usd = build(node)
    assert usd is not None
    sale = in_company_currency(usd, inr(source="fixed", rate=Decimal("83.335"), rates=()))
    (item,) = sale.inventory_entries
    assert sum(c.amount for c in item.cost_centres) == item.amount
    assert [c.forex_amount for c in item.cost_centres] == [Decimal("0.10")]

    plan = _plan(_report(BUSINESS))
    mapping = inr(MAPPING, source="fixed", rate=Decimal("83.335"), rates=())
    for voucher in plan.vouchers:
        converted = in_company_currency(voucher, mapping)
        check(converted)  # bills add up to their leg, both sides balance
        assert signed_total(converted) == 0
        assert signed_total(converted, face=True) == 0
        party: LedgerEntry = next(e for e in converted.ledger_entries if e.is_party)
        assert all(b.forex_amount is not None for b in party.bills)


def test_a_reversal_can_be_converted_at_the_rate_its_sale_was_booked_at() -> None:
    usd = build(order(line("1", "MUG-1", "1", "10.00")))
    assert usd is not None
    # Before the table's first rate: only an explicit rate converts it.
    early = usd.model_copy(update={"date": date(2026, 1, 1)})
    with pytest.raises(MissingRate):
        in_company_currency(early, inr())
    converted = in_company_currency(early, inr(), rate=Decimal("83.10"))
    assert converted.forex is not None
    assert converted.forex.rate == Decimal("83.10")


def test_a_booked_sale_remembers_its_rate_for_the_reversals() -> None:
    placed = order(line("1", "MUG-1", "1", "10.00"))
    usd = build(placed)
    assert usd is not None
    assert booked_order(placed, usd, MAPPING).rate is None
    sale = in_company_currency(usd, inr())
    booked = booked_order(placed, sale, inr())
    assert booked.rate == Decimal("83.25")
    assert booked.lines["1"].product == Decimal("10.00")  # kept in Walmart's currency


def test_the_worked_example_books_as_the_mapping_guide_says() -> None:
    mapping = example()  # docs/mapping.md "Worked example"
    usd = sales_voucher(
        order(line("1", "SHK-CW-002", "2", "25.90", tax="2.00", ship="3.50"), node="10001"),
        mapping,
        tenant="default",
        timezone=IST,
        number_pattern="WM-{purchase_order_id}",
    )
    assert usd is not None
    sale = in_company_currency(usd, mapping)
    assert sale.forex is not None
    assert sale.forex.rate == Decimal("84.10")
    assert [i.amount for i in sale.inventory_entries] == [Decimal("2178.19")]
    legs = {e.ledger: e.amount for e in sale.ledger_entries}
    assert legs == {
        "Walmart Marketplace": Decimal("2640.74"),
        "Output IGST 12%": Decimal("168.20"),
        "Shipping Charges Collected": Decimal("294.35"),
    }
    early = usd.model_copy(update={"date": date(2026, 3, 31)})
    with pytest.raises(MissingRate, match="earliest: 2026-04-01, 2026-10-01"):
        in_company_currency(early, mapping)
