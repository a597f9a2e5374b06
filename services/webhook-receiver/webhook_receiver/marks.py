"""Recording "published" off the request path, in batches.

Once the broker has confirmed a message the answer to Walmart need not wait for the row to
be marked: if the mark is lost (a crash, the database away), the sweep publishes the event
once more under the same message id, which the orchestrator's inbox absorbs. Marking in
batches saves a transaction per event: while one batch commits, the next accumulates, and
a batch waits up to ``LINGER`` seconds for company (at a steady 200 events/s a mark would
otherwise cost one transaction of its own, bench/webhooks.py).
Until its mark commits, and for a while after, an event counts as published here
(:meth:`published`): a duplicate delivery, or a sweep that read the table just before the
mark committed, does not publish it again.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from mlc_shared.logging import get_logger
from mlc_shared.store.base import Store
from mlc_shared.store.errors import StoreError

log = get_logger(__name__)

BATCH = 200
LINGER = 0.1
"""Seconds a mark waits for others before its batch commits, unless ``BATCH`` are queued."""
RECENT = 100_000
"""Marked events remembered here: at 200 events/s, over eight minutes; a few MB."""


class PublishedMarks:
    def __init__(self, store: Store, *, timeout: float) -> None:
        self._store = store
        self._timeout = timeout
        self._queued: list[str] = []
        self._pending: set[str] = set()
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def add(self, event_id: str) -> None:
        self._pending.add(event_id)
        self._queued.append(event_id)
        self._wake.set()
        if self._task is None or self._task.done():
            self._closing = False
            self._task = asyncio.create_task(self._run(), name="webhook-receiver-marks")

    def published(self, event_id: str) -> bool:
        """Confirmed by this process: mark pending, or committed recently."""
        return event_id in self._pending or event_id in self._recent

    async def flush(self) -> None:
        while self._queued:
            batch, self._queued = self._queued[:BATCH], self._queued[BATCH:]
            try:
                async with asyncio.timeout(self._timeout):
                    await self._store.mark_webhooks_published(batch)
            except (StoreError, TimeoutError, OSError) as exc:
                # Confirmed but not recorded: the sweep will publish these once more.
                log.warning("webhook.mark_published_failed", events=len(batch), error=str(exc))
            else:
                for event_id in batch:
                    self._recent[event_id] = None
                while len(self._recent) > RECENT:
                    self._recent.popitem(last=False)
            finally:
                self._pending.difference_update(batch)

    async def close(self) -> None:
        """Commit what is queued. The batch in flight is let finish, not cancelled: a
        cancelled commit would throw its marks away."""
        if self._task is not None:
            self._closing = True
            self._wake.set()
            await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while not self._closing:
            await self._wake.wait()
            if len(self._queued) < BATCH and not self._closing:
                await asyncio.sleep(LINGER)
            self._wake.clear()
            await self.flush()
