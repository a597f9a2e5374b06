"""What handlers need, as FastAPI dependencies (``Annotated`` aliases, so a handler states
what it uses and tests can override it).

The API sees the orchestrator through :class:`Backend`, the few things it uses, rather than
the service class: the service serves the API, so the API must not import the service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Protocol

from fastapi import Depends, Request
from mlc_shared.bus.base import Bus
from mlc_shared.messages.tally import AgentStatus
from mlc_shared.store.base import Store

from sync_orchestrator.dead_letters import DeadLetters, connector_queues
from sync_orchestrator.settings import OrchestratorSettings
from sync_orchestrator.tenants import TenantDirectory


class Backend(Protocol):
    settings: OrchestratorSettings
    bus: Bus
    store: Store
    directory: TenantDirectory
    agent_status: dict[str, AgentStatus]

    @property
    def is_leader(self) -> bool: ...

    async def request_run(
        self, flow: str, *, tenant: str | None = None, since: datetime | None = None
    ) -> tuple[bool, str]: ...


async def get_backend(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


BackendDep = Annotated[Backend, Depends(get_backend)]


async def get_store(backend: BackendDep) -> Store:
    return backend.store


StoreDep = Annotated[Store, Depends(get_store)]


async def get_dead_letters(backend: BackendDep) -> DeadLetters:
    return DeadLetters(backend.bus, connector_queues(await backend.directory.tenants()))


DeadLettersDep = Annotated[DeadLetters, Depends(get_dead_letters)]
