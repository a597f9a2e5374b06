"""The store port: one interface over PostgreSQL (asyncpg) and SQLite (aiosqlite).

Everything that must change together happens inside one ``transaction()``: a flow moves
its cursor and writes the outbox rows it causes in the same transaction (transactional
outbox, ARCHITECTURE.md); a consumer records the message id in the inbox in the same
transaction as the work it did (exactly-once effect on at-least-once delivery).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.tally import AgentStatus
from mlc_shared.store.records import (
    AgentStatusRow,
    AuditEntry,
    AuditQuery,
    AuditRow,
    FlowState,
    OutboxRow,
    TenantRecord,
    WebhookEvent,
)


class StoreTx(abc.ABC):
    """Operations inside one database transaction."""

    # cursors: small JSON objects, "as small as possible but enough to restart"
    @abc.abstractmethod
    async def get_cursor(self, tenant: str, flow: str) -> dict[str, Any] | None: ...
    @abc.abstractmethod
    async def set_cursor(self, tenant: str, flow: str, value: dict[str, Any]) -> None: ...

    # record versions: tell new from changed
    @abc.abstractmethod
    async def get_versions(self, tenant: str, kind: str, keys: Sequence[str]) -> dict[str, str]: ...
    @abc.abstractmethod
    async def set_versions(self, tenant: str, kind: str, versions: dict[str, str]) -> None: ...

    # mappings
    @abc.abstractmethod
    async def get_mapping(self, tenant: str, kind: str, key: str) -> dict[str, Any] | None: ...
    @abc.abstractmethod
    async def list_mappings(self, tenant: str, kind: str) -> dict[str, dict[str, Any]]: ...
    @abc.abstractmethod
    async def put_mapping(
        self, tenant: str, kind: str, key: str, value: dict[str, Any]
    ) -> None: ...
    @abc.abstractmethod
    async def delete_mapping(self, tenant: str, kind: str, key: str) -> bool: ...
    @abc.abstractmethod
    async def clear_mappings(self, tenant: str) -> int:
        """Delete every mapping row of ``tenant`` (a whole mapping is being replaced)."""

    # outbox
    @abc.abstractmethod
    async def add_outbox(self, queue: str, message: Envelope) -> bool:
        """False when a row with this message_id already exists (nothing added)."""

    # inbox
    @abc.abstractmethod
    async def mark_processed(self, consumer: str, message_id: str) -> bool:
        """True the first time; False when ``consumer`` already processed ``message_id``."""

    # audit
    @abc.abstractmethod
    async def add_audit(self, entry: AuditEntry) -> int: ...
    async def add_audits(self, entries: Sequence[AuditEntry]) -> None:
        """Several rows, in this order (one statement where the store can)."""
        for entry in entries:
            await self.add_audit(entry)

    @abc.abstractmethod
    async def update_audit(
        self,
        audit_id: int,
        *,
        status: str,
        target_id: str | None = None,
        response: str | None = None,
        detail: dict[str, Any] | None = None,
        attempts: int | None = None,
    ) -> None: ...

    # flow state
    @abc.abstractmethod
    async def get_flow_state(self, tenant: str, flow: str) -> FlowState: ...
    @abc.abstractmethod
    async def put_flow_state(self, state: FlowState) -> None: ...

    # flow records: small JSON state per record, listable by kind (unposted orders, feeds...)
    @abc.abstractmethod
    async def get_records(
        self, tenant: str, kind: str, keys: Sequence[str]
    ) -> dict[str, dict[str, Any]]: ...
    @abc.abstractmethod
    async def put_records(self, tenant: str, kind: str, values: dict[str, dict[str, Any]]) -> None:
        """Insert or replace each key's value."""

    @abc.abstractmethod
    async def delete_records(self, tenant: str, kind: str, keys: Sequence[str]) -> int: ...
    @abc.abstractmethod
    async def list_records(self, tenant: str, kind: str) -> dict[str, dict[str, Any]]:
        """Every record of ``kind``, by key (kinds are kept small: work not yet finished)."""

    # tenant registry
    @abc.abstractmethod
    async def get_tenant(self, tenant: str) -> TenantRecord | None: ...
    @abc.abstractmethod
    async def put_tenant(self, record: TenantRecord) -> None:
        """Insert or replace; ``created_at`` of an existing row is kept."""

    @abc.abstractmethod
    async def delete_tenant(self, tenant: str) -> bool: ...

    # agent status
    @abc.abstractmethod
    async def put_agent_status(
        self, tenant: str, status: AgentStatus, received_at: datetime
    ) -> None: ...


class Store(abc.ABC):
    @abc.abstractmethod
    async def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision. Idempotent."""

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def ping(self) -> bool: ...

    @abc.abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[StoreTx]: ...

    # Webhook intake (outside flow transactions). Each statement commits by itself, so a
    # call that fails part-way may leave earlier chunks done; both are safe to repeat.
    @abc.abstractmethod
    async def add_webhook_events(self, events: Sequence[WebhookEvent]) -> set[str]:
        """The ``event_id`` of each event stored now; one already stored is left as it was
        and its id is not in the answer."""

    @abc.abstractmethod
    async def mark_webhooks_published(self, event_ids: Sequence[str]) -> None:
        """Record the first publication of each; :class:`RecordNotFound` names unknown ids."""

    # Outbox relay (outside flow transactions)
    @abc.abstractmethod
    async def unpublished_outbox(self, limit: int = 500) -> list[OutboxRow]: ...
    @abc.abstractmethod
    async def mark_outbox_published(
        self, ids: Sequence[int], at: datetime | None = None
    ) -> None: ...

    # Reads for operators
    @abc.abstractmethod
    async def search_audit(self, query: AuditQuery) -> list[AuditRow]: ...
    @abc.abstractmethod
    async def list_cursors(
        self, tenant: str | None = None
    ) -> dict[tuple[str, str], dict[str, Any]]: ...
    @abc.abstractmethod
    async def list_flow_states(self, tenant: str | None = None) -> list[FlowState]: ...
    @abc.abstractmethod
    async def unpublished_webhook_events(self, limit: int = 500) -> list[WebhookEvent]: ...
    @abc.abstractmethod
    async def list_tenants(self) -> list[TenantRecord]: ...
    @abc.abstractmethod
    async def find_tenant(self, tenant: str) -> TenantRecord | None:
        """The registry row of ``tenant`` read outside any write transaction (credential
        look-ups on every Walmart command must not queue behind writers on SQLite)."""

    @abc.abstractmethod
    async def list_agent_statuses(self) -> list[AgentStatusRow]: ...
