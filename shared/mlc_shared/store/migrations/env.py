"""Alembic environment: runs on the connection :func:`mlc_shared.store.migrate.upgrade` hands in.

That caller has already begun the transaction (and taken the migration lock), so
``begin_transaction`` below joins it instead of starting another.
"""

from __future__ import annotations

from alembic import context

from mlc_shared.store.tables import metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None or context.is_offline_mode():
        raise RuntimeError(
            "run the store migrations with mlc_shared.store.migrate.upgrade(engine); "
            "they need a live connection"
        )
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead, so one
        # script serves both databases.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
