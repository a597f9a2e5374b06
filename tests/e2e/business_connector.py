"""The connector under test, in either run mode, with the demo's settings
(``ml_connector.demo.scenario``: every flow on demand, refunds once a return is received).

* **distributed**: the tally-agent and the walmart-gateway as their own `mlc serve`
  processes; the sync-orchestrator (what `mlc serve sync-orchestrator` runs: ``Runtime`` with
  that one service) in the test's process, so the test can start a flow and know when every
  command it caused has been answered, as `mlc sync` does. Between them: the real RabbitMQ
  (under the test's namespace) and a fresh PostgreSQL database. No webhook-receiver: the
  day's flows are started on demand, nothing subscribes to Walmart's notifications.
* **standalone**: what `mlc run` runs, all four services in one ``Runtime`` on SQLite and
  the embedded bus.

The simulators live in the test's process, so nothing here blocks the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, WALMART_COMMANDS, tally_commands
from sync_orchestrator.mapping import TenantMapping, save_mapping
from sync_orchestrator.service import OrchestratorService
from tally_sim import TallySimulator
from walmart_sim import WalmartSimulator

from ml_connector.demo.scenario import connector_settings as demo_settings
from ml_connector.runtime import Runtime
from tests.e2e.support import Processes, service_env

FLOW_WITHIN_S = 60.0
PROCESSES = ("tally-agent", "walmart-gateway")
PASSED_TO_PROCESSES = (
    "tally_url",
    "tally_company",
    "walmart_base_url",
    "walmart_client_id",
    "walmart_client_secret",
    "amqp_url",
    "database_url",
    "bus_namespace",
)


@dataclass
class Connector:
    runtime: Runtime
    procs: Processes | None = None

    @property
    def orch(self) -> OrchestratorService:
        service: OrchestratorService = self.runtime.service("sync-orchestrator")
        return service

    async def run(self, flow: str) -> None:
        """Run ``flow`` now and wait until every command it caused has been answered."""
        assert await self.orch.run_flow(flow), f"the {flow} flow did not start"
        if not await self.orch.wait_idle(FLOW_WITHIN_S):
            raise AssertionError(
                f"the {flow} flow did not finish within {FLOW_WITHIN_S:.0f} s; "
                f"parked: {await self.parked()}; dead: {self.procs.dead() if self.procs else []}"
            )

    async def parked(self) -> dict[str, list[str]]:
        bus, tenant = self.orch.bus, self.orch.settings.tenant
        queues = (ORCHESTRATOR_EVENTS, WALMART_COMMANDS, tally_commands(tenant))
        return {q: [p.reason for p in await bus.parked(q)] for q in queues}


@asynccontextmanager
async def standalone(
    workdir: Path, tally: TallySimulator, walmart: WalmartSimulator, mapping: TenantMapping
) -> AsyncIterator[Connector]:
    settings = _settings(workdir, tally, walmart)
    async with Runtime(**settings) as runtime:
        connector = Connector(runtime)
        await _save(connector, mapping)
        yield connector


@asynccontextmanager
async def distributed(
    workdir: Path,
    tally: TallySimulator,
    walmart: WalmartSimulator,
    mapping: TenantMapping,
    *,
    amqp_url: str,
    database_url: str,
    namespace: str,
) -> AsyncIterator[Connector]:
    settings = {
        **_settings(workdir, tally, walmart),
        "amqp_url": amqp_url,
        "database_url": database_url,
        "bus_namespace": namespace,
    }
    env = {f"MLC_{k.upper()}": str(settings[k]) for k in PASSED_TO_PROCESSES}
    procs = Processes(workdir)
    try:
        for name in PROCESSES:
            procs.start(name, ["serve", name], service_env(env))
        async with Runtime(("sync-orchestrator",), **settings) as runtime:
            connector = Connector(runtime, procs)
            await _elected(connector)
            await _save(connector, mapping)
            yield connector
    finally:
        codes = await asyncio.to_thread(procs.stop)
    assert codes == dict.fromkeys(PROCESSES, 0), {n: procs.tail(n) for n in PROCESSES}


def _settings(workdir: Path, tally: TallySimulator, walmart: WalmartSimulator) -> dict[str, Any]:
    company = tally.demo_company
    assert company is not None
    return demo_settings(workdir, tally, company, walmart)


async def _elected(connector: Connector, within: float = 30.0) -> None:
    """On PostgreSQL one orchestrator replica is elected to run the flows (leader.py)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not connector.orch.is_leader:
        assert loop.time() < deadline, "the orchestrator was not elected leader"
        await asyncio.sleep(0.1)


async def _save(connector: Connector, mapping: TenantMapping) -> None:
    store = connector.runtime.store
    assert store is not None
    async with store.transaction() as tx:
        await save_mapping(tx, connector.orch.settings.tenant, mapping)
