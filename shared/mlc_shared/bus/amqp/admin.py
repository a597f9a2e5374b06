"""Remove what :class:`AmqpBus` declared: every queue of the given work queues (work, retry
tiers, parking) and, optionally, the exchange.

RabbitMQ keeps durable quorum queues until someone deletes them, and plain AMQP cannot
list queues by name, so whoever creates a namespace (a test run, a benchmark, a tenant
being decommissioned) deletes it by naming its queues. Messages in them are gone for good.
"""

from __future__ import annotations

from collections.abc import Iterable

import aio_pika

from mlc_shared.bus.amqp.declarations import declarations
from mlc_shared.bus.topology import Topology


async def delete_queues(
    url: str, topology: Topology, queues: Iterable[str], *, exchange: bool = True
) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=False)
        for queue in queues:
            for item in declarations(topology, queue).all:
                # Deleting a queue that does not exist succeeds in RabbitMQ.
                await channel.queue_delete(item.name)
        if exchange:
            await channel.exchange_delete(topology.exchange)
