"""One scenario's running connector: the world (simulators), the four services as processes
on a broker and a fresh PostgreSQL database, and the topology they share."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import aio_pika.abc
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.topology import Topology, standard_queues

from tests.faults.books import Figures, figures, settled
from tests.faults.launcher import LIMIT_VARIABLE, SCALE_VARIABLE, fault_topology
from tests.faults.procs import SERVICES, Services, service_env
from tests.faults.waits import wait_until
from tests.faults.world import World

RETRY_SCALE = 0.05
"""Retry tiers at 1/20: 1 s, 10 s, 60 s become 0.05 s, 0.5 s, 3 s (Tally: 0.25 s, 1.5 s, 6 s)."""
SETTLE_WITHIN = 600.0
"""Generous bound on reaching the end state once the faults stop (it is not a speed goal)."""


@dataclass
class Stack:
    world: World
    services: Services
    amqp_url: str
    database_url: str
    namespace: str
    topology: Topology

    async def wait_settled(self, purchase_orders: list[str], within: float = SETTLE_WITHIN) -> None:
        await wait_until(
            lambda: settled(self.world, purchase_orders),
            within=within,
            what=f"all {len(purchase_orders)} orders posted to Tally and acknowledged on Walmart",
            services=self.services,
            every=1.0,
        )

    async def figures(self, purchase_orders: list[str]) -> Figures:
        return await figures(self.world, purchase_orders)

    @asynccontextmanager
    async def bus(self, url: str | None = None) -> AsyncIterator[AmqpBus]:
        """A bus of the test's own on the scenario's topology (parking, depth)."""
        bus = AmqpBus(url or self.amqp_url, topology=self.topology, connection_name="faults-test")
        await bus.start()
        try:
            yield bus
        finally:
            await bus.close()


@asynccontextmanager
async def running_stack(
    world: World,
    logs: Path,
    *,
    amqp_url: str,
    database_url: str,
    namespace: str,
    retry_scale: float = RETRY_SCALE,
    delivery_limit: int | None = None,
    start: tuple[str, ...] = SERVICES,
    **settings: str,
) -> AsyncIterator[Stack]:
    extra = {
        "MLC_AMQP_URL": amqp_url,
        "MLC_DATABASE_URL": database_url,
        "MLC_BUS_NAMESPACE": namespace,
        SCALE_VARIABLE: str(retry_scale),
        **settings,
    }
    if delivery_limit is not None:
        extra[LIMIT_VARIABLE] = str(delivery_limit)
    services = Services(logs, service_env(world.env(**extra)))
    topology = fault_topology(namespace, retry_scale, delivery_limit)
    stack = Stack(world, services, amqp_url, database_url, namespace, topology)
    try:
        services.start_all(start)
        yield stack
    finally:
        await services.stop()


class BrokerProbe:
    """The test's own AMQP connection for reading broker counters (passive declarations):
    how many consumers a queue has, how many messages wait in it."""

    def __init__(self, url: str, topology: Topology) -> None:
        self._url = url
        self._topology = topology
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def __aenter__(self) -> BrokerProbe:
        self._connection = await aio_pika.connect_robust(self._url, reconnect_interval=0.5)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def counts(self, queue: str) -> tuple[int, int] | None:
        """(consumers, ready messages) of work queue ``queue``; None while unreachable."""
        if self._connection is None or not self._connection.connected.is_set():
            return None
        try:
            async with self._connection.channel(publisher_confirms=False) as channel:
                declared = await channel.declare_queue(self._topology.physical(queue), passive=True)
                result = declared.declaration_result
                return int(result.consumer_count or 0), int(result.message_count or 0)
        except Exception:
            return None

    async def consumers_back(self, tenant: str = "default") -> bool:
        """Every standard work queue has its consumer again."""
        for queue in standard_queues(tenant):
            found = await self.counts(queue)
            if found is None or found[0] < 1:
                return False
        return True


async def at_random_times(
    count: int,
    action: Callable[[int], Awaitable[None]],
    *,
    between: tuple[float, float],
    rng: random.Random,
) -> None:
    """Run ``action(n)`` ``count`` times, waiting a random time in ``between`` before each."""
    for n in range(count):
        await asyncio.sleep(rng.uniform(*between))
        await action(n)
