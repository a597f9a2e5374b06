"""One harness per bus adapter, so a single contract suite runs against both.

A harness starts buses on a per-test namespace with short retry delays, publishes raw
bodies the way a foreign or newer producer could (to test parking of undecodable input),
names the command line of a consumer process that dies mid-delivery, and cleans up after
the test (RabbitMQ: deletes every queue and the exchange of the namespace, so the shared
broker does not fill up across runs).
"""

from __future__ import annotations

import abc
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import aio_pika
from mlc_shared.bus import Bus, QueuePolicy, Topology
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.amqp.admin import delete_queues
from mlc_shared.bus.embedded import EmbeddedBus
from mlc_shared.bus.topology import (
    ORCHESTRATOR_EVENTS,
    WALMART_COMMANDS,
    standard_queues,
    tally_commands,
)
from mlc_shared.messages.envelope import Envelope
from mlc_shared.store.engine import create_engine
from mlc_shared.store.tables import bus_messages

from tests.contract.bus_probe import TENANT

REPO_ROOT = Path(__file__).resolve().parents[2]

EVENTS = ORCHESTRATOR_EVENTS
TALLY = tally_commands(TENANT)
CRASH_QUEUE = WALMART_COMMANDS
QUEUES = standard_queues(TENANT)

TEST_POLICY = QueuePolicy(delivery_limit=3, retry_delays=(0.2, 0.5), prefetch=10)
TALLY_TEST_POLICY = QueuePolicy(
    delivery_limit=3, retry_delays=(0.2, 0.5), prefetch=1, single_active_consumer=True
)
CRASH_LOOP_POLICY = QueuePolicy(
    delivery_limit=2, redelivery_limit=2, retry_delays=(0.2, 0.5), prefetch=1
)
"""Prefetch 1 so each crashing consumer holds exactly the message under test."""

WAIT_SECONDS = 60.0
"""Guard against a hang, never a speed assertion: waits end as soon as the condition holds."""

T = TypeVar("T")


def contract_topology(namespace: str) -> Topology:
    return Topology(
        namespace=namespace,
        default_policy=TEST_POLICY,
        tally_policy=TALLY_TEST_POLICY,
        overrides={CRASH_QUEUE: CRASH_LOOP_POLICY},
    )


async def eventually(
    probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], what: str
) -> T:
    """Poll ``probe`` until ``accept`` holds; fail with ``what`` if it never does."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        value = await probe()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last value: {value!r}")
        await asyncio.sleep(0.05)


class Recorder:
    """A handler that records every envelope it sees and optionally fails."""

    def __init__(self, behaviour: Callable[[Envelope], Awaitable[None]] | None = None) -> None:
        self.seen: list[Envelope] = []
        self._behaviour = behaviour
        self._changed = asyncio.Event()

    async def __call__(self, envelope: Envelope) -> None:
        self.seen.append(envelope)
        self._changed.set()
        if self._behaviour is not None:
            await self._behaviour(envelope)

    async def wait_for(self, accept: Callable[[list[Envelope]], bool], what: str) -> None:
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                while not accept(self.seen):
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            pass
        if not accept(self.seen):
            raise AssertionError(f"handler never saw {what}; saw {self.seen!r}")

    async def wait_count(self, count: int) -> None:
        await self.wait_for(lambda seen: len(seen) >= count, f"{count} messages")


class Harness(abc.ABC):
    kind: str

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.topology = contract_topology(namespace)
        self._buses: list[Bus] = []

    async def bus(self) -> Bus:
        bus = self._new_bus()
        await bus.start()
        self._buses.append(bus)
        return bus

    async def close(self) -> None:
        for bus in reversed(self._buses):
            try:
                async with asyncio.timeout(WAIT_SECONDS):
                    await bus.close()
            except Exception as exc:  # report, but still clean up the broker
                print(f"closing {bus!r} failed: {exc!r}", file=sys.stderr)
        await self.cleanup()

    def crashing_consumer(self, queue: str, *extra: str) -> list[str]:
        """argv of a process that consumes ``queue`` and dies before acknowledging."""
        return [
            sys.executable,
            "-m",
            "tests.contract.crashing_consumer",
            self.kind,
            self.url,
            self.namespace,
            queue,
            *extra,
        ]

    @property
    @abc.abstractmethod
    def url(self) -> str: ...

    @abc.abstractmethod
    def _new_bus(self) -> Bus: ...

    @abc.abstractmethod
    async def publish_raw(self, queue: str, body: bytes, message_id: str) -> None: ...

    async def cleanup(self) -> None:
        return None


class AmqpHarness(Harness):
    kind = "rabbitmq"

    def __init__(self, amqp_url: str, namespace: str) -> None:
        super().__init__(namespace)
        self._url = amqp_url

    @property
    def url(self) -> str:
        return self._url

    def _new_bus(self) -> Bus:
        return AmqpBus(self._url, topology=self.topology, connection_name=f"test:{self.namespace}")

    async def publish_raw(self, queue: str, body: bytes, message_id: str) -> None:
        connection = await aio_pika.connect(self._url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            exchange = await channel.get_exchange(self.topology.exchange)
            await exchange.publish(
                aio_pika.Message(
                    body, message_id=message_id, delivery_mode=aio_pika.DeliveryMode.PERSISTENT
                ),
                self.topology.routing_key(queue, TENANT),
                mandatory=True,
            )

    async def cleanup(self) -> None:
        await delete_queues(self._url, self.topology, QUEUES)


class EmbeddedHarness(Harness):
    kind = "embedded"

    def __init__(self, sqlite_url: str, namespace: str) -> None:
        super().__init__(namespace)
        self._url = sqlite_url

    @property
    def url(self) -> str:
        return self._url

    def _new_bus(self) -> Bus:
        return embedded_bus(self._url, self.topology)

    async def publish_raw(self, queue: str, body: bytes, message_id: str) -> None:
        engine = create_engine(self._url)
        try:
            now = time.time()
            async with engine.begin() as conn:
                await conn.execute(
                    bus_messages.insert().values(
                        queue=self.topology.physical(queue),
                        message_id=message_id,
                        body=body,
                        headers={},
                        attempt=1,
                        state="ready",
                        available_at=now,
                        history=[],
                        created_at=now,
                    )
                )
        finally:
            await engine.dispose()


def embedded_bus(url: str, topology: Topology, lease_seconds: float = 30.0) -> EmbeddedBus:
    # A short safety-net poll: rows written by another process (publish_raw, a crashed
    # consumer's leftovers) are not announced by an in-process wake-up.
    return EmbeddedBus(
        create_engine(url),
        topology=topology,
        owns_engine=True,
        poll_interval=0.5,
        lease_seconds=lease_seconds,
    )


async def crash_consumer_once(harness: Harness, queue: str, *extra: str) -> str:
    """Run a consumer process that dies holding one message; the id it received."""
    from tests.contract.crashing_consumer import EXIT_CODE, RECEIVED

    proc = await asyncio.create_subprocess_exec(
        *harness.crashing_consumer(queue, *extra),
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            out, err = await proc.communicate()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == EXIT_CODE, (
        f"consumer process exited {proc.returncode}: {err.decode(errors='replace')[-2000:]}"
    )
    received = [
        line.split()[1] for line in out.decode().splitlines() if line.startswith(RECEIVED + " ")
    ]
    assert len(received) == 1, f"consumer process printed {out!r}"
    return received[0]
