"""Pushing 10,000 changed stock counts to the Walmart simulator (its default throttling, in
its own process, over HTTP on 127.0.0.1), three ways in one run. Prints one JSON object.

* ``feed``: what the gateway does with a batch this size -- one ``MP_INVENTORY`` feed
  (walmart-api.md §5), followed to PROCESSED, then every SKU's outcome read back (feed detail
  pages of 50, §3.2). Goal: at most one feed per 10,000 SKUs per feed type, no 429 unhandled.
* ``per_sku``: the baseline, one ``PUT /v3/inventory`` per SKU through the same gateway
  (local budget 200/min, §10.2). At that rate 10,000 SKUs take ~50 minutes, so the run stops
  starting new PUTs after ``--per-sku-seconds`` and reports honestly how far it got, and the
  time the rest would take at the rate it reached.
* ``per_sku_unbudgeted``: the same with the local budget switched off, so the simulator's
  bucket answers 429s; every one must be waited out (headers honoured) and retried, none
  may surface as a failure. Also bounded (``--unbudgeted-seconds``).

    .venv/bin/python bench/walmart_push.py [--skus 10000] [--per-sku-seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

import httpx
from e2e_support import walmart_simulator  # type: ignore[import-not-found]
from mlc_shared.domain.walmart import InventoryUpdate, SkuOutcome
from mlc_shared.logging import configure_logging
from walmart_gateway.errors import WalmartError
from walmart_gateway.gateway import WalmartGateway, WalmartSeller
from walmart_gateway.settings import WalmartSettings
from walmart_gateway.transport import HttpxTransport

CLIENT_ID, SECRET = "bench-client", "bench-secret-0001"
NODE = "10000000101"


def _gateway(url: str, **overrides: Any) -> WalmartGateway:
    return WalmartGateway(WalmartSettings(
        walmart_base_url=url, walmart_client_id=CLIENT_ID, walmart_client_secret=SECRET,
        **overrides))  # fmt: skip


def _calls(gateway: WalmartGateway) -> int:
    transport = gateway.transport
    assert isinstance(transport, HttpxTransport)
    return transport.calls


async def _statuses(admin: httpx.AsyncClient, prefix: str) -> dict[int, int]:
    counts: dict[int, int] = {}
    answer = await admin.get("/admin/requests", params={"path_prefix": prefix})
    answer.raise_for_status()
    for entry in answer.json():
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    await admin.delete("/admin/requests")
    return counts


async def by_feed(
    url: str, admin: httpx.AsyncClient, updates: list[InventoryUpdate]
) -> dict[str, Any]:
    gateway = _gateway(url)
    seller = await gateway.seller("default")
    started = time.perf_counter()
    pushed = await seller.inventory.push(updates, key="bench-push")
    submitted_s = time.perf_counter() - started
    submit_calls = _calls(gateway)
    outcomes: list[SkuOutcome] = []
    for feed in pushed.feeds:
        status = await seller.feeds.follow(feed.feed_id, poll_interval=1.0, give_up_after=600)
        outcomes.extend(status.results)
    total_s = time.perf_counter() - started
    await gateway.aclose()
    return {
        "skus": len(updates),
        "feeds": len(pushed.feeds),
        "feed_types": sorted({f.feed_type for f in pushed.feeds}),
        "http_calls": _calls(gateway),
        "http_calls_to_submit": submit_calls,
        "wall_seconds_to_submit": round(submitted_s, 3),
        "wall_seconds_to_every_sku_outcome": round(total_s, 3),
        "skus_ok": sum(1 for r in outcomes if r.ok),
        "skus_failed": sum(1 for r in outcomes if not r.ok),
        "throttled_429s": seller.client.throttled_responses,
        "walmart_statuses": await _statuses(admin, "/v3/"),
    }


async def one_by_one(
    url: str,
    admin: httpx.AsyncClient,
    updates: list[InventoryUpdate],
    seconds: float,
    **overrides: Any,
) -> dict[str, Any]:
    gateway = _gateway(url, **overrides)
    seller = await gateway.seller("default")
    pending = list(reversed(updates))
    finished_at: list[float] = []
    failed = 0
    surfaced: list[str] = []
    started = time.perf_counter()
    deadline = started + seconds

    async def worker(seller: WalmartSeller) -> None:
        nonlocal failed
        while pending and time.perf_counter() < deadline:
            update = pending.pop()
            try:
                outcome = await seller.inventory.put(update)
            except WalmartError as exc:  # e.g. a 429 not waited out: must never happen
                surfaced.append(exc.reason)
                continue
            if outcome.ok:
                finished_at.append(time.perf_counter() - started)
            else:
                failed += 1

    await asyncio.gather(*(worker(seller) for _ in range(8)))
    elapsed = time.perf_counter() - started
    await gateway.aclose()
    done = len(finished_at)
    # The first minute spends the bucket's initial burst; the last third of the run shows the
    # steady rate the rest would go at.
    tail = [t for t in finished_at if t >= elapsed * 2 / 3]
    steady = len(tail) / (elapsed / 3) if tail else 0.0
    remaining = len(updates) - done - failed
    return {
        "skus": len(updates),
        "skus_done": done,
        "skus_failed": failed,
        "completed": remaining == 0,
        "stopped_after_seconds": round(elapsed, 1),
        "http_calls": _calls(gateway),
        "throttled_429s": seller.client.throttled_responses,
        "errors_surfaced": len(surfaced),
        "steady_skus_per_second": round(steady, 2),
        "projected_seconds_for_all": round(elapsed + remaining / steady) if steady else None,
        "walmart_statuses": await _statuses(admin, "/v3/inventory"),
    }


async def main(skus: int, per_sku_seconds: float, unbudgeted_seconds: float) -> dict[str, Any]:
    names = [f"BENCH-{n:05d}" for n in range(skus)]
    updates = [InventoryUpdate(sku=s, quantity=(n * 7) % 50, ship_node=NODE)
               for n, s in enumerate(names)]  # fmt: skip
    async with (
        walmart_simulator(CLIENT_ID, SECRET) as url,
        httpx.AsyncClient(base_url=url, timeout=300) as admin,
    ):
        seeded = await admin.post("/admin/catalog", json={
            "ship_nodes": [{"ship_node": NODE, "name": "Bench DC"}],
            "items": [{"sku": s, "product_name": s, "price": "9.99"} for s in names]})  # fmt: skip
        seeded.raise_for_status()
        await admin.delete("/admin/requests")
        feed = await by_feed(url, admin, updates)
        per_sku = await one_by_one(url, admin, updates, per_sku_seconds)
        unbudgeted = await one_by_one(
            url, admin, updates, unbudgeted_seconds, walmart_budgets={"inventory.update": "none"}
        )
    return {
        "feed": feed,
        "per_sku": per_sku,
        "per_sku_unbudgeted": unbudgeted,
        "feed_http_calls_vs_per_sku_projected": f"{feed['http_calls']} vs {skus}",
        "goal_at_most_one_feed_per_10000_skus_per_type": feed["feeds"] <= -(-skus // 10_000),
        "goal_no_429_unhandled": per_sku["errors_surfaced"] == unbudgeted["errors_surfaced"] == 0,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--per-sku-seconds", type=float, default=60.0)
    parser.add_argument("--unbudgeted-seconds", type=float, default=20.0)
    args = parser.parse_args()
    configure_logging("WARNING", "console")
    result = asyncio.run(main(args.skus, args.per_sku_seconds, args.unbudgeted_seconds))
    print(json.dumps(result))
