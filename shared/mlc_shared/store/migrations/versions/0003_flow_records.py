"""Per-record flow state as small JSON rows, listable by kind (``flow_records``).

The orders flow keeps the orders it has seen on Walmart but not yet posted to Tally (the
catalog flow subtracts their quantities so a push never re-inflates stock Walmart already
decremented), what each posted order booked (so a later cancellation can be reversed), and
the vouchers awaiting Tally's answer; the catalog flow keeps the feeds it follows and the
SKUs to retry. ``record_versions`` holds one string per key and cannot be listed by kind.

Additive: one new table, nothing existing changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "flow_records",
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", Json, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "kind", "key", name="pk_flow_records"),
    )


def downgrade() -> None:
    op.drop_table("flow_records")
