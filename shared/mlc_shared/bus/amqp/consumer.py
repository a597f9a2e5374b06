"""One consumer of one work queue: deliveries handled one at a time, in queue order.

aio-pika runs every delivery callback as its own task, so handlers would overlap and
finish out of order. The callback therefore only appends to a local buffer (filled up to
the queue's prefetch by the broker) and a single worker task takes messages from it in
order: the prefetch keeps the pipe full, the worker keeps the order. Services that want
parallelism and do not need order subscribe more than once.

A message is acknowledged only after its outcome is durable: the handler returned, or the
retry/parking copy was confirmed by the broker. Anything else (crash, lost connection)
leaves it unacknowledged and RabbitMQ delivers it again. Because settling is in order,
acknowledgements are cumulative (acks.py).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aio_pika.abc import (
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustChannel,
    AbstractRobustConnection,
)
from aio_pika.exceptions import ChannelInvalidStateError
from structlog.contextvars import bound_contextvars

from mlc_shared.bus.amqp.acks import CumulativeAcks
from mlc_shared.bus.amqp.declarations import declarations
from mlc_shared.bus.amqp.messages import (
    parked_copy,
    published_tenant,
    retry_copy,
    tenant_of,
)
from mlc_shared.bus.amqp.publisher import Publisher
from mlc_shared.bus.base import AttemptRecord, Handler, Subscription
from mlc_shared.bus.delivery import (
    FAILURES_HEADER,
    HISTORY_HEADER,
    Park,
    decide,
    decode_history,
    header_int,
)
from mlc_shared.bus.topology import Topology
from mlc_shared.logging import get_logger
from mlc_shared.messages.envelope import Envelope, InvalidMessage

log = get_logger(__name__)

UNSETTLED_PAUSE_SECONDS = 1.0
SHUTDOWN_STEP_SECONDS = 5.0
"""Bound on each broker round trip while shutting down: an unreachable broker must not
keep a service from stopping (what was not acknowledged is redelivered anyway)."""


class AmqpSubscription(Subscription):
    def __init__(
        self,
        connection: AbstractRobustConnection,
        publisher: Publisher,
        topology: Topology,
        queue: str,
        handler: Handler,
    ) -> None:
        self._connection = connection
        self._publisher = publisher
        self._topology = topology
        self._queue = queue
        self._policy = topology.policy(queue)
        self._handler = handler
        self._buffer: asyncio.Queue[AbstractIncomingMessage | None] = asyncio.Queue()
        self._cancelled = False
        self._channel: AbstractRobustChannel | None = None
        self._amqp_queue: AbstractQueue | None = None
        self._tag: str | None = None
        self._worker: asyncio.Task[None] | None = None
        self._acks = CumulativeAcks(every=self._policy.prefetch // 2)

    async def start(self) -> None:
        work = declarations(self._topology, self._queue).work
        channel = await self._connection.channel()
        assert isinstance(channel, AbstractRobustChannel)
        self._channel = channel
        # Restored with the channel after a reconnect (aio-pika RobustChannel), as is the
        # consumer registered below.
        await channel.set_qos(prefetch_count=self._policy.prefetch)
        # Passive: the bus declared (or verified) it, and a consuming user (a tenant's
        # agent) may read the queue without being allowed to configure it.
        self._amqp_queue = await channel.declare_queue(work.name, passive=True)
        self._worker = asyncio.create_task(self._run(), name=f"bus-consumer:{self._queue}")
        self._tag = await self._amqp_queue.consume(self._on_delivery)

    async def cancel(self) -> None:
        if self._cancelled:
            return
        self._cancelled = True
        if self._amqp_queue is not None and self._tag is not None:
            try:
                async with asyncio.timeout(SHUTDOWN_STEP_SECONDS):
                    await self._amqp_queue.cancel(self._tag)
            except Exception as exc:  # broker gone: nothing more will arrive anyway
                log.debug("bus.cancel_failed", queue=self._queue, error=repr(exc))
        self._buffer.put_nowait(None)
        if self._worker is not None:
            await self._worker  # the in-flight handler finishes and acks first
        await self._acks.drain()
        if self._channel is not None and not self._channel.is_closed:
            # Closing returns the still-buffered, never-started deliveries to the queue.
            try:
                async with asyncio.timeout(SHUTDOWN_STEP_SECONDS):
                    await self._channel.close()
            except Exception as exc:
                log.debug("bus.channel_close_failed", queue=self._queue, error=repr(exc))

    async def _on_delivery(self, message: AbstractIncomingMessage) -> None:
        self._buffer.put_nowait(message)

    async def _run(self) -> None:
        while not self._cancelled:
            message = await self._buffer.get()
            if message is None or self._cancelled:
                return
            if _stale(message):
                # Delivered on a channel that has since died; the broker requeued it and
                # delivers it again on the restored channel.
                continue
            try:
                await self._process(message)
            except Exception:
                # The outcome could not be made durable (the retry or parking copy was not
                # confirmed): give the message back, after a pause so that a broker that
                # refuses everything is not hammered.
                log.exception("bus.delivery_unsettled", queue=self._queue)
                await self._acks.drain()
                await asyncio.sleep(UNSETTLED_PAUSE_SECONDS)
                await _nack(message)
            else:
                self._acks.settled(message, idle=self._buffer.empty())

    async def _process(self, message: AbstractIncomingMessage) -> None:
        try:
            envelope = Envelope.decode(message.body)
        except InvalidMessage as exc:
            log.warning("bus.invalid_message", queue=self._queue, reason=exc.reason)
            await self._park(message, tenant_of(message, self._queue), exc.reason, ())
            return
        published_as = published_tenant(message, self._queue)
        if published_as is not None and published_as != envelope.tenant:
            # The broker confined the publisher to its own routing keys; the body is the
            # publisher's word. A tenant's agent must not act for another tenant (issue 8).
            reason = (
                f"the envelope names tenant {envelope.tenant!r} but was published as tenant "
                f"{published_as!r} (routing key {message.routing_key!r}): refused"
            )
            log.warning("bus.tenant_mismatch", queue=self._queue, reason=reason)
            await self._park(message, published_as, reason, ())
            return
        with bound_contextvars(
            correlation_id=envelope.correlation_id,
            message_id=envelope.message_id,
            tenant=envelope.tenant,
            queue=self._queue,
            attempt=envelope.attempt,
        ):
            try:
                await self._handler(envelope)
            except Exception as exc:
                await self._settle_failure(message, envelope, exc)

    async def _settle_failure(
        self, message: AbstractIncomingMessage, envelope: Envelope, exc: Exception
    ) -> None:
        outcome = decide(
            exc,
            attempt=envelope.attempt,
            failures=header_int(message.headers, FAILURES_HEADER),
            history=decode_history(message.headers.get(HISTORY_HEADER)),
            policy=self._policy,
            now=datetime.now(UTC),
        )
        if isinstance(outcome, Park):
            log.warning("bus.parked", reason=outcome.reason)
            await self._park(message, envelope.tenant, outcome.reason, outcome.history)
            return
        log.info(
            "bus.retry",
            error=outcome.history[-1].error if outcome.history else str(exc),
            delay=outcome.delay,
            next_attempt=outcome.attempt,
        )
        copy = retry_copy(envelope, message.headers, outcome)
        key = self._topology.retry_routing_key(self._queue, envelope.tenant, outcome.tier)
        await self._publisher.publish(key, copy)

    async def _park(
        self,
        message: AbstractIncomingMessage,
        tenant: str,
        reason: str,
        history: tuple[AttemptRecord, ...],
    ) -> None:
        copy = parked_copy(
            message, tenant=tenant, reason=reason, history=history, now=datetime.now(UTC)
        )
        await self._publisher.publish(self._topology.parking_routing_key(self._queue, tenant), copy)


def _stale(message: AbstractIncomingMessage) -> bool:
    try:
        message.channel  # noqa: B018 - raises once the delivering channel is closed
    except ChannelInvalidStateError:
        return True
    return False


async def _nack(message: AbstractIncomingMessage) -> None:
    try:
        await message.nack(requeue=True)
    except Exception as exc:
        log.warning("bus.nack_lost", error=str(exc))
