"""The simulator's running parts, bundled for route handlers and background work."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

import httpx

from .clock import SimClock
from .config import SimConfig
from .ids import IdFactory
from .state import SimState
from .throttle import Throttle


@dataclass
class PlannedFault:
    """A deterministic fault for the next matching data calls (``POST /admin/faults/next``)."""

    status: int
    after_effect: bool
    path_prefix: str
    remaining: int


class SimContext:
    def __init__(self, *, config: SimConfig, seed: int, client_id: str, client_secret: str) -> None:
        self.config = config
        self.seed = seed
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = SimClock(lambda: self.config.time_scale)
        self.throttle = Throttle(lambda: self.config.throttle_limits)
        self.planned_faults: list[PlannedFault] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._webhook_client: httpx.AsyncClient | None = None
        self.fresh_state()

    def fresh_state(self) -> None:
        """Forget everything the account holds; identifiers restart from the seed."""
        self.state = SimState()
        self.ids = IdFactory(self.seed)
        self.fault_rng = random.Random(self.seed + 1)
        self.delivery_rng = random.Random(self.seed + 2)
        self.oauth_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
        self.throttle.reset()
        self.planned_faults.clear()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run background work (feed processing, webhook delivery) owned by the simulator."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def webhook_client(self) -> httpx.AsyncClient:
        """One pooled client for every webhook delivery: a new client per delivery paid a
        TCP (and TLS) handshake each and capped delivery near 16 events/s."""
        if self._webhook_client is None or self._webhook_client.is_closed:
            self._webhook_client = httpx.AsyncClient()
        return self._webhook_client

    async def cancel_background(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._webhook_client is not None:
            await self._webhook_client.aclose()
            self._webhook_client = None
