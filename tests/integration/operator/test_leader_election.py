"""Two orchestrators on one PostgreSQL database: only the holder of the advisory lock
consumes, relays and schedules; the other stands by, hands operator runs to the leader, and
takes over when the leader's session ends (killed by the server) or the leader stops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import pytest
import sqlalchemy as sa
from mlc_shared.bus.factory import create_bus
from mlc_shared.store import SqlStore, create_engine
from sync_orchestrator.service import OrchestratorService
from sync_orchestrator.settings import OrchestratorSettings

from tests.integration.operator.test_operator_api import eventually

Pair = tuple[OrchestratorService, OrchestratorService, str]


@pytest.fixture
async def pair(fresh_postgres_url: str, amqp_url: str, bus_namespace: str) -> AsyncIterator[Pair]:
    settings = OrchestratorSettings(
        database_url=fresh_postgres_url,
        amqp_url=amqp_url,
        bus_namespace=bus_namespace,
        catalog_interval_s=0,
        orders_interval_s=0,
        returns_interval_s=0,
        settlements_interval_s=0,
        outbox_poll_s=0.1,
        leader_retry_s=0.2,
        leader_check_s=0.2,
    )
    async with AsyncExitStack() as stack:
        services = []
        for _ in range(2):
            store = SqlStore(fresh_postgres_url)
            await store.migrate()
            stack.push_async_callback(store.close)
            bus = create_bus(settings)
            await bus.start()
            stack.push_async_callback(bus.close)
            service = OrchestratorService(settings, bus, store)
            services.append(service)
        first, second = services
        await first.start()
        stack.push_async_callback(first.stop)
        await eventually(_leads(first), "the first orchestrator leading")
        await second.start()
        stack.push_async_callback(second.stop)
        yield first, second, fresh_postgres_url


def _leads(service: OrchestratorService) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return service.is_leader

    return check


async def _standing_by(service: OrchestratorService) -> None:
    """Nothing that only the leader may run is running (a replica that just lost the lock
    may still be stopping its consumer and relay)."""

    async def idle() -> bool:
        return not service.is_leader and service._subscription is None and not service.relay.running

    await eventually(idle, "the standby holding nothing that only the leader runs")


async def test_one_leader_and_a_warm_standby_that_takes_over(pair: Pair) -> None:
    first, second, database_url = pair
    await asyncio.sleep(1.0)  # five of the standby's attempts at the lock
    assert first.is_leader
    await _standing_by(second)

    # A run asked of the standby is handed to the leader (RunFlow) and run there.
    started, correlation_id = await second.request_run("orders")
    assert started is False
    assert correlation_id

    async def orders_ran() -> bool:
        states = await second.store.list_flow_states()
        return any(s.flow == "orders" and s.last_run_at is not None for s in states)

    await eventually(orders_ran, "the leader running the flow the standby was asked for")

    # The server ends the leader's session (a lost connection, a dead pod): it steps down
    # and one replica leads again.
    assert first.election is not None
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            killed = await conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    # a bigint key shows as classid (high half) and objid (low half)
                    "WHERE locktype = 'advisory' AND granted "
                    "AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": first.election.key},
            )
            assert killed.scalars().all() == [True]
    finally:
        await engine.dispose()

    async def one_leader() -> bool:
        return [first.is_leader, second.is_leader].count(True) == 1

    await eventually(one_leader, "a leader again after the session was killed")
    leader, standby = (first, second) if first.is_leader else (second, first)
    await _standing_by(standby)

    # The leader stops (a rollout, a crash): the standby takes over within seconds.
    await leader.stop()
    await eventually(_leads(standby), "the standby taking over")
    assert standby._subscription is not None
    assert standby.relay.running
