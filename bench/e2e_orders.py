"""1,000 Walmart orders delivered as webhooks, end to end into the TallyPrime simulator at
20 ms per request. Prints one JSON object.

The connector runs as it really runs: ``mlc run`` in its own process (SQLite, embedded bus),
or with ``--distributed`` four ``mlc serve`` processes on RabbitMQ and PostgreSQL. Both
simulators run in their own processes. Each order is created in the Walmart simulator and
its PO_CREATED event is then POSTed to the webhook-receiver over HTTP, in Walmart's envelope
with the subscription's BASIC_AUTH header (walmart-api.md §9.3, §9.4; see ``Deliveries``
for why the benchmark delivers rather than the simulator); the orchestrator re-reads the
orders through the gateway (§9.5) and the agent posts the Sales vouchers to Tally.

Latency of an order: from the moment the receiver accepted its webhook (``received_at`` of
its row in ``webhook_events``) to the moment the Tally simulator finished the import
request that created its voucher (its request log). Both are read after the run, so nothing
polls the connector while it works.

* ``paced``: ``--paced-orders`` orders at ``--rate`` (10/s). Goal: p99 under 2 s.
* ``flood``: ``--orders`` orders, ``--flood-concurrency`` deliveries in flight. Goal: at
  least 100 orders/s, counted from the first webhook accepted to the last voucher.
* ``tally_alone`` (the baseline): the same number of Sales vouchers imported straight into
  a Tally simulator at the same latency by the agent's ``Importer`` (duplicate check,
  batches of MLC_TALLY_IMPORT_BATCH_SIZE, read-back): the most any run can reach.

Each run gets fresh simulators and a fresh connector (store, bus); flood and tally_alone run
``--rounds`` times, paced ``--paced-rounds`` times. Per round it also reports the receiver's
answer times, CPU per order of each process (Linux /proc) and the Walmart calls made.

    .venv/bin/python bench/e2e_orders.py [--orders 1000] [--paced-orders 600] [--rate 10]
        [--rounds 3] [--paced-rounds 2] [--latency-ms 20] [--distributed]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import sqlalchemy as sa
from e2e_support import (  # type: ignore[import-not-found]
    E2E_TIME_SCALE,
    Backend,
    backend,
    connector_processes,
    cpu_by_process,
    cpu_used,
    free_port,
    percentile,
    spread,
    walmart_simulator,
)
from mlc_shared.store.engine import create_engine
from mlc_shared.store.tables import webhook_events
from tally_agent.settings import TallyAgentSettings
from tally_export import COMPANY, simulator  # type: ignore[import-not-found]
from tally_import import run as import_run  # type: ignore[import-not-found]

CLIENT_ID, SECRET = "bench-client", "bench-secret-0001"
HOOK_USER, HOOK_PASSWORD = "walmart-bench", "bench-webhook-password-0001"
NODE, GODOWN = "10001", "Main Location"
PARTY, SALES = "Walmart Marketplace", "Sales - Walmart Marketplace"
TAX, SHIPPING, COST_CENTRE = "Output IGST 12%", "Shipping Charges Collected", "Walmart US"
SKUS = {f"BENCH-{n:03d}": (f"Bench Item {n:03d}", Decimal(f"{10 + n}.90")) for n in range(1, 9)}
"""Walmart SKU -> (Tally stock item, price in USD)."""

MASTERS: dict[str, Any] = {
    "units": [{"name": "Nos"}],
    "cost_centres": [{"name": COST_CENTRE}],
    "ledgers": [
        {"name": PARTY, "parent": "Sundry Debtors", "bill_wise": True},
        {"name": SALES, "parent": "Sales Accounts", "cost_centres_on": True},
        {"name": TAX, "parent": "Duties & Taxes"},
        {"name": SHIPPING, "parent": "Indirect Incomes"},
    ],
    "stock_items": [
        {
            "name": item,
            "base_unit": "Nos",
            "part_number": sku,
            "godowns": [{"godown": GODOWN, "qty": "1000000", "rate": "500"}],
        }
        for sku, (item, _) in SKUS.items()
    ],
}

MAPPING = f"""
default_ship_node = "{NODE}"
match_by_name = false

[ledgers]
party = "{PARTY}"
shipping = "{SHIPPING}"
tax = "{TAX}"

[ship_nodes."{NODE}"]
godowns = ["{GODOWN}"]
sales_ledger = "{SALES}"
cost_centre = "{COST_CENTRE}"
""" + "".join(
    f'\n[skus."{sku}"]\nstock_item = "{item}"\nunit = "Nos"\n' for sku, (item, _) in SKUS.items()
)

_NUMBER = re.compile(r"<VOUCHERNUMBER>([^<]+)</VOUCHERNUMBER>")


def order_body(po: str, n: int) -> dict[str, Any]:
    """One or two lines, rotating through the SKUs (every third order has two)."""
    skus = list(SKUS)
    lines = [
        {
            "sku": skus[(n + k) % len(skus)],
            "quantity": 1 + (n + k) % 3,
            "unit_price": str(SKUS[skus[(n + k) % len(skus)]][1]),
            "unit_tax": "0.80",
            "unit_shipping": "0" if k else "4.99",
        }
        for k in range(1 + (n % 3 == 0))
    ]
    return {"purchase_order_id": po, "ship_node": NODE, "lines": lines}


async def prepare_walmart(http: httpx.AsyncClient, url: str) -> None:
    """The catalog the orders draw from, on the ship node the mapping names."""
    body = {
        "ship_nodes": [{"ship_node": NODE, "name": GODOWN}],
        "items": [{"sku": s, "product_name": i, "price": str(p)} for s, (i, p) in SKUS.items()],
    }
    (await http.post(f"{url}/admin/catalog", json=body)).raise_for_status()


def connector_env(tally_url: str, walmart_url: str, mapping: Path) -> dict[str, str]:
    return {
        "MLC_TALLY_URL": tally_url,
        "MLC_TALLY_COMPANY": COMPANY,
        "MLC_WALMART_BASE_URL": walmart_url,
        "MLC_WALMART_CLIENT_ID": CLIENT_ID,
        "MLC_WALMART_CLIENT_SECRET": SECRET,
        "MLC_MAPPING_FILE": str(mapping),
        # Webhooks are the only trigger: no scheduled polls in the measurement.
        "MLC_ORDERS_INTERVAL_S": "0",
        "MLC_CATALOG_INTERVAL_S": "0",
        "MLC_RETURNS_INTERVAL_S": "0",
        "MLC_SETTLEMENTS_INTERVAL_S": "0",
        "MLC_WEBHOOK_AUTH_METHOD": "basic",
        "MLC_WEBHOOK_USERNAME": HOOK_USER,
        "MLC_WEBHOOK_PASSWORD": HOOK_PASSWORD,
    }


def _iso(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def po_created(order: dict[str, Any]) -> bytes:
    """The PO_CREATED delivery for an order the Orders API shows, in Walmart's envelope
    (walmart-api.md §9.3: webhook quantities are unitOfMeasure/measurementValue strings,
    line status CREATED, dates ISO), compact JSON as the simulator's dispatcher sends it."""
    lines = order["orderLines"]["orderLine"]
    shipping = order["shippingInfo"]
    envelope = {
        "source": {
            "eventType": "PO_CREATED",
            "eventTime": _iso(int(time.time() * 1000)),
            "eventId": str(uuid.uuid4()),
        },
        "payload": {
            "partnerId": "10000000001",
            "purchaseOrderId": order["purchaseOrderId"],
            "customerOrderId": order["customerOrderId"],
            "orderDate": _iso(order["orderDate"]),
            "estimatedDeliveryDate": _iso(shipping["estimatedDeliveryDate"]),
            "estimatedShipDate": _iso(shipping["estimatedShipDate"]),
            "orderLines": [
                {
                    "lineNumber": line["lineNumber"],
                    "sku": line["item"]["sku"],
                    "productName": line["item"]["productName"],
                    "quantity": {
                        "unitOfMeasure": "EACH",
                        "measurementValue": line["orderLineQuantity"]["amount"],
                    },
                    "status": "CREATED",
                    "statusDate": _iso(line["statusDate"]),
                    "shippingProgramType": line["fulfillment"]["shippingProgramType"],
                    "shippingMethod": shipping["methodCode"],
                    "shipNodeType": order["shipNode"]["type"],
                }
                for line in lines
            ],
        },
    }
    return json.dumps(envelope, separators=(",", ":")).encode()


class Deliveries:
    """Each order is created in the Walmart simulator, then its PO_CREATED event is POSTed
    to the receiver with the subscription's BASIC_AUTH header (§9.4), as Walmart would.

    The bench delivers, not the simulator: the offered load must be the bench's (16 in
    flight for the flood, an open-loop timetable for the paced phase), while the simulator
    sends each event as soon as it is raised, each in a task of its own. A 503 is retried
    after 1 s (Walmart waits minutes, §9.5) and counted."""

    def __init__(self, http: httpx.AsyncClient, walmart_url: str, hook: str) -> None:
        self.http = http
        self.walmart_url = walmart_url
        self.hook = hook
        auth = base64.b64encode(f"{HOOK_USER}:{HOOK_PASSWORD}".encode()).decode()
        self.headers = {"Content-Type": "application/json", "Authorization": f"Basic {auth}"}
        self.answer_s: list[float] = []
        self.unavailable = 0

    async def order(self, po: str, n: int) -> None:
        reply = await self.http.post(f"{self.walmart_url}/admin/orders", json=order_body(po, n))
        body = po_created(reply.raise_for_status().json()["order"])
        while True:
            sent = time.perf_counter()
            answer = await self.http.post(self.hook, content=body, headers=self.headers)
            self.answer_s.append(time.perf_counter() - sent)
            if answer.status_code != 503:
                break
            self.unavailable += 1
            await asyncio.sleep(1)
        if answer.status_code != 200 or answer.json().get("status") not in (
            "accepted",
            "duplicate",
        ):
            raise RuntimeError(f"webhook answered {answer.status_code}: {answer.text[:200]}")

    async def paced(self, pos: list[str], rate: float) -> float:
        """One order every 1/``rate`` s, each delivered as soon as it exists. Seconds."""
        started = time.perf_counter()
        tasks = []
        for n, po in enumerate(pos):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.order(po, n)))
        await asyncio.gather(*tasks)
        return time.perf_counter() - started

    async def flood(self, pos: list[str], concurrency: int) -> float:
        """As fast as ``concurrency`` senders go (Walmart delivers events concurrently)."""
        started = time.perf_counter()
        queue = list(reversed(list(enumerate(pos))))

        async def sender() -> None:
            while queue:
                n, po = queue.pop()
                await self.order(po, n)

        await asyncio.gather(*(sender() for _ in range(concurrency)))
        return time.perf_counter() - started


async def wait_for_vouchers(
    admin: httpx.AsyncClient, count: int, within: float, alive: Callable[[], list[str]]
) -> None:
    deadline = time.monotonic() + within
    while True:
        company = (await admin.get(f"/companies/{quote(COMPANY)}")).json()
        if company["counts"]["vouchers"] >= count:
            return
        if dead := alive():
            raise RuntimeError(f"the connector died: {dead}")
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{company['counts']['vouchers']} of {count} vouchers after {within:.0f} s"
            )
        await asyncio.sleep(0.25)


async def accepted_at(database_url: str) -> dict[str, float]:
    """Purchase order -> when the receiver accepted its PO_CREATED webhook (epoch s)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(webhook_events.c.received_at, webhook_events.c.body).where(
                        webhook_events.c.event_type == "PO_CREATED"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    found: dict[str, float] = {}
    for received_at, body in rows:
        po = json.loads(body)["payload"]["purchaseOrderId"]
        found[po] = min(found.get(po, float("inf")), received_at.timestamp())
    return found


async def created_at(admin: httpx.AsyncClient) -> tuple[dict[str, float], dict[str, int]]:
    """Voucher number -> when the import request that created it finished (epoch s), from
    the Tally simulator's request log; and what kinds of requests the agent sent."""
    found: dict[str, float] = {}
    kinds = {"import": 0, "other": 0}
    for entry in (await admin.get("/requests")).json():
        result = entry.get("summary", {}).get("result")
        if not result or not entry.get("finished_at"):
            kinds["other"] += 1
            continue
        kinds["import"] += 1
        if int(result.get("created", 0)) == 0:
            continue
        for number in _NUMBER.findall(entry["body"]):
            found.setdefault(number, entry["finished_at"])
    return found, kinds


_ID_IN_PATH = re.compile(r"/\d{6,}")


async def walmart_calls(http: httpx.AsyncClient, url: str) -> dict[str, int]:
    """The connector's calls to the Walmart simulator by method and path (ids elided)."""
    counts: dict[str, int] = {}
    for entry in (await http.get(f"{url}/admin/requests", params={"path_prefix": "/v3/"})).json():
        key = f"{entry['method']} {_ID_IN_PATH.sub('/{id}', entry['path'])}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


async def connector_run(
    workdir: Path,
    *,
    count: int,
    rate: float | None,
    concurrency: int,
    latency_ms: int,
    distributed: bool,
    prefix: str,
    profile: bool = False,
) -> dict[str, Any]:
    """One run: fresh simulators and connector, ``count`` orders, every latency."""
    mapping = workdir / "mapping.toml"
    mapping.write_text(MAPPING)
    pos = [f"{prefix}{n:09d}" for n in range(count)]
    async with (
        simulator() as (tally_url, tally_admin_url),
        walmart_simulator(CLIENT_ID, SECRET, time_scale=E2E_TIME_SCALE, seed=7) as walmart_url,
        httpx.AsyncClient(base_url=tally_admin_url, timeout=120, trust_env=False) as tally,
        httpx.AsyncClient(timeout=60, trust_env=False) as http,
        backend(workdir, distributed=distributed) as store,
    ):
        (await tally.post(f"/companies/{quote(COMPANY)}/masters", json=MASTERS)).raise_for_status()
        (await tally.put("/faults/latency", json={"ms": latency_ms})).raise_for_status()
        (await tally.patch("/settings", json={"request_log_limit": 100_000})).raise_for_status()
        port = free_port()
        hook = f"http://127.0.0.1:{port}/webhooks/walmart/default"
        await prepare_walmart(http, walmart_url)
        env = connector_env(tally_url, walmart_url, mapping)
        async with connector_processes(
            env, store, workdir / "logs", webhook_port=port, profile=profile
        ) as mlc:
            await tally.delete("/requests")
            deliveries = Deliveries(http, walmart_url, hook)
            cpu_before = cpu_by_process()
            if rate is not None:
                sending = await deliveries.paced(pos, rate)
            else:
                sending = await deliveries.flood(pos, concurrency)
            await wait_for_vouchers(tally, count, 300 + count / 2, mlc.dead)
            cpu = cpu_used(cpu_before, cpu_by_process())
        vouchers, requests = await created_at(tally)
        accepted = await accepted_at(store.database_url)
        walmart = await walmart_calls(http, walmart_url)
    return summarise(pos, accepted, vouchers, requests, sending, deliveries, store, rate) | {
        "cpu_ms_per_order": {k: round(v * 1000 / count, 1) for k, v in sorted(cpu.items())},
        "load_average_1min_after": round(os.getloadavg()[0], 1),
        "walmart_calls_while_running": walmart,
    }


def summarise(
    pos: list[str],
    accepted: dict[str, float],
    vouchers: dict[str, float],
    requests: dict[str, int],
    sending: float,
    deliveries: Deliveries,
    store: Backend,
    rate: float | None,
) -> dict[str, Any]:
    missing = [po for po in pos if po not in accepted or f"WM-{po}" not in vouchers]
    if missing:
        raise RuntimeError(f"{len(missing)} orders without a webhook or a voucher: {missing[:5]}")
    latencies = [vouchers[f"WM-{po}"] - accepted[po] for po in pos]
    first, last = min(accepted.values()), max(vouchers.values())
    return {
        "orders": len(pos),
        "offered_rate_per_s": rate,
        "seconds_to_deliver_webhooks": round(sending, 2),
        "webhook_answer_s": {
            "p50": round(percentile(deliveries.answer_s, 50), 3),
            "p99": round(percentile(deliveries.answer_s, 99), 3),
        },
        "webhooks_answered_503": deliveries.unavailable,
        "webhooks_accepted": len(accepted),
        "webhooks_accepted_per_s": round(len(pos) / max(max(accepted.values()) - first, 1e-9), 1),
        "seconds_first_webhook_to_last_voucher": round(last - first, 2),
        "orders_per_s": round(len(pos) / (last - first), 1),
        "latency_s": {
            "p50": round(percentile(latencies, 50), 3),
            "p99": round(percentile(latencies, 99), 3),
            "max": round(max(latencies), 3),
        },
        "tally_import_requests": requests["import"],
        "tally_other_requests": requests["other"],
        "store": "postgresql" if store.distributed else "sqlite",
    }


async def tally_alone(count: int, latency_ms: int) -> dict[str, Any]:
    """The baseline: the agent's Importer straight into the Tally simulator."""
    from tally_import import MASTERS as IMPORT_MASTERS

    batch = TallyAgentSettings.model_fields["tally_import_batch_size"].default
    async with (
        simulator() as (url, admin_url),
        httpx.AsyncClient(base_url=admin_url, timeout=600, trust_env=False) as admin,
    ):
        (await admin.post(f"/companies/{COMPANY}/masters", json=IMPORT_MASTERS)).raise_for_status()
        (await admin.put("/faults/latency", json={"ms": latency_ms})).raise_for_status()
        result: dict[str, Any] = await import_run(url, admin, "A", count, batch)
    return result


async def rounds(n: int, once: Callable[[int], Awaitable[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [await once(i) for i in range(n)]


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mlc-e2e-orders-") as tmp:
        root = Path(args.workdir or tmp)

        def run(
            kind: str, count: int, rate: float | None
        ) -> Callable[[int], Awaitable[dict[str, Any]]]:
            async def once(i: int) -> dict[str, Any]:
                workdir = root / f"{kind}-{i}"
                workdir.mkdir(parents=True)
                return await connector_run(
                    workdir,
                    count=count,
                    rate=rate,
                    concurrency=args.flood_concurrency,
                    latency_ms=args.latency_ms,
                    distributed=args.distributed,
                    prefix=f"{7 if kind == 'flood' else 8}{i:02d}",
                    profile=args.profile,
                )

            return once

        alone = await rounds(args.rounds, lambda _i: tally_alone(args.orders, args.latency_ms))
        paced = await rounds(args.paced_rounds, run("paced", args.paced_orders, args.rate))
        flood = await rounds(args.rounds, run("flood", args.orders, None))
    flood_rates = [r["orders_per_s"] for r in flood]
    paced_p99 = [r["latency_s"]["p99"] for r in paced]
    alone_rates = [r["vouchers_per_s"] for r in alone]

    def spread_of(values: list[float], digits: int) -> dict[str, float] | None:
        """``spread``, or None for a kind that ran no rounds (e.g. ``--paced-rounds 0``)."""
        return spread(values, digits) if values else None

    return {
        "benchmark": "e2e_orders",
        "mode": "distributed (4 x mlc serve, RabbitMQ, PostgreSQL)"
        if args.distributed
        else "standalone (mlc run, SQLite, embedded bus)",
        "tally_latency_ms_per_request": args.latency_ms,
        "tally_alone": {"vouchers_per_s": spread_of(alone_rates, 1), "rounds": alone},
        "paced": {
            "p99_s": spread_of(paced_p99, 3),
            "p50_s": spread_of([r["latency_s"]["p50"] for r in paced], 3),
            "rounds": paced,
        },
        "flood": {
            "orders_per_s": spread_of(flood_rates, 1),
            "p50_s": spread_of([r["latency_s"]["p50"] for r in flood], 3),
            "p99_s": spread_of([r["latency_s"]["p99"] for r in flood], 3),
            "rounds": flood,
        },
        "flood_vs_tally_alone": round(
            sorted(flood_rates)[len(flood_rates) // 2] / sorted(alone_rates)[len(alone_rates) // 2],
            3,
        )
        if flood_rates and alone_rates
        else None,
        "goal_orders_per_s": 100,
        "goal_paced_p99_s": 2.0,
        "goals_met": bool(flood_rates and paced_p99)
        and min(flood_rates) >= 100
        and max(paced_p99) < 2.0,
        "goals_judged_on": "every round: the slowest flood round and the worst paced p99",
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000, help="orders in a flood round")
    parser.add_argument("--paced-orders", type=int, default=600)
    parser.add_argument("--rate", type=float, default=10.0, help="paced orders per second")
    parser.add_argument("--rounds", type=int, default=3, help="flood and tally_alone rounds")
    parser.add_argument("--paced-rounds", type=int, default=2)
    parser.add_argument("--flood-concurrency", type=int, default=16)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--distributed", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the connector")
    parser.add_argument("--workdir", help="keep each run's store and logs here (a new folder)")
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
