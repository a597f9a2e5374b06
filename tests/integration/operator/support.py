"""Running `mlc` as an operator would, in its own process, against the test's store, bus and
simulators (the services themselves run in the test process)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from tally_sim import TallySimulator
from walmart_sim import WalmartSimulator

MLC = str(Path(sys.executable).with_name("mlc"))


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


def mlc_env(**settings: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLC_")}
    env.update({"MLC_LOG_LEVEL": "WARNING", "COLUMNS": "200", "PYTHONUNBUFFERED": "1"})
    env.update({f"MLC_{k.upper()}": str(v) for k, v in settings.items() if v is not None})
    return env


async def mlc(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    proc = await asyncio.create_subprocess_exec(
        MLC,
        *args,
        env=env,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(
        proc.communicate(stdin.encode() if stdin is not None else None), 120
    )
    assert proc.returncode is not None
    return Result(proc.returncode, out.decode(), err.decode())


@asynccontextmanager
async def simulators(items: list[dict[str, Any]], node: str, godown: str) -> AsyncIterator[Sims]:
    """Both simulators on ephemeral loopback ports, the demo Tally company, a Walmart catalog."""
    tally = TallySimulator(data="demo")
    walmart = WalmartSimulator(data="empty", time_scale=0.001)
    await tally.start(host="127.0.0.1", port=0, admin_port=0)
    await walmart.start(host="127.0.0.1", port=0)
    try:
        assert tally.demo_company is not None
        async with httpx.AsyncClient(timeout=30) as http:
            catalog = {"ship_nodes": [{"ship_node": node, "name": godown}], "items": items}
            (await http.post(f"{walmart.url}/admin/catalog", json=catalog)).raise_for_status()
            yield Sims(tally, walmart, tally.demo_company, http)
    finally:
        await walmart.stop()
        await tally.stop()


@dataclass(frozen=True)
class Sims:
    tally: TallySimulator
    walmart: WalmartSimulator
    company: str
    http: httpx.AsyncClient

    def settings(self) -> dict[str, Any]:
        return {
            "tally_url": self.tally.url,
            "tally_company": self.company,
            "walmart_base_url": self.walmart.url,
            "walmart_client_id": self.walmart.client_id,
            "walmart_client_secret": self.walmart.client_secret,
        }

    async def place_order(self, po: str, sku: str, node: str) -> None:
        placed = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
        line = {"sku": sku, "quantity": 1, "unit_price": "25.90", "unit_tax": "1.81"}
        order = {"purchase_order_id": po, "order_date": placed, "ship_node": node, "lines": [line]}
        (await self.http.post(f"{self.walmart.url}/admin/orders", json=order)).raise_for_status()

    async def vouchers(self, number: str) -> list[dict[str, Any]]:
        reply = await self.http.get(
            f"{self.tally.admin_url}/companies/{quote(self.company)}/vouchers",
            params={"type": "Sales", "number": number},
        )
        return list(reply.raise_for_status().json())
