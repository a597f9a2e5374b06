"""The simulated clock: real time plus an offset the admin API can push forward.

Waiting (feed stages, webhook retries) is scaled by ``time_scale`` so tests need not wait
five real minutes, while timestamps, token expiry and throttle buckets follow this clock, so
``POST /admin/clock/advance`` expires tokens, refills buckets and makes due retries fire.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime


class SimClock:
    def __init__(self, time_scale: Callable[[], float]) -> None:
        self._offset_ms = 0
        self._time_scale = time_scale
        self._advanced = asyncio.Event()

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self._offset_ms

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.now_ms() / 1000, tz=UTC)

    @property
    def offset_ms(self) -> int:
        return self._offset_ms

    def advance(self, seconds: float) -> None:
        self._offset_ms += int(seconds * 1000)
        # Wake every sleeper so it can see whether its simulated deadline has passed.
        self._advanced.set()
        self._advanced = asyncio.Event()

    async def sleep(self, simulated_seconds: float) -> None:
        """Wait ``simulated_seconds`` times time_scale of real time, or less if the clock is
        advanced past the simulated deadline meanwhile."""
        if simulated_seconds <= 0:
            return
        deadline_ms = self.now_ms() + int(simulated_seconds * 1000)
        loop = asyncio.get_running_loop()
        real_deadline = loop.time() + simulated_seconds * self._time_scale()
        while self.now_ms() < deadline_ms:
            remaining = real_deadline - loop.time()
            if remaining <= 0:
                return
            advanced = self._advanced
            try:
                await asyncio.wait_for(advanced.wait(), timeout=remaining)
            except TimeoutError:
                return
