"""Store, then publish with a confirm, then answer: the receiver's one guarantee.

Order of work for one delivery (ARCHITECTURE.md, "webhook-receiver"):

1. insert the event into ``webhook_events`` (unique on ``eventId``) and commit (together
   with the deliveries that arrive meanwhile, :mod:`.inserts`);
2. publish its message to ``orchestrator.events`` and wait for the publisher confirm;
3. answer 200, and mark the row published in the next batch (:mod:`.marks`).

A failure in 1 or 2 answers 503, so Walmart retries (§9.5). A crash or outage between 1 and
2 leaves a stored, unpublished row; nothing is lost, because

* Walmart's retry finds the row (a duplicate) and, seeing it unpublished, publishes it then;
* :meth:`Intake.sweep` publishes every unpublished row older than a grace period, even if
  Walmart never retries.

Both publish the message with the same message id (derived from tenant and ``eventId``), so
the orchestrator's inbox tells a re-publication from a new event. A duplicate of an event
already published answers 200 and publishes nothing. Concurrent deliveries of one event in
this process wait for each other, so they do not publish it twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Literal

from mlc_shared.bus.base import Bus, PublishFailed
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS
from mlc_shared.logging import get_logger
from mlc_shared.store.base import Store
from mlc_shared.store.errors import StoreError, StoreUnavailable
from mlc_shared.store.records import WebhookEvent

from webhook_receiver.events import Interpretation, MalformedDelivery, interpret
from webhook_receiver.inserts import BatchedInserts
from webhook_receiver.marks import PublishedMarks

log = get_logger(__name__)

Outcome = Literal["accepted", "duplicate"]

UNPUBLISHED_SCAN_LIMIT = 1000
"""Rows read when a duplicate arrives, to see whether it still needs publishing. Unpublished
rows exist only after an outage; past this many, the sweep catches the rest."""


class DependencyDown(Exception):
    """The store or the broker did not do its part in time: answer 503."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Intake:
    def __init__(
        self, bus: Bus, store: Store, *, timeout: float, clock: Callable[[], datetime] | None = None
    ) -> None:
        self._bus = bus
        self._store = store
        self._timeout = timeout
        self._clock = clock or (lambda: datetime.now(UTC))
        self._inflight: dict[str, tuple[asyncio.Lock, int]] = {}
        self._inserts = BatchedInserts(store, timeout=timeout)
        self._marks = PublishedMarks(store, timeout=timeout)

    def now(self) -> datetime:
        return self._clock()

    async def accept(self, interpretation: Interpretation) -> Outcome:
        """Stored and confirmed, or :class:`DependencyDown`."""
        event_id = interpretation.event_id
        async with self._exclusive(event_id):
            inserted = await self._store_row(interpretation.row)
            if not inserted and not await self._unpublished(event_id):
                return "duplicate"
            await self._publish(interpretation)
            self._marks.add(event_id)
            return "accepted" if inserted else "duplicate"

    async def close(self) -> None:
        """Commit the rows and marks still pending."""
        await self._inserts.close()
        await self._marks.close()

    async def sweep(self, grace: timedelta, limit: int = 500) -> int:
        """Publish stored events nobody published (a crash or an outage); how many."""
        try:
            async with asyncio.timeout(self._timeout):
                rows = await self._store.unpublished_webhook_events(limit)
        except (StoreError, TimeoutError) as exc:
            log.warning("webhook.sweep_store_unavailable", error=str(exc))
            return 0
        cutoff = self.now() - grace
        published = 0
        for row in rows:
            # Younger than the grace period, or held here: a request may still be publishing
            # it. No await separates this test from taking the lock, so none can start now.
            if (
                row.received_at > cutoff
                or row.event_id in self._inflight
                or self._marks.published(row.event_id)
            ):
                continue
            async with self._exclusive(row.event_id):
                try:
                    interpretation = reinterpret(row)
                except MalformedDelivery as exc:  # cannot happen for a row we stored
                    log.error(
                        "webhook.sweep_unreadable_row", event_id=row.event_id, reason=exc.reason
                    )
                    continue
                try:
                    await self._publish(interpretation)
                except DependencyDown as exc:
                    log.warning("webhook.sweep_broker_unavailable", error=exc.reason)
                    return published  # the broker is still away; the next sweep goes on
                self._marks.add(row.event_id)
                published += 1
                log.info("webhook.republished", event_id=row.event_id, tenant=row.tenant)
        return published

    async def _store_row(self, row: WebhookEvent) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                return await self._inserts.add(row)
        except (StoreUnavailable, TimeoutError, OSError) as exc:
            raise DependencyDown(f"store: {exc or type(exc).__name__}") from exc

    async def _unpublished(self, event_id: str) -> bool:
        if self._marks.published(event_id):
            return False
        try:
            async with asyncio.timeout(self._timeout):
                rows = await self._store.unpublished_webhook_events(UNPUBLISHED_SCAN_LIMIT)
        except (StoreUnavailable, TimeoutError, OSError) as exc:
            raise DependencyDown(f"store: {exc or type(exc).__name__}") from exc
        return any(row.event_id == event_id for row in rows)

    async def _publish(self, interpretation: Interpretation) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._bus.publish(ORCHESTRATOR_EVENTS, interpretation.message)
        except (PublishFailed, TimeoutError) as exc:
            raise DependencyDown(f"broker: {exc or type(exc).__name__}") from exc

    @asynccontextmanager
    async def _exclusive(self, event_id: str) -> AsyncIterator[None]:
        lock, users = self._inflight.get(event_id, (asyncio.Lock(), 0))
        self._inflight[event_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._inflight[event_id]
            if users <= 1:
                del self._inflight[event_id]
            else:
                self._inflight[event_id] = (lock, users - 1)


def reinterpret(row: WebhookEvent) -> Interpretation:
    """The message a stored row stands for, exactly as when it was received."""
    return interpret(row.tenant, row.body.encode("utf-8"), row.received_at)
