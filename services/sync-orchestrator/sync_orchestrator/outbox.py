"""The outbox relay: publishes committed outbox rows, in order, then marks them published.

A crash between publish and mark re-publishes those rows on restart. That is the intended
side of the trade: consumers are idempotent (inbox, Tally duplicate check, absolute Walmart
values), so a duplicate costs nothing, while a row marked published that never reached its
queue would lose work.
"""

from __future__ import annotations

import asyncio
import contextlib
from itertools import groupby

from mlc_shared.bus.base import Bus
from mlc_shared.logging import get_logger
from mlc_shared.store.base import Store

log = get_logger(__name__)


class OutboxRelay:
    def __init__(self, store: Store, bus: Bus, *, poll_s: float = 1.0, batch: int = 500) -> None:
        self._store = store
        self._bus = bus
        self._poll_s = poll_s
        self._batch = batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    @property
    def running(self) -> bool:
        return self._task is not None

    async def stop(self) -> None:
        # Forgetting the task lets a replica that stepped down show (and be) idle, and start
        # the relay afresh when it leads again.
        task, self._task = self._task, None
        if task:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def drain(self) -> int:
        """Publish everything pending now; returns how many rows were published."""
        published = 0
        while rows := await self._store.unpublished_outbox(self._batch):
            for queue, group in groupby(rows, key=lambda r: r.queue):
                batch = list(group)
                await self._bus.publish_many(queue, [r.envelope for r in batch])
                await self._store.mark_outbox_published([r.id for r in batch])
                published += len(batch)
        return published

    async def _run(self) -> None:
        while True:
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: keep the rows, try again
                log.warning("outbox relay could not publish; will retry", error=str(exc))
                await asyncio.sleep(self._poll_s)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_s)

    async def pending(self) -> int:
        return len(await self._store.unpublished_outbox(self._batch))
