"""The :class:`StoreTx` of the SQL store: every call runs on the one connection (and so in
the one transaction) that :meth:`SqlStore.transaction` opened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.tally import AgentStatus
from mlc_shared.store import tables as t
from mlc_shared.store.base import StoreTx
from mlc_shared.store.errors import RecordNotFound
from mlc_shared.store.records import AuditEntry, FlowState, TenantRecord
from mlc_shared.store.sql_support import (
    chunks,
    flow_state,
    insert,
    json_or_null,
    now,
    tenant_record,
    tenant_values,
    to_db,
    to_db_opt,
)


class SqlStoreTx(StoreTx):
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._dialect = conn.dialect

    # cursors ---------------------------------------------------------------------------

    async def get_cursor(self, tenant: str, flow: str) -> dict[str, Any] | None:
        # FOR UPDATE (PostgreSQL): a second transaction moving the same cursor waits for this
        # one instead of reading the old value, so read-then-set loses no update. SQLite has
        # no row locks and needs none: BEGIN IMMEDIATE already serialises writers (engine.py).
        stmt = (
            sa.select(t.cursors.c.value)
            .where(t.cursors.c.tenant == tenant, t.cursors.c.flow == flow)
            .with_for_update()
        )
        value: dict[str, Any] | None = (await self._conn.execute(stmt)).scalar_one_or_none()
        return value

    async def set_cursor(self, tenant: str, flow: str, value: dict[str, Any]) -> None:
        stmt = insert(self._dialect, t.cursors).values(
            tenant=tenant, flow=flow, value=value, updated_at=now()
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.cursors.c.tenant, t.cursors.c.flow],
            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
        )
        await self._conn.execute(stmt)

    # record versions -------------------------------------------------------------------

    async def get_versions(self, tenant: str, kind: str, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        table = t.record_versions
        for part in chunks(list(dict.fromkeys(keys))):
            stmt = sa.select(table.c.key, table.c.version).where(
                table.c.tenant == tenant, table.c.kind == kind, table.c.key.in_(part)
            )
            found.update({row.key: row.version for row in await self._conn.execute(stmt)})
        return found

    async def set_versions(self, tenant: str, kind: str, versions: dict[str, str]) -> None:
        if not versions:
            return
        seen_at = now()
        stmt = insert(self._dialect, t.record_versions)
        stmt = stmt.on_conflict_do_update(
            index_elements=[
                t.record_versions.c.tenant,
                t.record_versions.c.kind,
                t.record_versions.c.key,
            ],
            set_={"version": stmt.excluded.version, "seen_at": stmt.excluded.seen_at},
        )
        rows = [
            {"tenant": tenant, "kind": kind, "key": key, "version": version, "seen_at": seen_at}
            for key, version in versions.items()
        ]
        for part in chunks(rows):
            await self._conn.execute(stmt, list(part))

    # mappings --------------------------------------------------------------------------

    async def get_mapping(self, tenant: str, kind: str, key: str) -> dict[str, Any] | None:
        m = t.mappings
        stmt = sa.select(m.c.value).where(m.c.tenant == tenant, m.c.kind == kind, m.c.key == key)
        value: dict[str, Any] | None = (await self._conn.execute(stmt)).scalar_one_or_none()
        return value

    async def list_mappings(self, tenant: str, kind: str) -> dict[str, dict[str, Any]]:
        m = t.mappings
        stmt = (
            sa.select(m.c.key, m.c.value)
            .where(m.c.tenant == tenant, m.c.kind == kind)
            .order_by(m.c.key)
        )
        return {row.key: row.value for row in await self._conn.execute(stmt)}

    async def put_mapping(self, tenant: str, kind: str, key: str, value: dict[str, Any]) -> None:
        stmt = insert(self._dialect, t.mappings).values(
            tenant=tenant, kind=kind, key=key, value=value, updated_at=now()
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.mappings.c.tenant, t.mappings.c.kind, t.mappings.c.key],
            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
        )
        await self._conn.execute(stmt)

    async def delete_mapping(self, tenant: str, kind: str, key: str) -> bool:
        m = t.mappings
        stmt = (
            sa.delete(m)
            .where(m.c.tenant == tenant, m.c.kind == kind, m.c.key == key)
            .returning(m.c.key)
        )
        return (await self._conn.execute(stmt)).first() is not None

    async def clear_mappings(self, tenant: str) -> int:
        m = t.mappings
        result = await self._conn.execute(
            sa.delete(m).where(m.c.tenant == tenant).returning(m.c.key)
        )
        return len(result.all())

    # outbox and inbox ------------------------------------------------------------------

    async def add_outbox(self, queue: str, message: Envelope) -> bool:
        stmt = (
            insert(self._dialect, t.outbox)
            .values(
                message_id=message.message_id,
                queue=queue,
                tenant=message.tenant,
                envelope=message.encode().decode(),
                created_at=now(),
            )
            .on_conflict_do_nothing(index_elements=[t.outbox.c.message_id])
            .returning(t.outbox.c.id)
        )
        return (await self._conn.execute(stmt)).first() is not None

    async def mark_processed(self, consumer: str, message_id: str) -> bool:
        stmt = (
            insert(self._dialect, t.inbox)
            .values(consumer=consumer, message_id=message_id, processed_at=now())
            .on_conflict_do_nothing(index_elements=[t.inbox.c.consumer, t.inbox.c.message_id])
            .returning(t.inbox.c.message_id)
        )
        return (await self._conn.execute(stmt)).first() is not None

    # audit -----------------------------------------------------------------------------

    async def add_audit(self, entry: AuditEntry) -> int:
        at = now()
        values = entry.model_dump()
        values["detail"] = json_or_null(entry.detail)
        stmt = (
            sa.insert(t.audit)
            .values(**values, created_at=at, updated_at=at)
            .returning(t.audit.c.id)
        )
        audit_id: int = (await self._conn.execute(stmt)).scalar_one()
        return audit_id

    async def add_audits(self, entries: Sequence[AuditEntry]) -> None:
        # One executemany: a step that audits a page of orders writes one statement.
        at = now()
        rows = [
            entry.model_dump()
            | {"detail": json_or_null(entry.detail)}
            | {"created_at": at, "updated_at": at}
            for entry in entries
        ]
        for part in chunks(rows):
            await self._conn.execute(sa.insert(t.audit), list(part))

    async def update_audit(
        self,
        audit_id: int,
        *,
        status: str,
        target_id: str | None = None,
        response: str | None = None,
        detail: dict[str, Any] | None = None,
        attempts: int | None = None,
    ) -> None:
        # None means "leave as it is": an update never erases what an earlier step recorded.
        changes: dict[str, Any] = {"status": status, "updated_at": now()}
        optional = {
            "target_id": target_id,
            "response": response,
            "detail": detail,
            "attempts": attempts,
        }
        changes.update({name: value for name, value in optional.items() if value is not None})
        stmt = (
            sa.update(t.audit)
            .where(t.audit.c.id == audit_id)
            .values(**changes)
            .returning(t.audit.c.id)
        )
        if (await self._conn.execute(stmt)).first() is None:
            raise RecordNotFound(f"no audit row {audit_id}")

    # flow state ------------------------------------------------------------------------

    async def get_flow_state(self, tenant: str, flow: str) -> FlowState:
        f = t.flow_state
        stmt = sa.select(f).where(f.c.tenant == tenant, f.c.flow == flow)
        row = (await self._conn.execute(stmt)).mappings().first()
        return FlowState(tenant=tenant, flow=flow) if row is None else flow_state(row)

    async def put_flow_state(self, state: FlowState) -> None:
        values = {
            "paused": state.paused,
            "last_run_at": to_db_opt(state.last_run_at),
            "last_success_at": to_db_opt(state.last_success_at),
            "last_error": state.last_error,
            "updated_at": now(),
        }
        stmt = insert(self._dialect, t.flow_state).values(
            tenant=state.tenant, flow=state.flow, **values
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.flow_state.c.tenant, t.flow_state.c.flow], set_=values
        )
        await self._conn.execute(stmt)

    # flow records ----------------------------------------------------------------------

    async def get_records(
        self, tenant: str, kind: str, keys: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        r = t.flow_records
        found: dict[str, dict[str, Any]] = {}
        for part in chunks(list(dict.fromkeys(keys))):
            stmt = sa.select(r.c.key, r.c.value).where(
                r.c.tenant == tenant, r.c.kind == kind, r.c.key.in_(part)
            )
            found.update({row.key: row.value for row in await self._conn.execute(stmt)})
        return found

    async def put_records(self, tenant: str, kind: str, values: dict[str, dict[str, Any]]) -> None:
        if not values:
            return
        at = now()
        stmt = insert(self._dialect, t.flow_records)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.flow_records.c.tenant, t.flow_records.c.kind, t.flow_records.c.key],
            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
        )
        rows = [
            {"tenant": tenant, "kind": kind, "key": key, "value": value, "updated_at": at}
            for key, value in values.items()
        ]
        for part in chunks(rows):
            await self._conn.execute(stmt, list(part))

    async def delete_records(self, tenant: str, kind: str, keys: Sequence[str]) -> int:
        r = t.flow_records
        deleted = 0
        for part in chunks(list(dict.fromkeys(keys))):
            stmt = (
                sa.delete(r)
                .where(r.c.tenant == tenant, r.c.kind == kind, r.c.key.in_(part))
                .returning(r.c.key)
            )
            deleted += len((await self._conn.execute(stmt)).all())
        return deleted

    async def list_records(self, tenant: str, kind: str) -> dict[str, dict[str, Any]]:
        r = t.flow_records
        stmt = (
            sa.select(r.c.key, r.c.value)
            .where(r.c.tenant == tenant, r.c.kind == kind)
            .order_by(r.c.key)
        )
        return {row.key: row.value for row in await self._conn.execute(stmt)}

    # tenant registry -------------------------------------------------------------------

    async def get_tenant(self, tenant: str) -> TenantRecord | None:
        stmt = sa.select(t.tenants).where(t.tenants.c.tenant == tenant)
        row = (await self._conn.execute(stmt)).mappings().first()
        return None if row is None else tenant_record(row)

    async def put_tenant(self, record: TenantRecord) -> None:
        at = now()
        values = tenant_values(record)
        stmt = insert(self._dialect, t.tenants).values(
            tenant=record.tenant, **values, created_at=at, updated_at=at
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.tenants.c.tenant], set_={**values, "updated_at": at}
        )
        await self._conn.execute(stmt)

    async def delete_tenant(self, tenant: str) -> bool:
        stmt = (
            sa.delete(t.tenants).where(t.tenants.c.tenant == tenant).returning(t.tenants.c.tenant)
        )
        return (await self._conn.execute(stmt)).first() is not None

    # agent status ----------------------------------------------------------------------

    async def put_agent_status(
        self, tenant: str, status: AgentStatus, received_at: datetime
    ) -> None:
        values = {"status": status.model_dump(mode="json"), "received_at": to_db(received_at)}
        stmt = insert(self._dialect, t.agent_status).values(tenant=tenant, **values)
        stmt = stmt.on_conflict_do_update(index_elements=[t.agent_status.c.tenant], set_=values)
        await self._conn.execute(stmt)
