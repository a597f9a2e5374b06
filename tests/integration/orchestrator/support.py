"""The whole connector in one process on a real bus and store (``Runtime``), against both
simulators over HTTP on 127.0.0.1, for the orchestrator's flow tests."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, WALMART_COMMANDS, tally_commands
from mlc_shared.store.base import Store
from mlc_shared.store.records import AuditQuery, AuditRow
from sync_orchestrator.mapping import TenantMapping, save_mapping
from sync_orchestrator.service import OrchestratorService
from tally_sim import TallySimulator
from walmart_sim import WalmartSimulator

from ml_connector.runtime import Runtime

T = TypeVar("T")
NODE, GODOWN = "10001", "Chennai Warehouse"


@dataclass
class Stack:
    tally: TallySimulator
    walmart: WalmartSimulator
    runtime: Runtime
    company: str
    http: httpx.AsyncClient

    @property
    def orch(self) -> OrchestratorService:
        service: OrchestratorService = self.runtime.service("sync-orchestrator")
        return service

    @property
    def store(self) -> Store:
        assert self.runtime.store is not None
        return self.runtime.store

    @property
    def tenant(self) -> str:
        return self.orch.settings.tenant

    async def run(self, flow: str) -> None:
        await self.orch.run_flow(flow)
        if not await self.orch.wait_idle(30):
            raise AssertionError(f"the {flow} flow did not finish; parked: {await self.parked()}")

    async def parked(self) -> dict[str, list[str]]:
        """Every parked message's reason, by queue (what a stuck run is waiting for)."""
        assert self.runtime.bus is not None
        queues = (ORCHESTRATOR_EVENTS, WALMART_COMMANDS, tally_commands(self.tenant))
        return {q: [p.reason for p in await self.runtime.bus.parked(q)] for q in queues}

    async def audit(self, **query: Any) -> list[AuditRow]:
        return await self.store.search_audit(AuditQuery(tenant=self.tenant, limit=1000, **query))

    async def statuses(self, source_id: str, record_kind: str | None = None) -> list[str]:
        rows = await self.audit(source_id=source_id, record_kind=record_kind)
        return [r.status for r in sorted(rows, key=lambda r: r.id)]

    async def vouchers(self, voucher_type: str, number: str | None = None) -> list[dict[str, Any]]:
        params = {"type": voucher_type, **({"number": number} if number else {})}
        reply = await self.http.get(
            f"{self.tally.admin_url}/companies/{quote(self.company)}/vouchers", params=params
        )
        return list(reply.raise_for_status().json())

    async def tally_get(self, path: str) -> Any:
        reply = await self.http.get(f"{self.tally.admin_url}/companies/{quote(self.company)}{path}")
        return reply.raise_for_status().json()

    async def walmart_input(self, sku: str, node: str = NODE) -> int | None:
        reply = await self.http.get(f"{self.walmart.url}/admin/inventory/{quote(sku)}")
        if reply.status_code == 404:
            return None
        qty = reply.raise_for_status().json().get(node, {}).get("input")
        return None if qty is None else int(qty)

    async def walmart_seller(self, method: str, path: str, body: Any = None) -> Any:
        """A call to the Walmart simulator's seller API, as the seller would make it."""
        basic = base64.b64encode(
            f"{self.walmart.client_id}:{self.walmart.client_secret}".encode()
        ).decode()
        common = {
            "WM_QOS.CORRELATION_ID": "test",
            "WM_SVC.NAME": "test",
            "Accept": "application/json",
        }
        token = await self.http.post(
            f"{self.walmart.url}/v3/token",
            headers={**common, "Authorization": f"Basic {basic}"},
            data={"grant_type": "client_credentials"},
        )
        headers = {**common, "WM_SEC.ACCESS_TOKEN": token.raise_for_status().json()["access_token"]}
        reply = await self.http.request(
            method, f"{self.walmart.url}{path}", headers=headers, json=body
        )
        return reply.raise_for_status().json()


async def eventually(check: Callable[[], Awaitable[T]], what: str, within: float = 30) -> T:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = await check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"{what} did not happen within {within:.0f} s (last: {value!r})")
        await asyncio.sleep(0.2)


@asynccontextmanager
async def stack(
    workdir: Path,
    mapping: TenantMapping,
    *,
    walmart_items: list[dict[str, Any]],
    **overrides: Any,
) -> AsyncIterator[Stack]:
    """Simulators with the demo Tally company and a Walmart catalog; every service started
    in this process on SQLite and the embedded bus (unless ``overrides`` name others)."""
    tally = TallySimulator(data="demo")
    walmart = WalmartSimulator(data="empty", time_scale=0.001)
    await tally.start(host="127.0.0.1", port=0, admin_port=0)
    await walmart.start(host="127.0.0.1", port=0)
    try:
        company = tally.demo_company
        assert company is not None
        async with httpx.AsyncClient(timeout=30) as http:
            (
                await http.post(
                    f"{walmart.url}/admin/catalog",
                    json={
                        "ship_nodes": [{"ship_node": NODE, "name": GODOWN}],
                        "items": walmart_items,
                    },
                )
            ).raise_for_status()
            settings = {
                "database_url": f"sqlite:///{workdir / 'mlc.db'}",
                "amqp_url": None,
                "tally_url": tally.url,
                "tally_company": company,
                "walmart_base_url": walmart.url,
                "walmart_client_id": walmart.client_id,
                "walmart_client_secret": walmart.client_secret,
                "catalog_interval_s": 0,
                "orders_interval_s": 0,
                "returns_interval_s": 0,
                "settlements_interval_s": 0,
                "webhook_port": 0,
                "outbox_poll_s": 0.1,
                **overrides,
            }
            async with Runtime(**settings) as runtime:
                built = Stack(tally, walmart, runtime, company, http)
                async with built.store.transaction() as tx:
                    await save_mapping(tx, built.tenant, mapping)
                yield built
    finally:
        await walmart.stop()
        await tally.stop()
