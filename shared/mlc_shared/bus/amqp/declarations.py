"""The RabbitMQ objects behind one work queue, as data: declared by :class:`AmqpBus` and
rendered into deploy/rabbitmq/definitions.json from the same function, so they cannot drift.

Every value below relies only on RabbitMQ 3.10 (the broker we run, docs/bus.md):

* quorum queues (Raft-replicated, durable; the only type with at-least-once dead-lettering
  and a delivery limit) -- https://www.rabbitmq.com/docs/quorum-queues
* ``x-delivery-limit`` on the work queue (``QueuePolicy.redelivery_limit``): a message
  returned unacked (its consumer died) more than this many times is dead-lettered to the
  parking queue, so a crash loop ends;
* ``x-dead-letter-strategy: at-least-once`` (3.10+): the broker keeps a dead-lettered
  message until the target queue confirms it; it needs ``x-overflow: reject-publish``
  (https://www.rabbitmq.com/blog/2022/03/29/at-least-once-dead-lettering);
* ``x-message-ttl`` on a quorum queue (3.10+): a retry tier holds a message for the tier's
  delay, then dead-letters it back to the work queue. One fixed TTL per tier queue, because
  quorum queues only expire messages at the head;
* dead-lettering goes through the default exchange (``""``) straight to a queue by name,
  so broker-internal moves never match a tenant binding on the topic exchange.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlc_shared.bus.topology import Topology

DEFAULT_EXCHANGE = ""


@dataclass(frozen=True)
class QueueDeclaration:
    name: str
    arguments: dict[str, Any]
    binding: str
    """Routing-key pattern binding the queue to the topic exchange."""


@dataclass(frozen=True)
class WorkQueueDeclarations:
    """A work queue, its retry tiers (in tier order) and its parking queue."""

    work: QueueDeclaration
    retries: tuple[QueueDeclaration, ...]
    parking: QueueDeclaration
    all: tuple[QueueDeclaration, ...] = field(init=False)

    def __post_init__(self) -> None:
        # Parking first: the work queue dead-letters into it, so it must exist before
        # anything can be dead-lettered.
        object.__setattr__(self, "all", (self.parking, *self.retries, self.work))


def _quorum() -> dict[str, Any]:
    return {"x-queue-type": "quorum"}


def _dead_letter_to(queue: str) -> dict[str, Any]:
    return {
        "x-dead-letter-exchange": DEFAULT_EXCHANGE,
        "x-dead-letter-routing-key": queue,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


def declarations(topology: Topology, queue: str) -> WorkQueueDeclarations:
    policy = topology.policy(queue)
    work_name = topology.physical(queue)
    parking_name = topology.parking_queue(queue)
    work_args = {
        **_quorum(),
        "x-delivery-limit": policy.redelivery_limit,
        **_dead_letter_to(parking_name),
    }
    if policy.single_active_consumer:
        work_args["x-single-active-consumer"] = True
    retries = tuple(
        QueueDeclaration(
            topology.retry_queue(queue, tier),
            # RabbitMQ takes the TTL in whole milliseconds.
            {**_quorum(), "x-message-ttl": round(delay * 1000), **_dead_letter_to(work_name)},
            topology.retry_binding(queue, tier),
        )
        for tier, delay in enumerate(policy.retry_delays)
    )
    return WorkQueueDeclarations(
        work=QueueDeclaration(work_name, work_args, topology.work_binding(queue)),
        retries=retries,
        parking=QueueDeclaration(parking_name, _quorum(), topology.parking_binding(queue)),
    )
