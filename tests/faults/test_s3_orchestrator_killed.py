"""Scenario 3: the orchestrator killed with SIGKILL mid-flow and restarted (issue 8).

Orders arrive in waves while the orchestrator process is SIGKILLed at random moments and
started again; no shutdown code runs, so whatever it held is cut off where it was: a store
transaction (rolled back by PostgreSQL), outbox rows committed but not yet published or
published but not yet marked, events handled but not yet acknowledged. The books are read
back at the end: every order posted once and acknowledged once.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from tests.faults.books import in_flight
from tests.faults.outbox import parked_everywhere
from tests.faults.report import Result
from tests.faults.stack import running_stack
from tests.faults.world import Scene, purchase_orders

ORCHESTRATOR = "sync-orchestrator"


async def run(
    scene: Scene,
    *,
    amqp_url: str,
    orders: int,
    kills: int,
    full: bool,
) -> None:
    sims, tmp_path, record = scene.sims, scene.tmp_path, scene.record
    database_url, namespace = scene.database_url, scene.namespace
    rng = random.Random(3)
    pos = purchase_orders(orders)
    in_flight_kills = 0
    async with running_stack(
        sims,
        tmp_path,
        amqp_url=amqp_url,
        database_url=database_url,
        namespace=namespace,
        MLC_IMPORT_BATCH_SIZE="20",
    ) as stack:
        placing = asyncio.create_task(sims.trickle_orders(orders, waves=kills * 2, interval=1.5))
        for _ in range(kills):
            await asyncio.sleep(rng.uniform(1.0, 3.5))
            if await in_flight(sims) > 0:
                in_flight_kills += 1
            await stack.services.kill(ORCHESTRATOR)
            await asyncio.sleep(rng.uniform(0.0, 1.0))
            stack.services.start(ORCHESTRATOR)
        await placing
        await stack.wait_settled(pos)
        found = await stack.figures(pos)
        async with stack.bus() as bus:
            parked = await parked_everywhere(bus)
    record(
        Result(
            scenario="3",
            title="orchestrator killed (SIGKILL) mid-flow and restarted",
            workload=f"{orders} orders in waves",
            faults=f"{kills} SIGKILLs of sync-orchestrator at random moments, restarted",
            lost=found.lost,
            duplicates=found.duplicates,
            full=full,
            figures={
                "kills while orders were in flight": in_flight_kills,
                "parked messages": len(parked),
            },
            notes="a private RabbitMQ node; the orchestrator process is SIGKILLed 1-3.5 s apart "
            "while orders keep arriving and restarted 0-1 s later; imports in batches of 20.",
        )
    )
    assert found.lost == 0, found.describe()
    assert found.duplicates == 0, found.describe()
    assert parked == [], [p.reason for p in parked]


@pytest.mark.faults
async def test_orchestrator_sigkilled_mid_flow(
    scene: Scene,
    broker_url: str,
) -> None:
    await run(
        scene,
        amqp_url=broker_url,
        orders=600,
        kills=12,
        full=True,
    )


async def test_orchestrator_sigkilled_mid_flow_ci(
    scene: Scene,
    broker_url: str,
) -> None:
    await run(
        scene,
        amqp_url=broker_url,
        orders=120,
        kills=3,
        full=False,
    )
