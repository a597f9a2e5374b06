"""The TallyPrime simulator for the agent's tests: started on ephemeral loopback ports, seeded
and steered through its admin API over HTTP (never in-process shortcuts)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
from tally_agent.client import ClientOptions, TallyClient
from tally_agent.protocol.envelopes import RequestContext
from tally_agent.reads import TallyReader
from tally_sim import TallySimulator

COMPANY = "Acme & Sons Traders"

WALMART_MASTERS: dict[str, Any] = {
    "godowns": [{"name": "Bengaluru WH"}],
    "units": [{"name": "Nos"}],
    "cost_centres": [{"name": "Walmart"}],
    "ledgers": [
        {"name": "Walmart Marketplace", "parent": "Sundry Debtors", "bill_wise": True},
        {"name": "Sales", "parent": "Sales Accounts", "cost_centres_on": True},
        {"name": "Sales Returns", "parent": "Sales Accounts"},
        {"name": "Output IGST 18%", "parent": "Duties & Taxes"},
        {"name": "Shipping Charges", "parent": "Indirect Incomes"},
        {"name": "HDFC Bank", "parent": "Bank Accounts"},
        {"name": "Marketplace Commission", "parent": "Indirect Expenses", "cost_centres_on": True},
    ],
    "stock_items": [
        {
            "name": "Widget",
            "base_unit": "Nos",
            "hsn_code": "8471",
            "gst_rate": "18",
            "godowns": [
                {"godown": "Main Location", "qty": "600", "rate": "300"},
                {"godown": "Bengaluru WH", "qty": "400", "rate": "300"},
            ],
            "standard_prices": [{"date": "2025-04-01", "rate": "500"}],
        },
    ],
}


class Admin:
    """The simulator's admin API, over HTTP."""

    def __init__(self, url: str) -> None:
        self.http = httpx.AsyncClient(base_url=url, timeout=60, trust_env=False)

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.http.request(method, path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None

    async def seed_masters(self, company: str, masters: dict[str, Any]) -> Any:
        result = await self.call("POST", f"/companies/{company}/masters", masters)
        assert result["line_error"] is None, result
        return result

    async def company(self, company: str) -> Any:
        return await self.call("GET", f"/companies/{company}")

    async def requests(self, since: int = 0) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self.call("GET", f"/requests?since={since}")
        return result

    async def aclose(self) -> None:
        await self.http.aclose()


@asynccontextmanager
async def running_simulator(
    *companies: str, data: str = "empty", seed: bool = True
) -> AsyncIterator[tuple[TallySimulator, Admin]]:
    sim = TallySimulator(
        companies=list(companies or (COMPANY,)), data="demo" if data == "demo" else "empty"
    )
    await sim.start(host="127.0.0.1", port=0, admin_port=0)
    admin = Admin(sim.admin_url)
    try:
        if seed:
            for name in companies or (COMPANY,):
                await admin.seed_masters(name, WALMART_MASTERS)
        yield sim, admin
    finally:
        await admin.aclose()
        await sim.stop()


def client_for(sim: TallySimulator, **options: Any) -> TallyClient:
    return TallyClient(ClientOptions(url=sim.url, **options))


def reader_for(client: TallyClient, company: str | None = COMPANY, **ctx: Any) -> TallyReader:
    return TallyReader(client, RequestContext(company=company, **ctx))


_SERVE = """
import asyncio, sys
from tally_sim import TallySimulator

async def serve() -> None:
    sim = TallySimulator(companies=sys.argv[1:])
    await sim.start(host="127.0.0.1", port=0, admin_port=0)
    print(sim.url, sim.admin_url, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF
    await sim.stop()

asyncio.run(serve())
"""


@contextmanager
def simulator_process(*companies: str) -> Iterator[tuple[str, httpx.Client]]:
    """The simulator in a child process, for code that runs its own event loop (the CLI);
    (Tally URL, admin client), seeded like :func:`running_simulator`."""
    names = list(companies or (COMPANY,))
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVE, *names],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdin is not None
    try:
        url, admin_url = proc.stdout.readline().split()
        with httpx.Client(base_url=admin_url, timeout=60, trust_env=False) as admin:
            for name in names:
                admin.post(f"/companies/{name}/masters", json=WALMART_MASTERS).raise_for_status()
            yield url, admin
    finally:
        proc.stdin.close()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
