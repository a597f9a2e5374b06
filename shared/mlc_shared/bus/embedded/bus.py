"""The embedded bus: the :class:`~mlc_shared.bus.base.Bus` contract on the SQLite store.

Standalone mode (ARCHITECTURE.md, "Two ways to run") runs every service in one process
with no broker. Messages live in ``bus_messages`` in the store's own SQLite file, so a
publish is durable when its transaction commits (WAL, ``synchronous=FULL``: store/engine.py)
and a flow's state and the messages it sends share one file and one backup.

One process owns the file's queues: :meth:`start` makes every row a previous process left
in flight ready again at once (it died before acknowledging), rather than waiting for the
lease to run out. Within the process any number of subscriptions may share a queue.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from mlc_shared.bus.base import (
    Bus,
    Handler,
    ParkedMessage,
    PublishFailed,
    QueueDepth,
    Subscription,
)
from mlc_shared.bus.delivery import TENANT_HEADER, decode_history
from mlc_shared.bus.embedded import queries
from mlc_shared.bus.embedded.consumer import EmbeddedSubscription, QueueContext
from mlc_shared.bus.embedded.group_commit import GroupCommit
from mlc_shared.bus.topology import Topology
from mlc_shared.logging import get_logger, redact_text
from mlc_shared.messages.envelope import Envelope, InvalidMessage
from mlc_shared.store.engine import READ_ONLY, begin_write
from mlc_shared.store.migrate import upgrade

log = get_logger(__name__)

LEASE_SECONDS = 30.0
"""How long a claimed message stays invisible without a lease renewal (every third of it).
Only matters when a consumer dies without the process dying, or on a second process."""

POLL_INTERVAL_SECONDS = 5.0
"""Safety-net poll of an idle queue; in-process publishes wake consumers at once."""


class EmbeddedBus(Bus):
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        topology: Topology | None = None,
        lease_seconds: float = LEASE_SECONDS,
        poll_interval: float = POLL_INTERVAL_SECONDS,
        owns_engine: bool = False,
        recover: bool = True,
    ) -> None:
        """``recover=False``: a visitor to a file another process owns (operator commands
        such as ``mlc dlq`` next to a running ``mlc run``): leave its in-flight rows alone."""
        self._engine = engine
        self._recover = recover
        self.topology = topology or Topology()
        self._lease = lease_seconds
        self._poll_interval = poll_interval
        self._owns_engine = owns_engine
        self._started = False
        self._start_lock = asyncio.Lock()
        self._wake: dict[str, asyncio.Event] = {}
        self._active: dict[str, asyncio.Lock] = {}
        self._subscriptions: list[EmbeddedSubscription] = []
        self._group_commit = GroupCommit(engine, self._signal_all)

    async def start(self) -> None:
        async with self._start_lock:
            if self._started:
                return
            await upgrade(self._engine)
            namespace = self.topology.namespace
            recovered = 0
            if self._recover:
                async with begin_write(self._engine) as conn:
                    prefix = f"{namespace}." if namespace else None
                    recovered = await queries.recover(conn, prefix)
            if recovered:
                log.warning("bus.recovered_inflight", messages=recovered)
            self._started = True

    async def close(self) -> None:
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            await subscription.cancel()
        self._started = False
        if self._owns_engine:
            await self._engine.dispose()

    async def publish(self, queue: str, message: Envelope) -> None:
        await self.publish_many(queue, [message])

    async def publish_many(self, queue: str, messages: Sequence[Envelope]) -> None:
        if not messages:
            return
        self._require_started(publishing=True)
        now = time.time()
        physical = self.topology.physical(queue)
        rows = [queries.new_row(physical, m, {TENANT_HEADER: m.tenant}, now) for m in messages]
        try:
            await self._group_commit.insert(rows)  # wakes the queue's consumers once stored
        except SQLAlchemyError as exc:
            raise PublishFailed(
                redact_text(f"could not store {len(rows)} message(s) for {queue!r}: {exc}")
            ) from exc

    async def consume(self, queue: str, handler: Handler) -> Subscription:
        self._require_started()
        physical = self.topology.physical(queue)
        policy = self.topology.policy(queue)
        active = (
            self._active.setdefault(physical, asyncio.Lock())
            if policy.single_active_consumer
            else None
        )
        ctx = QueueContext(
            engine=self._engine,
            queue=queue,
            physical=physical,
            policy=policy,
            wake=self._event(physical),
            active=active,
            lease=self._lease,
            poll_interval=self._poll_interval,
        )
        subscription = EmbeddedSubscription(ctx, handler)
        subscription.start()
        self._subscriptions.append(subscription)
        return subscription

    async def parked(self, queue: str, limit: int = 100) -> list[ParkedMessage]:
        self._require_started()
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(**READ_ONLY)
            rows = await queries.parked(conn, self.topology.physical(queue), limit)
        return [_parked_message(queue, row._mapping) for row in rows]

    async def replay(self, queue: str, message_id: str | None = None) -> int:
        self._require_started()
        physical = self.topology.physical(queue)
        async with begin_write(self._engine) as conn:
            count = await queries.replay(conn, physical, message_id, time.time())
        if count:
            self._signal(physical)
        return count

    async def purge_parked(self, queue: str, message_id: str | None = None) -> int:
        self._require_started()
        async with begin_write(self._engine) as conn:
            return await queries.purge(conn, self.topology.physical(queue), message_id)

    async def depth(self, queue: str) -> QueueDepth:
        """``ready``: waiting (including delayed retries), not counting messages in flight."""
        self._require_started()
        async with self._engine.connect() as conn:
            conn = await conn.execution_options(**READ_ONLY)
            counts = await queries.counts(conn, self.topology.physical(queue))
        return QueueDepth(ready=counts.get(queries.READY, 0), parked=counts.get(queries.PARKED, 0))

    async def ping(self) -> bool:
        if not self._started:
            return False
        try:
            async with self._engine.connect() as conn:
                conn = await conn.execution_options(**READ_ONLY)
                await queries.counts(conn, "")
            return True
        except SQLAlchemyError:
            return False

    def _require_started(self, *, publishing: bool = False) -> None:
        if not self._started:
            error = PublishFailed if publishing else RuntimeError
            raise error("the bus is not started (call start() first)")

    def _event(self, physical: str) -> asyncio.Event:
        return self._wake.setdefault(physical, asyncio.Event())

    def _signal(self, physical: str) -> None:
        self._event(physical).set()

    def _signal_all(self, physicals: set[str]) -> None:
        for physical in physicals:
            self._signal(physical)


def _parked_message(queue: str, row: Any) -> ParkedMessage:
    body: bytes = row["body"]
    try:
        envelope: Envelope | None = Envelope.decode(body)
    except InvalidMessage:
        envelope = None
    headers = row["headers"] if isinstance(row["headers"], dict) else {}
    parked_at = row["parked_at"] if row["parked_at"] is not None else row["created_at"]
    return ParkedMessage(
        queue=queue,
        message_id=row["message_id"],
        reason=row["reason"] or "parked (no reason recorded)",
        body=body,
        parked_at=datetime.fromtimestamp(parked_at, UTC),
        envelope=envelope,
        history=decode_history(row["history"]),
        headers=dict(headers),
    )
