"""Publishes of one process that arrive together are stored in one transaction.

Every publish has to be durable before it returns (a commit, which ``synchronous=FULL``
syncs to disk: store/engine.py), and every write transaction of the process waits its turn
for SQLite's one write lock (``begin_write``). With one transaction per publish, a burst of
publishers (the webhook-receiver answering 16 deliveries at once, the gateway's results)
queued one commit each behind that lock: standalone ``mlc run`` taking 1,000 order webhooks
spent 5.7 s holding the lock for 1,000 one-row publishes (bench/e2e_orders.py,
docs/benchmarks.md). Here the first publish starts a flush; whatever is published while it
waits for the lock joins the next one, so a burst costs a few commits, not one per message.

Nothing is weakened: a publish still returns only once its rows are committed, a failed
commit fails every publish in it, and rows keep the order they were published in (ids
ascend with it, so each queue stays first in, first out).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from mlc_shared.bus.embedded import queries
from mlc_shared.store.engine import begin_write

Rows = Sequence[dict[str, Any]]


class _Pending:
    """One event loop's publishes waiting for a flush, and the task flushing them."""

    def __init__(self) -> None:
        self.waiting: list[tuple[Rows, asyncio.Future[None]]] = []
        self.flusher: asyncio.Task[None] | None = None


class GroupCommit:
    def __init__(self, engine: AsyncEngine, committed: Callable[[set[str]], None]) -> None:
        """``committed`` is told the queues that just received rows (to wake consumers)."""
        self._engine = engine
        self._committed = committed
        # Per event loop, as begin_write's gates: a bus may outlive a loop (tests).
        self._pending: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Pending] = (
            weakref.WeakKeyDictionary()
        )

    async def insert(self, rows: Rows) -> None:
        """Store ``rows`` (in one transaction with whatever else is waiting); raises what the
        commit raised."""
        loop = asyncio.get_running_loop()
        pending = self._pending.get(loop) or self._pending.setdefault(loop, _Pending())
        done: asyncio.Future[None] = loop.create_future()
        pending.waiting.append((rows, done))
        if pending.flusher is None or pending.flusher.done():
            pending.flusher = asyncio.create_task(self._flush(pending), name="bus-group-commit")
        await done

    async def _flush(self, pending: _Pending) -> None:
        while pending.waiting:
            batch, pending.waiting = pending.waiting, []
            try:
                async with begin_write(self._engine) as conn:
                    await queries.insert(conn, [row for rows, _ in batch for row in rows])
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            except BaseException:  # cancelled (the loop is shutting down): nobody may wait
                for _, done in [*batch, *pending.waiting]:
                    done.cancel()
                pending.waiting = []
                raise
            for _, done in batch:
                if not done.done():
                    done.set_result(None)
            self._committed({row["queue"] for rows, _ in batch for row in rows})
