"""Dead letters across every queue the connector uses, through the ``Bus`` port only, so the
same code serves RabbitMQ parking queues and the embedded bus (bus/base.py).

A replay puts the parked message back on its queue with the same ``message_id`` and the same
payload. Whatever it causes is therefore recognised by the consumers' idempotency: the
orchestrator's inbox drops a result it already processed, the agent's duplicate check skips a
voucher whose number and date are already in Tally, and result ids derived from the command
id repeat exactly. A replay can never post twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from mlc_shared.bus.base import Bus, ParkedMessage
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, WALMART_COMMANDS, tally_commands
from pydantic import BaseModel, ConfigDict

LIST_LIMIT = 1000
"""Parked messages read per queue when looking one up by id."""


def connector_queues(tenants: Iterable[str]) -> list[str]:
    """The shared work queues and each tenant's agent queue."""
    return [ORCHESTRATOR_EVENTS, WALMART_COMMANDS, *(tally_commands(t) for t in sorted(tenants))]


class DeadLetter(BaseModel):
    """A parked message as operators see it (the payload decoded when it can be)."""

    model_config = ConfigDict(frozen=True)

    queue: str
    message_id: str
    reason: str
    parked_at: datetime
    type: str | None
    tenant: str | None
    correlation_id: str | None
    attempts: list[dict[str, Any]]
    payload: dict[str, Any] | None
    body: str | None
    """The raw body, only when it is not a valid envelope (why it was parked)."""
    headers: dict[str, Any]

    @classmethod
    def of(cls, parked: ParkedMessage) -> DeadLetter:
        envelope = parked.envelope
        return cls(
            queue=parked.queue,
            message_id=parked.message_id,
            reason=parked.reason,
            parked_at=parked.parked_at,
            type=envelope.type if envelope else None,
            tenant=envelope.tenant if envelope else None,
            correlation_id=envelope.correlation_id if envelope else None,
            attempts=[record.to_json() for record in parked.history],
            payload=envelope.payload.model_dump(mode="json") if envelope else None,
            body=None if envelope else parked.body.decode("utf-8", errors="replace"),
            headers={k: _plain(v) for k, v in parked.headers.items()},
        )


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class UnknownQueue(ValueError):
    pass


class DeadLetters:
    def __init__(self, bus: Bus, queues: Iterable[str]) -> None:
        self._bus = bus
        self.queues = list(dict.fromkeys(queues))

    def _chosen(self, queue: str | None) -> list[str]:
        if queue is None:
            return self.queues
        if queue not in self.queues:
            raise UnknownQueue(f"no queue {queue!r}; queues are: {', '.join(self.queues)}")
        return [queue]

    async def list(self, queue: str | None = None, limit: int = 100) -> list[DeadLetter]:
        found: list[DeadLetter] = []
        for name in self._chosen(queue):
            found.extend(DeadLetter.of(p) for p in await self._bus.parked(name, limit))
        return found

    async def find(self, message_id: str, queue: str | None = None) -> DeadLetter | None:
        for name in self._chosen(queue):
            for parked in await self._bus.parked(name, LIST_LIMIT):
                if parked.message_id == message_id:
                    return DeadLetter.of(parked)
        return None

    async def replay(self, message_id: str | None = None, queue: str | None = None) -> int:
        """One message (by id, wherever it is parked) or, with None, every parked message."""
        if message_id is None:
            return sum([await self._bus.replay(name) for name in self._chosen(queue)])
        found = await self.find(message_id, queue)
        if found is None:
            return 0
        return await self._bus.replay(found.queue, message_id)

    async def purge(self, message_id: str | None = None, queue: str | None = None) -> int:
        if message_id is None:
            return sum([await self._bus.purge_parked(name) for name in self._chosen(queue)])
        found = await self.find(message_id, queue)
        if found is None:
            return 0
        return await self._bus.purge_parked(found.queue, message_id)
