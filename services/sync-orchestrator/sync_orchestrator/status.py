"""Flow status for operators (``mlc flows status``, the operator API), and pause/resume.

Lag is the time since a flow last finished a run (``last_success_at``): the age of the newest
data it has brought across. A flow that never finished has no lag figure, only "never".
Pausing is a row in ``flow_state``: a paused flow starts no new run (scheduled, webhook or
operator); what is already in flight finishes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from mlc_shared.store.base import Store
from mlc_shared.store.records import FlowState
from pydantic import BaseModel, ConfigDict


class FlowStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenant: str
    flow: str
    paused: bool
    last_run_at: datetime | None
    last_success_at: datetime | None
    lag_seconds: float | None
    """Seconds since ``last_success_at``; None when the flow never finished a run."""
    last_error: str | None


def flow_statuses(
    states: Iterable[FlowState],
    tenants: Iterable[str],
    flows: Iterable[str],
    now: datetime | None = None,
) -> list[FlowStatus]:
    """Every (tenant, flow) that is scheduled or has state, sorted."""
    now = now or datetime.now(UTC)
    known = {(s.tenant, s.flow): s for s in states}
    for tenant in tenants:
        for flow in flows:
            known.setdefault((tenant, flow), FlowState(tenant=tenant, flow=flow))
    return [
        FlowStatus(
            tenant=state.tenant,
            flow=state.flow,
            paused=state.paused,
            last_run_at=state.last_run_at,
            last_success_at=state.last_success_at,
            lag_seconds=(
                None
                if state.last_success_at is None
                else round((now - state.last_success_at).total_seconds(), 3)
            ),
            last_error=state.last_error,
        )
        for _, state in sorted(known.items())
    ]


async def set_paused(store: Store, tenant: str, flow: str, paused: bool) -> FlowState:
    async with store.transaction() as tx:
        state = (await tx.get_flow_state(tenant, flow)).model_copy(update={"paused": paused})
        await tx.put_flow_state(state)
    return state
