"""Storing events in as few statements as the load allows (group commit).

A statement per delivery costs a pool checkout, the INSERT and its commit (a WAL flush);
and concurrent deliveries took more connections than the pool keeps, so overflow
connections were opened and closed all the time (one new PostgreSQL session per ~5 events
at 32 concurrent deliveries, bench/webhooks.py). Here one writer stores every row that
arrived while its previous statement ran, in one multi-row INSERT that commits by itself
(:meth:`Store.add_webhook_events`): a lone delivery waits for nothing extra, a burst shares
one statement, one commit and one connection.

Each caller gets its own row's answer (inserted, or already there) only once the
statement has committed, so the 200 still follows a committed row. A batch that fails
because the store is away or slow fails every caller in it (they answer 503). A batch that
fails for any other reason is tried again one row per statement, so one bad row fails
only its own delivery.
"""

from __future__ import annotations

import asyncio

from mlc_shared.logging import get_logger
from mlc_shared.store.base import Store
from mlc_shared.store.errors import StoreUnavailable
from mlc_shared.store.records import WebhookEvent

log = get_logger(__name__)

BATCH = 100
"""Rows per statement at most: a statement stays short, so the first caller in a large
batch does not wait long for the last row's INSERT."""

UNAVAILABLE = (StoreUnavailable, TimeoutError, OSError)
"""The store is away or too slow: trying the rows one by one would not help."""

_Waiting = tuple[WebhookEvent, asyncio.Future[bool]]


class BatchedInserts:
    def __init__(self, store: Store, *, timeout: float) -> None:
        self._store = store
        self._timeout = timeout
        self._queued: list[_Waiting] = []
        self._task: asyncio.Task[None] | None = None

    async def add(self, row: WebhookEvent) -> bool:
        """True when stored now, False when ``event_id`` was already stored; the store's
        exception otherwise. Cancelling the caller does not cancel the statement."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queued.append((row, answer))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="webhook-receiver-inserts")
        return await asyncio.shield(answer)

    async def close(self) -> None:
        """Let the rows already queued be stored."""
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        while self._queued:
            batch, self._queued = self._queued[:BATCH], self._queued[BATCH:]
            try:
                await self._insert(batch)
            except UNAVAILABLE as exc:
                _fail(batch, exc)
            except Exception:  # a row the store refuses: find it, spare the others
                log.warning("webhook.batch_insert_failed", events=len(batch))
                for one in batch:
                    try:
                        await self._insert([one])
                    except Exception as exc:
                        _fail([one], exc)

    async def _insert(self, batch: list[_Waiting]) -> None:
        async with asyncio.timeout(self._timeout):
            stored = await self._store.add_webhook_events([row for row, _ in batch])
        for row, answer in batch:
            inserted = row.event_id in stored
            stored.discard(row.event_id)  # a second copy in the batch was not the one stored
            if not answer.done():
                answer.set_result(inserted)


def _fail(batch: list[_Waiting], exc: BaseException) -> None:
    for _, answer in batch:
        if not answer.done():
            answer.set_exception(exc)
