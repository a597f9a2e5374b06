"""One active orchestrator per PostgreSQL database: a session-level advisory lock.

Flows, schedules, the event consumer and the outbox relay must run in one replica at a time
(deploy/k8s runs two, for a quick take-over). The replica that holds
``pg_try_advisory_lock(key)`` leads; the lock belongs to its database session, so PostgreSQL
releases it the moment that session ends: the process died, the pod was deleted, the
network dropped the connection (https://www.postgresql.org/docs/current/explicit-locking.html,
"Advisory Locks"). A standby tries again every ``retry_s`` and takes over.

The lock lives on a dedicated connection in autocommit mode: never "idle in transaction",
so no ``idle_in_transaction_session_timeout`` ends it and it holds back no vacuum.

The leader checks its session every ``check_s`` and steps down the moment a check fails or
hangs. Between the server ending the session and the leader noticing, both replicas may be
active for up to ``check_s``. That overlap is harmless: outbox rows carry fixed message ids,
consumers are idempotent (inbox, the agent's duplicate check, absolute Walmart values), and
cursor rows are read ``FOR UPDATE``, so two runs of one step serialise.

SQLite (standalone) needs no election: one process owns the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Awaitable, Callable

import sqlalchemy as sa
from mlc_shared.logging import get_logger
from mlc_shared.store.engine import async_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

log = get_logger(__name__)

Callback = Callable[[], Awaitable[None]]


def lock_key(namespace: str = "") -> int:
    """A signed 64-bit key (pg advisory locks take a bigint) per bus namespace, so two
    deployments that share a database by mistake do not block each other's orchestrator."""
    digest = hashlib.sha256(f"mlc-orchestrator-leader:{namespace}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def is_postgres(database_url: str) -> bool:
    return async_url(database_url).get_backend_name() == "postgresql"


class LeaderElection:
    def __init__(
        self,
        database_url: str,
        *,
        on_elected: Callback,
        on_deposed: Callback,
        key: int | None = None,
        retry_s: float = 2.0,
        check_s: float = 2.0,
    ) -> None:
        self._url = database_url
        self._on_elected = on_elected
        self._on_deposed = on_deposed
        self.key = lock_key() if key is None else key
        self._retry_s = retry_s
        self._check_s = check_s
        self._engine: AsyncEngine | None = None
        self._task: asyncio.Task[None] | None = None
        self._leading = False

    @property
    def is_leader(self) -> bool:
        return self._leading

    def start(self) -> None:
        # NullPool: the lock's connection is closed for real when we let go of it, never
        # parked in a pool with the lock still held.
        self._engine = create_async_engine(async_url(self._url), poolclass=NullPool)
        self._task = asyncio.create_task(self._run(), name="orchestrator-leader-election")

    async def stop(self) -> None:
        """Step down (if leading) and end the session, which releases the lock at once."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def _run(self) -> None:
        while True:
            try:
                await self._campaign()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database away: we are not leading; try again later
                log.warning("leader election: no session to the database", error=str(exc))
            await asyncio.sleep(self._retry_s)

    async def _campaign(self) -> None:
        assert self._engine is not None
        conn = await self._engine.connect()
        try:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            while True:  # a standby: poll, not block, so stop() and a dead session end it
                if await self._try_lock(conn):
                    break
                await asyncio.sleep(self._retry_s)
            await self._lead(conn)
        finally:
            await _close(conn)

    async def _try_lock(self, conn: AsyncConnection) -> bool:
        result = await conn.execute(sa.select(sa.func.pg_try_advisory_lock(self.key)))
        return bool(result.scalar_one())

    async def _lead(self, conn: AsyncConnection) -> None:
        self._leading = True
        log.info("leader election: this replica leads", key=self.key)
        try:
            await self._on_elected()
            while True:
                await asyncio.sleep(self._check_s)
                async with asyncio.timeout(self._check_s):
                    await conn.execute(sa.select(1))
        finally:
            self._leading = False
            log.warning("leader election: stepping down")
            # Shielded: a cancelled stop() must still stop the active parts.
            await asyncio.shield(self._on_deposed())


async def _close(conn: AsyncConnection) -> None:
    """Close, or drop the connection when the server no longer answers (a graceful close
    would wait on a dead socket)."""
    try:
        async with asyncio.timeout(2.0):
            await conn.close()
    except Exception:
        with contextlib.suppress(Exception):
            await conn.invalidate()
