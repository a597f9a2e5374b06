"""What only the RabbitMQ adapter has to show: the broker holds exactly the declared
topology (and deploy/rabbitmq/definitions.json), consumers survive a lost connection,
an unreachable broker gives a prompt PublishFailed, foreign messages without an id."""

from __future__ import annotations

from urllib.parse import urlsplit

import aio_pika
import pytest
from aiormq.exceptions import ChannelNotFoundEntity, ChannelPreconditionFailed
from mlc_shared.bus import PublishFailed, Topology
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.amqp.admin import delete_queues
from mlc_shared.bus.amqp.definitions import definitions
from mlc_shared.bus.delivery import TENANT_HEADER
from mlc_shared.bus.topology import standard_queues
from mlc_shared.messages.envelope import Envelope

from tests.contract.bus_harness import EVENTS, AmqpHarness, Recorder, eventually
from tests.contract.bus_probe import TENANT, Probe, probe
from tests.contract.tcp_proxy import TcpProxy


async def test_broker_holds_what_the_definitions_file_describes(
    amqp_url: str, bus_namespace: str
) -> None:
    topology = Topology(namespace=bus_namespace)  # the production policies
    queues = standard_queues("default")
    bus = AmqpBus(amqp_url, topology=topology, queues=queues)
    try:
        await bus.start()
        described = definitions(topology, tenant="default")
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            for queue in described["queues"]:
                # Passive first: the bus must have created it; then the same arguments
                # again, which the broker refuses if anything differs.
                await channel.declare_queue(queue["name"], passive=True)
                await channel.declare_queue(
                    queue["name"], durable=queue["durable"], arguments=queue["arguments"]
                )
            exchange = await channel.declare_exchange(
                topology.exchange, aio_pika.ExchangeType.TOPIC, durable=True
            )
            for binding in described["bindings"]:
                declared = await channel.declare_queue(binding["destination"], passive=True)
                await declared.bind(exchange, binding["routing_key"])

            work = next(q for q in described["queues"] if q["name"].endswith(EVENTS))
            other = await connection.channel()
            with pytest.raises(ChannelPreconditionFailed):
                await other.declare_queue(
                    work["name"],
                    durable=True,
                    arguments={**work["arguments"], "x-delivery-limit": 99},
                )
    finally:
        await bus.close()
        await delete_queues(amqp_url, topology, queues)


async def test_consumer_resumes_after_the_connection_is_lost(
    amqp_harness: AmqpHarness, amqp_url: str
) -> None:
    broker = urlsplit(amqp_url)
    proxy = TcpProxy(broker.hostname or "127.0.0.1", broker.port or 5672)
    port = await proxy.start()
    proxied_url = broker._replace(netloc=f"{broker.username}:{broker.password}@127.0.0.1:{port}")
    consumer = AmqpBus(proxied_url.geturl(), topology=amqp_harness.topology, reconnect_interval=0.2)
    publisher = await amqp_harness.bus()
    try:
        await consumer.start()
        recorder = Recorder()
        await consumer.consume(EVENTS, recorder)
        await publisher.publish(EVENTS, probe(1))
        await recorder.wait_count(1)

        await proxy.cut()  # connection lost, and the broker unreachable for a while
        await publisher.publish(EVENTS, probe(2))
        assert not await consumer.ping()
        await proxy.start()

        await recorder.wait_for(lambda seen: 2 in _seqs(seen), "probe 2 after the reconnect")
        await consumer.publish(EVENTS, probe(3))
        await recorder.wait_for(lambda seen: 3 in _seqs(seen), "probe 3 published after it")
        # At least once: probe 1 may come twice if its ack was lost with the connection.
        assert list(dict.fromkeys(_seqs(recorder.seen))) == [1, 2, 3]
        assert await consumer.ping()
    finally:
        await consumer.close()
        await proxy.cut()


def _seqs(seen: list[Envelope]) -> list[int]:
    return [e.payload.seq for e in seen if isinstance(e.payload, Probe)]


async def test_publish_fails_promptly_while_the_broker_is_unreachable(
    amqp_harness: AmqpHarness, amqp_url: str
) -> None:
    broker = urlsplit(amqp_url)
    proxy = TcpProxy(broker.hostname or "127.0.0.1", broker.port or 5672)
    port = await proxy.start()
    proxied_url = broker._replace(netloc=f"{broker.username}:{broker.password}@127.0.0.1:{port}")
    bus = AmqpBus(
        proxied_url.geturl(),
        topology=amqp_harness.topology,
        publish_timeout=1.0,
        reconnect_interval=0.2,
    )
    try:
        await bus.start()
        await bus.publish(EVENTS, probe(1))
        await proxy.cut()

        with pytest.raises(PublishFailed, match="no publisher confirm"):
            await bus.publish(EVENTS, probe(2))

        await proxy.start()
        await eventually(bus.ping, bool, "the bus to reconnect")
        await bus.publish(EVENTS, probe(3))
        observer = await amqp_harness.bus()
        depth = await observer.depth(EVENTS)
        assert depth.ready in (2, 3)  # probe(2) may or may not have reached the broker
    finally:
        await bus.close()
        await proxy.cut()


async def test_foreign_message_is_parked_under_its_routing_key_tenant_and_replayable(
    amqp_harness: AmqpHarness, amqp_url: str
) -> None:
    """A body from a producer that is not our bus (no ``x-mlc-*`` headers, not JSON): the
    tenant comes from its routing key, and replay/purge address it by its AMQP id."""
    bus = await amqp_harness.bus()
    await bus.consume(EVENTS, Recorder())
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(amqp_harness.topology.exchange)
        await exchange.publish(
            aio_pika.Message(b"\x00 not an envelope", message_id="foreign-1"),
            amqp_harness.topology.routing_key(EVENTS, TENANT),
            mandatory=True,
        )

    [parked] = await eventually(lambda: bus.parked(EVENTS), lambda p: len(p) == 1, "parking")
    assert parked.message_id == "foreign-1"
    assert "not valid JSON" in parked.reason
    assert parked.headers[TENANT_HEADER] == TENANT

    assert await bus.replay(EVENTS, "foreign-1") == 1
    [again] = await eventually(
        lambda: bus.parked(EVENTS), lambda p: len(p) == 1, "parking after replay"
    )
    assert again.message_id == "foreign-1"  # still invalid, so parked again
    assert again.body == parked.body
    assert await bus.purge_parked(EVENTS, "foreign-1") == 1
    assert await bus.parked(EVENTS) == []


async def test_passive_check_fails_for_a_queue_nobody_declared(
    amqp_url: str, bus_namespace: str
) -> None:
    """The passive declarations above prove something: they fail for a missing queue."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        with pytest.raises(ChannelNotFoundEntity):
            await channel.declare_queue(f"{bus_namespace}.nothing-here", passive=True)
