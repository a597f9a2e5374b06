"""Read-only looks at the orchestrator's database and at parking queues, for figures."""

from __future__ import annotations

import asyncpg
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.base import ParkedMessage
from mlc_shared.bus.topology import standard_queues


async def outbox_rows(database_url: str) -> list[tuple[str, str, bool]]:
    """(message_id, queue, published) of every outbox row."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT message_id, queue, published_at IS NOT NULL FROM outbox")
    finally:
        await conn.close()
    return [(r[0], r[1], r[2]) for r in rows]


async def unpublished_outbox(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        value = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    except asyncpg.UndefinedTableError:
        return 0  # not migrated yet
    finally:
        await conn.close()
    return int(value or 0)


async def audit_rows(database_url: str, status: str | None = None) -> list[dict[str, object]]:
    conn = await asyncpg.connect(database_url)
    try:
        query = "SELECT source_id, status, detail::text AS detail, request, response FROM audit"
        rows = await (
            conn.fetch(query + " WHERE status = $1", status) if status else conn.fetch(query)
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows]


async def parked_everywhere(bus: AmqpBus, tenant: str = "default") -> list[ParkedMessage]:
    found: list[ParkedMessage] = []
    for queue in standard_queues(tenant):
        found += await bus.parked(queue, limit=1000)
    return found
