"""Helpers the SQL store shares between its store-level and transaction-level halves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, RowMapping
from sqlalchemy.exc import DBAPIError

from mlc_shared.messages.envelope import Envelope, InvalidMessage
from mlc_shared.messages.tally import AgentStatus
from mlc_shared.store.errors import NaiveTimestamp, StoreUnavailable, UndecodableOutboxRow
from mlc_shared.store.records import (
    AgentStatusRow,
    AuditRow,
    FlowState,
    OutboxRow,
    TenantRecord,
    WebhookEvent,
)

T = TypeVar("T")

#: Keys per ``IN (...)`` list: far below SQLite's and asyncpg's 32766/32767 parameter limits.
IN_CHUNK = 500

# PostgreSQL "try again" conditions (https://www.postgresql.org/docs/current/errcodes-appendix.html):
# serialization_failure, deadlock_detected, lock_not_available; classes 08 (connection),
# 53 (insufficient resources), 57 (operator intervention: shutdown, cannot connect now).
_PG_RETRYABLE = {"40001", "40P01", "55P03"}
_PG_RETRYABLE_CLASSES = {"08", "53", "57"}
# SQLite primary result codes that pass (https://sqlite.org/rescode.html): BUSY, LOCKED,
# IOERR, FULL, CANTOPEN. Others (no such table, constraint) are bugs, not outages.
_SQLITE_RETRYABLE = {5, 6, 10, 13, 14}


def to_db(value: datetime) -> datetime:
    """A timestamp as stored: UTC. SQLite keeps only the wall-clock digits, so anything but
    UTC would be read back as a different instant; naive values are refused, not guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveTimestamp(f"timestamp {value.isoformat()} has no time zone; pass UTC")
    return value.astimezone(UTC)


def to_db_opt(value: datetime | None) -> datetime | None:
    return None if value is None else to_db(value)


def from_db(value: datetime) -> datetime:
    """A stored timestamp as an aware UTC ``datetime``: SQLite hands back naive UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def from_db_opt(value: datetime | None) -> datetime | None:
    return None if value is None else from_db(value)


def now() -> datetime:
    return datetime.now(UTC)


def insert(dialect: Dialect, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which has ``on_conflict_do_nothing``/``_do_update``."""
    if dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def json_or_null(value: dict[str, Any] | None) -> Any:
    """SQL NULL for ``None`` (not the JSON text ``null``, which a text search would match)."""
    return sa.null() if value is None else value


@asynccontextmanager
async def translate_errors() -> AsyncIterator[None]:
    """Turn transient database failures into :class:`StoreUnavailable` (errors.py)."""
    try:
        yield
    except DBAPIError as exc:
        if _transient(exc):
            raise StoreUnavailable(f"database unavailable: {_first_line(exc)}") from exc
        raise
    except (OSError, TimeoutError) as exc:  # connecting: refused, unreachable, timed out
        raise StoreUnavailable(f"database unreachable: {exc}") from exc


def _transient(exc: DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate in _PG_RETRYABLE or sqlstate[:2] in _PG_RETRYABLE_CLASSES
    sqlite_code = getattr(exc.orig, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        return sqlite_code & 0xFF in _SQLITE_RETRYABLE  # extended codes keep the low byte
    return False


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__


def outbox_row(row: RowMapping) -> OutboxRow:
    try:
        envelope = Envelope.decode(row["envelope"])
    except InvalidMessage as exc:
        raise UndecodableOutboxRow(row["id"], exc.reason) from None
    return OutboxRow(
        id=row["id"], queue=row["queue"], envelope=envelope, created_at=from_db(row["created_at"])
    )


def audit_row(row: RowMapping) -> AuditRow:
    return AuditRow(
        id=row["id"],
        tenant=row["tenant"],
        flow=row["flow"],
        correlation_id=row["correlation_id"],
        record_kind=row["record_kind"],
        source_id=row["source_id"],
        target_id=row["target_id"],
        status=row["status"],
        request=row["request"],
        response=row["response"],
        detail=row["detail"],
        attempts=row["attempts"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
    )


def webhook_event(row: RowMapping) -> WebhookEvent:
    return WebhookEvent(
        event_id=row["event_id"],
        tenant=row["tenant"],
        event_type=row["event_type"],
        event_time=from_db_opt(row["event_time"]),
        received_at=from_db(row["received_at"]),
        body=row["body"],
        known_type=row["known_type"],
        published_at=from_db_opt(row["published_at"]),
    )


def flow_state(row: RowMapping) -> FlowState:
    return FlowState(
        tenant=row["tenant"],
        flow=row["flow"],
        paused=row["paused"],
        last_run_at=from_db_opt(row["last_run_at"]),
        last_success_at=from_db_opt(row["last_success_at"]),
        last_error=row["last_error"],
    )


def tenant_record(row: RowMapping) -> TenantRecord:
    return TenantRecord(
        tenant=row["tenant"],
        display_name=row["display_name"],
        tally_company=row["tally_company"],
        walmart_client_id=row["walmart_client_id"],
        walmart_client_secret=row["walmart_client_secret"],
        webhook_config=row["webhook_config"],
        schedules=row["schedules"] or {},
        enabled=row["enabled"],
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
    )


def tenant_values(record: TenantRecord) -> dict[str, Any]:
    """The columns of ``record`` (secrets in clear: this is where they are stored)."""
    secret, webhook = record.walmart_client_secret, record.webhook_config
    return {
        "display_name": record.display_name,
        "tally_company": record.tally_company,
        "walmart_client_id": record.walmart_client_id,
        "walmart_client_secret": None if secret is None else secret.get_secret_value(),
        "webhook_config": None if webhook is None else webhook.get_secret_value(),
        "schedules": dict(record.schedules),
        "enabled": record.enabled,
    }


def agent_status_row(row: RowMapping) -> AgentStatusRow:
    return AgentStatusRow(
        tenant=row["tenant"],
        status=AgentStatus.model_validate(row["status"]),
        received_at=from_db(row["received_at"]),
    )
