"""One catalog cycle over 100,000 stock items of which 1% changed in Tally, end to end into the
Walmart simulator. Prints one JSON object.

The connector is the standalone composition (``Runtime``, what ``mlc run`` starts: SQLite and
the embedded bus) in this process, or with ``--distributed`` the same services on RabbitMQ
and PostgreSQL; the TallyPrime simulator (``--latency-ms`` per request) and the Walmart
simulator run in their own processes. The mapping is the one a large catalog uses: Walmart
SKU = the stock item's part number (``match_by_name``), one godown per ship node, prices from
Tally's standard price list converted to USD.

A cycle is timed from ``run_flow("catalog")`` until the orchestrator is idle: the export
read, every inventory and price command answered by the gateway (feeds submitted), nothing
left in the outbox. Walmart then processes the feeds on its own; their per-SKU outcomes are
read at the start of the next cycle, which is counted in that cycle. Walmart calls are
counted from the Walmart simulator's request log.

* ``changed_1pct`` (``--rounds`` times, a different 1% each round): stock quantity and
  standard price of 1,000 items altered in Tally. Goals: under 10 s, and one inventory feed
  plus one price feed.
* baselines, same run: ``raw_export`` (the agent reading all 100,000 items from Tally, the
  floor for a cycle that had to read everything), ``full_sync`` (the first cycle: 100%
  new) and ``after_full_sync`` (the next cycle: nothing changed, the full sync's feeds are
  followed up). Walmart allows 10 inventory and 10 price feeds an hour (walmart-api.md
  §10.2); a full sync needs more, so those two cycles run with the feed budgets raised (in
  the gateway and the simulator) and say so. The 1% rounds run on the production budgets.

    .venv/bin/python bench/e2e_catalog.py [--items 100000] [--changed-percent 1]
        [--rounds 3] [--latency-ms 20] [--distributed]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from e2e_support import (  # type: ignore[import-not-found]
    E2E_TIME_SCALE,
    backend,
    cpu_by_process,
    cpu_used,
    spread,
    walmart_simulator,
)
from mlc_shared.logging import configure_logging
from sync_orchestrator.mapping import Pricing, ShipNodeMapping, TenantMapping, save_mapping
from sync_orchestrator.service import OrchestratorService
from tally_agent.client import ClientOptions, TallyClient
from tally_agent.kinds import STOCK_ITEMS
from tally_agent.protocol.envelopes import RequestContext
from tally_agent.reads import TallyReader
from tally_export import COMPANY, simulator  # type: ignore[import-not-found]

from ml_connector.runtime import Runtime

CLIENT_ID, SECRET = "bench-client", "bench-secret-0001"
NODE, GODOWN = "10001", "Main Location"
PREFIX = "Item"
INR_TO_USD = Decimal("0.012")
RAISED_FEED_LIMIT = 1000
"""Feeds an hour per type while the full sync and its follow-up run (Walmart: 10)."""
FEED_APIS = ("feeds.inventory", "feeds.price")
MAPPING = TenantMapping(
    default_ship_node=NODE,
    ship_nodes={NODE: ShipNodeMapping(godowns=(GODOWN,))},
    match_by_name=True,
    pricing=Pricing(source="standard_price", exchange_rate=INR_TO_USD),
)
_FEED_ID = re.compile(r"^/v3/feeds/[^/]+$")


def item_name(n: int) -> str:
    """The simulator's generated names and part numbers (tally_sim/generate.py)."""
    return f"{PREFIX} {n:06d}"


def part_number(n: int) -> str:
    return f"P-{n:06d}"


async def seed(tally: httpx.AsyncClient, walmart: httpx.AsyncClient, items: int) -> None:
    """``items`` stock items in Tally; the same SKUs listed on Walmart at one ship node."""
    generated = await tally.post(
        f"/companies/{quote(COMPANY)}/stock-items/generate",
        json={"count": items, "prefix": PREFIX, "godowns": [GODOWN]},
    )
    generated.raise_for_status()
    chunk = 20_000
    for start in range(1, items + 1, chunk):
        body: dict[str, Any] = {
            "items": [
                {"sku": part_number(n), "product_name": item_name(n), "price": "9.99"}
                for n in range(start, min(start + chunk, items + 1))
            ]
        }
        if start == 1:
            body["ship_nodes"] = [{"ship_node": NODE, "name": GODOWN}]
        (await walmart.post("/admin/catalog", json=body)).raise_for_status()


async def change(tally: httpx.AsyncClient, numbers: list[int], round_no: int) -> None:
    """Alter stock quantity and standard price of the given items, as a person altering
    the masters in TallyPrime would (an import with the items' names; the simulator alters
    an existing master on Create, tally-simulator.md). Each item takes a new ALTERID."""
    stock_items = [
        {
            "name": item_name(n),
            "base_unit": "Nos",
            "part_number": part_number(n),
            "godowns": [{"godown": GODOWN, "qty": str(500 + round_no * 7 + n % 50), "rate": "100"}],
            "standard_prices": [
                {
                    "date": date(2025, 6, 1 + round_no).isoformat(),
                    "rate": str(200 + round_no + n % 9),
                }
            ],
        }
        for n in numbers
    ]
    reply = await tally.post(
        f"/companies/{quote(COMPANY)}/masters", json={"stock_items": stock_items}
    )
    result = reply.raise_for_status().json()
    if result.get("altered") != len(numbers):
        raise RuntimeError(
            f"Tally altered {result.get('altered')} of {len(numbers)} items: {result}"
        )


async def raw_export(url: str, items: int) -> dict[str, Any]:
    """The agent reading every stock item over HTTP, typed records, nothing else."""
    started = time.perf_counter()
    count = 0
    async with TallyClient(ClientOptions(url=url, read_timeout=600)) as client:
        reader = TallyReader(client, RequestContext(company=COMPANY))
        company = await reader.open_company()
        async with reader.masters(STOCK_ITEMS, company) as rows:
            async for _item in rows:
                count += 1
    if count != items:
        raise RuntimeError(f"exported {count} of {items} items")
    return {"items": count, "seconds": round(time.perf_counter() - started, 2)}


def feed_limits(per_hour: int | None) -> dict[str, Any]:
    """The simulator's throttle table with the two feed APIs at ``per_hour`` (None: as
    Walmart publishes them, §10.2)."""
    from walmart_sim.config import default_throttle_limits

    limits = {k: v.model_dump() for k, v in default_throttle_limits().items()}
    if per_hour is not None:
        for api in FEED_APIS:
            limits[api] = {"limit": per_hour, "period_seconds": 3600.0}
    return {"throttle_limits": limits}


def walmart_summary(entries: list[dict[str, Any]]) -> dict[str, Any]:
    calls: dict[str, int] = {}
    feeds: dict[str, int] = {}
    for entry in entries:
        path = entry["path"]
        if entry["method"] == "POST" and path == "/v3/feeds":
            feed_type = str(entry["query"]).split("feedType=")[-1].split("&")[0]
            feeds[feed_type] = feeds.get(feed_type, 0) + 1
        key = f"{entry['method']} {'/v3/feeds/{id}' if _FEED_ID.match(path) else path}"
        calls[key] = calls.get(key, 0) + 1
    return {
        "calls": sum(calls.values()),
        "by_endpoint": dict(sorted(calls.items())),
        "feeds": feeds,
    }


def one_inventory_one_price(feeds: dict[str, int]) -> bool:
    """Inventory goes as ``MP_INVENTORY`` (named ship nodes) or ``inventory`` (Walmart's
    default node), prices as ``price`` (walmart-api.md §4, §5)."""
    inventory = feeds.get("MP_INVENTORY", 0) + feeds.get("inventory", 0)
    return inventory == 1 and feeds.get("price", 0) == 1 and sum(feeds.values()) == 2


async def cycle(
    orch: OrchestratorService, tally: httpx.AsyncClient, walmart: httpx.AsyncClient
) -> dict[str, Any]:
    """One catalog run, from the start until the orchestrator is idle."""
    (await walmart.delete("/admin/requests")).raise_for_status()
    (await tally.delete("/requests")).raise_for_status()
    cpu_before = cpu_by_process()
    started = time.perf_counter()
    if not await orch.run_flow("catalog"):
        raise RuntimeError("the catalog flow did not start (paused, or a run in flight)")
    while not await orch.idle():
        if time.perf_counter() - started > 1800:
            raise RuntimeError("the catalog cycle did not finish within 30 minutes")
        await asyncio.sleep(0.02)
    seconds = time.perf_counter() - started
    cpu = cpu_used(cpu_before, cpu_by_process())
    if not await orch.wait_idle(30, settle=0.5):  # nothing more may follow
        raise RuntimeError("the orchestrator went busy again after the cycle")
    log = (await walmart.get("/admin/requests", params={"path_prefix": "/v3/"})).json()
    if len(log) >= 5000:
        raise RuntimeError("the Walmart simulator's request log overflowed (5,000 entries)")
    tally_requests = (await tally.get("/requests")).json()
    return {
        "seconds": round(seconds, 2),
        "walmart": walmart_summary(log),
        "tally_requests": len(tally_requests),
        "cpu_seconds": {k: round(v, 2) for k, v in sorted(cpu.items())},
        "load_average_1min_after": round(os.getloadavg()[0], 1),
    }


def settings(
    store: dict[str, Any], tally_url: str, walmart_url: str, *, raised: bool
) -> dict[str, Any]:
    found: dict[str, Any] = {
        **store,
        "tally_url": tally_url,
        "tally_company": COMPANY,
        "walmart_base_url": walmart_url,
        "walmart_client_id": CLIENT_ID,
        "walmart_client_secret": SECRET,
        "catalog_interval_s": 0,
        "orders_interval_s": 0,
        "returns_interval_s": 0,
        "settlements_interval_s": 0,
        "webhook_port": 0,
    }
    if raised:
        found["walmart_budgets"] = {api: f"{RAISED_FEED_LIMIT}/hour" for api in FEED_APIS}
        found["walmart_allow_budgets_above_published"] = True
    return found


async def main(args: argparse.Namespace) -> dict[str, Any]:
    per_round = max(1, args.items * args.changed_percent // 100)
    if per_round * args.rounds > args.items:
        raise SystemExit("--rounds x --changed-percent reaches past the catalog")
    with tempfile.TemporaryDirectory(prefix="mlc-e2e-catalog-") as tmp:
        async with (
            simulator() as (tally_url, tally_admin_url),
            walmart_simulator(CLIENT_ID, SECRET, time_scale=E2E_TIME_SCALE, seed=7) as walmart_url,
            httpx.AsyncClient(base_url=tally_admin_url, timeout=600, trust_env=False) as tally,
            httpx.AsyncClient(base_url=walmart_url, timeout=600, trust_env=False) as walmart,
            backend(Path(tmp), distributed=args.distributed) as store,
        ):
            await seed(tally, walmart, args.items)
            (await tally.put("/faults/latency", json={"ms": args.latency_ms})).raise_for_status()
            raw = [await raw_export(tally_url, args.items) for _ in range(2)]

            # Setup: the first sync and its follow-up, on raised feed budgets.
            (
                await walmart.patch("/admin/config", json=feed_limits(RAISED_FEED_LIMIT))
            ).raise_for_status()
            async with Runtime(
                **settings(store.overrides(), tally_url, walmart_url, raised=True)
            ) as rt:
                orch: OrchestratorService = rt.service("sync-orchestrator")
                assert rt.store is not None
                async with rt.store.transaction() as tx:
                    await save_mapping(tx, orch.settings.tenant, MAPPING)
                full = await cycle(orch, tally, walmart)
                follow_up = await cycle(orch, tally, walmart)

            # Measured: 1% rounds on the production budgets (a fresh gateway, fresh buckets).
            (await walmart.patch("/admin/config", json=feed_limits(None))).raise_for_status()
            rounds: list[dict[str, Any]] = []
            async with Runtime(
                **settings(store.overrides(), tally_url, walmart_url, raised=False)
            ) as rt:
                orch = rt.service("sync-orchestrator")
                for r in range(args.rounds):
                    numbers = list(range(1 + r * per_round, 1 + (r + 1) * per_round))
                    await change(tally, numbers, r + 1)
                    rounds.append(
                        {"changed_items": len(numbers), **await cycle(orch, tally, walmart)}
                    )
    seconds = [r["seconds"] for r in rounds]
    one_feed_each = all(one_inventory_one_price(r["walmart"]["feeds"]) for r in rounds)
    return {
        "benchmark": "e2e_catalog",
        "mode": "distributed (RabbitMQ, PostgreSQL)"
        if args.distributed
        else "standalone (SQLite, embedded bus)",
        "items": args.items,
        "tally_latency_ms_per_request": args.latency_ms,
        "changed_1pct": {"seconds": spread(seconds), "rounds": rounds},
        "raw_export": {"seconds": spread([r["seconds"] for r in raw]), "runs": raw},
        "full_sync": full | {"feed_budgets": f"raised to {RAISED_FEED_LIMIT}/hour"},
        "after_full_sync": follow_up | {"feed_budgets": f"raised to {RAISED_FEED_LIMIT}/hour"},
        "changed_vs_raw_export": round(
            sorted(seconds)[len(seconds) // 2] / sorted(r["seconds"] for r in raw)[0], 3
        ),
        "changed_vs_full_sync": round(sorted(seconds)[len(seconds) // 2] / full["seconds"], 3),
        "goal_seconds": 10,
        "goal_feeds": "one inventory feed plus one price feed",
        "goals_met": max(seconds) < 10 and one_feed_each,
        "goals_judged_on": "every round",
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--changed-percent", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--distributed", action="store_true")
    configure_logging("WARNING", "console")  # stderr; stdout carries only the JSON
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
