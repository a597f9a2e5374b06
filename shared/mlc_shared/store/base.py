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
from mlc_shared.store.records import (
    AuditEntry,
    AuditQuery,
    AuditRow,
    FlowState,
    OutboxRow,
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

    # webhook events
    @abc.abstractmethod
    async def add_webhook_event(self, event: WebhookEvent) -> bool:
        """False when ``event_id`` was already stored."""

    @abc.abstractmethod
    async def mark_webhook_published(self, event_id: str) -> None: ...

    # flow state
    @abc.abstractmethod
    async def get_flow_state(self, tenant: str, flow: str) -> FlowState: ...
    @abc.abstractmethod
    async def put_flow_state(self, state: FlowState) -> None: ...


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
