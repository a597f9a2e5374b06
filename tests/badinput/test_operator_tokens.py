"""The operator API and the console refuse requests without the operator token (issue 8,
"Security"), route by route.

tests/integration/operator/test_operator_api.py checks one route with three bad headers and
tests/integration/ops/test_console.py one form without a session. Here every route the
running orchestrator serves -- read from its own router, so a route added later is checked
too -- gets every way of not having the token: none, an empty or wrong bearer, the token cut
short or lengthened, another scheme, the token in the query string, the console's session
cookie. Every one is answered 401 with ``WWW-Authenticate: Bearer``; and nothing they asked
for happened. The console's pages redirect to its login and its forms refuse a forged or
foreign session cookie, and a real session without the form's CSRF token.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from itsdangerous import TimestampSigner
from starlette.routing import Mount, Route
from sync_orchestrator.console.app import COOKIE
from sync_orchestrator.console.session import session_key
from sync_orchestrator.service import OrchestratorService

from ml_connector.runtime import Runtime

TOKEN = "operator-token-badinput-5d0c81e2"
BAD_AUTHORIZATION = [
    None,
    "",
    "Bearer",
    "Bearer wrong",
    f"Bearer {TOKEN[:-1]}",
    f"Bearer {TOKEN}x",
    f"Bearer {TOKEN.upper()}",
    f"Basic {TOKEN}",
    "Basic " + base64.b64encode(f"operator:{TOKEN}".encode()).decode(),
    f"Token {TOKEN}",
    TOKEN,
]


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, OrchestratorService]]:
    settings: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'mlc.db'}",
        "amqp_url": None,
        "http_port": 0,
        "operator_token": TOKEN,
        "catalog_interval_s": 0,
        "orders_interval_s": 0,
        "returns_interval_s": 0,
        "settlements_interval_s": 0,
    }
    async with Runtime(("sync-orchestrator",), **settings) as runtime:
        orch: OrchestratorService = runtime.service("sync-orchestrator")
        assert orch.api is not None
        base = f"http://127.0.0.1:{orch.api.port}"
        async with httpx.AsyncClient(base_url=base, timeout=10, follow_redirects=False) as http:
            yield http, orch


def _concrete(path: str) -> str:
    """Path parameters filled with values that would do something if a request got through
    (pause the orders flow, create tenant "x"), so that "nothing happened" can be checked."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "action":
            return "pause" if "/flows/" in path else "replay"
        return {"flow": "orders", "tenant": "x", "message_id": "m-1"}.get(name, "x")

    return re.sub(r"\{([^}]+)\}", value, path)


def api_routes(orch: OrchestratorService) -> list[tuple[str, str]]:
    """Every operation of the running app, from the OpenAPI document it builds from its
    router (the router's own listing is private to FastAPI)."""
    assert orch.api is not None
    paths = orch.api.app.openapi()["paths"]
    found = [
        (method.upper(), _concrete(path))
        for path, operations in paths.items()
        for method in operations
        if method in ("get", "put", "post", "patch", "delete")
    ]
    assert len(found) >= 15, found
    return found


def console_routes(orch: OrchestratorService) -> list[tuple[str, str]]:
    assert orch.api is not None
    [console] = [r for r in orch.api.app.routes if isinstance(r, Mount) and r.path == "/console"]
    found = [
        (method, "/console" + _concrete(route.path))
        for route in console.routes
        if isinstance(route, Route)
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]
    assert len(found) >= 9, found
    return found


def session_cookie(data: dict[str, Any], key: str) -> str:
    """A session cookie as Starlette's SessionMiddleware writes it, signed with ``key``."""
    payload = base64.b64encode(json.dumps(data).encode())
    return TimestampSigner(key).sign(payload).decode()


async def test_every_operator_api_route_refuses_every_request_without_the_token(
    served: tuple[httpx.AsyncClient, OrchestratorService],
) -> None:
    http, orch = served
    key = session_key(orch.settings.operator_token)
    genuine = session_cookie({"operator": True, "csrf": "c"}, key)
    attempts: list[dict[str, Any]] = []
    for method, path in api_routes(orch):
        body = {"json": {"name": "x"}} if method in ("PUT", "PATCH", "POST") else {}
        for authorization in BAD_AUTHORIZATION:
            headers = {} if authorization is None else {"Authorization": authorization}
            attempts.append({"method": method, "url": path, "headers": headers, **body})
        # Neither the token in the query string nor the console's session is the API's key.
        query = {"token": TOKEN, "access_token": TOKEN}
        attempts.append({"method": method, "url": path, "params": query, **body})
        cookie = {"Cookie": f"{COOKIE}={genuine}"}
        attempts.append({"method": method, "url": path, "headers": cookie, **body})
    gate = asyncio.Semaphore(16)

    async def attempt(request: dict[str, Any]) -> tuple[dict[str, Any], httpx.Response]:
        async with gate:
            return request, await http.request(**request)

    for request, reply in await asyncio.gather(*(attempt(r) for r in attempts)):
        assert reply.status_code == 401, (request, reply.text)
        assert reply.headers["www-authenticate"] == "Bearer"
        assert "operator token is required" in reply.json()["detail"]
        assert TOKEN not in reply.text
    assert len(attempts) >= 15 * (len(BAD_AUTHORIZATION) + 2)
    # Nothing the refused requests asked for happened.
    good = {"Authorization": f"Bearer {TOKEN}"}
    flows = (await http.get("/api/v1/flows", headers=good)).json()
    assert _flow_rows(flows), flows
    assert not any(flow.get("paused") for flow in _flow_rows(flows)), flows
    tenants = (await http.get("/api/v1/tenants", headers=good)).json()
    assert '"x"' not in json.dumps(tenants), tenants


def _flow_rows(document: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if isinstance(document, dict):
        if "flow" in document:
            rows.append(document)
        for value in document.values():
            rows += _flow_rows(value)
    elif isinstance(document, list):
        for value in document:
            rows += _flow_rows(value)
    return rows


async def test_every_console_route_needs_a_genuine_session_and_its_csrf_token(
    served: tuple[httpx.AsyncClient, OrchestratorService],
) -> None:
    http, orch = served
    login = "/console/login"
    foreign = session_cookie({"operator": True, "csrf": "c"}, session_key(None))  # random key
    wrong_token_key = session_cookie({"operator": True, "csrf": "c"}, "not-the-key")
    unsigned = base64.b64encode(json.dumps({"operator": True}).encode()).decode()
    for method, path in console_routes(orch):
        for cookie in (None, foreign, wrong_token_key, unsigned):
            http.cookies = httpx.Cookies({} if cookie is None else {COOKIE: cookie})
            form = {"token": "wrong", "csrf": "c", "tenant": "default", "confirm": "yes"}
            reply = await http.request(method, path, data=form if method == "POST" else None)
            http.cookies.clear()
            where = (method, path, cookie is not None)
            if path == login and method == "GET":
                assert reply.status_code == 200, where  # the login form itself
            elif path == login:
                assert reply.status_code == 401, where  # a wrong token does not log in
                assert "not valid" in reply.text
                assert COOKIE not in reply.cookies or "operator" not in _session(reply), where
            else:
                assert reply.status_code == 303, where
                assert reply.headers["location"].endswith(login), where
    # A genuine session still needs the form's own CSRF token for every action.
    logged_in = await http.post(login, data={"token": TOKEN})
    assert logged_in.status_code == 303
    assert (await http.get("/console/")).status_code == 200
    for method, path in console_routes(orch):
        if method != "POST" or path == login:
            continue
        for csrf in (None, "", "forged"):
            data = {"tenant": "default", "confirm": "yes"} | (
                {} if csrf is None else {"csrf": csrf}
            )
            reply = await http.post(path, data=data)
            assert reply.status_code == 403, (path, csrf, reply.status_code)
            assert "CSRF check failed" in reply.text
    assert (await http.get("/console/")).status_code == 200  # still logged in: nothing logged out
    flows = (await http.get("/api/v1/flows", headers={"Authorization": f"Bearer {TOKEN}"})).json()
    assert not any(flow.get("paused") for flow in _flow_rows(flows)), flows


def _session(reply: httpx.Response) -> str:
    value = reply.cookies.get(COOKIE) or ""
    try:
        return base64.b64decode(value.split(".")[0] + "==").decode(errors="replace")
    except ValueError:
        return ""
