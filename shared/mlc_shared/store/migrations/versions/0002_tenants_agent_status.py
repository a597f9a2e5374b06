"""Tenant registry and the last status of each tenant's agent.

``tenants``: one row per seller (issue 6 "Tenants"): its Tally company, Walmart credentials,
webhook authentication and schedule overrides. ``agent_status``: the newest ``AgentStatus``
event of each tenant's agent, so every orchestrator replica (not only the one that consumed
the event) can show it to operators.

Additive: two new tables, nothing existing changes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=True),
        sa.Column("tally_company", sa.String(255), nullable=True),
        sa.Column("walmart_client_id", sa.String(255), nullable=True),
        sa.Column("walmart_client_secret", sa.Text(), nullable=True),
        sa.Column("webhook_config", sa.Text(), nullable=True),
        sa.Column("schedules", Json, nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("tenant", name="pk_tenants"),
    )
    op.create_table(
        "agent_status",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("status", Json, nullable=False),
        sa.Column("received_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("tenant", name="pk_agent_status"),
    )


def downgrade() -> None:
    op.drop_table("agent_status")
    op.drop_table("tenants")
