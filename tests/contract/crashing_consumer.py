"""A consumer process that dies while handling a message, before acknowledging it.

    python -m tests.contract.crashing_consumer <rabbitmq|embedded> <url> <namespace> <queue>
        [--lease SECONDS]

It prints the message id it received, then leaves with ``os._exit`` (no cleanup, no
acknowledgement, connection dropped), exactly as a killed service would.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from mlc_shared.bus import Bus
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.logging import configure_logging
from mlc_shared.messages.envelope import Envelope

from tests.contract import bus_probe  # noqa: F401  (registers the probe message type)
from tests.contract.bus_harness import contract_topology, embedded_bus

EXIT_CODE = 17
RECEIVED = "received"


async def main(kind: str, url: str, namespace: str, queue: str, lease: float) -> None:
    configure_logging("WARNING", "console")  # to stderr: stdout carries the result
    topology = contract_topology(namespace)
    bus: Bus = (
        AmqpBus(url, topology=topology)
        if kind == "rabbitmq"
        else embedded_bus(url, topology, lease_seconds=lease)
    )
    await bus.start()

    async def die(envelope: Envelope) -> None:
        sys.stdout.write(f"{RECEIVED} {envelope.message_id}\n")
        sys.stdout.flush()
        os._exit(EXIT_CODE)

    await bus.consume(queue, die)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["rabbitmq", "embedded"])
    parser.add_argument("url")
    parser.add_argument("namespace")
    parser.add_argument("queue")
    parser.add_argument("--lease", type=float, default=30.0)
    args = parser.parse_args()
    asyncio.run(main(args.kind, args.url, args.namespace, args.queue, args.lease))
