"""One consumer of one embedded queue: claim a batch, handle it in order, settle each row.

The batch is the queue policy's prefetch; rows stay leased (and the lease renewed) while
they wait their turn, and go back untouched when the subscription is cancelled. With
``single_active_consumer`` the subscription first takes the queue's in-process lock, so
other subscriptions stand by exactly as RabbitMQ's single active consumer makes them.
An idle consumer sleeps on the queue's wake-up event (set by publish and replay) with a
timeout reaching to the next delayed retry or lease end, at most ``poll_interval``: the
slow poll is only the safety net for writes made by another process.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.contextvars import bound_contextvars

from mlc_shared.bus.base import AttemptRecord, Handler, Subscription
from mlc_shared.bus.delivery import FAILURES_HEADER, Park, decide, header_int
from mlc_shared.bus.embedded import queries
from mlc_shared.bus.embedded.queries import Claimed
from mlc_shared.bus.topology import QueuePolicy
from mlc_shared.logging import get_logger
from mlc_shared.messages.envelope import Envelope, InvalidMessage
from mlc_shared.store.engine import READ_ONLY, begin_write

log = get_logger(__name__)

CRASH_LOOP_REASON = (
    "delivered too many times without an acknowledgement: its consumer died while handling "
    "it (embedded bus delivery limit)"
)


@dataclass(frozen=True)
class QueueContext:
    """What a subscription shares with its bus."""

    engine: AsyncEngine
    queue: str
    physical: str
    policy: QueuePolicy
    wake: asyncio.Event
    active: asyncio.Lock | None
    lease: float
    poll_interval: float


class EmbeddedSubscription(Subscription):
    def __init__(self, ctx: QueueContext, handler: Handler) -> None:
        self._ctx = ctx
        self._handler = handler
        self._stop = asyncio.Event()
        self._held: set[int] = set()
        self._acked: list[int] = []
        self._task: asyncio.Task[None] | None = None
        self._renewer: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"bus-consumer:{self._ctx.queue}")
        self._renewer = asyncio.create_task(self._renew(), name=f"bus-lease:{self._ctx.queue}")

    async def cancel(self) -> None:
        self._stop.set()
        self._ctx.wake.set()
        if self._task is not None:
            await self._task  # the in-flight handler finishes and its row is settled first
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer

    async def _run(self) -> None:
        lock = self._ctx.active
        if lock is not None and not await self._acquire(lock):
            return
        try:
            while not self._stop.is_set():
                try:
                    batch = await self._claim()
                except Exception:
                    log.exception("bus.claim_failed", queue=self._ctx.queue)
                    batch = []
                if not batch:
                    await self._idle()
                    continue
                for claimed in batch:
                    if self._stop.is_set():
                        break  # the rest goes back untouched (finally)
                    await self._process(claimed)
        finally:
            await self._release()
            if lock is not None:
                lock.release()

    async def _acquire(self, lock: asyncio.Lock) -> bool:
        """Wait to become the active consumer; False when cancelled first."""
        acquiring = asyncio.ensure_future(lock.acquire())
        stopping = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({acquiring, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not acquiring.done():
                acquiring.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await acquiring
        if acquiring.cancelled():
            return False
        if self._stop.is_set():
            lock.release()
            return False
        return True

    async def _claim(self) -> list[Claimed]:
        """Delete the rows handled since the last claim and claim the next batch, in one
        transaction: one commit (one fsync) per batch instead of one per message."""
        self._ctx.wake.clear()
        ctx = self._ctx
        acked, self._acked = self._acked, []
        try:
            async with begin_write(ctx.engine) as conn:
                await queries.ack(conn, acked)
                batch = await queries.claim(
                    conn, ctx.physical, ctx.policy.prefetch, time.time(), ctx.lease
                )
        except BaseException:
            self._acked = acked + self._acked
            raise
        self._held.difference_update(acked)
        self._held.update(c.id for c in batch)
        return batch

    async def _flush_acks(self) -> None:
        acked, self._acked = self._acked, []
        if not acked:
            return
        try:
            async with begin_write(self._ctx.engine) as conn:
                await queries.ack(conn, acked)
        except Exception:
            # Their leases run out and they are delivered again (at least once).
            log.exception("bus.ack_failed", queue=self._ctx.queue)
        self._held.difference_update(acked)

    async def _idle(self) -> None:
        ctx = self._ctx
        timeout = ctx.poll_interval
        try:
            async with ctx.engine.connect() as conn:
                conn = await conn.execution_options(**READ_ONLY)
                due = await queries.next_due(conn, ctx.physical)
            if due is not None:
                timeout = min(timeout, max(due - time.time(), 0.005))
        except Exception:
            log.exception("bus.poll_failed", queue=ctx.queue)
        await _wait_any((ctx.wake, self._stop), timeout)

    async def _release(self) -> None:
        await self._flush_acks()
        if not self._held:
            return
        held, self._held = set(self._held), set()
        try:
            async with begin_write(self._ctx.engine) as conn:
                await queries.release(conn, held)
        except Exception:
            # Their leases run out instead; they are delivered again then.
            log.exception("bus.release_failed", queue=self._ctx.queue)

    async def _renew(self) -> None:
        ctx = self._ctx
        while True:
            await asyncio.sleep(ctx.lease / 3)
            if not self._held:
                continue
            try:
                async with begin_write(ctx.engine) as conn:
                    await queries.renew(conn, set(self._held), time.time() + ctx.lease)
            except Exception:
                log.exception("bus.lease_renewal_failed", queue=ctx.queue)

    async def _process(self, claimed: Claimed) -> None:
        try:
            await self._settle(claimed)
        except Exception:
            # Not settled (database unavailable): the lease runs out and the row is
            # delivered again, as an unacknowledged RabbitMQ delivery would be.
            log.exception("bus.delivery_unsettled", queue=self._ctx.queue)
            self._held.discard(claimed.id)

    async def _settle(self, claimed: Claimed) -> None:
        if claimed.redeliveries > self._ctx.policy.redelivery_limit:
            log.warning("bus.parked", queue=self._ctx.queue, reason=CRASH_LOOP_REASON)
            await self._park(claimed, CRASH_LOOP_REASON, claimed.history)
            return
        try:
            envelope = Envelope.decode(claimed.body)
        except InvalidMessage as exc:
            log.warning("bus.invalid_message", queue=self._ctx.queue, reason=exc.reason)
            await self._park(claimed, exc.reason, claimed.history)
            return
        with bound_contextvars(
            correlation_id=envelope.correlation_id,
            message_id=envelope.message_id,
            tenant=envelope.tenant,
            queue=self._ctx.queue,
            attempt=envelope.attempt,
        ):
            try:
                await self._handler(envelope)
            except Exception as exc:
                await self._fail(claimed, envelope, exc)
            else:
                # Deleted with the next claim (still leased until then); see _claim.
                self._acked.append(claimed.id)

    async def _fail(self, claimed: Claimed, envelope: Envelope, exc: Exception) -> None:
        outcome = decide(
            exc,
            attempt=envelope.attempt,
            failures=header_int(claimed.headers, FAILURES_HEADER),
            history=claimed.history,
            policy=self._ctx.policy,
            now=datetime.now(UTC),
        )
        if isinstance(outcome, Park):
            log.warning("bus.parked", reason=outcome.reason)
            await self._park(claimed, outcome.reason, outcome.history)
            return
        log.info(
            "bus.retry",
            error=outcome.history[-1].error if outcome.history else str(exc),
            delay=outcome.delay,
            next_attempt=outcome.attempt,
        )
        async with begin_write(self._ctx.engine) as conn:
            await queries.retry(conn, claimed, envelope, outcome, time.time())
        self._held.discard(claimed.id)

    async def _park(
        self, claimed: Claimed, reason: str, history: tuple[AttemptRecord, ...]
    ) -> None:
        async with begin_write(self._ctx.engine) as conn:
            await queries.park(conn, claimed.id, reason, history, claimed.headers, time.time())
        self._held.discard(claimed.id)


async def _wait_any(events: tuple[asyncio.Event, ...], seconds: float) -> None:
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
