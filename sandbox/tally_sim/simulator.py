"""`TallySimulator`: the composition root. One state, one Tally port, one admin API.

sim = TallySimulator(companies=["Acme Traders"], data="empty", profile="licensed")
await sim.start(host="127.0.0.1", port=0, admin_port=0)
sim.url, sim.admin_url, sim.state
await sim.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Literal

import uvicorn

from tally_sim.admin.app import create_admin_app
from tally_sim.demo import DEMO_COMPANY, load_demo
from tally_sim.model.state import SimState
from tally_sim.server.dispatcher import Dispatcher
from tally_sim.server.faults import Faults
from tally_sim.server.request_log import RequestLog
from tally_sim.server.tally_port import TallyPort
from tally_sim.settings import Profile, SimSettings

DEFAULT_BOOKS_FROM = date(2025, 4, 1)


class _EmbeddedUvicorn(uvicorn.Server):
    """Uvicorn inside someone else's event loop: signals stay with the host program."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class TallySimulator:
    def __init__(
        self,
        companies: Sequence[str] = (),
        data: Literal["empty", "demo"] = "empty",
        profile: Profile = "licensed",
        settings: SimSettings | None = None,
        books_from: date = DEFAULT_BOOKS_FROM,
    ) -> None:
        if data not in ("empty", "demo"):
            raise ValueError(f"data must be 'empty' or 'demo', not {data!r}")
        self._companies = list(companies)
        self._data = data
        self._books_from = books_from
        base = settings.model_copy() if settings is not None else SimSettings(profile=profile)
        if settings is None:
            base.profile = profile
        self._initial_settings = base.model_copy()
        self.settings = base
        self.state = SimState(self.settings)
        self.faults = Faults()
        self.log = RequestLog(self.settings.request_log_limit, self.settings.request_log_body_limit)
        self.port = TallyPort(Dispatcher(self.state), self.faults, self.log)
        self.demo_company: str | None = None
        self._admin: _EmbeddedUvicorn | None = None
        self._admin_task: asyncio.Task[None] | None = None
        self._admin_address = ("127.0.0.1", 0)
        self._populate()

    def _populate(self) -> None:
        if self._data == "demo":
            self.demo_company = load_demo(self.state).name
        for name in self._companies:
            if self.state.find(name) is None:
                self.state.create_company(name, books_from=self._books_from)

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0, admin_port: int = 0) -> None:
        await self.port.start(host, port)
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, admin_port))
        self._admin_address = (host, sock.getsockname()[1])
        config = uvicorn.Config(
            create_admin_app(self),
            log_config=None,  # embedded: leave the host program's logging alone
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
        self._admin = _EmbeddedUvicorn(config)
        self._admin_task = asyncio.create_task(self._admin.serve(sockets=[sock]))
        while not self._admin.started:
            if self._admin_task.done():
                await self._admin_task
                raise RuntimeError("the admin API did not start")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.faults.clear_hang()
        await self.port.stop_listening()
        if self._admin is not None and self._admin_task is not None:
            self._admin.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await self._admin_task
        self._admin = None
        self._admin_task = None

    async def reset(self) -> None:
        """Back to the state the simulator was constructed with: data, settings, faults and
        request log; the port is reopened if it was stopped."""
        for field_name in SimSettings.model_fields:
            setattr(self.settings, field_name, getattr(self._initial_settings, field_name))
        self.state.clear()
        self._populate()
        self.faults.reset()
        self.log.clear()
        self.log.limit = self.settings.request_log_limit
        self.log.body_limit = self.settings.request_log_body_limit
        await self.port.resume()

    # -- addresses ------------------------------------------------------------------------
    @staticmethod
    def _url(host: str, port: int) -> str:
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    @property
    def url(self) -> str:
        return self._url(self.port.host, self.port.port)

    @property
    def admin_url(self) -> str:
        return self._url(*self._admin_address)


__all__ = ["DEMO_COMPANY", "TallySimulator"]
