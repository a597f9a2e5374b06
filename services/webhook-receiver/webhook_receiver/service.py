"""The webhook-receiver as a service: uvicorn on the configured address, plus the sweep.

The composition root (``mlc run`` / ``mlc serve webhook-receiver``) creates the bus and the
store and hands them over; this service neither migrates the store nor closes either. It
does start the bus (idempotent) and keeps trying while the broker is away: the receiver
must come up and answer 503 during an outage, not refuse to start (Walmart then retries).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from datetime import timedelta

import uvicorn
from mlc_shared.bus.base import Bus
from mlc_shared.config import ConfigError
from mlc_shared.logging import get_logger
from mlc_shared.store.base import Store

from webhook_receiver.app import Receiver, create_app
from webhook_receiver.intake import DependencyDown
from webhook_receiver.settings import WebhookReceiverSettings
from webhook_receiver.tenants import TenantConfigSource

log = get_logger(__name__)

BUS_START_WAIT = 10.0
"""Seconds ``start`` waits for the bus before serving anyway (answering 503 until it is up);
the connection attempt itself goes on in the background, never cancelled half-way."""


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Signals belong to the process's composition root (``mlc run`` hosts several
        services); uvicorn's own handlers would swallow its SIGTERM."""
        yield


class WebhookReceiverService:
    def __init__(
        self,
        settings: WebhookReceiverSettings,
        bus: Bus,
        store: Store,
        tenants: TenantConfigSource | None = None,
    ) -> None:
        self.settings = settings
        self.app = create_app(settings, bus, store, tenants)
        self._receiver: Receiver = self.app.state.receiver
        self._server: uvicorn.Server | None = None
        self._serving: asyncio.Task[None] | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._bus_starting: asyncio.Task[None] | None = None
        self._port: int | None = None

    @property
    def port(self) -> int:
        """The bound port (useful with ``webhook_port = 0``)."""
        if self._port is None:
            raise RuntimeError("the service is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.settings.webhook_host}:{self.port}"

    async def start(self) -> None:
        sock = self._listen()
        await asyncio.wait([self._start_bus()], timeout=BUS_START_WAIT)
        config = uvicorn.Config(self.app, log_config=None, access_log=False, lifespan="off")
        server = _Server(config)
        self._server = server
        self._serving = asyncio.create_task(
            server.serve(sockets=[sock]), name="webhook-receiver-http"
        )
        while not server.started:
            if self._serving.done():
                await self._serving  # surfaces uvicorn's error
                raise RuntimeError("webhook-receiver stopped while starting")
            await asyncio.sleep(0.01)
        self._port = sock.getsockname()[1]
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="webhook-receiver-sweep")
        log.info("webhook.listening", url=self.url)

    def _listen(self) -> socket.socket:
        """Bind here rather than in uvicorn, whose bind failure is a ``sys.exit``."""
        host, port = self.settings.webhook_host, self.settings.webhook_port
        try:
            family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
            return socket.create_server((host, port), family=family)
        except OSError as exc:
            raise ConfigError(
                f"MLC_WEBHOOK_HOST/MLC_WEBHOOK_PORT: cannot listen on {host}:{port}: "
                f"{exc.strerror or exc}"
            ) from None

    async def stop(self) -> None:
        for task in (self._bus_starting, self._sweeper):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._bus_starting = self._sweeper = None
        if self._server is not None and self._serving is not None:
            self._server.should_exit = True
            await self._serving
        await self._receiver.intake.close()
        self._server = self._serving = None
        self._port = None

    async def sweep_now(self) -> int:
        """One sweep with no grace period (operators, tests after an outage)."""
        return await self._receiver.intake.sweep(timedelta(0))

    def _start_bus(self) -> asyncio.Task[None]:
        """The one connection attempt in progress, or a new one."""
        if self._bus_starting is None or self._bus_starting.done():
            self._bus_starting = asyncio.create_task(self._connect_bus(), name="webhook-bus-start")
        return self._bus_starting

    async def _connect_bus(self) -> None:
        try:
            await self._receiver.bus.start()
        except Exception as exc:  # any failure to connect: answer 503 and retry later
            log.warning("webhook.bus_unavailable", error=f"{type(exc).__name__}: {exc}")

    async def _sweep_forever(self) -> None:
        grace = timedelta(seconds=self.settings.webhook_sweep_grace)
        while True:
            await asyncio.sleep(self.settings.webhook_sweep_interval)
            if not await self._receiver.bus.ping():
                self._start_bus()  # no-op while an attempt is still in progress
                continue
            try:
                await self._receiver.intake.sweep(grace)
            except DependencyDown as exc:
                log.warning("webhook.sweep_failed", reason=exc.reason)
            except Exception:  # the sweep must outlive any one bad pass
                log.exception("webhook.sweep_crashed")
