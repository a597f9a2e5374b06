"""The console application (Starlette + Jinja2), mounted by the operator API at /console."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from mlc_shared.config import load_settings
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from sync_orchestrator.console import actions, pages
from sync_orchestrator.console.session import session_key
from sync_orchestrator.console.settings import ConsoleSettings
from sync_orchestrator.ops_api.deps import Backend

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
COOKIE = "mlc_console"

# No script, no frame, no third-party anything: the pages are plain HTML forms.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers.update(SECURITY_HEADERS)
    return response


def create_console(backend: Backend, **overrides: Any) -> Starlette:
    settings = load_settings(ConsoleSettings, **overrides)
    routes = [
        Route("/login", pages.login_form, methods=["GET"], name="console_login"),
        Route("/login", actions.login, methods=["POST"]),
        Route("/logout", actions.logout, methods=["POST"], name="console_logout"),
        Route("/", pages.overview, methods=["GET"], name="console_overview"),
        Route("/flows/{flow}/{action}", actions.flow_action, methods=["POST"], name="console_flow"),
        Route("/audit", pages.audit, methods=["GET"], name="console_audit"),
        Route("/dead-letters", pages.dead_letters, methods=["GET"], name="console_dead_letters"),
        Route(
            "/dead-letters/{message_id}",
            pages.dead_letter,
            methods=["GET"],
            name="console_dead_letter",
        ),
        Route(
            "/dead-letters/{message_id}/{action}",
            actions.dead_letter_action,
            methods=["POST"],
            name="console_dead_letter_action",
        ),
        Route("/mapping", pages.mapping_gaps, methods=["GET"], name="console_mapping"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(BaseHTTPMiddleware, dispatch=_security_headers),
            Middleware(
                SessionMiddleware,
                secret_key=session_key(backend.settings.operator_token),
                session_cookie=COOKIE,
                max_age=int(timedelta(hours=settings.console_session_hours).total_seconds()),
                path="/",
                same_site="strict",  # Starlette always adds HttpOnly
                https_only=settings.console_secure_cookie,
            ),
        ],
    )
    app.state.backend = backend
    app.state.templates = TEMPLATES
    return app
