"""engine.py: URL mapping, the SQLite connection set-up (on real SQLite files) and the
replacement of dropped PostgreSQL connections (on the real server)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlalchemy.ext.asyncio
from mlc_shared.store import UnsupportedDatabaseUrl, create_engine
from mlc_shared.store import engine as engine_module
from mlc_shared.store.engine import READ_ONLY, async_url, dumps_json


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://mlc@db:5432/mlc", "postgresql+asyncpg://mlc@db:5432/mlc"),
        ("postgres://mlc@db/mlc", "postgresql+asyncpg://mlc@db/mlc"),
        ("postgresql+asyncpg://mlc@db/mlc", "postgresql+asyncpg://mlc@db/mlc"),
        ("postgresql://mlc@db/mlc?sslmode=require", "postgresql+asyncpg://mlc@db/mlc?ssl=require"),
        ("sqlite:///mlc.db", "sqlite+aiosqlite:///mlc.db"),
        ("sqlite:////var/lib/mlc/mlc.db", "sqlite+aiosqlite:////var/lib/mlc/mlc.db"),
        ("sqlite+aiosqlite:///mlc.db", "sqlite+aiosqlite:///mlc.db"),
    ],
)
def test_user_urls_map_to_async_drivers(url: str, expected: str) -> None:
    assert async_url(url).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mysql://root:hunter2@db/mlc", "not supported"),
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
        ("not a url", "not a URL"),
    ],
)
def test_unusable_urls_are_refused_without_the_password(url: str, reason: str) -> None:
    with pytest.raises(UnsupportedDatabaseUrl, match=reason) as caught:
        async_url(url)
    assert "hunter2" not in str(caught.value)
    assert isinstance(caught.value, ValueError)


async def test_sqlite_connections_are_durable_and_wait_for_locks(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'mlc.db'}", busy_timeout=12.5)
    try:
        async with engine.connect() as conn:
            pragmas = {
                name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
                for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
            }
        # synchronous 2 = FULL (https://sqlite.org/pragma.html#pragma_synchronous)
        assert pragmas == {
            "journal_mode": "wal",
            "synchronous": 2,
            "busy_timeout": 12500,
            "foreign_keys": 1,
        }
    finally:
        await engine.dispose()


async def test_sqlite_write_transactions_take_the_lock_at_begin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mlc.db'}"
    holder, impatient = create_engine(url), create_engine(url, busy_timeout=0)
    try:
        async with holder.begin() as conn:
            await conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
        async with holder.begin():
            # The holder has written nothing yet, but BEGIN IMMEDIATE already owns the write
            # lock: another writer is turned away at its own BEGIN (here at once, with no
            # busy timeout), never half-way through its work.
            with pytest.raises(sa.exc.OperationalError, match="database is locked"):
                async with impatient.begin() as other:
                    await other.exec_driver_sql("SELECT 1")
            # A read-only connection begins deferred and reads while the lock is held (WAL).
            async with impatient.connect() as reader:
                await reader.execution_options(**READ_ONLY)
                assert (await reader.exec_driver_sql("SELECT count(*) FROM t")).scalar_one() == 0
    finally:
        await holder.dispose()
        await impatient.dispose()


def test_json_columns_refuse_decimals_but_keep_decimal_strings() -> None:
    assert dumps_json({"amount": "12.30", "name": "Chaï"}) == '{"amount": "12.30", "name": "Chaï"}'
    with pytest.raises(TypeError, match="decimal strings"):
        dumps_json({"amount": Decimal("12.30")})
    with pytest.raises(TypeError, match="set is not JSON serialisable"):
        dumps_json({"tags": {"a"}})


async def _kill_sessions_of(engine: sa.ext.asyncio.AsyncEngine, admin_url: str) -> int:
    """Terminate every server session of ``engine``'s pooled connections; how many."""
    async with engine.connect() as conn:
        pid = (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
    admin = create_engine(admin_url)
    try:
        async with admin.connect() as conn:
            killed = await conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            return sum(1 for ok in killed.scalars() if ok)
    finally:
        await admin.dispose()


async def test_an_idle_pooled_connection_the_server_dropped_is_replaced_unseen(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    engine = create_engine(postgres_url)
    try:
        assert await _kill_sessions_of(engine, postgres_url) == 1  # a server restart, say
        async with engine.connect() as conn:  # pinged at checkout, replaced
            assert (await conn.execute(sa.text("SELECT 1"))).scalar_one() == 1
    finally:
        await engine.dispose()


async def test_a_busy_connection_is_not_pinged_and_fails_once_then_the_pool_reconnects(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    engine = create_engine(postgres_url)
    try:
        assert await _kill_sessions_of(engine, postgres_url) == 1
        with pytest.raises(sa.exc.DBAPIError) as failed:
            async with engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        assert failed.value.connection_invalidated
        async with engine.connect() as conn:
            assert (await conn.execute(sa.text("SELECT 1"))).scalar_one() == 1
    finally:
        await engine.dispose()
