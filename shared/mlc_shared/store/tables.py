"""The state schema, one definition for PostgreSQL and SQLite (SQLAlchemy Core).

Alembic migrations in ``store/migrations`` create exactly these tables; a test checks that
the migrated database and this metadata agree, so they cannot drift.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)

cursors = sa.Table(
    "cursors",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("flow", sa.String(64), primary_key=True),
    sa.Column("value", Json, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

record_versions = sa.Table(
    "record_versions",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("version", sa.String(255), nullable=False),
    sa.Column("seen_at", Timestamp, nullable=False),
)

mappings = sa.Table(
    "mappings",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("value", Json, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("message_id", sa.String(64), nullable=False, unique=True),
    sa.Column("queue", sa.String(255), nullable=False),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("envelope", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("published_at", Timestamp, nullable=True),
    sa.Index("ix_outbox_unpublished", "published_at", "id"),
)

inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("consumer", sa.String(64), primary_key=True),
    sa.Column("message_id", sa.String(64), primary_key=True),
    sa.Column("processed_at", Timestamp, nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("flow", sa.String(64), nullable=False),
    sa.Column("correlation_id", sa.String(64), nullable=False),
    sa.Column("record_kind", sa.String(64), nullable=False),
    sa.Column("source_id", sa.String(255), nullable=False),
    sa.Column("target_id", sa.String(255), nullable=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("request", sa.Text, nullable=True),
    sa.Column("response", sa.Text, nullable=True),
    sa.Column("detail", Json, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.Index("ix_audit_source", "tenant", "record_kind", "source_id"),
    sa.Index("ix_audit_target", "tenant", "target_id"),
    sa.Index("ix_audit_status_time", "tenant", "status", "created_at"),
    sa.Index("ix_audit_correlation", "correlation_id"),
)

webhook_events = sa.Table(
    "webhook_events",
    metadata,
    sa.Column("event_id", sa.String(128), primary_key=True),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("event_time", Timestamp, nullable=True),
    sa.Column("received_at", Timestamp, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("known_type", sa.Boolean, nullable=False),
    sa.Column("published_at", Timestamp, nullable=True),
)

flow_state = sa.Table(
    "flow_state",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("flow", sa.String(64), primary_key=True),
    sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("last_run_at", Timestamp, nullable=True),
    sa.Column("last_success_at", Timestamp, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("updated_at", Timestamp, nullable=False),
)

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(255), nullable=True),
    sa.Column("tally_company", sa.String(255), nullable=True),
    sa.Column("walmart_client_id", sa.String(255), nullable=True),
    sa.Column("walmart_client_secret", sa.Text, nullable=True),
    sa.Column("webhook_config", sa.Text, nullable=True),
    sa.Column("schedules", Json, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

agent_status = sa.Table(
    "agent_status",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("status", Json, nullable=False),
    sa.Column("received_at", Timestamp, nullable=False),
)

# Small JSON state a flow keeps per record beyond a version string, and lists by kind:
# orders seen on Walmart but not yet posted to Tally (held back from the stock offered),
# what a posted order booked (for reversals), vouchers awaiting Tally's answer, feeds being
# followed, SKUs to retry. Rows are deleted when the work they stand for is finished.
flow_records = sa.Table(
    "flow_records",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("value", Json, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

# The embedded bus keeps its queues in the same SQLite file as the store (standalone mode,
# ARCHITECTURE.md "Two ways to run"). Unused on PostgreSQL deployments.
bus_messages = sa.Table(
    "bus_messages",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("queue", sa.String(255), nullable=False),
    sa.Column("message_id", sa.String(64), nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("headers", Json, nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False, server_default="1"),
    sa.Column("state", sa.String(16), nullable=False),  # ready | inflight | parked
    sa.Column("available_at", sa.Float, nullable=False),  # epoch seconds
    sa.Column("lease_until", sa.Float, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("history", Json, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("parked_at", sa.Float, nullable=True),
    sa.Index("ix_bus_messages_claim", "queue", "state", "available_at", "id"),
)
