"""Shared by the end-to-end benchmarks (e2e_orders.py, e2e_catalog.py): where the connector
keeps its state and its bus in a run, the Walmart simulator started the way these benches
need it, and the connector run as real processes.

* standalone (default): one ``mlc run`` process on a SQLite file with the embedded bus;
* distributed (``--distributed``): four ``mlc serve`` processes on RabbitMQ and a fresh
  PostgreSQL database (``MLC_TEST_AMQP_URL`` / ``MLC_TEST_DATABASE_URL``, else the local
  defaults the test suite uses); the queues and the database are deleted afterwards.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

MLC = str(Path(sys.executable).with_name("mlc"))
SERVICES = ("tally-agent", "walmart-gateway", "webhook-receiver", "sync-orchestrator")
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
TENANT = "default"

_SERVE_WALMART = """
import asyncio, sys
from walmart_sim import WalmartSimulator

async def serve() -> None:
    sim = WalmartSimulator(client_id=sys.argv[1], client_secret=sys.argv[2], data="empty",
                           time_scale=float(sys.argv[3]), seed=int(sys.argv[4]))
    await sim.start(host="127.0.0.1", port=0)
    print(sim.url, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF
    await sim.stop()

asyncio.run(serve())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


E2E_TIME_SCALE = 0.001
"""The end-to-end benchmarks' Walmart clock: a feed's stages (2 simulated s each) pass in
milliseconds, webhook retries likewise."""


@asynccontextmanager
async def child_server(code: str, *args: str, what: str) -> AsyncIterator[tuple[str, int]]:
    """A server run by ``python -c code args`` in a child process that prints one line (where
    it listens) once ready and stops when its stdin closes; yields that line and the pid.
    Every simulator and baseline server a benchmark starts is started here."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdin is not None
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode().strip()
        if not line:
            raise RuntimeError(f"{what} did not start")
        yield line, proc.pid
    finally:
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()


@asynccontextmanager
async def walmart_simulator(
    client_id: str, secret: str, *, time_scale: float = 1.0, seed: int = 0
) -> AsyncIterator[str]:
    """The Walmart simulator in a child process on an ephemeral loopback port; its URL.
    Every benchmark that talks to Walmart starts it here."""
    args = (client_id, secret, str(time_scale), str(seed))
    async with child_server(_SERVE_WALMART, *args, what="the Walmart simulator") as (url, _):
        yield url


@dataclass
class Backend:
    """The store and bus of one run."""

    database_url: str
    amqp_url: str | None = None
    namespace: str | None = None

    @property
    def distributed(self) -> bool:
        return self.amqp_url is not None

    def env(self) -> dict[str, str]:
        env = {"MLC_DATABASE_URL": self.database_url}
        if self.amqp_url is not None and self.namespace is not None:
            env |= {"MLC_AMQP_URL": self.amqp_url, "MLC_BUS_NAMESPACE": self.namespace}
        return env

    def overrides(self) -> dict[str, Any]:
        """The same, as ``Runtime`` keyword settings."""
        if self.amqp_url is None:
            return {"database_url": self.database_url, "amqp_url": None}
        return {
            "database_url": self.database_url,
            "amqp_url": self.amqp_url,
            "bus_namespace": self.namespace,
        }


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@asynccontextmanager
async def backend(workdir: Path, *, distributed: bool) -> AsyncIterator[Backend]:
    """SQLite in ``workdir``, or a fresh PostgreSQL database and a RabbitMQ namespace."""
    if not distributed:
        yield Backend(f"sqlite:///{workdir / 'mlc.db'}")
        return
    import asyncpg  # type: ignore[import-untyped]
    from mlc_shared.bus.amqp.admin import delete_queues
    from mlc_shared.bus.topology import Topology, standard_queues

    admin_url = os.environ.get("MLC_TEST_DATABASE_URL", DEFAULT_POSTGRES_URL)
    amqp_url = os.environ.get("MLC_TEST_AMQP_URL", DEFAULT_AMQP_URL)
    name = f"mlc_bench_{uuid.uuid4().hex[:10]}"
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield Backend(_with_database(admin_url, name), amqp_url, namespace)
    finally:
        await delete_queues(amqp_url, Topology(namespace=namespace), standard_queues(TENANT))
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@dataclass
class Connector:
    """The connector's processes for one run; ``ports`` are their ops ports (/readyz)."""

    processes: dict[str, asyncio.subprocess.Process] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    logs: Path = Path()

    def dead(self) -> list[str]:
        return [
            f"{n} exited {p.returncode}"
            for n, p in self.processes.items()
            if p.returncode is not None
        ]

    def tail(self, name: str, lines: int = 20) -> str:
        text = (self.logs / f"{name}.log").read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def _environment(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLC_")}
    return env | {"PYTHONUNBUFFERED": "1"} | extra


async def _ready(ports: dict[str, int], connector: Connector, within: float = 60) -> None:
    deadline = time.monotonic() + within
    waiting = dict(ports)
    async with httpx.AsyncClient(timeout=2, trust_env=False) as http:
        while waiting:
            if dead := connector.dead():
                tails = "\n".join(connector.tail(n) for n in connector.processes)
                raise RuntimeError(f"the connector died: {dead}\n{tails}")
            for name, port in list(waiting.items()):
                try:
                    answer = await http.get(f"http://127.0.0.1:{port}/readyz")
                except httpx.TransportError:
                    continue
                if answer.status_code == 200:
                    del waiting[name]
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready within {within:.0f} s: {sorted(waiting)}")
            await asyncio.sleep(0.2)


@asynccontextmanager
async def connector_processes(
    env: dict[str, str], store: Backend, logs: Path, *, webhook_port: int, profile: bool = False
) -> AsyncIterator[Connector]:
    """``mlc run`` (standalone) or one ``mlc serve`` per service (distributed), started and
    ready (every process's /readyz answers 200), then stopped with SIGTERM. ``profile``:
    each process runs under cProfile, writing ``<logs>/<name>.prof`` when it stops."""
    await asyncio.to_thread(logs.mkdir, parents=True, exist_ok=True)
    running = Connector(logs=logs)
    base = env | store.env()
    if store.distributed:
        plan = {
            name: (
                ["serve", name],
                {"MLC_HTTP_PORT": str(webhook_port if name == "webhook-receiver" else free_port())},
            )
            for name in SERVICES
        }
    else:
        # The receiver serves /readyz beside the webhooks in standalone mode.
        plan = {"mlc-run": (["run"], {"MLC_WEBHOOK_PORT": str(webhook_port)})}
    try:
        for name, (args, extra) in plan.items():
            prefix = [sys.executable, "-m", "cProfile", "-o", str(logs / f"{name}.prof")]
            with (logs / f"{name}.log").open("wb") as out:
                running.processes[name] = await asyncio.create_subprocess_exec(
                    *(prefix if profile else []), MLC, *args,
                    env=_environment(base | extra), stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
            port = extra.get("MLC_HTTP_PORT") or extra["MLC_WEBHOOK_PORT"]
            running.ports[name] = int(port)
        await _ready(running.ports, running)
        yield running
    finally:
        for proc in running.processes.values():
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in running.processes.values():
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def _process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def cpu_by_process() -> dict[str, float] | None:
    """CPU seconds used so far by this bench and each process it started (the simulators,
    the connector), keyed by what they are; None where /proc is not available."""
    if not Path("/proc/self/stat").exists():
        return None
    totals: dict[str, float] = {"bench": _process_cpu(os.getpid())}
    pending = _children(os.getpid())
    while pending:
        pid = pending.pop()
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            used = _process_cpu(pid)
            pending.extend(_children(pid))
        except OSError:
            continue  # gone meanwhile
        if "TallySimulator" in command:
            name = "tally_simulator"
        elif "WalmartSimulator" in command:
            name = "walmart_simulator"
        elif MLC in command:
            name = "connector"
        else:
            name = "other"
        totals[name] = totals.get(name, 0.0) + used
    return totals


def cpu_used(before: dict[str, float] | None, after: dict[str, float] | None) -> dict[str, float]:
    if before is None or after is None:
        return {}
    return {k: after[k] - before.get(k, 0.0) for k in after}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def spread(values: list[float], digits: int = 2) -> dict[str, float]:
    """min / median / max of repeated measurements."""
    ordered = sorted(values)
    middle = (
        ordered[len(ordered) // 2]
        if len(ordered) % 2
        else sum(ordered[len(ordered) // 2 - 1 : len(ordered) // 2 + 1]) / 2
    )
    return {
        "min": round(ordered[0], digits),
        "median": round(middle, digits),
        "max": round(ordered[-1], digits),
    }
