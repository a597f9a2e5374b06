"""The operator API application: every route behind the operator token, the ops endpoints
(/healthz, /readyz, /metrics) beside it when this port is the service's one HTTP port, and
the OpenAPI document at ``/api/v1/openapi.json`` (no interactive docs page: it would load
scripts from the internet, and nothing here may download at run time)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from mlc_shared.ops_http import ReadinessCheck, ops_routes
from mlc_shared.store.errors import StoreUnavailable

from sync_orchestrator.console.app import create_console
from sync_orchestrator.dead_letters import UnknownQueue
from sync_orchestrator.ops_api import routes_admin, routes_audit, routes_dead_letters, routes_flows
from sync_orchestrator.ops_api.auth import require_operator
from sync_orchestrator.ops_api.deps import Backend

OPENAPI_URL = "/api/v1/openapi.json"


def create_app(backend: Backend, ops_checks: Mapping[str, ReadinessCheck] | None = None) -> FastAPI:
    app = FastAPI(
        title="ml-connector operator API",
        version="1",
        description="Flows, cursors, audit trail, dead letters, agents, tenants and mappings "
        "of the sync-orchestrator. Every call needs `Authorization: Bearer <MLC_OPERATOR_TOKEN>`.",
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
    )
    app.state.backend = backend
    app.state.operator_token = backend.settings.operator_token
    guarded = [Depends(require_operator)]
    for module in (routes_flows, routes_audit, routes_dead_letters, routes_admin):
        app.include_router(module.router, dependencies=guarded)
    if ops_checks is not None:
        app.router.routes.extend(ops_routes(ops_checks))
    # The operator console (server-rendered pages over the same backend; own session login).
    app.mount("/console", create_console(backend))

    @app.exception_handler(StoreUnavailable)
    async def _store_down(_: Request, exc: StoreUnavailable) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(UnknownQueue)
    async def _unknown_queue(_: Request, exc: UnknownQueue) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    return app
