"""Render the topology as a RabbitMQ definitions file (deploy/rabbitmq/definitions.json).

Operators load it with ``rabbitmqctl import_definitions`` or the ``load_definitions``
setting so the queues exist, with the right arguments, before any service starts (and so
that broker users without "configure" permission can run). It is generated from
:func:`~mlc_shared.bus.amqp.declarations.declarations`, the function the adapter declares
with, and a test checks the committed file against it.

    python -m mlc_shared.bus.amqp.definitions [--tenant default] [--vhost /] [-o FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from mlc_shared.bus.amqp.declarations import declarations
from mlc_shared.bus.topology import Topology, standard_queues

RABBITMQ_VERSION = "3.10.8"


def definitions(
    topology: Topology | None = None, *, tenant: str = "default", vhost: str = "/"
) -> dict[str, Any]:
    topology = topology or Topology()
    queues: list[dict[str, Any]] = []
    bindings: list[dict[str, Any]] = []
    for queue in standard_queues(tenant):
        for item in declarations(topology, queue).all:
            queues.append(
                {
                    "name": item.name,
                    "vhost": vhost,
                    "durable": True,
                    "auto_delete": False,
                    "arguments": dict(sorted(item.arguments.items())),
                }
            )
            bindings.append(
                {
                    "source": topology.exchange,
                    "vhost": vhost,
                    "destination": item.name,
                    "destination_type": "queue",
                    "routing_key": item.binding,
                    "arguments": {},
                }
            )
    exchange = {
        "name": topology.exchange,
        "vhost": vhost,
        "type": "topic",
        "durable": True,
        "auto_delete": False,
        "internal": False,
        "arguments": {},
    }
    return {
        "rabbit_version": RABBITMQ_VERSION,
        "rabbitmq_version": RABBITMQ_VERSION,
        "exchanges": [exchange],
        "queues": queues,
        "bindings": bindings,
    }


def render(topology: Topology | None = None, *, tenant: str = "default", vhost: str = "/") -> str:
    return json.dumps(definitions(topology, tenant=tenant, vhost=vhost), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mlc_shared.bus.amqp.definitions", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--tenant", default="default", help="tenant whose Tally queue to include")
    parser.add_argument("--namespace", default="", help="queue-name prefix (MLC_BUS_NAMESPACE)")
    parser.add_argument("--vhost", default="/")
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    text = render(Topology(namespace=args.namespace), tenant=args.tenant, vhost=args.vhost)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
