"""Store, publish, mark: the crash window between them loses nothing and repeats nothing.

Real adapters in standalone mode (SQLite store, embedded bus on the same file); the
PostgreSQL + RabbitMQ runs are in tests/integration/webhook_receiver/.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from mlc_shared.bus.embedded import EmbeddedBus
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS
from mlc_shared.store import SqlStore, create_engine
from webhook_receiver.events import interpret
from webhook_receiver.intake import Intake


def delivery(event_id: str) -> bytes:
    return json.dumps(
        {
            "source": {"eventType": "PO_CREATED", "eventId": event_id},
            "payload": {"purchaseOrderId": "PO-1"},
        }
    ).encode()


@pytest.fixture
async def parts(sqlite_url: str) -> AsyncIterator[tuple[SqlStore, EmbeddedBus]]:
    engine = create_engine(sqlite_url)
    store = SqlStore(engine)
    await store.migrate()
    bus = EmbeddedBus(engine)
    await bus.start()
    yield store, bus
    await bus.close()
    await engine.dispose()


async def ready(bus: EmbeddedBus) -> int:
    return (await bus.depth(ORCHESTRATOR_EVENTS)).ready


async def unpublished(store: SqlStore) -> list[str]:
    return [row.event_id for row in await store.unpublished_webhook_events()]


async def test_accept_then_duplicate(parts: tuple[SqlStore, EmbeddedBus]) -> None:
    store, bus = parts
    intake = Intake(bus, store, timeout=5)
    first = interpret("acme", delivery("e1"), datetime.now(UTC))
    assert await intake.accept(first) == "accepted"
    assert await intake.accept(first) == "duplicate"  # mark still pending: not re-published
    await intake.close()
    assert await unpublished(store) == []
    assert await intake.accept(first) == "duplicate"  # mark committed
    assert await ready(bus) == 1


async def test_retry_publishes_an_event_stored_before_a_crash(
    parts: tuple[SqlStore, EmbeddedBus],
) -> None:
    store, bus = parts
    stored = interpret("acme", delivery("e2"), datetime.now(UTC))
    await store.add_webhook_events([stored.row])  # a receiver that died right after storing
    intake = Intake(bus, store, timeout=5)
    assert await intake.accept(stored) == "duplicate"
    await intake.close()
    assert await ready(bus) == 1
    assert await unpublished(store) == []


async def test_sweep_waits_for_the_grace_period_then_publishes_once(
    parts: tuple[SqlStore, EmbeddedBus],
) -> None:
    store, bus = parts
    received = datetime.now(UTC)
    stored = interpret("acme", delivery("e3"), received)
    await store.add_webhook_events([stored.row])
    intake = Intake(bus, store, timeout=5)
    assert await intake.sweep(timedelta(minutes=5)) == 0  # a request may still be on it
    assert await intake.sweep(timedelta(0)) == 1
    assert await intake.sweep(timedelta(0)) == 0  # its mark is pending, not re-published
    await intake.close()
    assert await intake.sweep(timedelta(0)) == 0
    assert await ready(bus) == 1
    message = stored.message
    redelivered = interpret("acme", delivery("e3"), received + timedelta(hours=1)).message
    assert redelivered.message_id == message.message_id  # the same id whoever publishes
