"""The store on SQLAlchemy Core: one implementation for PostgreSQL and SQLite.

``SqlStore`` takes a URL (and then owns its engine) or an existing :class:`AsyncEngine`
(standalone mode: the embedded bus and the store share one engine on one SQLite file, so
the caller disposes of it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# Importing the package registers every message type, so outbox rows can be decoded.
import mlc_shared.messages  # noqa: F401
from mlc_shared.store import tables as t
from mlc_shared.store.base import Store, StoreTx
from mlc_shared.store.engine import READ_ONLY, begin_autocommit, begin_write, create_engine
from mlc_shared.store.errors import RecordNotFound, StoreError
from mlc_shared.store.migrate import upgrade
from mlc_shared.store.records import (
    AgentStatusRow,
    AuditQuery,
    AuditRow,
    FlowState,
    OutboxRow,
    TenantRecord,
    WebhookEvent,
)
from mlc_shared.store.sql_support import (
    agent_status_row,
    audit_row,
    chunks,
    flow_state,
    insert,
    now,
    outbox_row,
    tenant_record,
    to_db,
    to_db_opt,
    translate_errors,
    webhook_event,
)
from mlc_shared.store.sql_tx import SqlStoreTx

#: Seconds ``ping`` waits for the database before reporting "not ready".
PING_TIMEOUT_SECONDS = 5.0


class SqlStore(Store):
    def __init__(self, target: str | AsyncEngine) -> None:
        if isinstance(target, AsyncEngine):
            self._engine, self._owns_engine = target, False
        else:
            self._engine, self._owns_engine = create_engine(target), True

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def migrate(self) -> None:
        async with translate_errors():
            await upgrade(self._engine)

    async def close(self) -> None:
        if self._owns_engine:
            await self._engine.dispose()

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS), self._read() as conn:
                await conn.execute(sa.select(1))
        except (SQLAlchemyError, StoreError, OSError, TimeoutError):
            return False
        return True

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[StoreTx]:
        """Commit when the block ends normally, roll back when it raises."""
        async with translate_errors(), begin_write(self._engine) as conn:
            yield SqlStoreTx(conn)

    # webhook intake (outside flow transactions) ----------------------------------------

    async def add_webhook_events(self, events: Sequence[WebhookEvent]) -> set[str]:
        # One multi-row statement per chunk (SQLAlchemy's "insertmanyvalues" for an
        # executemany with RETURNING): the receiver stores a burst of deliveries at once,
        # and a statement per row cost it more CPU than the rest of the request.
        stmt = (
            insert(self._engine.dialect, t.webhook_events)
            .on_conflict_do_nothing(index_elements=[t.webhook_events.c.event_id])
            .returning(t.webhook_events.c.event_id)
        )
        rows = [
            {
                "event_id": event.event_id,
                "tenant": event.tenant,
                "event_type": event.event_type,
                "event_time": to_db_opt(event.event_time),
                "received_at": to_db(event.received_at),
                "body": event.body,
                "known_type": event.known_type,
                "published_at": to_db_opt(event.published_at),
            }
            for event in events
        ]
        stored: set[str] = set()
        async with translate_errors(), begin_autocommit(self._engine) as conn:
            for part in chunks(rows):
                stored.update((await conn.execute(stmt, list(part))).scalars())
        return stored

    async def mark_webhooks_published(self, event_ids: Sequence[str]) -> None:
        w = t.webhook_events
        wanted = list(dict.fromkeys(event_ids))
        marked: set[str] = set()
        async with translate_errors(), begin_autocommit(self._engine) as conn:
            for part in chunks(wanted):
                stmt = (
                    sa.update(w)
                    .where(w.c.event_id.in_(part))
                    # the first publication time stays: a second mark (a sweep after a lost
                    # mark) changes nothing
                    .values(
                        published_at=sa.func.coalesce(
                            w.c.published_at, sa.literal(now(), t.Timestamp)
                        )
                    )
                    .returning(w.c.event_id)
                )
                marked.update((await conn.execute(stmt)).scalars())
        if missing := [event_id for event_id in wanted if event_id not in marked]:
            raise RecordNotFound(f"no webhook events {', '.join(map(repr, missing))}")

    # outbox relay ----------------------------------------------------------------------

    async def unpublished_outbox(self, limit: int = 500) -> list[OutboxRow]:
        o = t.outbox
        stmt = sa.select(o).where(o.c.published_at.is_(None)).order_by(o.c.id).limit(limit)
        async with self._read() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        return [outbox_row(row) for row in rows]

    async def mark_outbox_published(self, ids: Sequence[int], at: datetime | None = None) -> None:
        published_at = now() if at is None else to_db(at)
        o = t.outbox
        async with translate_errors(), begin_write(self._engine) as conn:
            for part in chunks(list(ids)):
                # only unpublished rows: a relay that retries keeps the first publication time
                await conn.execute(
                    sa.update(o)
                    .where(o.c.id.in_(part), o.c.published_at.is_(None))
                    .values(published_at=published_at)
                )

    # reads for operators ---------------------------------------------------------------

    async def search_audit(self, query: AuditQuery) -> list[AuditRow]:
        """Rows matching every given field, newest first. ``since`` is inclusive, ``until``
        exclusive; ``text`` is a case-insensitive substring of source_id, target_id or the
        detail JSON."""
        if query.limit < 1:
            raise ValueError(f"audit search limit must be at least 1, not {query.limit}")
        a = t.audit
        conditions: list[sa.ColumnElement[bool]] = [
            column == value
            for column, value in (
                (a.c.tenant, query.tenant),
                (a.c.flow, query.flow),
                (a.c.record_kind, query.record_kind),
                (a.c.source_id, query.source_id),
                (a.c.target_id, query.target_id),
                (a.c.status, query.status),
                (a.c.correlation_id, query.correlation_id),
            )
            if value is not None
        ]
        if query.after_id is not None:
            conditions.append(a.c.id > query.after_id)
        if query.since is not None:
            conditions.append(a.c.created_at >= to_db(query.since))
        if query.until is not None:
            conditions.append(a.c.created_at < to_db(query.until))
        if query.text:
            conditions.append(
                sa.or_(
                    a.c.source_id.icontains(query.text, autoescape=True),
                    a.c.target_id.icontains(query.text, autoescape=True),
                    sa.cast(a.c.detail, sa.Text).icontains(query.text, autoescape=True),
                )
            )
        order = (a.c.id,) if query.oldest_first else (a.c.created_at.desc(), a.c.id.desc())
        stmt = sa.select(a).where(*conditions).order_by(*order).limit(query.limit)
        async with self._read() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        return [audit_row(row) for row in rows]

    async def list_cursors(
        self, tenant: str | None = None
    ) -> dict[tuple[str, str], dict[str, Any]]:
        c = t.cursors
        stmt = sa.select(c.c.tenant, c.c.flow, c.c.value).order_by(c.c.tenant, c.c.flow)
        if tenant is not None:
            stmt = stmt.where(c.c.tenant == tenant)
        async with self._read() as conn:
            rows = (await conn.execute(stmt)).all()
        return {(row.tenant, row.flow): row.value for row in rows}

    async def list_flow_states(self, tenant: str | None = None) -> list[FlowState]:
        f = t.flow_state
        stmt = sa.select(f).order_by(f.c.tenant, f.c.flow)
        if tenant is not None:
            stmt = stmt.where(f.c.tenant == tenant)
        async with self._read() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        return [flow_state(row) for row in rows]

    async def unpublished_webhook_events(self, limit: int = 500) -> list[WebhookEvent]:
        w = t.webhook_events
        stmt = (
            sa.select(w)
            .where(w.c.published_at.is_(None))
            .order_by(w.c.received_at, w.c.event_id)
            .limit(limit)
        )
        async with self._read() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        return [webhook_event(row) for row in rows]

    async def list_tenants(self) -> list[TenantRecord]:
        stmt = sa.select(t.tenants).order_by(t.tenants.c.tenant)
        async with self._read() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        return [tenant_record(row) for row in rows]

    async def find_tenant(self, tenant: str) -> TenantRecord | None:
        stmt = sa.select(t.tenants).where(t.tenants.c.tenant == tenant)
        async with self._read() as conn:
            row = (await conn.execute(stmt)).mappings().first()
        return None if row is None else tenant_record(row)

    async def list_agent_statuses(self) -> list[AgentStatusRow]:
        stmt = sa.select(t.agent_status).order_by(t.agent_status.c.tenant)
        async with self._read() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        return [agent_status_row(row) for row in rows]

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads: on SQLite a deferred BEGIN, which never waits for writers."""
        async with translate_errors(), self._engine.connect() as conn:
            await conn.execution_options(**READ_ONLY)
            yield conn
