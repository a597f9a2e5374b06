"""Security: a tenant's agent credentials cannot consume another tenant's queue or publish as
another tenant, enforced by real RabbitMQ permissions (issue 8).

Two agent users are created on the shared broker with the permissions
deploy/rabbitmq/users.json gives an agent (tests/faults/brokerusers.py), and used through
the real bus adapter. tests/deploy/test_rabbitmq_broker.py checks the same file on a
broker booted from the deployment configuration with raw AMQP calls; this test adds the
adapter's view and the case the broker cannot see: a message published under the agent's
own routing key whose envelope names another tenant.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aio_pika
import pytest
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.base import PublishFailed
from mlc_shared.bus.topology import (
    ORCHESTRATOR_EVENTS,
    WALMART_COMMANDS,
    Topology,
    standard_queues,
    tally_commands,
)
from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.orchestrator import RunFlow
from mlc_shared.messages.tally import ExportStockItems

from tests.faults.brokerusers import BrokerUser, agent_user

ACME, GLOBEX = "acme", "globex"


@pytest.fixture
def topology(bus_namespace: str) -> Topology:
    return Topology(namespace=bus_namespace)


@pytest.fixture
async def owner(amqp_url: str, topology: Topology) -> AsyncIterator[AmqpBus]:
    """The orchestrator's side: full permissions, declares both tenants' queues."""
    queues = (*standard_queues(ACME), tally_commands(GLOBEX))
    bus = AmqpBus(amqp_url, topology=topology, queues=queues, connection_name="faults-owner")
    await bus.start()
    yield bus
    await bus.close()


@pytest.fixture
async def acme(amqp_url: str, bus_namespace: str, owner: AmqpBus) -> AsyncIterator[BrokerUser]:
    async with agent_user(amqp_url, bus_namespace, ACME) as user:
        yield user


@pytest.fixture
async def acme_bus(acme: BrokerUser, topology: Topology) -> AsyncIterator[AmqpBus]:
    bus = AmqpBus(
        acme.amqp_url,
        topology=topology,
        queues=standard_queues(ACME),
        connection_name="faults-acme-agent",
    )
    await bus.start()
    yield bus
    await bus.close()


def command(tenant: str) -> Envelope:
    return Envelope.new(ExportStockItems(since_alter_id=0), tenant=tenant)


async def test_the_agent_consumes_its_own_queue_and_answers_as_itself(
    owner: AmqpBus, acme_bus: AmqpBus
) -> None:
    await owner.publish(tally_commands(ACME), command(ACME))
    received: asyncio.Queue[Envelope] = asyncio.Queue()
    subscription = await acme_bus.consume(tally_commands(ACME), received.put)
    try:
        got = await asyncio.wait_for(received.get(), 30)
    finally:
        await subscription.cancel()
    assert got.tenant == ACME
    await acme_bus.publish(ORCHESTRATOR_EVENTS, Envelope.new(RunFlow(flow="orders"), tenant=ACME))


async def test_the_agent_cannot_consume_another_tenants_queue(
    owner: AmqpBus, acme_bus: AmqpBus
) -> None:
    await owner.publish(tally_commands(GLOBEX), command(GLOBEX))
    for queue in (tally_commands(GLOBEX), ORCHESTRATOR_EVENTS, WALMART_COMMANDS):
        with pytest.raises(Exception, match="ACCESS_REFUSED") as refused:
            await acme_bus.consume(queue, _never)
        assert "access to queue" in str(refused.value)
    with pytest.raises(Exception, match="ACCESS_REFUSED"):
        await acme_bus.parked(tally_commands(GLOBEX))
    # Globex's command is still there, untouched.
    assert (await owner.depth(tally_commands(GLOBEX))).ready == 1


async def test_the_agent_cannot_publish_as_another_tenant(acme_bus: AmqpBus) -> None:
    for queue, tenant in (
        (ORCHESTRATOR_EVENTS, GLOBEX),
        (tally_commands(GLOBEX), GLOBEX),
        (WALMART_COMMANDS, ACME),  # its own tenant, but not its kind of message
    ):
        with pytest.raises(PublishFailed, match="ACCESS_REFUSED"):
            await acme_bus.publish(queue, Envelope.new(RunFlow(flow="orders"), tenant=tenant))


async def test_an_envelope_naming_another_tenant_under_the_agents_own_key_is_parked(
    owner: AmqpBus, acme: BrokerUser, topology: Topology
) -> None:
    """The broker checks the routing key (orchestrator.events.acme), not the body: the
    consumer must not believe a body that names globex."""
    forged = Envelope.new(RunFlow(flow="orders"), tenant=GLOBEX)
    connection = await aio_pika.connect(acme.amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(topology.exchange, ensure=False)
        await exchange.publish(
            aio_pika.Message(forged.encode(), message_id=forged.message_id, delivery_mode=2),
            routing_key=topology.routing_key(ORCHESTRATOR_EVENTS, ACME),
            mandatory=True,
        )
    finally:
        await connection.close()
    handled: list[Envelope] = []

    async def handler(envelope: Envelope) -> None:
        handled.append(envelope)

    subscription = await owner.consume(ORCHESTRATOR_EVENTS, handler)
    try:
        parked = []
        for _ in range(100):
            parked = await owner.parked(ORCHESTRATOR_EVENTS)
            if parked:
                break
            await asyncio.sleep(0.1)
    finally:
        await subscription.cancel()
    assert handled == []
    (message,) = parked
    assert message.message_id == forged.message_id
    assert "names tenant 'globex'" in message.reason, message.reason
    assert "published as tenant 'acme'" in message.reason, message.reason
    assert message.headers["x-mlc-tenant"] == ACME  # filed under the tenant that sent it


async def _never(envelope: Envelope) -> None:
    raise AssertionError(f"delivered: {envelope.type}")
