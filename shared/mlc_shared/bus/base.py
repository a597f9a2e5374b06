"""The bus port. Every service sees the broker only through this interface.

Contract (checked by tests/contract/test_bus_contract.py against every adapter):

* ``publish`` returns only once the message is durable (publisher confirm on RabbitMQ,
  committed row on the embedded bus). Messages are persistent.
* ``consume`` delivers one queue's messages in order to ``handler``; the message is
  acknowledged only after ``handler`` returns, so work must be committed by then.
  - ``handler`` raises :class:`Reject`: parked at once with the reason (no retry can help).
  - ``handler`` raises :class:`RetryLater` or any other exception: redelivered through the
    queue's retry tiers with ``attempt + 1``; after ``policy.delivery_limit`` attempts it
    is parked with the reason and the attempt history.
  - the body is not a valid envelope (bad JSON, unknown type, invalid payload): parked at
    once with the reason. A consumer never crashes on input.
  - the consumer dies before acknowledging: the message is delivered again.
* Parked messages keep their body, headers, reason and attempt history, and can be listed,
  replayed (back onto their queue with attempt reset to 1, same message_id, so idempotent
  consumers still recognise it) or purged.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mlc_shared.messages.envelope import Envelope

Handler = Callable[[Envelope], Awaitable[None]]


class Reject(Exception):
    """The message can never succeed as it is: park it now with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(Exception):
    """Transient failure: try again after the queue's next retry delay (or ``delay`` s).

    ``counts=False`` when the failure says nothing about the message itself (Tally closed,
    broker of a dependency down): the attempt is not counted toward the delivery limit,
    so an outage alone never parks work (issue 8, scenario 5).
    """

    def __init__(self, reason: str, *, delay: float | None = None, counts: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay
        self.counts = counts


class PublishFailed(Exception):
    """The message was not confirmed durable (broker unreachable, publish nacked or timed
    out, no queue to route it to, database locked too long). The caller still owns it and
    must try again later (the webhook receiver answers 503 so Walmart retries); a timed-out
    publish may still have landed, which is safe because consumers are idempotent by
    message_id (ARCHITECTURE.md, "Delivery is at least once")."""


@dataclass(frozen=True)
class AttemptRecord:
    attempt: int
    error: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"attempt": self.attempt, "error": self.error, "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> AttemptRecord:
        return cls(int(raw["attempt"]), str(raw["error"]), datetime.fromisoformat(raw["at"]))


@dataclass(frozen=True)
class ParkedMessage:
    """A message that exhausted its attempts or was rejected."""

    queue: str
    message_id: str
    reason: str
    body: bytes
    parked_at: datetime
    envelope: Envelope | None = None
    history: tuple[AttemptRecord, ...] = ()
    headers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class QueueDepth:
    ready: int
    parked: int


class Subscription(abc.ABC):
    @abc.abstractmethod
    async def cancel(self) -> None:
        """Stop delivering; an in-flight handler finishes (and acks) first."""


class Bus(abc.ABC):
    """Publish and consume envelopes on named work queues (see :mod:`.topology`)."""

    @abc.abstractmethod
    async def start(self) -> None:
        """Connect and declare the topology. Idempotent."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def publish(self, queue: str, message: Envelope) -> None:
        """Durably enqueue ``message`` on ``queue``; returns after confirm/commit."""

    async def publish_many(self, queue: str, messages: Sequence[Envelope]) -> None:
        """Publish several messages, confirmed as a batch where the adapter can."""
        for message in messages:
            await self.publish(queue, message)

    @abc.abstractmethod
    async def consume(self, queue: str, handler: Handler) -> Subscription: ...

    @abc.abstractmethod
    async def parked(self, queue: str, limit: int = 100) -> list[ParkedMessage]: ...

    @abc.abstractmethod
    async def replay(self, queue: str, message_id: str | None = None) -> int:
        """Move one parked message (or all, when ``message_id`` is None) back onto ``queue``."""

    @abc.abstractmethod
    async def purge_parked(self, queue: str, message_id: str | None = None) -> int: ...

    @abc.abstractmethod
    async def depth(self, queue: str) -> QueueDepth: ...

    @abc.abstractmethod
    async def ping(self) -> bool:
        """True when the bus can accept a publish right now (readiness probes)."""

    async def __aenter__(self) -> Bus:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
