"""What only the embedded bus has to show: a publish is a committed row, rows left in
flight by a dead process come back at start, and an expired lease redelivers while the
bus keeps running (the consumer died, the process did not)."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from mlc_shared.bus import QueueDepth
from mlc_shared.bus.embedded.queries import REDELIVERIES_HEADER
from mlc_shared.messages.envelope import Envelope
from mlc_shared.store.engine import create_engine
from mlc_shared.store.tables import bus_messages

from tests.contract.bus_harness import (
    EVENTS,
    EmbeddedHarness,
    Recorder,
    crash_consumer_once,
    eventually,
)
from tests.contract.bus_probe import probe


async def test_publish_returns_after_the_row_is_committed(
    embedded_harness: EmbeddedHarness, sqlite_url: str
) -> None:
    bus = await embedded_harness.bus()
    sent = probe(1)
    await bus.publish(EVENTS, sent)

    rows = await _rows(sqlite_url)  # another connection sees it: it was committed
    assert [(r.message_id, r.state, r.queue) for r in rows] == [
        (sent.message_id, "ready", embedded_harness.topology.physical(EVENTS))
    ]


async def test_start_makes_rows_left_in_flight_ready_at_once(
    embedded_harness: EmbeddedHarness,
) -> None:
    bus = await embedded_harness.bus()
    sent = probe(1)
    await bus.publish(EVENTS, sent)
    # The dead consumer held a lease far longer than this test takes.
    assert await crash_consumer_once(embedded_harness, EVENTS, "--lease", "3600") == (
        sent.message_id
    )
    assert await bus.depth(EVENTS) == QueueDepth(ready=0, parked=0)  # still in flight

    restarted = await embedded_harness.bus()

    assert await restarted.depth(EVENTS) == QueueDepth(ready=1, parked=0)
    recorder = Recorder()
    await restarted.consume(EVENTS, recorder)
    await recorder.wait_count(1)
    assert (recorder.seen[0].message_id, recorder.seen[0].attempt) == (sent.message_id, 1)


async def test_expired_lease_redelivers_while_the_bus_runs(
    embedded_harness: EmbeddedHarness, sqlite_url: str
) -> None:
    bus = await embedded_harness.bus()  # started before the crash: nothing to recover
    sent = probe(1)
    await bus.publish(EVENTS, sent)
    assert await crash_consumer_once(embedded_harness, EVENTS, "--lease", "1") == (sent.message_id)

    release = asyncio.Event()

    async def hold(envelope: Envelope) -> None:
        await release.wait()

    recorder = Recorder(hold)
    await bus.consume(EVENTS, recorder)

    await recorder.wait_count(1)
    assert (recorder.seen[0].message_id, recorder.seen[0].attempt) == (sent.message_id, 1)
    [row] = await _rows(sqlite_url)
    assert row.state == "inflight"
    assert row.headers[REDELIVERIES_HEADER] == 1  # counted toward the crash-loop limit
    release.set()
    await eventually(lambda: _rows(sqlite_url), lambda rows: rows == [], "the ack (row deleted)")


async def _rows(sqlite_url: str) -> list[sa.Row[Any]]:
    engine = create_engine(sqlite_url)  # a connection of its own, like another process
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(sa.select(bus_messages))).all())
    finally:
        await engine.dispose()
