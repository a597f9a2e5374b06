"""Raw HTTP helpers for the simulator tests (deliberately not the walmart-gateway client).

Every response passes through ``fidelity.check_response`` via an httpx event hook, so no
test can receive a simulator answer that was not schema-checked.
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from typing import Any

import httpx

from .fidelity import check_response


async def _validate(response: httpx.Response) -> None:
    await response.aread()
    check_response(response)


def http_client(base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, timeout=30.0, event_hooks={"response": [_validate]})


def basic(client_id: str, client_secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()


def wm_headers(token: str | None = None, **extra: str) -> dict[str, str]:
    headers = {
        "WM_SVC.NAME": "ml-connector tests",
        "WM_QOS.CORRELATION_ID": str(uuid.uuid4()),
        "Accept": "application/json",
    }
    if token is not None:
        headers["WM_SEC.ACCESS_TOKEN"] = token
    headers.update(extra)
    return headers


class WalmartClient:
    """Token handling plus the three WM_* headers, nothing more."""

    def __init__(self, http: httpx.AsyncClient, client_id: str, client_secret: str) -> None:
        self.http = http
        self.client_id = client_id
        self.client_secret = client_secret
        self._token: str | None = None

    async def fetch_token(self) -> httpx.Response:
        return await self.http.post(
            "/v3/token",
            data={"grant_type": "client_credentials"},
            headers=wm_headers(Authorization=basic(self.client_id, self.client_secret)),
        )

    async def token(self) -> str:
        if self._token is None:
            response = await self.fetch_token()
            assert response.status_code == 200, response.text
            self._token = str(response.json()["access_token"])
        return self._token

    def forget_token(self) -> None:
        self._token = None

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = wm_headers(await self.token())
        headers.update(kwargs.pop("headers", {}) or {})
        return await self.http.request(method, url, headers=headers, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)

    async def wait_feed(
        self, feed_id: str, *, done: tuple[str, ...] = ("PROCESSED", "ERROR")
    ) -> dict[str, Any]:
        """Poll the feed's status until it reaches one of ``done`` (bounded by the test
        timeout; the simulator runs feed stages at the test's time scale)."""
        while True:
            response = await self.get(f"/v3/feeds/{feed_id}", params={"includeDetails": "true"})
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            if body["feedStatus"] in done:
                return body
            await asyncio.sleep(0.01)


class Admin:
    """The simulator's admin API; failures raise so a broken setup cannot pass silently."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = await self.http.request(method, f"/admin{path}", json=body)
        assert response.status_code == expect, (
            f"{method} /admin{path}: {response.status_code} {response.text}"
        )
        return response.json()

    async def get(self, path: str) -> Any:
        return await self.call("GET", path)

    async def post(self, path: str, body: Any = None, expect: int = 200) -> Any:
        return await self.call("POST", path, body, expect)

    async def patch(self, path: str, body: Any) -> Any:
        return await self.call("PATCH", path, body)
