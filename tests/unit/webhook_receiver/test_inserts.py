"""Group commit of webhook rows: concurrent deliveries share a transaction, each caller gets
its own row's answer, and one bad row fails only its own delivery.

A real SQLite store; ``CountingStore`` only counts the INSERT calls it is asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import pytest
from mlc_shared.store import SqlStore, create_engine
from mlc_shared.store.errors import NaiveTimestamp
from mlc_shared.store.records import WebhookEvent
from webhook_receiver.inserts import BatchedInserts


class CountingStore(SqlStore):
    inserts = 0

    async def add_webhook_events(self, events: Sequence[WebhookEvent]) -> set[str]:
        self.inserts += 1
        return await super().add_webhook_events(events)


@pytest.fixture
async def store(sqlite_url: str) -> AsyncIterator[CountingStore]:
    store = CountingStore(create_engine(sqlite_url))
    await store.migrate()
    yield store
    await store.close()


def row(event_id: str, received_at: datetime | None = None) -> WebhookEvent:
    return WebhookEvent(
        event_id=event_id,
        tenant="acme",
        event_type="PO_CREATED",
        event_time=None,
        received_at=received_at or datetime.now(UTC),
        body="{}",
        known_type=True,
    )


async def stored(store: SqlStore) -> set[str]:
    return {r.event_id for r in await store.unpublished_webhook_events()}


async def test_concurrent_rows_share_one_statement(store: CountingStore) -> None:
    inserts = BatchedInserts(store, timeout=5)
    results = await asyncio.gather(*(inserts.add(row(f"e{i}")) for i in range(50)))
    assert results == [True] * 50
    # Every caller queued its row before the writer first ran: one statement for all.
    assert store.inserts == 1
    assert await stored(store) == {f"e{i}" for i in range(50)}


async def test_each_caller_gets_its_own_answer(store: CountingStore) -> None:
    inserts = BatchedInserts(store, timeout=5)
    assert await inserts.add(row("old")) is True
    results = await asyncio.gather(
        inserts.add(row("old")), inserts.add(row("new")), inserts.add(row("new"))
    )
    assert list(results) == [False, True, False]  # the same eventId twice in a batch: stored once


async def test_a_bad_row_fails_only_its_own_delivery(store: CountingStore) -> None:
    inserts = BatchedInserts(store, timeout=5)
    naive = datetime(2024, 5, 1, 12, 0)  # refused by the store (NaiveTimestamp)
    results = await asyncio.gather(
        inserts.add(row("a")), inserts.add(row("bad", naive)), inserts.add(row("b")),
        return_exceptions=True,
    )  # fmt: skip
    assert results[0] is True
    assert isinstance(results[1], NaiveTimestamp)
    assert results[2] is True
    assert await stored(store) == {"a", "b"}


async def test_a_cancelled_caller_does_not_cancel_the_statement(store: CountingStore) -> None:
    inserts = BatchedInserts(store, timeout=5)
    caller = asyncio.create_task(inserts.add(row("e1")))
    await asyncio.sleep(0)  # queued, the writer started
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await inserts.close()
    assert await stored(store) == {"e1"}
