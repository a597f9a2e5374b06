"""The failure policy both adapters share (mlc_shared/bus/delivery.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from mlc_shared.bus.base import AttemptRecord, Reject, RetryLater
from mlc_shared.bus.delivery import (
    FAILURES_HEADER,
    HISTORY_HEADER,
    MAX_ERROR_CHARS,
    TENANT_HEADER,
    Park,
    Retry,
    decide,
    decode_history,
    encode_history,
    error_text,
    replay_headers,
    retry_tier,
)
from mlc_shared.bus.topology import QueuePolicy
from mlc_shared.logging import register_secret

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
POLICY = QueuePolicy(delivery_limit=3, retry_delays=(1.0, 10.0, 60.0))


def test_failed_attempt_goes_to_the_tier_of_its_number() -> None:
    outcome = decide(
        RuntimeError("db down"), attempt=1, failures=0, history=(), policy=POLICY, now=NOW
    )
    assert outcome == Retry(
        tier=0,
        delay=1.0,
        attempt=2,
        failures=1,
        history=(AttemptRecord(1, "RuntimeError: db down", NOW),),
    )


def test_later_failures_climb_the_tiers_and_stay_on_the_last() -> None:
    assert [retry_tier(POLICY, n) for n in (1, 2, 3, 4, 10)] == [0, 1, 2, 2, 2]


@pytest.mark.parametrize(
    ("delay", "tier"), [(0.0, 0), (1.2, 0), (7.0, 1), (34.0, 1), (36.0, 2), (1000.0, 2)]
)
def test_explicit_delay_picks_the_nearest_tier(delay: float, tier: int) -> None:
    assert retry_tier(POLICY, 1, delay) == tier


def test_a_tie_between_tiers_goes_to_the_longer_delay() -> None:
    assert retry_tier(POLICY, 1, 5.5) == 1  # 4.5 s from both 1 s and 10 s


def test_the_last_counted_attempt_parks_with_the_whole_history() -> None:
    earlier = (AttemptRecord(1, "RuntimeError: a", NOW), AttemptRecord(2, "RuntimeError: b", NOW))
    outcome = decide(
        RuntimeError("c"), attempt=3, failures=2, history=earlier, policy=POLICY, now=NOW
    )
    assert outcome == Park(
        "gave up after 3 attempts: RuntimeError: c",
        (*earlier, AttemptRecord(3, "RuntimeError: c", NOW)),
    )


def test_reject_parks_at_once_with_its_reason() -> None:
    outcome = decide(
        Reject("unmapped SKU X"), attempt=1, failures=0, history=(), policy=POLICY, now=NOW
    )
    assert outcome == Park("unmapped SKU X", (AttemptRecord(1, "unmapped SKU X", NOW),))


def test_retry_later_that_does_not_count_keeps_the_attempt_but_backs_off() -> None:
    exc = RetryLater("Tally closed", counts=False)
    first = decide(exc, attempt=3, failures=0, history=(), policy=POLICY, now=NOW)
    later = decide(exc, attempt=3, failures=7, history=(), policy=POLICY, now=NOW)
    assert first == Retry(tier=0, delay=1.0, attempt=3, failures=1, history=())
    assert later == Retry(tier=2, delay=60.0, attempt=3, failures=8, history=())


def test_counted_retry_later_uses_its_delay_and_counts() -> None:
    outcome = decide(
        RetryLater("throttled", delay=50.0),
        attempt=1,
        failures=0,
        history=(),
        policy=POLICY,
        now=NOW,
    )
    assert isinstance(outcome, Retry)
    assert (outcome.tier, outcome.attempt, outcome.history[0].error) == (2, 2, "throttled")


def test_error_text_masks_registered_secrets_and_is_bounded() -> None:
    register_secret("s3cr3t-value")
    text = error_text(RuntimeError("login with s3cr3t-value failed " + "x" * 5000))
    assert "s3cr3t-value" not in text
    assert text.startswith("RuntimeError: login with ***")
    assert len(text) == MAX_ERROR_CHARS


def test_error_text_of_an_exception_without_message_is_its_type() -> None:
    assert error_text(TimeoutError()) == "TimeoutError"


def test_history_survives_the_header_round_trip() -> None:
    history = (AttemptRecord(1, "a", NOW), AttemptRecord(2, "b", NOW))
    assert decode_history(encode_history(history)) == history
    assert decode_history([r.to_json() for r in history]) == history


@pytest.mark.parametrize("raw", [None, "not json", "{}", '[{"attempt": 1}]', 42])
def test_unreadable_history_reads_as_empty(raw: object) -> None:
    assert decode_history(raw) == ()


def test_replay_headers_drop_bookkeeping_and_broker_headers_only() -> None:
    headers = {
        TENANT_HEADER: "acme",
        FAILURES_HEADER: 3,
        HISTORY_HEADER: "[]",
        "x-mlc-reason": "r",
        "x-mlc-parked-at": "t",
        "x-death": [{"count": 1}],
        "x-first-death-queue": "q",
        "x-last-death-reason": "expired",
        "x-delivery-count": 2,
        "traceparent": "00-abc",
    }
    assert replay_headers(headers) == {TENANT_HEADER: "acme", "traceparent": "00-abc"}
