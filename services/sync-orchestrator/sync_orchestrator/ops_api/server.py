"""Serves the operator API with uvicorn on its own socket, inside the service's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator, Mapping

import uvicorn
from mlc_shared.config import ConfigError
from mlc_shared.logging import get_logger
from mlc_shared.ops_http import ReadinessCheck

from sync_orchestrator.ops_api.app import create_app
from sync_orchestrator.ops_api.deps import Backend

log = get_logger(__name__)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Signals belong to the process's composition root (``mlc run`` hosts several
        services); uvicorn's own handlers would swallow its SIGTERM."""
        yield


class OperatorServer:
    def __init__(
        self,
        backend: Backend,
        host: str,
        port: int,
        ops_checks: Mapping[str, ReadinessCheck] | None = None,
    ) -> None:
        self.host = host
        self._port = port
        self.app = create_app(backend, ops_checks)
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port: int | None = None
        """The bound port (useful with port 0)."""

    async def start(self) -> None:
        sock = self._listen()
        config = uvicorn.Config(self.app, log_config=None, access_log=False, lifespan="off")
        self._server = _Server(config)
        self._task = asyncio.create_task(
            self._server.serve(sockets=[sock]), name="operator-api-http"
        )
        while not self._server.started:
            if self._task.done():
                await self._task
                raise RuntimeError("the operator API stopped while starting")
            await asyncio.sleep(0.01)
        self.port = sock.getsockname()[1]
        log.info("operator API listening", url=f"http://{self.host}:{self.port}")

    def _listen(self) -> socket.socket:
        """Bind here rather than in uvicorn, whose bind failure is a ``sys.exit``."""
        try:
            family = socket.getaddrinfo(self.host, self._port, type=socket.SOCK_STREAM)[0][0]
            return socket.create_server((self.host, self._port), family=family)
        except OSError as exc:
            raise ConfigError(
                f"operator API: cannot listen on {self.host}:{self._port}: {exc.strerror or exc}"
            ) from None

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        self._server = self._task = None
