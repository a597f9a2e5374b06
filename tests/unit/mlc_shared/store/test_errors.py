"""Transient database failures become StoreUnavailable; bugs stay what they are."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from mlc_shared.store import SqlStore, StoreUnavailable, create_engine, open_store


async def test_locked_sqlite_database_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mlc.db'}"
    store = open_store(url)
    await store.migrate()
    impatient = SqlStore(create_engine(url, busy_timeout=0))
    try:
        async with store.transaction() as tx:
            await tx.set_cursor("acme", "orders", {"n": 1})
            with pytest.raises(StoreUnavailable, match="database is locked"):
                async with impatient.transaction() as other:
                    await other.set_cursor("acme", "orders", {"n": 2})
        assert await store.list_cursors() == {("acme", "orders"): {"n": 1}}
    finally:
        await store.close()
        await impatient.engine.dispose()


async def test_unreachable_postgres_is_unavailable_and_not_ready() -> None:
    # Port 9 (discard) on loopback: nothing listens there, so the connection is refused.
    store = open_store("postgresql://mlc@127.0.0.1:9/mlc")
    try:
        assert await store.ping() is False
        with pytest.raises(StoreUnavailable, match="unreachable"):
            async with store.transaction() as tx:
                await tx.get_cursor("acme", "orders")
        with pytest.raises(StoreUnavailable):
            await store.migrate()
    finally:
        await store.close()


async def test_missing_schema_is_a_bug_not_an_outage(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'mlc.db'}")  # never migrated
    try:
        # raised as itself (StoreUnavailable is no OperationalError): retrying cannot help
        with pytest.raises(sa.exc.OperationalError, match="no such table"):
            async with store.transaction() as tx:
                await tx.get_cursor("acme", "orders")
    finally:
        await store.close()
