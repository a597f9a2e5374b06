"""Queue names and reliability policy, declared in one place (mirrored in deploy/rabbitmq).

Each work queue ``Q`` has retry tiers ``Q.retry.<n>`` (messages wait there for the tier's
delay, then dead-letter back to ``Q``) and a parking queue ``Q.parking``. Tenant is part of
every routing key (``<queue>.<tenant>``) so broker permissions can confine an agent to its
own tenant (ARCHITECTURE.md: "publish only its own events").
"""

from __future__ import annotations

from dataclasses import dataclass, field

ORCHESTRATOR_EVENTS = "orchestrator.events"
WALMART_COMMANDS = "walmart.commands"


def tally_commands(tenant: str) -> str:
    return f"tally.{tenant}.commands"


def is_tally_commands(queue: str) -> bool:
    parts = queue.split(".")
    return len(parts) == 3 and parts[0] == "tally" and parts[2] == "commands"


@dataclass(frozen=True)
class QueuePolicy:
    delivery_limit: int = 5
    """Attempts (handler failures) before a message is parked."""

    redelivery_limit: int = 20
    """Returns without an acknowledgement (the consumer died or lost its connection) before
    a message is parked as a crash loop: the quorum queue's ``x-delivery-limit``. Higher
    than ``delivery_limit`` because a broker restart or a network cut returns every message
    in flight through no fault of the message (tests/faults scenario 2 parked messages at
    5); RabbitMQ 4.0 made 20 the quorum-queue default for the same reason."""

    retry_delays: tuple[float, ...] = (1.0, 10.0, 60.0)
    """Seconds a failed message waits before its next attempt; attempt n uses tier
    min(n, len) - 1. Fixed per tier so each tier queue keeps FIFO expiry (RabbitMQ only
    expires messages at the head of a queue)."""

    prefetch: int = 20
    """Unacked messages per consumer. Bounded so a slow consumer does not hoard work."""

    single_active_consumer: bool = False
    """Only one consumer receives at a time (``x-single-active-consumer``); others stand by."""


TALLY_POLICY = QueuePolicy(
    delivery_limit=5, retry_delays=(5.0, 30.0, 120.0), prefetch=1, single_active_consumer=True
)
"""TallyPrime serves one request at a time and overlapping requests corrupt it
(tally-xml.md §1.5): one consumer, one message in flight."""


@dataclass(frozen=True)
class Topology:
    """Physical names and policies. ``namespace`` prefixes every name (tests use a fresh
    namespace per run so they never see each other's queues)."""

    namespace: str = ""
    default_policy: QueuePolicy = QueuePolicy()
    tally_policy: QueuePolicy = TALLY_POLICY
    overrides: dict[str, QueuePolicy] = field(default_factory=dict)

    def policy(self, queue: str) -> QueuePolicy:
        if queue in self.overrides:
            return self.overrides[queue]
        return self.tally_policy if is_tally_commands(queue) else self.default_policy

    def physical(self, name: str) -> str:
        return f"{self.namespace}.{name}" if self.namespace else name

    @property
    def exchange(self) -> str:
        return self.physical("mlc")

    def routing_key(self, queue: str, tenant: str) -> str:
        return f"{queue}.{tenant}"

    def retry_queue(self, queue: str, tier: int) -> str:
        return self.physical(f"{queue}.retry.{tier}")

    def parking_queue(self, queue: str) -> str:
        return self.physical(f"{queue}.parking")

    # Routing keys and bindings. Every key carries the tenant as one word so topic
    # permissions (RabbitMQ "topic authorisation") can confine a user to its own tenant's
    # keys. A work queue's binding ``<queue>.*`` matches exactly one word after the queue
    # name, so the longer retry and parking keys never reach it.

    def work_binding(self, queue: str) -> str:
        return f"{queue}.*"

    def retry_routing_key(self, queue: str, tenant: str, tier: int) -> str:
        return f"{queue}.{tenant}.retry.{tier}"

    def retry_binding(self, queue: str, tier: int) -> str:
        return f"{queue}.*.retry.{tier}"

    def parking_routing_key(self, queue: str, tenant: str) -> str:
        return f"{queue}.{tenant}.parking"

    def parking_binding(self, queue: str) -> str:
        return f"{queue}.*.parking"


def standard_queues(tenant: str) -> tuple[str, ...]:
    """The work queues one tenant's deployment uses (declared at start, mirrored in
    deploy/rabbitmq/definitions.json for the default tenant)."""
    return (ORCHESTRATOR_EVENTS, WALMART_COMMANDS, tally_commands(tenant))
