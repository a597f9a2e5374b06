"""Bus throughput: the RabbitMQ adapter against raw aio-pika on the same queue shape, and
the embedded bus, in one run. Prints one JSON object.

Every figure is messages per second for N envelopes:

* ``publish``: published with publisher confirms (RabbitMQ) or committed (embedded), in
  batches through ``publish_many`` (raw: the same batches, confirms awaited together);
* ``consume``: delivered to a handler and acknowledged (raw: a callback that only acks);
* ``total``: N / (publish time + consume time).

Raw aio-pika uses the same durable quorum queue with the same arguments, persistent
messages, confirms, manual acks and the same prefetch: the difference is the adapter's own
cost (envelope encode/decode, ordering worker, bookkeeping). Goal: adapter / raw >= 0.7.
Each side runs ``--rounds`` times, alternating which goes first, and the median round
counts.

    .venv/bin/python bench/bus.py [--messages 5000] [--batch 100] [--rounds 5]

RabbitMQ from MLC_TEST_AMQP_URL (else MLC_AMQP_URL, else amqp://guest:guest@127.0.0.1:5672/).
Queues live under a fresh namespace that is deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from mlc_shared.bus import Bus, QueuePolicy, Topology
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.amqp.admin import delete_queues
from mlc_shared.bus.amqp.declarations import declarations
from mlc_shared.bus.embedded import EmbeddedBus
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS
from mlc_shared.logging import configure_logging
from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.orchestrator import RunFlow
from mlc_shared.store.engine import create_engine

QUEUE = ORCHESTRATOR_EVENTS
TENANT = "bench"
POLICY = QueuePolicy()  # production defaults: prefetch 20, delivery limit 5


@dataclass(frozen=True)
class Round:
    publish_s: float
    consume_s: float


def rates(rounds: list[Round], n: int) -> dict[str, float]:
    publish = statistics.median(r.publish_s for r in rounds)
    consume = statistics.median(r.consume_s for r in rounds)
    total = statistics.median(r.publish_s + r.consume_s for r in rounds)
    return {
        "publish": round(n / publish, 1),
        "consume": round(n / consume, 1),
        "total": round(n / total, 1),
    }


def envelopes(n: int) -> list[Envelope]:
    return [Envelope.new(RunFlow(flow=f"bench-{i}"), tenant=TENANT) for i in range(n)]


def batches(items: list[Envelope], size: int) -> list[list[Envelope]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def _until(done: asyncio.Event) -> None:
    async with asyncio.timeout(600):
        await done.wait()


async def bus_round(bus: Bus, n: int, batch: int) -> Round:
    messages = envelopes(n)
    started = time.perf_counter()
    for chunk in batches(messages, batch):
        await bus.publish_many(QUEUE, chunk)
    published = time.perf_counter()

    seen = 0
    done = asyncio.Event()

    async def handler(envelope: Envelope) -> None:
        nonlocal seen
        seen += 1
        if seen == n:
            done.set()

    begin = time.perf_counter()
    subscription = await bus.consume(QUEUE, handler)
    await _until(done)
    await subscription.cancel()  # waits for the last handler and its acknowledgement
    return Round(published - started, time.perf_counter() - begin)


async def raw_round(url: str, topology: Topology, n: int, batch: int) -> Round:
    """The same work with aio-pika alone: same queue, arguments, confirms and prefetch."""
    work = declarations(topology, QUEUE).work
    bodies = [e.encode() for e in envelopes(n)]
    key = topology.routing_key(QUEUE, TENANT)
    connection = await aio_pika.connect_robust(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.declare_exchange(
            topology.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(work.name, durable=True, arguments=work.arguments)
        await queue.bind(exchange, work.binding)

        started = time.perf_counter()
        for i in range(0, n, batch):
            await asyncio.gather(
                *(
                    exchange.publish(
                        aio_pika.Message(
                            body,
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                            content_type="application/json",
                        ),
                        key,
                        mandatory=True,
                    )
                    for body in bodies[i : i + batch]
                )
            )
        published = time.perf_counter()

        consumer_channel = await connection.channel()
        await consumer_channel.set_qos(prefetch_count=POLICY.prefetch)
        consumer_queue = await consumer_channel.declare_queue(
            work.name, durable=True, arguments=work.arguments
        )
        seen = 0
        done = asyncio.Event()

        async def on_message(message: AbstractIncomingMessage) -> None:
            nonlocal seen
            await message.ack()
            seen += 1
            if seen == n:
                done.set()

        begin = time.perf_counter()
        tag = await consumer_queue.consume(on_message)
        await _until(done)
        await consumer_queue.cancel(tag)
        return Round(published - started, time.perf_counter() - begin)


async def alternate(
    rounds: int, first: Callable[[], Awaitable[Round]], second: Callable[[], Awaitable[Round]]
) -> tuple[list[Round], list[Round]]:
    """Run both ``rounds`` times, swapping which goes first, so a burst of load on a shared
    machine does not always fall on the same side."""
    a: list[Round] = []
    b: list[Round] = []
    for i in range(rounds):
        if i % 2:
            b.append(await second())
            a.append(await first())
        else:
            a.append(await first())
            b.append(await second())
    return a, b


async def main(n: int, batch: int, rounds: int) -> dict[str, object]:
    url = os.environ.get("MLC_TEST_AMQP_URL") or os.environ.get(
        "MLC_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"
    )
    topology = Topology(namespace=f"bench{uuid.uuid4().hex[:8]}", default_policy=POLICY)
    adapter = AmqpBus(url, topology=topology)
    try:
        await adapter.start()
        raw, amqp = await alternate(
            rounds,
            lambda: raw_round(url, topology, n, batch),
            lambda: bus_round(adapter, n, batch),
        )
    finally:
        await adapter.close()
        await delete_queues(url, topology, [QUEUE])

    with tempfile.TemporaryDirectory() as tmp:
        embedded = EmbeddedBus(
            create_engine(f"sqlite:///{Path(tmp) / 'bench.db'}"),
            topology=Topology(default_policy=POLICY),
            owns_engine=True,
        )
        try:
            await embedded.start()
            embedded_rounds = [await bus_round(embedded, n, batch) for _ in range(rounds)]
        finally:
            await embedded.close()

    raw_rates, amqp_rates = rates(raw, n), rates(amqp, n)
    ratio = {k: round(amqp_rates[k] / raw_rates[k], 3) for k in raw_rates}
    return {
        "benchmark": "bus",
        "messages": n,
        "batch": batch,
        "rounds": rounds,
        "prefetch": POLICY.prefetch,
        "unit": "messages/s (median round)",
        "raw_aio_pika": raw_rates,
        "rabbitmq_adapter": amqp_rates,
        "embedded_adapter": rates(embedded_rounds, n),
        "ratio_rabbitmq_adapter_to_raw": ratio,
        "goal_ratio": 0.7,
        "goal_met": min(ratio.values()) >= 0.7,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="bus throughput benchmark")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    configure_logging("WARNING", "console")  # stderr; stdout carries only the JSON
    result = asyncio.run(main(args.messages, args.batch, args.rounds))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
