"""The FastAPI application: Walmart paths under ``/v3``, the admin API under ``/admin``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from .errors import AdminError, WalmartError, gateway_error
from .middleware import WalmartMiddleware
from .routes import (
    admin,
    admin_ops,
    auth,
    feeds,
    inventory,
    items,
    orders,
    prices,
    reports,
    returns,
    settings,
    webhooks,
)

if TYPE_CHECKING:
    from .simulator import WalmartSimulator

log = logging.getLogger("walmart_sim")


def _render(request: Request, error: WalmartError) -> Response:
    ctx = request.app.state.ctx
    body = error.body(error_as_object=ctx.config.service_error_as_object)
    if body is None:
        return Response(
            error.description,
            status_code=error.status,
            headers=error.headers,
            media_type="text/plain",
        )
    return JSONResponse(body, status_code=error.status, headers=error.headers)


async def _walmart_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WalmartError)
    return _render(request, exc)


async def _admin_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AdminError)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not request.url.path.startswith("/v3/"):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    if exc.status_code == 405:
        return _render(request, gateway_error(405, "METHOD_NOT_ALLOWED", "Method not allowed"))
    return _render(
        request, gateway_error(404, "URI_NOT_FOUND", f"No resource at {request.url.path}")
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not request.url.path.startswith("/v3/"):
        return JSONResponse({"detail": exc.errors()}, status_code=422)
    return _render(request, gateway_error(400, "INVALID_REQUEST_PARAM", str(exc.errors())))


def build_app(simulator: WalmartSimulator) -> FastAPI:
    app = FastAPI(
        title="Walmart Marketplace simulator (ml-connector sandbox)",
        docs_url="/admin/docs",
        openapi_url="/admin/openapi.json",
        redoc_url=None,
    )
    app.state.simulator = simulator
    app.state.ctx = simulator.ctx
    for module in (
        auth,
        items,
        feeds,
        prices,
        inventory,
        settings,
        orders,
        returns,
        reports,
        webhooks,
        admin,
        admin_ops,
    ):
        app.include_router(module.router)
    app.add_exception_handler(WalmartError, _walmart_error)
    app.add_exception_handler(AdminError, _admin_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(WalmartMiddleware, context=lambda: simulator.ctx)
    return app
