"""One async SQLAlchemy engine for either database the store runs on.

Operators write the URLs they know (``postgresql://user@host/db``, ``postgres://...``,
``sqlite:///path/to/mlc.db``); this module picks the async driver (asyncpg, aiosqlite) and,
for SQLite, sets the connection up so that an order written is an order kept:

* ``journal_mode=WAL``: readers never block the writer and the writer never blocks readers,
  so the operator API can read while a flow writes (https://sqlite.org/wal.html).
* ``synchronous=FULL``: in WAL mode ``NORMAL`` may lose the last transactions on a power cut
  (https://sqlite.org/pragma.html#pragma_synchronous); an order acknowledged to Walmart must
  still be in the file after one, so every commit is synced.
* ``busy_timeout``: a connection that meets a lock waits for it instead of failing.
* ``foreign_keys=ON``: SQLite leaves it off per connection unless asked.
* ``BEGIN IMMEDIATE``: the write lock is taken when the transaction starts. With the driver's
  deferred ``BEGIN`` two transactions can both read, then both try to write, and one gets
  "database is locked" at once, because SQLite cannot honour the busy timeout for a lock
  upgrade without risking deadlock (https://sqlite.org/lang_transaction.html). Taking the
  lock up front makes concurrent writers in one process simply queue up behind
  ``busy_timeout``. This is SQLAlchemy's recipe for taking transaction control away from the
  sqlite3 driver (SQLAlchemy docs, "Enabling Non-Legacy SQLite Transactional Modes").
  A connection that only reads may opt out with the :data:`READ_ONLY` execution option: it
  then begins with a plain (deferred) ``BEGIN`` and, thanks to WAL, never waits for a writer.
* :func:`begin_write`: the writers of one process queue for that lock in an ``asyncio.Lock``
  first, so ``busy_timeout`` only arbitrates between processes. SQLite's busy handler does
  not queue: a waiting connection sleeps and retries, up to 100 ms a sleep
  (https://sqlite.org/c3ref/busy_timeout.html, ``sqliteDefaultBusyCallback``), so under a
  burst the lock sat free while writers slept: standalone ``mlc run`` taking 1,000 order
  webhooks spent 410 s in ``BEGIN IMMEDIATE`` (p99 2.6 s, max 6.7 s) against 29 s of
  transactions actually holding the lock (bench/e2e_orders.py, docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from mlc_shared.store.errors import UnsupportedDatabaseUrl

#: Seconds a SQLite connection waits for another one's write lock before giving up. Long,
#: because in standalone mode every service shares the file and a waiting writer is normal.
SQLITE_BUSY_TIMEOUT_SECONDS = 30.0

#: Execution options for a connection that only reads (operator queries): on SQLite it begins
#: a deferred transaction, which takes no write lock. Ignored on PostgreSQL.
READ_ONLY: dict[str, Any] = {"mlc_read_only": True}

_POSTGRES_SCHEMES = {"postgresql", "postgres", "postgresql+asyncpg"}
_SQLITE_SCHEMES = {"sqlite", "sqlite+aiosqlite"}


def async_url(url: str) -> URL:
    """The SQLAlchemy URL, with the async driver, for a user-facing database URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise UnsupportedDatabaseUrl(
            "database URL is not a URL; expected postgresql://user@host/db or "
            "sqlite:///path/to/file.db"
        ) from None
    scheme = parsed.drivername
    if scheme in _POSTGRES_SCHEMES:
        return _postgres_url(parsed)
    if scheme in _SQLITE_SCHEMES:
        return _sqlite_url(parsed)
    raise UnsupportedDatabaseUrl(
        f"database URL scheme {scheme!r} is not supported; use postgresql:// or sqlite:///"
    )


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(url: str, *, busy_timeout: float = SQLITE_BUSY_TIMEOUT_SECONDS) -> AsyncEngine:
    """An :class:`AsyncEngine` for ``url``; the caller disposes of it."""
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        engine = create_async_engine(target, json_serializer=dumps_json)
        _configure_sqlite(engine, busy_timeout)
        return engine
    engine = create_async_engine(target, json_serializer=dumps_json)
    _ping_idle_connections(engine)
    return engine


#: A pooled PostgreSQL connection idle for longer than this is pinged before it is used.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """Replace a pooled connection the server dropped (restart, failover, an idle timeout on
    the way) before a flow uses it, instead of failing the flow's first statement: the
    pessimistic check of SQLAlchemy's "Dealing with Disconnects", but only for connections
    that sat idle. ``pool_pre_ping`` pings at every checkout, and asyncpg's ping is three
    round trips (BEGIN, ``;``, ROLLBACK): under load, more than the transaction it guards
    (a third of the webhook receiver's store time, bench/webhooks.py). A connection in
    steady use is not pinged; if the server goes away under it, the statement fails once
    (StoreUnavailable: the caller retries), and SQLAlchemy then invalidates the whole pool,
    so the next checkout connects afresh."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_: Any, record: ConnectionPoolEntry) -> None:
        record.info["mlc_idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: ConnectionPoolEntry, _: Any) -> None:
        idle_since = record.info.pop("mlc_idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            # the pool discards this connection and checks out another (SQLAlchemy pool
            # events, "checkout")
            raise DisconnectionError(str(exc)) from exc


_Gates = weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]
_WRITE_GATES: weakref.WeakKeyDictionary[Engine, _Gates] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def begin_write(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """``engine.begin()`` for a transaction that writes. On SQLite the process's writers wait
    their turn in FIFO order before taking a connection (module docstring); PostgreSQL runs
    concurrent writers, so there it is ``engine.begin()`` alone. One gate per engine and
    event loop; never open a write transaction inside another one (on SQLite that could not
    work with or without the gate: the second waits for the first)."""
    if not is_sqlite(engine):
        async with engine.begin() as conn:
            yield conn
        return
    gates = _WRITE_GATES.setdefault(engine.sync_engine, weakref.WeakKeyDictionary())
    loop = asyncio.get_running_loop()
    gate = gates.get(loop) or gates.setdefault(loop, asyncio.Lock())
    async with gate, engine.begin() as conn:
        yield conn


@asynccontextmanager
async def begin_autocommit(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for writes that are each atomic as one statement. On PostgreSQL it is in
    autocommit mode: every statement commits by itself, without the BEGIN and COMMIT round
    trips around it (asyncpg sends BEGIN as a statement of its own). On SQLite, where BEGIN
    and COMMIT cost no round trip, it is :func:`begin_write`: one transaction for all."""
    if is_sqlite(engine):
        async with begin_write(engine) as conn:
            yield conn
        return
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn


def dumps_json(value: Any) -> str:
    """JSON for JSON columns. A ``Decimal`` is refused with a clear message instead of being
    turned into a float: amounts travel as decimal strings (``str(amount)``)."""
    return json.dumps(value, default=_refuse_unserialisable, ensure_ascii=False)


def _refuse_unserialisable(value: object) -> object:
    if isinstance(value, Decimal):
        raise TypeError(
            f"Decimal {value} in a JSON column: store amounts as decimal strings "
            "(str(amount)), never as floats"
        )
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _postgres_url(parsed: URL) -> URL:
    query = dict(parsed.query)
    # libpq spells it sslmode; asyncpg takes the same values as ``ssl``.
    if "sslmode" in query:
        query.setdefault("ssl", query.pop("sslmode"))
    return parsed.set(drivername="postgresql+asyncpg", query=query)


def _sqlite_url(parsed: URL) -> URL:
    database = parsed.database or ""
    if database in ("", ":memory:") or "mode=memory" in str(parsed.query):
        raise UnsupportedDatabaseUrl(
            "an in-memory SQLite database loses everything on exit; give a file: "
            "sqlite:///path/to/mlc.db"
        )
    return parsed.set(drivername="sqlite+aiosqlite")


def _configure_sqlite(engine: AsyncEngine, busy_timeout: float) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take BEGIN away from the driver (see module docstring); the PRAGMAs below then run
        # outside any transaction, which journal_mode requires.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # busy_timeout first, so that switching to WAL waits for other connections.
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("mlc_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
