"""How long each tenant's tally-agent has been silent, unable to reach TallyPrime, or
reporting the company closed, for the metrics and the alerts.

Read from the store: the orchestrator keeps each tenant's newest ``AgentStatus`` with the
time it arrived (``agent_status`` table), so every replica sees the same agents, and the
tenant registry says which agents should be reporting. Since when a state has held is
tracked here, from the first sample that saw it (after a restart: from then on).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from mlc_shared.messages.tally import AgentStatus
from mlc_shared.store.base import Store


@dataclass(frozen=True)
class AgentView:
    tenant: str
    status: AgentStatus | None
    last_heard: float | None
    """When the newest status arrived (Unix time; None: never)."""
    unreachable_since: float | None
    """Since when the agent has said Tally does not answer (None: it answers)."""
    closed_since: float | None
    """Since when the agent has said the company is not open while Tally answers."""

    def silent_for(self, now: float, started: float) -> float:
        return now - (self.last_heard if self.last_heard is not None else started)


class AgentWatch:
    def __init__(
        self, store: Store, default_tenant: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.default_tenant = default_tenant
        self.clock = clock
        self.started = clock()
        self._views: dict[str, AgentView] = {}

    async def tenants(self) -> set[str]:
        """Tenants whose agent should report: the configured one and every enabled one in
        the registry."""
        registered = {r.tenant for r in await self.store.list_tenants() if r.enabled}
        return {self.default_tenant, *registered}

    async def sample(self) -> dict[str, AgentView]:
        now = self.clock()
        rows = {row.tenant: row for row in await self.store.list_agent_statuses()}
        views: dict[str, AgentView] = {}
        for tenant in sorted(await self.tenants() | rows.keys()):
            row = rows.get(tenant)
            status = row.status if row else None
            before = self._views.get(tenant)
            heard = row.received_at.timestamp() if row else None
            views[tenant] = AgentView(
                tenant=tenant,
                status=status,
                last_heard=heard,
                unreachable_since=_since(
                    status is not None and not status.reachable,
                    before.unreachable_since if before else None,
                    heard or now,
                ),
                closed_since=_since(
                    status is not None and status.reachable and not status.company_open,
                    before.closed_since if before else None,
                    heard or now,
                ),
            )
        self._views = views
        return dict(views)


def _since(holds: bool, since: float | None, first_seen: float) -> float | None:
    if not holds:
        return None
    return since if since is not None else first_seen
