"""Alembic scripts for the store schema; run them with ``mlc_shared.store.migrate.upgrade``."""
