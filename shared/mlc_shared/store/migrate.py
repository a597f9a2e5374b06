"""Bring a database to the newest schema with Alembic, from code, on every start-up.

The migration scripts ship inside the package (``store/migrations``), so an installed
service migrates its own database; no ``alembic.ini`` is read.

Every service calls :func:`upgrade` when it starts, and in the distributed mode several
start at once against one PostgreSQL database. The whole upgrade runs in one transaction
that first takes a transaction-scoped advisory lock, so the first process migrates and the
others wait, then find the schema at head and do nothing; PostgreSQL's transactional DDL
means a crash half-way leaves the schema as it was. On SQLite the transaction begins with
``BEGIN IMMEDIATE`` (engine.py), which is the same lock for every process using the file.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from mlc_shared.store.engine import READ_ONLY

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

#: pg_advisory_xact_lock key for "schema migration"; any fixed 64-bit number works as long as
#: nothing else in the database uses it. These are the ASCII bytes of "mlc_mig".
_MIGRATION_LOCK_KEY = 0x6D6C635F6D6967


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configuration pointing at the packaged scripts; ``env.py`` uses ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the packaged scripts know."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships 0001
        raise RuntimeError(f"no Alembic revisions in {MIGRATIONS_DIR}")
    return head


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate to ``revision`` (default: newest). Idempotent and safe to run concurrently."""
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        await conn.run_sync(_upgrade_sync, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at; ``None`` before the first migration."""
    async with engine.connect() as conn:
        await conn.execution_options(**READ_ONLY)
        return await conn.run_sync(_current_sync)


def _upgrade_sync(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


def _current_sync(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
