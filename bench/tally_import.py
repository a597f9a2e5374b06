"""1,000 Sales vouchers imported into the TallyPrime simulator with 20 ms of latency per
request, batched and one voucher per request, in the same run. Prints one JSON object.

Both runs take the agent's whole path (``Importer``: the duplicate check by number and date,
the import requests, the read-back of MASTERIDs), on a fresh set of voucher numbers each,
sorted by date as orders arrive. ``batched`` uses the default MLC_TALLY_IMPORT_BATCH_SIZE
(100); ``one_per_request`` sets it to 1, the baseline. Goal: batched at least 10 times the
vouchers per second of one per request (tally-xml.md §5.2: Tally's cost is per request).

The simulator runs in its own process; the requests each run sent are counted from its
request log.

    .venv/bin/python bench/tally_import.py [--vouchers 1000] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
from mlc_shared.domain.tally import CostCentreAllocation, InventoryEntry, LedgerEntry, Voucher
from tally_agent.client import ClientOptions, TallyClient
from tally_agent.importer import Importer, ImportOptions
from tally_agent.protocol.envelopes import RequestContext
from tally_agent.reads import TallyReader
from tally_agent.settings import TallyAgentSettings
from tally_export import COMPANY, simulator  # type: ignore[import-not-found]

MASTERS: dict[str, Any] = {
    "units": [{"name": "Nos"}],
    "cost_centres": [{"name": "Walmart"}],
    "ledgers": [
        {"name": "Walmart Marketplace", "parent": "Sundry Debtors", "bill_wise": True},
        {"name": "Sales", "parent": "Sales Accounts", "cost_centres_on": True},
        {"name": "Output IGST 18%", "parent": "Duties & Taxes"},
        {"name": "Shipping Charges", "parent": "Indirect Incomes"},
    ],
    "stock_items": [
        {
            "name": "Widget",
            "base_unit": "Nos",
            "godowns": [{"godown": "Main Location", "qty": "100000", "rate": "300"}],
        }
    ],
}
DAYS = 10


def sales(prefix: str, n: int, count: int) -> Voucher:
    """The n-th order of ``count``, dated so that the orders spread over DAYS days."""
    day = date(2025, 4, 1) + timedelta(days=n * DAYS // count)
    qty = Decimal(1 + n % 3)
    amount = qty * Decimal("499.00")
    tax = (amount * Decimal("0.18")).quantize(Decimal("0.01"))
    shipping = Decimal("40.00")
    number = f"{prefix}-{n:05d}"
    return Voucher(
        voucher_type="Sales",
        number=number,
        date=day,
        remote_id=f"mlc:bench:order:{number}",
        party_ledger="Walmart Marketplace",
        reference=number,
        narration=f"Walmart PO {number} [mlc:{number}]",
        inventory_entries=(
            InventoryEntry(
                stock_item="Widget",
                side="credit",
                quantity=qty,
                unit="Nos",
                rate=Decimal("499.00"),
                amount=amount,
                ledger="Sales",
                cost_centres=(CostCentreAllocation(cost_centre="Walmart", amount=amount),),
            ),
        ),
        ledger_entries=(
            LedgerEntry(
                ledger="Walmart Marketplace",
                side="debit",
                amount=amount + tax + shipping,
                is_party=True,
                bill_reference=number,
            ),
            LedgerEntry(ledger="Output IGST 18%", side="credit", amount=tax),
            LedgerEntry(ledger="Shipping Charges", side="credit", amount=shipping),
        ),
    )


async def last_seq(admin: httpx.AsyncClient) -> int:
    entries = (await admin.get("/requests")).json()
    return max((e["seq"] for e in entries), default=0)


async def run(
    url: str, admin: httpx.AsyncClient, prefix: str, count: int, batch_size: int
) -> dict[str, Any]:
    vouchers = [sales(prefix, n, count) for n in range(count)]
    before = await last_seq(admin)
    async with TallyClient(ClientOptions(url=url)) as client:
        reader = TallyReader(client, RequestContext(company=COMPANY))
        start = time.perf_counter()
        async with client.exclusive():
            company = await reader.open_company()
            importer = Importer(
                reader.for_company(company), company, ImportOptions(batch_size=batch_size)
            )
            outcomes = await importer.import_vouchers(vouchers)
        seconds = time.perf_counter() - start
    requests = await last_seq(admin) - before
    created = sum(o.outcome == "created" for o in outcomes)
    return {
        "batch_size": batch_size,
        "vouchers": count,
        "created": created,
        "seconds": round(seconds, 2),
        "vouchers_per_s": round(count / seconds, 1),
        "requests": requests,
    }


async def main(count: int, latency_ms: int) -> dict[str, Any]:
    batch = TallyAgentSettings.model_fields["tally_import_batch_size"].default
    async with (
        simulator() as (url, admin_url),
        httpx.AsyncClient(base_url=admin_url, timeout=600, trust_env=False) as admin,
    ):
        (await admin.post(f"/companies/{COMPANY}/masters", json=MASTERS)).raise_for_status()
        (await admin.put("/faults/latency", json={"ms": latency_ms})).raise_for_status()
        batched = await run(url, admin, "B", count, batch)
        single = await run(url, admin, "S", count, 1)
        company = (await admin.get(f"/companies/{COMPANY}")).json()
    speedup = batched["vouchers_per_s"] / single["vouchers_per_s"]
    return {
        "latency_ms_per_request": latency_ms,
        "batched": batched,
        "one_per_request": single,
        "speedup": round(speedup, 1),
        "goal_speedup": 10,
        "vouchers_in_company": company["counts"]["vouchers"],
        "goals_met": speedup >= 10
        and batched["created"] == single["created"] == count
        and company["counts"]["vouchers"] == 2 * count,
        "python": sys.version.split()[0],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vouchers", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.vouchers, args.latency_ms)), indent=2))
