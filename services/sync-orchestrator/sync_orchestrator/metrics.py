"""The orchestrator's state on ``/metrics``, read at scrape time (mlc_shared.metrics):
flow lag and last success per flow and tenant from ``flow_state``, queue and parking depths
from the bus, and each tenant's agent as the orchestrator last heard it (``agent_status`` table).

Reading rather than counting keeps the flows free of metrics code and makes every gauge
agree with the operator API: both read the same rows.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from mlc_shared.bus.base import Bus, QueueDepth
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, WALMART_COMMANDS, tally_commands
from mlc_shared.metrics import (
    AGENT_LAST_STATUS,
    AGENT_UP,
    FLOW_FAILING,
    FLOW_LAG,
    FLOW_LAST_RUN,
    FLOW_LAST_SUCCESS,
    FLOW_PAUSED,
    QUEUE_PARKED,
    QUEUE_READY,
    TALLY_COMPANY_OPEN,
    StateSource,
    gauge,
)
from mlc_shared.store.base import Store
from mlc_shared.store.records import FlowState
from prometheus_client.core import Metric

from sync_orchestrator.agent_watch import AgentView, AgentWatch


def queues_of(tenants: Iterable[str]) -> list[str]:
    """The work queues whose depths matter: the shared ones and each tenant's agent queue."""
    return [ORCHESTRATOR_EVENTS, WALMART_COMMANDS, *(tally_commands(t) for t in sorted(tenants))]


class OrchestratorMetrics(StateSource):
    name = "sync-orchestrator"

    def __init__(self, store: Store, bus: Bus, agents: AgentWatch, tenant: str) -> None:
        self.store = store
        self.bus = bus
        self.agents = agents
        self.tenant = tenant
        self.flows: list[FlowState] = []
        self.depths: dict[str, QueueDepth] = {}
        self.views: dict[str, AgentView] = {}

    def tenants(self) -> set[str]:
        return {self.tenant, *self.views, *(state.tenant for state in self.flows)}

    async def refresh(self) -> None:
        self.flows = await self.store.list_flow_states()
        self.views = await self.agents.sample()
        depths = {}
        for queue in queues_of(self.tenants()):
            depths[queue] = await self.bus.depth(queue)
        self.depths = depths

    def families(self) -> Iterable[Metric]:
        now = time.time()
        labels = ["tenant", "flow"]
        lag, success, run = (
            gauge(FLOW_LAG, labels),
            gauge(FLOW_LAST_SUCCESS, labels),
            gauge(FLOW_LAST_RUN, labels),
        )
        paused, failing = gauge(FLOW_PAUSED, labels), gauge(FLOW_FAILING, labels)
        for state in self.flows:
            key = [state.tenant, state.flow]
            paused.add_metric(key, float(state.paused))
            failing.add_metric(key, float(state.last_error is not None))
            if state.last_success_at is not None:
                success.add_metric(key, state.last_success_at.timestamp())
            if state.last_run_at is not None:
                run.add_metric(key, state.last_run_at.timestamp())
            since = state.last_success_at or state.last_run_at
            if since is not None:
                lag.add_metric(key, max(0.0, now - since.timestamp()))
        ready, parked = gauge(QUEUE_READY, ["queue"]), gauge(QUEUE_PARKED, ["queue"])
        for queue, depth in self.depths.items():
            ready.add_metric([queue], float(depth.ready))
            parked.add_metric([queue], float(depth.parked))
        up, open_, heard = (
            gauge(AGENT_UP, ["tenant"]),
            gauge(TALLY_COMPANY_OPEN, ["tenant"]),
            gauge(AGENT_LAST_STATUS, ["tenant"]),
        )
        for tenant, view in self.views.items():
            status = view.status
            up.add_metric([tenant], float(status is not None and status.reachable))
            open_.add_metric([tenant], float(status is not None and status.company_open))
            if view.last_heard is not None:
                heard.add_metric([tenant], view.last_heard)
        return [lag, success, run, paused, failing, ready, parked, up, open_, heard]
