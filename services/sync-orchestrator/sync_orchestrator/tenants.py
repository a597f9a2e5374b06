"""The tenants the orchestrator serves and each one's schedule.

The configured tenant (``MLC_TENANT``) is always served, so a one-seller installation needs no
registry at all. Every enabled tenant of the registry (``mlc tenant add``, the operator API)
is served too, each flow at its own period when the tenant names one (``schedules``), else at
the service's (``MLC_<FLOW>_INTERVAL_S``). A registered tenant that is disabled is not
scheduled, even when it is the configured one.

The registry is read again every ``tenant_refresh_s``: a tenant added while the service runs
is scheduled within that time, without a restart.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from mlc_shared.store.base import Store
from mlc_shared.store.records import TenantRecord

from sync_orchestrator.flows.base import Flow
from sync_orchestrator.settings import OrchestratorSettings

Schedules = dict[str, dict[str, float]]
"""tenant -> flow -> period in seconds (0: on demand only)."""


def default_periods(settings: OrchestratorSettings, flows: Mapping[str, Flow]) -> dict[str, float]:
    return {
        name: float(getattr(settings, flow.interval_setting, 0) or 0)
        for name, flow in flows.items()
    }


def schedules_for(
    configured: str, defaults: Mapping[str, float], records: list[TenantRecord]
) -> Schedules:
    """Pure: which tenant runs which flow how often (see the module docstring)."""
    result: Schedules = {configured: dict(defaults)}
    for record in records:
        if not record.enabled:
            result.pop(record.tenant, None)
            continue
        overrides = {k: v for k, v in record.schedules.items() if k in defaults}
        result[record.tenant] = {**defaults, **overrides}
    return result


class TenantDirectory:
    def __init__(
        self,
        store: Store,
        settings: OrchestratorSettings,
        flows: Mapping[str, Flow],
    ) -> None:
        self._store = store
        self._settings = settings
        self._defaults = default_periods(settings, flows)
        self._cached: Schedules | None = None
        self._read_at = 0.0

    async def schedules(self) -> Schedules:
        """The schedules, re-read from the registry at most every ``tenant_refresh_s``; the
        last good answer stands while the database is away."""
        now = time.monotonic()
        if self._cached is None or now - self._read_at >= self._settings.tenant_refresh_s:
            records = await self._store.list_tenants()
            self._cached = schedules_for(self._settings.tenant, self._defaults, records)
            self._read_at = now
        return self._cached

    def forget(self) -> None:
        """Read the registry again on the next call (a tenant was just added or changed)."""
        self._cached = None

    async def tenants(self) -> list[str]:
        return sorted(await self.schedules())
