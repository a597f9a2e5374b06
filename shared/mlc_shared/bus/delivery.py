"""What happens to a delivery whose handler failed: one policy for every adapter.

The adapters differ in how they move a message (a copy published to a retry-tier queue on
RabbitMQ, an UPDATE of ``available_at`` on the embedded bus) but not in *what* they decide;
that decision lives here, so both keep the contract of :mod:`mlc_shared.bus.base` the same
way and the contract suite checks one policy.

Bookkeeping travels with the message under ``x-mlc-*`` header names (AMQP headers on
RabbitMQ, the ``headers`` JSON column on the embedded bus):

* ``x-mlc-tenant``   tenant, so a body that cannot be decoded can still be routed back;
* ``x-mlc-failures`` every failed delivery so far, counted or not; picks the retry tier, so
  an outage that never counts toward the limit still backs off;
* ``x-mlc-history``  JSON list of counted attempts (:class:`AttemptRecord`);
* ``x-mlc-reason`` / ``x-mlc-parked-at``  set when the message is parked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mlc_shared.bus.base import AttemptRecord, Reject, RetryLater
from mlc_shared.bus.topology import QueuePolicy
from mlc_shared.logging import redact_text

TENANT_HEADER = "x-mlc-tenant"
FAILURES_HEADER = "x-mlc-failures"
HISTORY_HEADER = "x-mlc-history"
REASON_HEADER = "x-mlc-reason"
PARKED_AT_HEADER = "x-mlc-parked-at"

BOOKKEEPING_HEADERS = frozenset({FAILURES_HEADER, HISTORY_HEADER, REASON_HEADER, PARKED_AT_HEADER})
"""Dropped when a message is replayed: it starts over as a fresh attempt 1."""

MAX_ERROR_CHARS = 1000
"""An error text is for a human reading the parking queue; a full traceback of a huge
payload would bloat every copy of the message (and AMQP header frames)."""


@dataclass(frozen=True)
class Retry:
    """Deliver again after ``delay`` seconds (retry tier ``tier``) as ``attempt``."""

    tier: int
    delay: float
    attempt: int
    failures: int
    history: tuple[AttemptRecord, ...]


@dataclass(frozen=True)
class Park:
    reason: str
    history: tuple[AttemptRecord, ...]


Outcome = Retry | Park


def error_text(exc: BaseException) -> str:
    """What an operator reads: the reason of our own exceptions, else type and message,
    with any secret the logging redactor knows masked (errors may quote URLs)."""
    if isinstance(exc, Reject | RetryLater):
        text = exc.reason
    else:
        detail = str(exc)
        text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    text = redact_text(text)
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def retry_tier(policy: QueuePolicy, failures: int, delay: float | None = None) -> int:
    """The tier for the ``failures``-th failure: attempt n waits in tier min(n, len) - 1
    (topology.QueuePolicy.retry_delays). An explicit ``delay`` picks the nearest tier; on a
    tie the longer one, since the caller asked to wait at least about that long."""
    delays = policy.retry_delays
    if delay is not None:
        return min(range(len(delays)), key=lambda i: (abs(delays[i] - delay), -delays[i]))
    return max(0, min(failures, len(delays)) - 1)


def decide(
    exc: BaseException,
    *,
    attempt: int,
    failures: int,
    history: Sequence[AttemptRecord],
    policy: QueuePolicy,
    now: datetime,
) -> Outcome:
    """The outcome of attempt ``attempt`` failing with ``exc`` (``failures`` before it)."""
    error = error_text(exc)
    if isinstance(exc, RetryLater) and not exc.counts:
        # Says nothing about the message (base.py RetryLater): same attempt, no history
        # entry, but a later tier each time so an outage is not hammered.
        tier = retry_tier(policy, failures + 1, exc.delay)
        return Retry(tier, policy.retry_delays[tier], attempt, failures + 1, tuple(history))
    recorded = (*history, AttemptRecord(attempt, error, now))
    if isinstance(exc, Reject):
        return Park(error, recorded)
    if attempt >= policy.delivery_limit:
        return Park(f"gave up after {attempt} attempts: {error}", recorded)
    delay = exc.delay if isinstance(exc, RetryLater) else None
    tier = retry_tier(policy, failures + 1, delay)
    return Retry(tier, policy.retry_delays[tier], attempt + 1, failures + 1, recorded)


def encode_history(history: Sequence[AttemptRecord]) -> str:
    return json.dumps([record.to_json() for record in history])


def decode_history(raw: object) -> tuple[AttemptRecord, ...]:
    """History from a header or column; tolerant, since a parked message must always list
    (an unreadable history is shown as empty rather than hiding the message)."""
    try:
        items = json.loads(raw) if isinstance(raw, str | bytes) else raw
        if not isinstance(items, list):
            return ()
        return tuple(AttemptRecord.from_json(item) for item in items)
    except (ValueError, TypeError, KeyError):
        return ()


def header_int(headers: Mapping[str, Any], name: str) -> int:
    value = headers.get(name)
    try:
        return int(value) if value is not None else 0
    except (TypeError, ValueError):
        return 0


def replay_headers(headers: Mapping[str, Any]) -> dict[str, Any]:
    """Headers for a replayed copy: the original ones, without bookkeeping of earlier
    attempts (broker ``x-death``/``x-delivery-count`` included) so it starts afresh."""
    return {
        key: value
        for key, value in headers.items()
        if key not in BOOKKEEPING_HEADERS and not _is_broker_header(key)
    }


def _is_broker_header(key: str) -> bool:
    return key in ("x-death", "x-delivery-count") or key.startswith(
        ("x-first-death-", "x-last-death-")
    )
