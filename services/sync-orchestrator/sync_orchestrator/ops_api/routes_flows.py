"""Flows (status, pause, resume, run now), cursors, agents and the replica's role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from mlc_shared.messages.tally import AgentStatus
from mlc_shared.store.records import FlowState
from pydantic import BaseModel

from sync_orchestrator.dispatch import FLOWS
from sync_orchestrator.ops_api.deps import BackendDep, StoreDep
from sync_orchestrator.registry import InvalidTenant, valid_name
from sync_orchestrator.status import FlowStatus, flow_statuses, set_paused

router = APIRouter(prefix="/api/v1", tags=["flows"])


class Overview(BaseModel):
    leader: bool
    """This replica runs the flows (the others stand by, docs/operator-guide.md)."""
    tenants: list[str]
    flows: list[str]


class RunRequest(BaseModel):
    tenant: str | None = None
    since: datetime | None = None


class RunAccepted(BaseModel):
    flow: str
    tenant: str
    correlation_id: str
    started: bool
    """True: started by this replica now. False: handed to the leader, already in flight
    (re-run once it ends) or paused (see the flow's status)."""


class CursorView(BaseModel):
    tenant: str
    flow: str
    value: dict[str, Any]


class AgentView(BaseModel):
    tenant: str
    status: AgentStatus
    received_at: datetime


def _flow(flow: str) -> str:
    if flow not in FLOWS:
        raise HTTPException(404, f"unknown flow {flow!r}; flows are: {', '.join(FLOWS)}")
    return flow


def _tenant(backend: BackendDep, tenant: str | None) -> str:
    try:
        return valid_name(tenant or backend.settings.tenant)
    except InvalidTenant as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/status", summary="This replica's role, the tenants and the flows")
async def overview(backend: BackendDep) -> Overview:
    return Overview(
        leader=backend.is_leader, tenants=await backend.directory.tenants(), flows=list(FLOWS)
    )


@router.get("/flows", summary="Status of every flow of every tenant")
async def flows(
    backend: BackendDep, store: StoreDep, tenant: str | None = None
) -> list[FlowStatus]:
    tenants = [tenant] if tenant else await backend.directory.tenants()
    return flow_statuses(await store.list_flow_states(tenant), tenants, FLOWS)


@router.post("/flows/{flow}/pause", summary="Start no new run of the flow")
async def pause(
    flow: str, backend: BackendDep, store: StoreDep, tenant: str | None = None
) -> FlowState:
    return await set_paused(store, _tenant(backend, tenant), _flow(flow), True)


@router.post("/flows/{flow}/resume", summary="Let the flow run again")
async def resume(
    flow: str, backend: BackendDep, store: StoreDep, tenant: str | None = None
) -> FlowState:
    return await set_paused(store, _tenant(backend, tenant), _flow(flow), False)


@router.post("/flows/{flow}/run", status_code=202, summary="Run the flow now")
async def run(flow: str, backend: BackendDep, body: RunRequest | None = None) -> RunAccepted:
    body = body or RunRequest()
    tenant = _tenant(backend, body.tenant)
    started, correlation_id = await backend.request_run(
        _flow(flow), tenant=tenant, since=body.since
    )
    return RunAccepted(flow=flow, tenant=tenant, correlation_id=correlation_id, started=started)


@router.get("/cursors", summary="Where each flow of each tenant will continue from")
async def cursors(store: StoreDep, tenant: str | None = None) -> list[CursorView]:
    return [
        CursorView(tenant=t, flow=f, value=value)
        for (t, f), value in (await store.list_cursors(tenant)).items()
    ]


@router.get("/agents", summary="The last status each tenant's tally-agent reported")
async def agents(store: StoreDep) -> list[AgentView]:
    return [
        AgentView(tenant=row.tenant, status=row.status, received_at=row.received_at)
        for row in await store.list_agent_statuses()
    ]
