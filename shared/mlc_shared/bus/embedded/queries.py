"""The embedded bus's statements on ``bus_messages`` (store/tables.py), SQLAlchemy Core.

A row is one message of one queue, in one of three states:

* ``ready``    waiting; deliverable once ``available_at`` (epoch s) has passed. A retry is
               the same row made ready again with ``available_at`` = now + the tier delay.
* ``inflight`` claimed by a consumer until ``lease_until``; the consumer renews the lease
               while its handler runs. An expired lease means the consumer died: the row is
               claimable again and ``x-mlc-redeliveries`` counts it (the quorum queue's
               delivery count, so a crash loop ends in parking as on RabbitMQ).
* ``parked``   out of the queue, with ``reason``, ``history`` and ``parked_at``.

Acknowledging deletes the row. Every write runs in its own transaction, which the store
engine begins with ``BEGIN IMMEDIATE`` (store/engine.py), so claims never race.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from mlc_shared.bus.base import AttemptRecord
from mlc_shared.bus.delivery import FAILURES_HEADER, Retry, decode_history, replay_headers
from mlc_shared.messages.envelope import Envelope, InvalidMessage
from mlc_shared.store.tables import bus_messages as t

READY, INFLIGHT, PARKED = "ready", "inflight", "parked"
REDELIVERIES_HEADER = "x-mlc-redeliveries"
_REDELIVERIES_PATH = f'$."{REDELIVERIES_HEADER}"'


@dataclass(frozen=True)
class Claimed:
    id: int
    message_id: str
    body: bytes
    headers: dict[str, Any]
    history: tuple[AttemptRecord, ...]

    @property
    def redeliveries(self) -> int:
        value = self.headers.get(REDELIVERIES_HEADER, 0)
        return value if isinstance(value, int) else 0


def new_row(queue: str, envelope: Envelope, headers: dict[str, Any], now: float) -> dict[str, Any]:
    return {
        "queue": queue,
        "message_id": envelope.message_id,
        "body": envelope.encode(),
        "headers": headers,
        "attempt": envelope.attempt,
        "state": READY,
        "available_at": now,
        "lease_until": None,
        "reason": None,
        "history": [],
        "created_at": now,
        "parked_at": None,
    }


async def insert(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    await conn.execute(sa.insert(t), list(rows))


def _counted_redelivery() -> sa.ColumnElement[Any]:
    count = sa.func.coalesce(sa.func.json_extract(t.c.headers, _REDELIVERIES_PATH), 0) + 1
    return sa.func.json_set(t.c.headers, _REDELIVERIES_PATH, count)


async def claim(
    conn: AsyncConnection, queue: str, limit: int, now: float, lease: float
) -> list[Claimed]:
    """Take up to ``limit`` deliverable rows, oldest first, in one ``UPDATE ... RETURNING``."""
    due = sa.or_(
        sa.and_(t.c.state == READY, t.c.available_at <= now),
        sa.and_(t.c.state == INFLIGHT, t.c.lease_until < now),
    )
    ids = sa.select(t.c.id).where(t.c.queue == queue, due).order_by(t.c.id).limit(limit)
    stmt = (
        sa.update(t)
        .where(t.c.id.in_(ids.scalar_subquery()))
        .values(
            state=INFLIGHT,
            lease_until=now + lease,
            headers=sa.case((t.c.state == INFLIGHT, _counted_redelivery()), else_=t.c.headers),
        )
        .returning(t.c.id, t.c.message_id, t.c.body, t.c.headers, t.c.history)
    )
    rows = (await conn.execute(stmt)).all()
    # SQLite returns RETURNING rows in no particular order (sqlite.org/lang_returning.html).
    return sorted(
        (
            Claimed(r.id, r.message_id, r.body, _as_dict(r.headers), _history(r.history))
            for r in rows
        ),
        key=lambda c: c.id,
    )


async def recover(conn: AsyncConnection, queue_prefix: str | None) -> int:
    """Rows a previous process left in flight become ready again, counted as redelivered."""
    stmt = (
        sa.update(t)
        .where(t.c.state == INFLIGHT)
        .values(state=READY, lease_until=None, headers=_counted_redelivery())
    )
    if queue_prefix is not None:
        stmt = stmt.where(t.c.queue.startswith(queue_prefix, autoescape=True))
    return (await conn.execute(stmt)).rowcount


async def renew(conn: AsyncConnection, ids: Iterable[int], until: float) -> None:
    stmt = (
        sa.update(t).where(t.c.id.in_(list(ids)), t.c.state == INFLIGHT).values(lease_until=until)
    )
    await conn.execute(stmt)


async def release(conn: AsyncConnection, ids: Iterable[int]) -> None:
    """Give back claimed rows that were never handed to the handler (not a redelivery)."""
    stmt = (
        sa.update(t)
        .where(t.c.id.in_(list(ids)), t.c.state == INFLIGHT)
        .values(state=READY, lease_until=None)
    )
    await conn.execute(stmt)


async def ack(conn: AsyncConnection, row_ids: Sequence[int]) -> None:
    if row_ids:
        await conn.execute(sa.delete(t).where(t.c.id.in_(list(row_ids))))


async def retry(
    conn: AsyncConnection,
    claimed: Claimed,
    envelope: Envelope,
    outcome: Retry,
    now: float,
) -> None:
    headers = replay_headers(claimed.headers)
    headers.pop(REDELIVERIES_HEADER, None)  # a new attempt starts a fresh delivery count
    headers[FAILURES_HEADER] = outcome.failures
    stmt = (
        sa.update(t)
        .where(t.c.id == claimed.id)
        .values(
            state=READY,
            lease_until=None,
            available_at=now + outcome.delay,
            attempt=outcome.attempt,
            body=envelope.with_attempt(outcome.attempt).encode(),
            headers=headers,
            history=[r.to_json() for r in outcome.history],
        )
    )
    await conn.execute(stmt)


async def park(
    conn: AsyncConnection,
    row_id: int,
    reason: str,
    history: Sequence[AttemptRecord],
    headers: dict[str, Any],
    now: float,
) -> None:
    stmt = (
        sa.update(t)
        .where(t.c.id == row_id)
        .values(
            state=PARKED,
            lease_until=None,
            reason=reason,
            history=[r.to_json() for r in history],
            headers=headers,
            parked_at=now,
        )
    )
    await conn.execute(stmt)


async def parked(conn: AsyncConnection, queue: str, limit: int) -> list[sa.Row[Any]]:
    stmt = (
        sa.select(t)
        .where(t.c.queue == queue, t.c.state == PARKED)
        .order_by(t.c.parked_at, t.c.id)
        .limit(limit)
    )
    return list((await conn.execute(stmt)).all())


async def replay(conn: AsyncConnection, queue: str, message_id: str | None, now: float) -> int:
    """Parked rows back at the end of their queue as attempt 1, same message_id: the old
    row is deleted and a new one inserted, in one transaction."""
    where = [t.c.queue == queue, t.c.state == PARKED]
    if message_id is not None:
        where.append(t.c.message_id == message_id)
    rows = (await conn.execute(sa.select(t).where(*where).order_by(t.c.id))).all()
    if not rows:
        return 0
    await conn.execute(sa.delete(t).where(t.c.id.in_([r.id for r in rows])))
    await conn.execute(
        sa.insert(t),
        [
            {
                "queue": queue,
                "message_id": r.message_id,
                "body": _fresh_body(r.body),
                "headers": replay_headers(_as_dict(r.headers)),
                "attempt": 1,
                "state": READY,
                "available_at": now,
                "lease_until": None,
                "reason": None,
                "history": [],
                "created_at": now,
                "parked_at": None,
            }
            for r in rows
        ],
    )
    return len(rows)


async def purge(conn: AsyncConnection, queue: str, message_id: str | None) -> int:
    stmt = sa.delete(t).where(t.c.queue == queue, t.c.state == PARKED)
    if message_id is not None:
        stmt = stmt.where(t.c.message_id == message_id)
    return (await conn.execute(stmt)).rowcount


async def counts(conn: AsyncConnection, queue: str) -> dict[str, int]:
    stmt = sa.select(t.c.state, sa.func.count()).where(t.c.queue == queue).group_by(t.c.state)
    return {state: n for state, n in (await conn.execute(stmt)).all()}


async def next_due(conn: AsyncConnection, queue: str) -> float | None:
    """When the next row of ``queue`` becomes claimable (a delayed retry, a lease ending)."""
    stmt = sa.select(
        sa.func.min(
            sa.case(
                (t.c.state == READY, t.c.available_at),
                (t.c.state == INFLIGHT, t.c.lease_until),
            )
        )
    ).where(t.c.queue == queue, t.c.state != PARKED)
    value = (await conn.execute(stmt)).scalar()
    return float(value) if value is not None else None


def _fresh_body(body: bytes) -> bytes:
    try:
        return Envelope.decode(body).with_attempt(1).encode()
    except InvalidMessage:
        return body


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return dict(value) if isinstance(value, dict) else {}


def _history(value: Any) -> tuple[AttemptRecord, ...]:
    return decode_history(value)
