"""users.json, definitions.json and rabbitmq.conf on a real RabbitMQ 3.10 node (booted by
tests/deploy/broker.py the way docker-compose.yml boots one): the configuration is
accepted, the topology and users are imported, and each service's user can do its job and
nothing else. The broker answers ACCESS_REFUSED itself; nothing here is simulated."""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager

import aio_pika
import pytest
from aio_pika import ExchangeType
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from aio_pika.exceptions import ProbableAuthenticationError
from aiormq.exceptions import ChannelAccessRefused
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, Topology, tally_commands
from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.orchestrator import RunFlow

from tests.deploy.broker import Broker, throwaway_broker
from tests.deploy.helpers import RABBITMQ_DIR, password_variable, users_definitions

PASSWORDS = {u["name"]: f"{u['name']}-test-password" for u in users_definitions()["users"]}
ADMIN = ("mlc-admin", "admin-test-password-0123")
TOPOLOGY = Topology()


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    root = tmp_path_factory.mktemp("rabbitmq")
    definitions = root / "definitions"
    env = {password_variable(user): pw for user, pw in PASSWORDS.items()}
    result = subprocess.run(
        ["sh", str(RABBITMQ_DIR / "render-definitions.sh"), str(RABBITMQ_DIR), str(definitions)],
        env={
            "PATH": "/usr/bin:/bin",
            "RABBITMQ_ADMIN_USERNAME": ADMIN[0],
            "RABBITMQ_ADMIN_PASSWORD": ADMIN[1],
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with throwaway_broker(root, definitions) as running:
        yield running


@asynccontextmanager
async def channel_as(broker: Broker, user: str) -> AsyncIterator[AbstractChannel]:
    password = ADMIN[1] if user == ADMIN[0] else PASSWORDS[user]
    connection = await aio_pika.connect(broker.url(user, password))
    try:
        yield await connection.channel(publisher_confirms=True, on_return_raises=True)
    finally:
        await connection.close()


Action = Callable[[AbstractChannel], Awaitable[object]]


async def allowed(broker: Broker, user: str, action: Action) -> bool:
    """Whether the broker lets ``user`` do ``action`` (a fresh channel each time: a refusal
    closes the channel)."""
    async with channel_as(broker, user) as channel:
        try:
            await action(channel)
        except ChannelAccessRefused:
            return False
    return True


def publish(key: str) -> Action:
    async def action(channel: AbstractChannel) -> None:
        exchange = await channel.get_exchange(TOPOLOGY.exchange, ensure=False)
        await exchange.publish(aio_pika.Message(key.encode(), delivery_mode=2), key, mandatory=True)

    return action


async def _give_back(message: AbstractIncomingMessage) -> None:
    await message.nack(requeue=True)


def consume(queue: str) -> Action:
    async def action(channel: AbstractChannel) -> None:
        declared = await channel.declare_queue(queue, passive=True)
        tag = await declared.consume(_give_back)
        await declared.cancel(tag)

    return action


def declare_exchange(channel: AbstractChannel) -> Awaitable[object]:
    return channel.declare_exchange(TOPOLOGY.exchange, ExchangeType.TOPIC, durable=True)


def delete_queue(queue: str) -> Action:
    async def action(channel: AbstractChannel) -> None:
        await channel.queue_delete(queue)

    return action


async def test_definitions_are_imported(broker: Broker) -> None:
    expected = [
        q["name"] for q in json.loads((RABBITMQ_DIR / "definitions.json").read_text())["queues"]
    ]
    assert expected
    async with channel_as(broker, "mlc-orchestrator") as channel:
        for name in expected:
            await channel.declare_queue(name, passive=True)  # raises if it does not exist
        await channel.get_exchange(TOPOLOGY.exchange, ensure=True)


async def test_no_default_guest_user(broker: Broker) -> None:
    with pytest.raises(ProbableAuthenticationError):
        await aio_pika.connect(broker.url("guest", "guest"))


async def test_a_wrong_password_is_refused(broker: Broker) -> None:
    with pytest.raises(ProbableAuthenticationError):
        await aio_pika.connect(broker.url("mlc-agent-default", "not-the-password-at-all"))


async def test_agent_does_its_job(broker: Broker) -> None:
    agent = "mlc-agent-default"
    assert await allowed(broker, agent, consume(tally_commands("default")))
    assert await allowed(broker, agent, publish("orchestrator.events.default"))
    assert await allowed(broker, agent, publish("tally.default.commands.default.retry.0"))
    assert await allowed(broker, agent, publish("tally.default.commands.default.parking"))
    # What it published reached the orchestrator's queue.
    async with channel_as(broker, "mlc-orchestrator") as channel:
        queue = await channel.declare_queue(ORCHESTRATOR_EVENTS, passive=True)
        message = await queue.get(timeout=10)
        assert message.body == b"orchestrator.events.default"
        await message.ack()


async def test_agent_is_confined_to_its_tenant(broker: Broker) -> None:
    agent = "mlc-agent-default"
    # Another tenant's queue exists (the orchestrator declares it through the real bus).
    bus = AmqpBus(broker.url("mlc-orchestrator", PASSWORDS["mlc-orchestrator"]), topology=TOPOLOGY)
    await bus.start()
    try:
        await bus.publish(tally_commands("acme"), Envelope.new(_payload(), tenant="acme"))
    finally:
        await bus.close()
    assert not await allowed(broker, agent, consume(tally_commands("acme")))
    assert not await allowed(broker, agent, consume(ORCHESTRATOR_EVENTS))
    assert not await allowed(
        broker, agent, consume(TOPOLOGY.parking_queue(tally_commands("default")))
    )
    assert not await allowed(broker, agent, publish("orchestrator.events.acme"))
    assert not await allowed(broker, agent, publish("walmart.commands.default"))
    assert not await allowed(broker, agent, publish("tally.acme.commands.acme"))
    assert not await allowed(broker, agent, publish("tally.default.commands.default"))
    assert not await allowed(broker, agent, declare_exchange)
    assert not await allowed(broker, agent, delete_queue(tally_commands("default")))


async def test_gateway_and_receiver_publish_only_what_they_should(broker: Broker) -> None:
    assert await allowed(broker, "mlc-gateway", consume("walmart.commands"))
    assert await allowed(broker, "mlc-gateway", publish("orchestrator.events.acme"))
    assert await allowed(broker, "mlc-gateway", publish("walmart.commands.acme.retry.1"))
    assert not await allowed(broker, "mlc-gateway", publish("tally.acme.commands.acme"))
    assert not await allowed(broker, "mlc-gateway", consume(ORCHESTRATOR_EVENTS))
    assert await allowed(broker, "mlc-webhook", publish("orchestrator.events.acme"))
    assert not await allowed(broker, "mlc-webhook", publish("walmart.commands.acme"))
    assert not await allowed(broker, "mlc-webhook", consume(ORCHESTRATOR_EVENTS))


async def test_orchestrator_runs_the_real_bus_with_its_user(broker: Broker) -> None:
    """The orchestrator owns the topology: the adapter declares (idempotently), publishes,
    and lists parked messages with this user's permissions."""
    bus = AmqpBus(
        broker.url("mlc-orchestrator", PASSWORDS["mlc-orchestrator"]),
        topology=TOPOLOGY,
        queues=("orchestrator.events", "walmart.commands", tally_commands("default")),
    )
    await bus.start()
    try:
        await bus.publish("walmart.commands", Envelope.new(_payload(), tenant="default"))
        assert await bus.parked("walmart.commands") == []
        assert (await bus.depth("walmart.commands")).ready >= 1
    finally:
        await bus.close()


def _payload() -> RunFlow:
    """Any registered payload will do: the broker never looks inside."""
    return RunFlow(flow="orders")
