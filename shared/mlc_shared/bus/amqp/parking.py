"""List, replay and purge a parking queue without losing anything.

AMQP has no "peek", so listing takes messages with ``basic.get`` and never acknowledges
them; closing the channel puts every one of them back (unacknowledged deliveries are
requeued when their channel closes: https://www.rabbitmq.com/docs/confirms, "Automatic
Requeueing"). Replay and purge walk the queue the same
way and acknowledge only what they moved or deleted, the replay only after the republished
copy is confirmed, so a failure half-way leaves the message parked.

The parking queue has no delivery limit (declarations.py), so the redelivery count that
each listing adds in a quorum queue never dead-letters a parked message.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from aio_pika.abc import AbstractConnection, AbstractIncomingMessage, AbstractQueue

from mlc_shared.bus.amqp.declarations import declarations
from mlc_shared.bus.amqp.messages import message_id_of, parked_message, replayed, tenant_of
from mlc_shared.bus.amqp.publisher import Publisher
from mlc_shared.bus.base import ParkedMessage
from mlc_shared.bus.topology import Topology

Visit = Callable[[AbstractIncomingMessage], Awaitable[bool]]
"""Called for each parked message; True when it was settled (acknowledged)."""

RETURN_WAIT_SECONDS = 2.0
"""How long a walk waits for the broker to put back what it held. A quorum queue applies
the return of a closed channel's messages a few milliseconds later, and a list followed at
once by a replay (an operator's usual sequence) must see every message again."""


async def _walk(
    connection: AbstractConnection,
    topology: Topology,
    queue: str,
    visit: Visit,
    limit: int | None = None,
) -> int:
    parking = declarations(topology, queue).parking
    settled = held = 0
    channel = await connection.channel(publisher_confirms=False)
    try:
        amqp_queue: AbstractQueue = await channel.declare_queue(parking.name, passive=True)
        before = amqp_queue.declaration_result.message_count or 0
        while limit is None or settled + held < limit:
            message = await amqp_queue.get(no_ack=False, fail=False)
            if message is None:
                break
            if await visit(message):
                settled += 1
            else:
                held += 1
    finally:
        await channel.close()
    if held:
        await _until_returned(connection, parking.name, before - settled)
    return settled


async def _until_returned(connection: AbstractConnection, name: str, expected: int) -> None:
    """Wait (bounded) until the queue shows at least ``expected`` messages again; a
    concurrent purge may keep it below, hence the bound."""
    async with connection.channel(publisher_confirms=False) as channel:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(RETURN_WAIT_SECONDS):
                while True:
                    declared = await channel.declare_queue(name, passive=True)
                    if (declared.declaration_result.message_count or 0) >= expected:
                        return
                    await asyncio.sleep(0.01)


async def list_parked(
    connection: AbstractConnection, topology: Topology, queue: str, limit: int
) -> list[ParkedMessage]:
    found: list[ParkedMessage] = []

    async def keep(message: AbstractIncomingMessage) -> bool:
        found.append(parked_message(queue, message))
        return False

    await _walk(connection, topology, queue, keep, limit)
    return found


async def replay(
    connection: AbstractConnection,
    publisher: Publisher,
    topology: Topology,
    queue: str,
    message_id: str | None,
) -> int:
    replayed_ids: set[str] = set()

    async def move(message: AbstractIncomingMessage) -> bool:
        current = message_id_of(message)
        # A replayed message that fails at once is parked again behind the others; the
        # same call must not replay it a second time (that would never end).
        if current in replayed_ids or (message_id is not None and current != message_id):
            return False
        replayed_ids.add(current)
        copy = replayed(message)
        tenant = tenant_of(message, queue)
        await publisher.publish(topology.routing_key(queue, tenant), copy)
        await message.ack()
        return True

    return await _walk(connection, topology, queue, move)


async def purge(
    connection: AbstractConnection, topology: Topology, queue: str, message_id: str | None
) -> int:
    if message_id is None:
        parking = declarations(topology, queue).parking
        channel = await connection.channel(publisher_confirms=False)
        try:
            amqp_queue = await channel.declare_queue(parking.name, passive=True)
            result = await amqp_queue.purge()
            return int(result.message_count or 0)
        finally:
            await channel.close()

    async def drop(message: AbstractIncomingMessage) -> bool:
        if message_id is not None and message_id_of(message) != message_id:
            return False
        await message.ack()
        return True

    return await _walk(connection, topology, queue, drop)
