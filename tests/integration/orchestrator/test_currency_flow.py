"""A Tally company in INR selling on Walmart US (issue 6, flow 5 "Currencies"), through the
real bus, store, agent and both simulators:

* with no rate in the table for the order's date, the order is parked with the reason and
  nothing reaches Tally;
* once the operator adds the rate and replays it, the Sales voucher posts as a forex voucher:
  in the simulator's books every leg is the INR amount at that rate and debits equal credits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS
from sync_orchestrator.mapping import TenantMapping, save_mapping
from sync_orchestrator.mapping_sections import CurrencyMapping, DatedRate

from tests.integration.orchestrator.support import Stack, eventually, stack
from tests.integration.orchestrator.test_orders_flow import COOKER, WALMART_ITEMS, mapping, place

RATE = Decimal("83.25")


def inr(*rates: DatedRate) -> TenantMapping:
    section = CurrencyMapping(base="INR", foreign_name="$", source="table", rates=rates)
    return mapping().model_copy(update={"currency": section})


def rupees(usd: Decimal) -> Decimal:
    return (usd * RATE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def charged(order: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """(product, tax) in USD, as Walmart charged them (walmart-api.md §6.2)."""
    product = tax = Decimal(0)
    for line in order["orderLines"]["orderLine"]:
        for charge in line["charges"]["charge"]:
            product += Decimal(str(charge["chargeAmount"]["amount"]))
            if charge.get("tax"):
                tax += Decimal(str(charge["tax"]["taxAmount"]["amount"]))
    return product, tax


async def _statuses(s: Stack, po: str) -> list[str]:
    return await s.statuses(po, "order")


async def test_an_inr_company_books_forex_sales_and_parks_orders_without_a_rate(
    tmp_path: Path,
) -> None:
    today = datetime.now(ZoneInfo("Asia/Kolkata")).date()  # the voucher date (seller's zone)
    later = DatedRate(date=today + timedelta(days=10), rate=Decimal("84.00"))
    async with stack(tmp_path, inr(later), walmart_items=WALMART_ITEMS) as s:
        po = "5000000000101"
        order = await place(s, po, (COOKER[0], 3, "25.90"))
        await s.run("orders")

        assert s.runtime.bus is not None
        bus = s.runtime.bus
        (parked,) = await eventually(lambda: bus.parked(ORCHESTRATOR_EVENTS), "the order parked")
        assert f"no USD->INR exchange rate on or before {today.isoformat()}" in parked.reason
        assert "[[currency.rates]]" in parked.reason
        assert "unmapped" in await _statuses(s, po)
        assert await s.vouchers("Sales", f"WM-{po}") == []

        # The operator adds the rate for the period and replays the order.
        earlier = DatedRate(date=today - timedelta(days=30), rate=RATE)
        async with s.store.transaction() as tx:
            await save_mapping(tx, s.tenant, inr(earlier, later))
        assert await bus.replay(ORCHESTRATOR_EVENTS, parked.message_id) == 1
        await eventually(lambda: _posted(s, po), "the replayed order posted")

        (sale,) = await s.vouchers("Sales", f"WM-{po}")
        product, tax = charged(order)
        (item,) = sale["inventory"]
        assert Decimal(item["amount"]) == rupees(product)  # a credit: positive (§4.2)
        assert Decimal(item["rate"]) == (rupees(product) / 3).quantize(Decimal("0.01"))
        (allocation,) = item["accounting"]
        assert Decimal(allocation["amount"]) == rupees(product)
        legs = {e["ledger"]: Decimal(e["amount"]) for e in sale["entries"]}
        assert legs["Output IGST 12%"] == rupees(tax)
        # The party is debited (negative) with what the credits book, to the paisa.
        assert legs["Walmart Marketplace"] == -(rupees(product) + rupees(tax))
        assert sum(legs.values()) + Decimal(item["amount"]) == 0
        (bill,) = next(e for e in sale["entries"] if e["is_party"])["bills"]
        assert Decimal(bill["amount"]) == legs["Walmart Marketplace"]
        assert await bus.parked(ORCHESTRATOR_EVENTS) == []
        # What went over the wire: the forex form, face value in dollars at the rate.
        total = (product + tax).quantize(Decimal("0.01"))
        face = f"<AMOUNT>-${total} @ {RATE}/$ = {legs['Walmart Marketplace']}</AMOUNT>"
        assert any(face in entry.body for entry in s.tally.log.entries(0))


async def _posted(s: Stack, po: str) -> bool:
    return "posted" in await _statuses(s, po)
