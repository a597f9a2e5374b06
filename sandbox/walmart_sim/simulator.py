"""``WalmartSimulator``: start and stop the server in-process.

```python
sim = WalmartSimulator(client_id="...", client_secret="...", data="demo", seed=0, time_scale=1.0)
await sim.start(host="127.0.0.1", port=0)   # 0 = an ephemeral port
sim.url      # "http://127.0.0.1:<port>": Walmart paths under /v3, the admin API under /admin
sim.state    # the in-memory account, for in-process inspection
await sim.stop()
```
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Literal

import uvicorn

from . import demo
from .app import build_app
from .config import SimConfig
from .context import SimContext
from .state import SimState

DEFAULT_CLIENT_ID = "mlc-sandbox-client"
DEFAULT_CLIENT_SECRET = "mlc-sandbox-secret"  # noqa: S105 - a public sandbox default, printed at start-up

DataSet = Literal["empty", "demo"]


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handlers: the host process owns Ctrl-C."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WalmartSimulator:
    def __init__(
        self,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        data: DataSet = "empty",
        seed: int = 0,
        time_scale: float = 1.0,
        config: SimConfig | None = None,
    ) -> None:
        if data not in ("empty", "demo"):
            raise ValueError(f"data must be 'empty' or 'demo', not {data!r}")
        base = config or SimConfig()
        self.ctx = SimContext(
            config=base.patched({"time_scale": time_scale}),
            seed=seed,
            client_id=client_id,
            client_secret=client_secret,
        )
        self.data: DataSet = data
        self.app = build_app(self)
        self._server: _EmbeddedServer | None = None
        self._serve_task: asyncio.Task[None] | None = None
        self._url: str | None = None

    @property
    def client_id(self) -> str:
        return self.ctx.client_id

    @property
    def client_secret(self) -> str:
        return self.ctx.client_secret

    @property
    def state(self) -> SimState:
        return self.ctx.state

    @property
    def config(self) -> SimConfig:
        return self.ctx.config

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the simulator is not started")
        return self._url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._server is not None:
            raise RuntimeError("the simulator is already started")
        self._load()
        # proto=IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto
        # says TCP; without it every keep-alive answer waits ~40 ms for a delayed ACK.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        bound_port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        self._server = _EmbeddedServer(config)
        self._serve_task = asyncio.get_running_loop().create_task(
            self._server.serve(sockets=[sock])
        )
        while not self._server.started:
            if self._serve_task.done():
                self._serve_task.result()
                raise RuntimeError("the simulator's server stopped during start-up")
            await asyncio.sleep(0.01)
        shown = f"[{host}]" if ":" in host else host
        self._url = f"http://{shown}:{bound_port}"

    async def stop(self) -> None:
        await self.ctx.cancel_background()
        if self._server is not None and self._serve_task is not None:
            self._server.should_exit = True
            await self._serve_task
        self._server = None
        self._serve_task = None
        self._url = None

    async def reset(self, data: DataSet | None = None) -> None:
        """Forget the account (and pending background work) and load a data set again."""
        await self.ctx.cancel_background()
        if data is not None:
            self.data = data
        self.ctx.fresh_state()
        self._load()

    def _load(self) -> None:
        if self.data == "demo" and not self.ctx.state.items:
            demo.load(self.ctx)
