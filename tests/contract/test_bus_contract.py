"""The Bus delivery contract (mlc_shared/bus/base.py), run against every adapter.

Each test runs twice: on RabbitMQ (real broker, quorum queues) and on the embedded SQLite
bus. Retry delays are 0.2 s and 0.5 s and the delivery limit 3 (bus_harness.TEST_POLICY).
"""

from __future__ import annotations

import asyncio
import json

import structlog
from mlc_shared.bus import Bus, ParkedMessage, QueueDepth, Reject, RetryLater
from mlc_shared.bus.delivery import TENANT_HEADER
from mlc_shared.messages.envelope import Envelope

from tests.contract.bus_harness import (
    CRASH_QUEUE,
    EVENTS,
    TALLY,
    Harness,
    Recorder,
    crash_consumer_once,
    eventually,
)
from tests.contract.bus_probe import TENANT, Probe, probe


def _ids(parked: list[ParkedMessage]) -> set[str]:
    return {p.message_id for p in parked}


async def _settled(bus: Bus, queue: str, expected: QueueDepth) -> None:
    await eventually(lambda: bus.depth(queue), lambda d: d == expected, f"depth {expected}")


async def test_round_trip(harness: Harness) -> None:
    bus = await harness.bus()
    recorder = Recorder()
    await bus.consume(EVENTS, recorder)
    sent = probe(1, "hello")

    await bus.publish(EVENTS, sent)

    await recorder.wait_count(1)
    assert recorder.seen == [sent]
    await _settled(bus, EVENTS, QueueDepth(ready=0, parked=0))


async def test_published_messages_wait_durably_for_a_consumer(harness: Harness) -> None:
    publisher = await harness.bus()
    sent = [probe(i) for i in range(3)]
    await publisher.publish_many(EVENTS, sent)
    assert await publisher.depth(EVENTS) == QueueDepth(ready=3, parked=0)
    assert await publisher.ping()

    consumer = await harness.bus()  # a separate connection / engine, as another process
    recorder = Recorder()
    await consumer.consume(EVENTS, recorder)
    await recorder.wait_count(3)
    assert [e.message_id for e in recorder.seen] == [e.message_id for e in sent]


async def test_per_queue_order(harness: Harness) -> None:
    bus = await harness.bus()
    await bus.publish_many(EVENTS, [probe(i) for i in range(30)])
    for i in range(30, 40):
        await bus.publish(EVENTS, probe(i))
    recorder = Recorder()

    await bus.consume(EVENTS, recorder)

    await recorder.wait_count(40)
    assert [e.payload.seq for e in recorder.seen if isinstance(e.payload, Probe)] == list(range(40))


async def test_redelivered_after_consumer_dies_before_ack(harness: Harness) -> None:
    bus = await harness.bus()
    sent = probe(7)
    await bus.publish(EVENTS, sent)

    received = await crash_consumer_once(harness, EVENTS)
    assert received == sent.message_id

    restarted = await harness.bus()
    recorder = Recorder()
    await restarted.consume(EVENTS, recorder)
    await recorder.wait_count(1)
    assert recorder.seen[0].message_id == sent.message_id
    assert recorder.seen[0].attempt == 1  # a crash is not a failed attempt
    await _settled(bus, EVENTS, QueueDepth(ready=0, parked=0))


async def test_retry_tiers_until_success(harness: Harness) -> None:
    async def fail_twice(envelope: Envelope) -> None:
        if envelope.attempt < 3:
            raise RuntimeError(f"transient {envelope.attempt}")

    bus = await harness.bus()
    recorder = Recorder(fail_twice)
    await bus.consume(EVENTS, recorder)
    sent = probe(1)
    await bus.publish(EVENTS, sent)

    await recorder.wait_count(3)
    assert [e.attempt for e in recorder.seen] == [1, 2, 3]
    assert {e.message_id for e in recorder.seen} == {sent.message_id}
    assert all(e.payload == sent.payload for e in recorder.seen)
    await _settled(bus, EVENTS, QueueDepth(ready=0, parked=0))
    assert len(recorder.seen) == 3


async def test_parked_after_delivery_limit_with_history(harness: Harness) -> None:
    async def always_fail(envelope: Envelope) -> None:
        raise RuntimeError(f"boom {envelope.attempt}")

    bus = await harness.bus()
    recorder = Recorder(always_fail)
    await bus.consume(EVENTS, recorder)
    sent = probe(1, "doomed")
    await bus.publish(EVENTS, sent)

    parked = await eventually(lambda: bus.parked(EVENTS), lambda p: len(p) == 1, "parking")
    [message] = parked
    assert [e.attempt for e in recorder.seen] == [1, 2, 3]
    assert message.message_id == sent.message_id
    assert message.queue == EVENTS
    assert "gave up after 3 attempts" in message.reason
    assert "RuntimeError: boom 3" in message.reason
    assert [(r.attempt, r.error) for r in message.history] == [
        (1, "RuntimeError: boom 1"),
        (2, "RuntimeError: boom 2"),
        (3, "RuntimeError: boom 3"),
    ]
    assert message.envelope is not None
    assert message.envelope.payload == sent.payload
    assert Envelope.decode(message.body).message_id == sent.message_id
    assert message.headers[TENANT_HEADER] == TENANT
    assert await bus.depth(EVENTS) == QueueDepth(ready=0, parked=1)


async def test_reject_parks_at_once(harness: Harness) -> None:
    async def reject(envelope: Envelope) -> None:
        raise Reject("SKU ABC-1 has no stock item mapping")

    bus = await harness.bus()
    recorder = Recorder(reject)
    await bus.consume(EVENTS, recorder)
    sent = probe(1)
    await bus.publish(EVENTS, sent)

    [message] = await eventually(lambda: bus.parked(EVENTS), lambda p: len(p) == 1, "parking")
    assert message.reason == "SKU ABC-1 has no stock item mapping"
    assert [(r.attempt, r.error) for r in message.history] == [
        (1, "SKU ABC-1 has no stock item mapping")
    ]
    assert [e.attempt for e in recorder.seen] == [1]


async def test_listing_parked_messages_loses_nothing(harness: Harness) -> None:
    async def reject(envelope: Envelope) -> None:
        raise Reject("no")

    bus = await harness.bus()
    await bus.consume(EVENTS, Recorder(reject))
    sent = [probe(i) for i in range(3)]
    await bus.publish_many(EVENTS, sent)
    first = await eventually(lambda: bus.parked(EVENTS), lambda p: len(p) == 3, "parking")

    again = await bus.parked(EVENTS)
    limited = await bus.parked(EVENTS, limit=2)

    assert _ids(first) == _ids(again) == {e.message_id for e in sent}
    assert len(limited) == 2
    assert await bus.depth(EVENTS) == QueueDepth(ready=0, parked=3)


async def test_replay_from_parking(harness: Harness) -> None:
    rejected: set[str] = set()

    async def reject_first_time(envelope: Envelope) -> None:
        if envelope.message_id not in rejected:
            rejected.add(envelope.message_id)
            raise Reject("mapping missing")

    bus = await harness.bus()
    recorder = Recorder(reject_first_time)
    await bus.consume(EVENTS, recorder)
    one, two = probe(1), probe(2)
    await bus.publish_many(EVENTS, [one, two])
    await eventually(lambda: bus.parked(EVENTS), lambda p: len(p) == 2, "parking")

    assert await bus.replay(EVENTS, one.message_id) == 1
    await recorder.wait_count(3)
    replayed = recorder.seen[2]
    assert (replayed.message_id, replayed.attempt) == (one.message_id, 1)
    assert replayed.payload == one.payload
    assert _ids(await bus.parked(EVENTS)) == {two.message_id}
    assert await bus.replay(EVENTS, one.message_id) == 0

    assert await bus.replay(EVENTS) == 1
    await recorder.wait_count(4)
    assert (recorder.seen[3].message_id, recorder.seen[3].attempt) == (two.message_id, 1)
    await _settled(bus, EVENTS, QueueDepth(ready=0, parked=0))


async def test_replay_after_delivery_limit_starts_again_at_attempt_one(harness: Harness) -> None:
    healed = asyncio.Event()

    async def fail_until_healed(envelope: Envelope) -> None:
        if not healed.is_set():
            raise RuntimeError("still broken")

    bus = await harness.bus()
    recorder = Recorder(fail_until_healed)
    await bus.consume(EVENTS, recorder)
    sent = probe(1)
    await bus.publish(EVENTS, sent)
    await eventually(lambda: bus.parked(EVENTS), lambda p: len(p) == 1, "parking")

    healed.set()
    assert await bus.replay(EVENTS) == 1
    await recorder.wait_count(4)
    assert [e.attempt for e in recorder.seen] == [1, 2, 3, 1]
    await _settled(bus, EVENTS, QueueDepth(ready=0, parked=0))


async def test_poison_message_does_not_block_the_queue(harness: Harness) -> None:
    async def poison(envelope: Envelope) -> None:
        if isinstance(envelope.payload, Probe) and envelope.payload.note == "poison":
            raise ValueError("cannot parse order")

    bus = await harness.bus()
    recorder = Recorder(poison)
    await bus.consume(EVENTS, recorder)
    bad, good = probe(1, "poison"), probe(2, "fine")
    await bus.publish(EVENTS, bad)
    await bus.publish(EVENTS, good)

    [parked] = await eventually(lambda: bus.parked(EVENTS), lambda p: len(p) == 1, "parking")
    assert parked.message_id == bad.message_id
    order = [(e.message_id, e.attempt) for e in recorder.seen]
    # The good message went through right after the poison's first failure, not after
    # the poison exhausted its attempts.
    assert order.index((good.message_id, 1)) < order.index((bad.message_id, 2))
    assert order.count((good.message_id, 1)) == 1


async def test_invalid_bodies_are_parked_with_the_reason(harness: Harness) -> None:
    bus = await harness.bus()
    recorder = Recorder()
    await bus.consume(EVENTS, recorder)
    valid = json.loads(probe(1).encode())
    unknown = {**valid, "type": "test.no_such_type"}
    invalid = {**valid, "payload": {"seq": "not a number"}}
    bodies = {
        "bad-json": b"{this is not json",
        "unknown-type": json.dumps(unknown).encode(),
        "bad-payload": json.dumps(invalid).encode(),
    }
    for message_id, body in bodies.items():
        await harness.publish_raw(EVENTS, body, message_id)
    good = probe(2)
    await bus.publish(EVENTS, good)

    parked = await eventually(lambda: bus.parked(EVENTS), lambda p: len(p) == 3, "parking")
    by_id = {p.message_id: p for p in parked}
    assert set(by_id) == set(bodies)
    assert "not valid JSON" in by_id["bad-json"].reason
    assert "unknown message type 'test.no_such_type'" in by_id["unknown-type"].reason
    assert "invalid test.bus_probe message" in by_id["bad-payload"].reason
    assert "payload.seq" in by_id["bad-payload"].reason or "seq" in by_id["bad-payload"].reason
    for message_id, body in bodies.items():
        assert by_id[message_id].body == body
        assert by_id[message_id].envelope is None
    # The consumer survived all three and handled the valid message after them.
    await recorder.wait_count(1)
    assert [e.message_id for e in recorder.seen] == [good.message_id]


async def test_retry_later_that_does_not_count_never_parks(harness: Harness) -> None:
    calls = 0

    async def tally_closed_five_times(envelope: Envelope) -> None:
        nonlocal calls
        calls += 1
        if calls <= 5:
            raise RetryLater("TallyPrime is not running", counts=False)

    bus = await harness.bus()
    recorder = Recorder(tally_closed_five_times)
    await bus.consume(EVENTS, recorder)
    await bus.publish(EVENTS, probe(1))

    await recorder.wait_count(6)  # twice the delivery limit of 3, and more
    assert [e.attempt for e in recorder.seen] == [1] * 6
    await _settled(bus, EVENTS, QueueDepth(ready=0, parked=0))
    assert await bus.parked(EVENTS) == []


async def test_counted_retry_later_parks_at_the_limit(harness: Harness) -> None:
    async def later(envelope: Envelope) -> None:
        raise RetryLater("Walmart throttled", delay=0.1)

    bus = await harness.bus()
    recorder = Recorder(later)
    await bus.consume(EVENTS, recorder)
    await bus.publish(EVENTS, probe(1))

    [message] = await eventually(lambda: bus.parked(EVENTS), lambda p: len(p) == 1, "parking")
    assert [e.attempt for e in recorder.seen] == [1, 2, 3]
    assert message.reason == "gave up after 3 attempts: Walmart throttled"


async def test_purge_parked(harness: Harness) -> None:
    async def reject(envelope: Envelope) -> None:
        raise Reject("no")

    bus = await harness.bus()
    await bus.consume(EVENTS, Recorder(reject))
    sent = [probe(i) for i in range(3)]
    await bus.publish_many(EVENTS, sent)
    await eventually(lambda: bus.parked(EVENTS), lambda p: len(p) == 3, "parking")

    assert await bus.purge_parked(EVENTS, sent[0].message_id) == 1
    assert _ids(await bus.parked(EVENTS)) == {sent[1].message_id, sent[2].message_id}
    assert await bus.purge_parked(EVENTS, "no-such-id") == 0
    assert await bus.purge_parked(EVENTS) == 2
    assert await bus.parked(EVENTS) == []
    assert await bus.depth(EVENTS) == QueueDepth(ready=0, parked=0)


async def test_handler_runs_with_the_correlation_id_in_the_log_context(harness: Harness) -> None:
    contexts: list[dict[str, object]] = []

    async def capture(envelope: Envelope) -> None:
        contexts.append(structlog.contextvars.get_contextvars())

    bus = await harness.bus()
    recorder = Recorder(capture)
    await bus.consume(EVENTS, recorder)
    sent = probe(1)
    await bus.publish(EVENTS, sent)

    await recorder.wait_count(1)
    assert contexts[0]["correlation_id"] == sent.correlation_id
    assert contexts[0]["message_id"] == sent.message_id
    assert contexts[0]["tenant"] == TENANT


async def test_single_active_consumer_on_tally_commands(harness: Harness) -> None:
    bus = await harness.bus()
    first, second = Recorder(), Recorder()
    await bus.consume(TALLY, first)
    await bus.consume(TALLY, second)
    await bus.publish_many(TALLY, [probe(i) for i in range(6)])

    await eventually(
        lambda: _total(first, second), lambda n: n >= 6, "six deliveries across both consumers"
    )
    active, standby = (first, second) if first.seen else (second, first)
    assert [e.payload.seq for e in active.seen if isinstance(e.payload, Probe)] == list(range(6))
    assert standby.seen == []


async def _total(*recorders: Recorder) -> int:
    return sum(len(r.seen) for r in recorders)


async def test_cancelled_subscription_hands_over_to_the_standby(harness: Harness) -> None:
    bus = await harness.bus()
    first, second = Recorder(), Recorder()
    subscription = await bus.consume(TALLY, first)
    await bus.publish(TALLY, probe(1))
    await first.wait_count(1)
    await bus.consume(TALLY, second)

    await subscription.cancel()
    await bus.publish(TALLY, probe(2))

    await second.wait_count(1)
    assert [e.payload.seq for e in second.seen if isinstance(e.payload, Probe)] == [2]
    assert len(first.seen) == 1


async def test_close_waits_for_the_in_flight_handler(harness: Harness) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(envelope: Envelope) -> None:
        started.set()
        await release.wait()

    bus = await harness.bus()
    recorder = Recorder(slow)
    await bus.consume(EVENTS, recorder)
    await bus.publish(EVENTS, probe(1))
    await asyncio.wait_for(started.wait(), 60)

    closing = asyncio.create_task(bus.close())
    await asyncio.sleep(0.2)
    assert not closing.done(), "close() returned while a handler was still running"
    release.set()
    await closing

    observer = await harness.bus()
    assert await observer.depth(EVENTS) == QueueDepth(ready=0, parked=0)  # acknowledged


async def test_a_consumer_that_keeps_crashing_ends_in_parking(harness: Harness) -> None:
    """The broker-side delivery limit (CRASH_LOOP_POLICY: 2) parks a message whose
    consumer dies before acknowledging it every time, so a crash loop cannot go on forever."""
    bus = await harness.bus()
    sent = probe(1, "crashes its consumer")
    await bus.publish(CRASH_QUEUE, sent)

    for _ in range(3):  # delivered once, then redelivered up to the limit of 2
        assert await crash_consumer_once(harness, CRASH_QUEUE) == sent.message_id

    survivor = await harness.bus()
    recorder = Recorder()
    await survivor.consume(CRASH_QUEUE, recorder)
    [message] = await eventually(
        lambda: survivor.parked(CRASH_QUEUE), lambda p: len(p) == 1, "crash-loop parking"
    )
    assert message.message_id == sent.message_id
    assert "without an acknowledgement" in message.reason
    assert message.envelope is not None
    assert message.envelope.payload == sent.payload
    assert recorder.seen == []
