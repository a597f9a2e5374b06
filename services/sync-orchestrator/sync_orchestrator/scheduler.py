"""Starts each flow of each tenant at its period (tenants.py says which and how often).

One loop for every tenant and flow rather than a task each: tenants come and go with the
registry, and a loop over a small table needs no task bookkeeping. A flow's first run is
at once (as soon as this replica leads), then every period after the previous start. A
start only writes an outbox row, so running every due flow in turn keeps the loop short;
a flow still in flight is coalesced by ``OrchestratorService.run_flow``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from mlc_shared.logging import get_logger

from sync_orchestrator.tenants import TenantDirectory

log = get_logger(__name__)

StartFlow = Callable[[str, str], Awaitable[object]]
"""(flow, tenant) -> start a run."""

TICK_S = 0.2
"""How often due flows are looked for: far below the shortest sensible period."""


class Scheduler:
    def __init__(self, directory: TenantDirectory, start_flow: StartFlow) -> None:
        self._directory = directory
        self._start_flow = start_flow
        self._due: dict[tuple[str, str], float] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._due.clear()  # a new term: every flow runs at once again
            self._task = asyncio.create_task(self._loop(), name="orchestrator-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the registry may be unreadable; the next tick retries
                log.warning("scheduler could not read the tenant registry", error=str(exc))
            await asyncio.sleep(TICK_S)

    async def tick(self) -> None:
        schedules = await self._directory.schedules()
        now = time.monotonic()
        for tenant, periods in schedules.items():
            for flow, period in periods.items():
                if period <= 0:
                    continue
                key = (tenant, flow)
                if now < self._due.get(key, now):
                    continue
                self._due[key] = now + period
                try:
                    await self._start_flow(flow, tenant)
                except Exception as exc:  # the database may be away; the next period retries
                    log.warning(
                        "scheduled flow could not start", flow=flow, tenant=tenant, error=str(exc)
                    )
