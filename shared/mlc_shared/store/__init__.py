"""The store: state that must survive restarts (cursors, mappings, outbox, inbox, audit,
webhook events, flow state), on PostgreSQL or SQLite behind one port (base.py).

Start-up: ``store = open_store(url)`` then ``await store.migrate()``; ``await store.close()``
on shutdown. See docs/store.md.
"""

from mlc_shared.store.base import Store, StoreTx
from mlc_shared.store.engine import create_engine
from mlc_shared.store.errors import (
    NaiveTimestamp,
    RecordNotFound,
    StoreError,
    StoreUnavailable,
    UndecodableOutboxRow,
    UnsupportedDatabaseUrl,
)
from mlc_shared.store.migrate import current_revision, head_revision, upgrade
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
from mlc_shared.store.sql import SqlStore


def open_store(url: str) -> Store:
    """The store for a ``postgresql://`` or ``sqlite:///`` URL (not yet migrated)."""
    return SqlStore(url)


__all__ = [
    "AgentStatusRow",
    "AuditEntry",
    "AuditQuery",
    "AuditRow",
    "FlowState",
    "NaiveTimestamp",
    "OutboxRow",
    "RecordNotFound",
    "SqlStore",
    "Store",
    "StoreError",
    "StoreTx",
    "StoreUnavailable",
    "TenantRecord",
    "UndecodableOutboxRow",
    "UnsupportedDatabaseUrl",
    "WebhookEvent",
    "create_engine",
    "current_revision",
    "head_revision",
    "open_store",
    "upgrade",
]
