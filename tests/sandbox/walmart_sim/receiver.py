"""A real HTTP webhook subscriber on loopback, to receive the simulator's deliveries.

It records each POST (headers and body), answers with queued statuses (200 once the queue is
empty), serves an OAuth token endpoint at ``/oauth/token``, and schema-checks every event
body it receives (``fidelity.check_delivery``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .fidelity import check_delivery


@dataclass
class Received:
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    peer: str = ""
    """The sender's address and port: one TCP connection per distinct value."""

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    statuses: list[int] = field(default_factory=list)
    deliveries: list[Received] = field(default_factory=list)
    token_requests: list[Received] = field(default_factory=list)
    url: str = ""
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    async def _hook(self, request: Request) -> Response:
        body = await request.body()
        peer = f"{request.client.host}:{request.client.port}" if request.client else ""
        received = Received(request.url.path, request.url.query, dict(request.headers), body, peer)
        check_delivery(received.json)
        self.deliveries.append(received)
        self._arrived.set()
        status = self.statuses.pop(0) if self.statuses else 200
        return Response(status_code=status)

    async def _token(self, request: Request) -> Response:
        body = await request.body()
        self.token_requests.append(
            Received(request.url.path, request.url.query, dict(request.headers), body)
        )
        return JSONResponse(
            {"access_token": "receiver-token-1", "token_type": "Bearer", "expires_in": 3600}
        )

    async def start(self) -> None:
        app = Starlette(
            routes=[
                Route("/hooks/{name}", self._hook, methods=["POST"]),
                Route("/oauth/token", self._token, methods=["POST"]),
            ]
        )
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

        class Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self) -> Iterator[None]:
                yield

        self._server = Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._task = asyncio.get_running_loop().create_task(self._server.serve(sockets=[sock]))
        # uvicorn offers no start-up event to await.
        while not self._server.started:  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    async def wait_for(self, count: int) -> list[Received]:
        """Wait until ``count`` deliveries arrived (the test timeout bounds the wait)."""
        while len(self.deliveries) < count:
            self._arrived.clear()
            await self._arrived.wait()
        return self.deliveries
