"""Webhook intake: the webhook-receiver against a bare FastAPI endpoint, both served by
uvicorn in their own processes, in one run. Prints one JSON object.

* receiver: ``mlc serve webhook-receiver`` as in production, on RabbitMQ (a fresh bus
  namespace) and PostgreSQL (a fresh database); every delivery is authenticated (BASIC_AUTH),
  validated, stored unique on ``eventId`` and published with a publisher confirm before 200.
* bare: the same path on a FastAPI app whose handler only returns 200, started the way the
  receiver starts uvicorn (same ``uvicorn.Config``, one process, the stock asyncio loop).

The load comes from this process: eight ``httpx.AsyncClient`` (HTTP/1.1 keep-alive, up to 8
connections each) sending valid Basic-auth ``PO_CREATED`` deliveries with unique eventIds,
built as the Walmart simulator builds them (sandbox/walmart_sim/webhook_events.py). Each
side runs a warm-up of 200, then:

* ``flood``: ``--connections`` deliveries in flight at all times until ``--events`` are
  answered: sustained events/s;
* ``paced``: ``--rate`` deliveries/s for ``--seconds``, open loop: each send is scheduled on
  a fixed timetable and never waits for an earlier answer, and latency runs from the
  scheduled time, so queueing (in the client, the pool or the server) counts.

Both phases also report the CPU per event of the server process (the flood also that of
this process), from ``/proc``: the machine is shared, so rates move with the neighbours'
load, CPU cost much less. uvicorn runs the same way in both servers: one process,
``uvicorn.Config`` defaults (httptools), on the loop ``mlc serve`` runs (uvloop,
mlc_shared/eventloop.py).

Goals (issue 5): p99 < 100 ms at 200 events/s, and receiver throughput >= 0.5 x bare. Each
repetition runs both sides, alternating which goes first; the median repetition counts and
``spread`` shows min/median/max. Afterwards every accepted event must be in the event table
once and in ``orchestrator.events`` exactly once (read back from the queue by message id).

    .venv/bin/python bench/webhooks.py [--events 3000] [--connections 32] [--rate 200]
                                       [--seconds 10] [--repeats 3]

RabbitMQ and PostgreSQL from MLC_TEST_AMQP_URL / MLC_TEST_DATABASE_URL (else the local
defaults the tests use); the queues and the database are deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import httpx
import sqlalchemy as sa
from e2e_support import child_server, free_port  # type: ignore[import-not-found]
from mlc_shared.bus.amqp.admin import delete_queues
from mlc_shared.bus.amqp.declarations import declarations
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, Topology, standard_queues
from mlc_shared.logging import configure_logging
from mlc_shared.store.engine import create_engine
from mlc_shared.store.tables import webhook_events
from webhook_receiver.events import message_id

MLC = str(Path(sys.executable).with_name("mlc"))
TENANT = "bench"
USER, PASSWORD = "walmart", "bench-webhook-password"
HEADERS = {
    "Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
    "Content-Type": "application/json",
}
PATH = f"/webhooks/walmart/{TENANT}"
WARMUP = 200
CLIENTS, PER_CLIENT = 8, 8
"""Load spread over several small clients: an httpx pool scans its connections on every
request, so one client with 32 connections costs this process ~3x the CPU per request of
four clients with 8 (measured here), and would throttle the bare endpoint's figure."""
GOAL_P99_MS = 100.0
GOAL_RATIO = 0.5

# The receiver's own uvicorn set-up (webhook_receiver/service.py) on the loop `mlc serve`
# runs (mlc_shared/eventloop.py), around a handler that does nothing: the cost of uvicorn +
# FastAPI alone on this machine.
_SERVE_BARE = """
import asyncio, socket, sys
import uvicorn
from fastapi import FastAPI
from mlc_shared import eventloop

app = FastAPI()

@app.post("/webhooks/walmart/{tenant}")
async def receive(tenant: str) -> dict[str, str]:
    return {"status": "ok"}

async def serve() -> None:
    sock = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    print(sock.getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF
    server.should_exit = True
    await serving

eventloop.run(serve())
"""


def delivery() -> tuple[str, bytes]:
    """One PO_CREATED envelope (walmart-api.md §9.3) with a fresh eventId."""
    event_id = str(uuid.uuid4())
    po = f"{uuid.uuid4().int % 10**13:013d}"
    envelope = {
        "source": {"eventType": "PO_CREATED", "eventTime": "2026-01-05T10:00:00.000Z",
                   "eventId": event_id},
        "payload": {
            "partnerId": "10001234567", "purchaseOrderId": po, "customerOrderId": f"2{po}",
            "orderDate": "2026-01-05T09:59:58.000Z",
            "estimatedDeliveryDate": "2026-01-09T20:00:00.000Z",
            "estimatedShipDate": "2026-01-06T20:00:00.000Z",
            "orderLines": [{
                "lineNumber": "1", "sku": "BENCH-SKU-1", "productName": "Bench widget",
                "quantity": {"unitOfMeasure": "EACH", "measurementValue": "1"},
                "status": "Created", "statusDate": "2026-01-05T09:59:58.000Z",
                "shippingProgramType": "TWO_DAY", "shippingMethod": "Standard",
                "shipNodeType": "SellerFulfilled",
            }],
        },
    }  # fmt: skip
    return event_id, json.dumps(envelope).encode()


# --- load --------------------------------------------------------------------------------


@dataclass
class Tally:
    """Answers of one phase; ``accepted`` are the eventIds answered 200 ``accepted``."""

    statuses: Counter[str] = field(default_factory=Counter)
    accepted: list[str] = field(default_factory=list)

    async def send(self, client: httpx.AsyncClient, event_id: str, body: bytes) -> None:
        try:
            answer = await client.post(PATH, content=body, headers=HEADERS)
        except httpx.HTTPError as exc:
            self.statuses[type(exc).__name__] += 1
            return
        self.statuses[str(answer.status_code)] += 1
        if answer.status_code == 200 and b'"accepted"' in answer.content:
            self.accepted.append(event_id)


async def flood(
    clients: list[httpx.AsyncClient], events: int, connections: int, tally: Tally
) -> float:
    """``events`` deliveries, ``connections`` in flight at all times; events per second."""
    work = iter([delivery() for _ in range(events)])

    async def worker(client: httpx.AsyncClient) -> None:
        for event_id, body in work:  # one iterator shared by every worker
            await tally.send(client, event_id, body)

    started = time.perf_counter()
    await asyncio.gather(*(worker(clients[i % len(clients)]) for i in range(connections)))
    return events / (time.perf_counter() - started)


async def paced(
    clients: list[httpx.AsyncClient], rate: float, seconds: float, tally: Tally
) -> dict[str, Any]:
    """Open loop: send ``i`` is due at ``start + i / rate`` whatever came back before it."""
    work = [delivery() for _ in range(round(rate * seconds))]
    latencies: list[float] = []
    late: list[float] = []

    async def one(client: httpx.AsyncClient, due: float, event_id: str, body: bytes) -> None:
        late.append(time.perf_counter() - due)
        await tally.send(client, event_id, body)
        latencies.append(time.perf_counter() - due)

    tasks: list[asyncio.Task[None]] = []
    start = time.perf_counter() + 0.05
    for i, (event_id, body) in enumerate(work):
        due = start + i / rate
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(one(clients[i % len(clients)], due, event_id, body)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    ms = sorted(x * 1000 for x in latencies)
    return {
        "sent": len(work),
        "achieved_rate": round(len(work) / elapsed, 1),
        "p50_ms": round(percentile(ms, 50), 2),
        "p90_ms": round(percentile(ms, 90), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(ms[-1], 2),
        "send_lag_max_ms": round(max(late) * 1000, 2),
    }


def percentile(ordered: list[float], q: float) -> float:
    """Nearest rank (q in 0..100) of a sorted, non-empty list."""
    return ordered[max(1, math.ceil(len(ordered) * q / 100)) - 1]


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux ``/proc/<pid>/stat``, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(server: Server, args: argparse.Namespace, tally: Tally) -> dict[str, Any]:
    """Warm-up, flood, paced on keep-alive clients; every answer goes into ``tally``.

    Besides the rates, the flood's CPU per event in the server and in this process: on a
    shared machine the rates move with the neighbours' load, the CPU cost much less."""
    limits = httpx.Limits(max_connections=PER_CLIENT, keepalive_expiry=60)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60, trust_env=False)
            )
            for _ in range(max(CLIENTS, math.ceil(args.connections / PER_CLIENT)))
        ]
        await flood(clients, WARMUP, args.connections, tally)
        before = Counter(tally.statuses)
        server_cpu, own_cpu = cpu_seconds(server.pid), time.process_time()
        rate = await flood(clients, args.events, args.connections, tally)
        server_cpu, own_cpu = cpu_seconds(server.pid) - server_cpu, time.process_time() - own_cpu
        flooded = {"events_per_s": round(rate, 1), "statuses": dict(tally.statuses - before),
                   "server_cpu_ms_per_event": round(server_cpu * 1000 / args.events, 3),
                   "client_cpu_ms_per_event": round(own_cpu * 1000 / args.events, 3)}  # fmt: skip
        before, server_cpu = Counter(tally.statuses), cpu_seconds(server.pid)
        timed = await paced(clients, args.rate, args.seconds, tally)
        server_cpu = cpu_seconds(server.pid) - server_cpu
        timed["statuses"] = dict(tally.statuses - before)
        timed["server_cpu_ms_per_event"] = round(server_cpu * 1000 / timed["sent"], 3)
    return {"flood": flooded, "paced": timed}


# --- processes and backing services ------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    amqp_url: str
    database_url: str
    namespace: str


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@asynccontextmanager
async def backend() -> AsyncIterator[Backend]:
    """A fresh PostgreSQL database and RabbitMQ namespace, both deleted afterwards."""
    admin_url = os.environ.get("MLC_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    amqp_url = os.environ.get("MLC_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    name, namespace = f"mlc_bench_{uuid.uuid4().hex[:10]}", f"bench{uuid.uuid4().hex[:8]}"
    await _admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield Backend(amqp_url, _with_database(admin_url, name), namespace)
    finally:
        await delete_queues(amqp_url, Topology(namespace=namespace), standard_queues(TENANT))
        await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(url: str, statement: str) -> None:
    """A statement PostgreSQL runs only outside a transaction."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql(statement)
    finally:
        await engine.dispose()


async def _stop(proc: asyncio.subprocess.Process) -> int:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(proc.wait(), 60)
    except TimeoutError:
        proc.kill()
        return await proc.wait()


@asynccontextmanager
async def receiver(store: Backend, logs: Path) -> AsyncIterator[Server]:
    """``mlc serve webhook-receiver``, ready (/readyz 200); its URL. Stopped with SIGTERM,
    which commits the pending published-marks."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLC_")} | {
        "MLC_AMQP_URL": store.amqp_url, "MLC_DATABASE_URL": store.database_url,
        "MLC_BUS_NAMESPACE": store.namespace, "MLC_HTTP_PORT": str(port), "MLC_TENANT": TENANT,
        "MLC_WEBHOOK_AUTH_METHOD": "basic", "MLC_WEBHOOK_USERNAME": USER,
        "MLC_WEBHOOK_PASSWORD": PASSWORD, "PYTHONUNBUFFERED": "1",
    }  # fmt: skip
    with logs.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            MLC, "serve", "webhook-receiver", env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=2, trust_env=False) as http:
            async with asyncio.timeout(90):
                while True:
                    if proc.returncode is not None:
                        raise RuntimeError(f"the receiver exited:\n{_tail(logs)}")
                    try:
                        if (await http.get("/readyz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.2)
        yield Server(url, proc.pid)
    finally:
        if (code := await _stop(proc)) != 0:
            print(f"receiver exited {code}:\n{_tail(logs)}", file=sys.stderr)


def _tail(logs: Path) -> str:
    return logs.read_text(errors="replace")[-3000:]


@asynccontextmanager
async def bare() -> AsyncIterator[Server]:
    async with child_server(_SERVE_BARE, what="the bare FastAPI server") as (port, pid):
        yield Server(f"http://127.0.0.1:{int(port)}", pid)


# --- exactly once ------------------------------------------------------------------------


async def published(store: Backend) -> Counter[str]:
    """Every message id in ``orchestrator.events``, read off the queue (no consumer ran)."""
    name = declarations(Topology(namespace=store.namespace), ORCHESTRATOR_EVENTS).work.name
    seen: Counter[str] = Counter()
    connection = await aio_pika.connect(store.amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=1000)
        queue = await channel.declare_queue(name, passive=True)
        total = queue.declaration_result.message_count or 0
        if total:
            async with asyncio.timeout(120), queue.iterator(no_ack=True) as messages:
                async for message in messages:
                    seen[message.message_id or "?"] += 1
                    if seen.total() == total:
                        break
    return seen


async def exactly_once(store: Backend, accepted: list[str]) -> dict[str, Any]:
    engine = create_engine(store.database_url)
    try:
        async with engine.connect() as conn:
            query = sa.select(webhook_events.c.event_id, webhook_events.c.published_at)
            stored = {r.event_id: r.published_at is not None for r in await conn.execute(query)}
    finally:
        await engine.dispose()
    messages = await published(store)
    wanted = {message_id(TENANT, e) for e in accepted}
    figures: dict[str, Any] = {
        "accepted": len(accepted),
        "rows": len(stored),
        "rows_marked_published": sum(stored.values()),
        "messages": messages.total(),
        "accepted_not_stored": sum(1 for e in accepted if e not in stored),
        "accepted_not_published": sum(1 for m in wanted if m not in messages),
        "published_more_than_once": sum(1 for n in messages.values() if n > 1),
        "published_not_accepted": sum(1 for m in messages if m not in wanted),
    }
    faults = [k for k in figures if "_not_" in k or "more_than" in k]
    figures["exactly_once"] = not any(figures[k] for k in faults)
    return figures


# --- the run -----------------------------------------------------------------------------


def spread(values: list[float], digits: int = 1) -> dict[str, float]:
    return {"min": round(min(values), digits), "median": round(statistics.median(values), digits),
            "max": round(max(values), digits)}  # fmt: skip


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "events_per_s": spread([r["flood"]["events_per_s"] for r in runs]),
        **{f"{k}_at_rate": spread([r["paced"][k] for r in runs]) for k in ("p50_ms", "p99_ms")},
        **{k: spread([r["flood"][k] for r in runs], 3)
           for k in ("server_cpu_ms_per_event", "client_cpu_ms_per_event")},
    }  # fmt: skip


async def main(args: argparse.Namespace) -> dict[str, Any]:
    sides: dict[str, list[dict[str, Any]]] = {"receiver": [], "bare": []}
    tally = Tally()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        async with backend() as store:
            async with receiver(store, Path(tmp) / "receiver.log") as hooks, bare() as plain:
                for i in range(args.repeats):
                    order = ("bare", "receiver") if i % 2 == 0 else ("receiver", "bare")
                    for side in order:
                        target = Tally() if side == "bare" else tally
                        result = await measure(hooks if side == "receiver" else plain, args,
                                               target)  # fmt: skip
                        sides[side].append(result)
                        print(f"repeat {i + 1} {side}: {json.dumps(result)}", file=sys.stderr)
            check = await exactly_once(store, tally.accepted)  # after SIGTERM: marks committed
    got, base = summary(sides["receiver"]), summary(sides["bare"])
    ratios = [r["flood"]["events_per_s"] / b["flood"]["events_per_s"]
              for r, b in zip(sides["receiver"], sides["bare"], strict=True)]  # fmt: skip
    ratio = round(statistics.median(ratios), 3)
    p99 = got["p99_ms_at_rate"]["median"]
    return {
        "benchmark": "webhooks",
        "events": args.events, "connections": args.connections, "rate": args.rate,
        "seconds": args.seconds, "repeats": args.repeats, "cpus": os.cpu_count(),
        "load_average_1m": {"start": round(load_before, 2), "end": round(os.getloadavg()[0], 2)},
        "unit": "events/s (flood); ms from scheduled send to answer (paced); median repeat",
        "receiver": {**got, "runs": sides["receiver"]},
        "bare_fastapi": {**base, "runs": sides["bare"]},
        "ratio_receiver_to_bare": ratio,
        "ratio_spread": spread(ratios, 3),
        "delivery_check": check,
        "goals": {"p99_ms_at_rate_below": GOAL_P99_MS, "ratio_at_least": GOAL_RATIO},
        "goals_met": {"p99": p99 < GOAL_P99_MS, "ratio": ratio >= GOAL_RATIO,
                      "exactly_once": bool(check["exactly_once"])},
    }  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=3000, help="deliveries per flood")
    parser.add_argument("--connections", type=int, default=32, help="in flight in a flood")
    parser.add_argument("--rate", type=float, default=200.0, help="paced deliveries per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the paced phase")
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    configure_logging("WARNING", "console")  # stderr; stdout carries only the JSON
    print(json.dumps(asyncio.run(main(arguments))))
