"""The RabbitMQ adapter of the :class:`~mlc_shared.bus.base.Bus` port (aio-pika).

One robust connection per bus (``connect_robust``: reconnects with the same channels,
QoS, queues and consumers after a broker restart or a lost connection), one confirmed
channel for every publish, one channel per subscription so each has its own prefetch.
Queues are declared on first use (and the ``queues`` given, at start); declaration is
idempotent as long as the arguments agree, which they do because they all come from
:func:`~mlc_shared.bus.amqp.declarations.declarations`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import aio_pika
from aio_pika import ExchangeType
from aio_pika.abc import AbstractRobustConnection
from aiormq.exceptions import ChannelAccessRefused, ChannelNotFoundEntity
from yarl import URL

from mlc_shared.bus.amqp import parking
from mlc_shared.bus.amqp.consumer import SHUTDOWN_STEP_SECONDS, AmqpSubscription
from mlc_shared.bus.amqp.declarations import declarations
from mlc_shared.bus.amqp.messages import outgoing
from mlc_shared.bus.amqp.publisher import Publisher
from mlc_shared.bus.base import (
    Bus,
    Handler,
    ParkedMessage,
    PublishFailed,
    QueueDepth,
    Subscription,
)
from mlc_shared.bus.topology import Topology
from mlc_shared.logging import get_logger, redact_text
from mlc_shared.messages.envelope import Envelope

log = get_logger(__name__)

HEARTBEAT_SECONDS = 30
"""Half RabbitMQ's default 60 s: a dead peer (laptop asleep, NAT dropped the flow) is
noticed within about a minute and the robust connection starts reconnecting."""

RECONNECT_INTERVAL_SECONDS = 2.0
CONNECT_TIMEOUT_SECONDS = 15.0
"""start() gives up after this; a broker that accepts TCP but never answers must not hang
a service's start-up."""
PING_TIMEOUT_SECONDS = 2.0
PUBLISH_TIMEOUT_SECONDS = 10.0
"""Longer than a confirm takes on a healthy broker by orders of magnitude; short enough
that the webhook receiver answers Walmart 503 well inside Walmart's own timeout."""


class AmqpBus(Bus):
    def __init__(
        self,
        url: str,
        *,
        topology: Topology | None = None,
        queues: Sequence[str] = (),
        publish_timeout: float = PUBLISH_TIMEOUT_SECONDS,
        heartbeat: int = HEARTBEAT_SECONDS,
        reconnect_interval: float = RECONNECT_INTERVAL_SECONDS,
        connection_name: str = "mlc",
    ) -> None:
        self._url = url
        self.topology = topology or Topology()
        self._queues = tuple(queues)
        self._publish_timeout = publish_timeout
        self._heartbeat = heartbeat
        self._reconnect_interval = reconnect_interval
        self._connection_name = connection_name
        self._connection: AbstractRobustConnection | None = None
        self._publisher: Publisher | None = None
        self._declared: set[str] = set()
        self._declare_lock = asyncio.Lock()
        self._may_configure = True
        self._start_lock = asyncio.Lock()
        self._subscriptions: list[AmqpSubscription] = []

    async def start(self) -> None:
        async with self._start_lock:
            if self._connection is None:
                await self._connect()

    async def _connect(self) -> None:
        url = URL(self._url)
        if "heartbeat" not in url.query:
            url = url.update_query(heartbeat=self._heartbeat)
        connection = await aio_pika.connect_robust(
            url,
            timeout=CONNECT_TIMEOUT_SECONDS,
            reconnect_interval=self._reconnect_interval,
            name=self._connection_name,
        )
        publisher = Publisher(connection, self.topology.exchange, self._publish_timeout)
        try:
            await publisher.open()
            self._connection, self._publisher = connection, publisher
            for queue in self._queues:
                await self._ensure(queue)
        except BaseException:
            self._connection = self._publisher = None
            await connection.close()
            raise

    async def close(self) -> None:
        subscriptions, self._subscriptions = self._subscriptions, []
        for subscription in subscriptions:
            await subscription.cancel()
        connection, publisher = self._connection, self._publisher
        self._connection = self._publisher = None
        self._declared.clear()
        try:
            async with asyncio.timeout(SHUTDOWN_STEP_SECONDS):
                if publisher is not None:
                    await publisher.close()
                if connection is not None:
                    await connection.close()
        except TimeoutError:
            log.warning("bus.close_timed_out", seconds=SHUTDOWN_STEP_SECONDS)

    async def publish(self, queue: str, message: Envelope) -> None:
        publisher = await self._ready(queue, publishing=True)
        await publisher.publish(self.topology.routing_key(queue, message.tenant), outgoing(message))

    async def publish_many(self, queue: str, messages: Sequence[Envelope]) -> None:
        publisher = await self._ready(queue, publishing=True)
        await publisher.publish_many(
            [(self.topology.routing_key(queue, m.tenant), outgoing(m)) for m in messages]
        )

    async def consume(self, queue: str, handler: Handler) -> Subscription:
        publisher = await self._ready(queue)
        assert self._connection is not None
        subscription = AmqpSubscription(self._connection, publisher, self.topology, queue, handler)
        await subscription.start()
        self._subscriptions.append(subscription)
        return subscription

    async def parked(self, queue: str, limit: int = 100) -> list[ParkedMessage]:
        await self._ready(queue)
        assert self._connection is not None
        return await parking.list_parked(self._connection, self.topology, queue, limit)

    async def replay(self, queue: str, message_id: str | None = None) -> int:
        publisher = await self._ready(queue)
        assert self._connection is not None
        return await parking.replay(self._connection, publisher, self.topology, queue, message_id)

    async def purge_parked(self, queue: str, message_id: str | None = None) -> int:
        await self._ready(queue)
        assert self._connection is not None
        return await parking.purge(self._connection, self.topology, queue, message_id)

    async def depth(self, queue: str) -> QueueDepth:
        """``ready``: waiting in the work queue or a retry tier (not yet delivered or
        delivered but unacknowledged are not counted); ``parked``: in the parking queue."""
        await self._ready(queue)
        assert self._connection is not None
        decl = declarations(self.topology, queue)
        counts: dict[str, int] = {}
        async with self._connection.channel(publisher_confirms=False) as channel:
            for item in decl.all:
                declared = await channel.declare_queue(item.name, passive=True)
                counts[item.name] = declared.declaration_result.message_count or 0
        ready = counts[decl.work.name] + sum(counts[r.name] for r in decl.retries)
        return QueueDepth(ready=ready, parked=counts[decl.parking.name])

    async def ping(self) -> bool:
        connection = self._connection
        if connection is None or connection.is_closed or not connection.connected.is_set():
            return False  # closed, or the robust connection is between reconnect attempts
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                async with connection.channel(publisher_confirms=False):
                    return True
        except Exception:
            return False

    async def _ready(self, queue: str, *, publishing: bool = False) -> Publisher:
        if self._publisher is None:
            error = PublishFailed if publishing else RuntimeError
            raise error("the bus is not started (call start() first)")
        if not publishing:
            await self._ensure(queue)
            return self._publisher
        try:
            async with asyncio.timeout(self._publish_timeout):
                await self._ensure(queue)
        except Exception as exc:  # the broker is unreachable or refused the declaration
            raise PublishFailed(
                redact_text(f"cannot declare queue {queue!r}: {type(exc).__name__}: {exc}")
            ) from exc
        return self._publisher

    async def _ensure(self, queue: str) -> None:
        """Declare ``queue``'s exchange binding, retry tiers and parking queue, once.

        A user without "configure" permission (a tenant's agent, deploy/rabbitmq/users.json)
        is refused (403); the topology must then have been loaded from
        deploy/rabbitmq/definitions.json, and it is only verified to exist."""
        if queue in self._declared:
            return
        async with self._declare_lock:
            if queue in self._declared or self._connection is None:
                return
            if self._may_configure:
                try:
                    await self._declare(queue)
                except ChannelAccessRefused:
                    self._may_configure = False
                    log.info("bus.declare_refused", queue=queue)
            if not self._may_configure:
                await self._verify(queue)
            self._declared.add(queue)
            log.debug("bus.declared", queue=queue)

    async def _declare(self, queue: str) -> None:
        assert self._connection is not None
        async with self._connection.channel(publisher_confirms=False) as channel:
            exchange = await channel.declare_exchange(
                self.topology.exchange, ExchangeType.TOPIC, durable=True
            )
            for item in declarations(self.topology, queue).all:
                declared = await channel.declare_queue(
                    item.name, durable=True, arguments=item.arguments
                )
                await declared.bind(exchange, item.binding)

    async def _verify(self, queue: str) -> None:
        assert self._connection is not None
        names = [item.name for item in declarations(self.topology, queue).all]
        async with self._connection.channel(publisher_confirms=False) as channel:
            try:
                await channel.declare_exchange(self.topology.exchange, passive=True)
                for name in names:
                    await channel.declare_queue(name, passive=True)
            except ChannelNotFoundEntity as exc:
                raise RuntimeError(
                    f"{exc}: this RabbitMQ user may not declare queues, and the topology is "
                    "missing; load deploy/rabbitmq/definitions.json (python -m "
                    "mlc_shared.bus.amqp.definitions) or start a service whose user may"
                ) from exc
