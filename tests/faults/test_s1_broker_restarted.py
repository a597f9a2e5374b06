"""Scenario 1: RabbitMQ stopped and started at random points during 1,000 orders (issue 8).

The shared broker is never stopped, so this scenario boots a private RabbitMQ 3.10 node
(tests/faults/broker.py) and runs the four services on it. While orders arrive in waves,
the RabbitMQ application is stopped (``rabbitmqctl stop_app``: the broker closes every
connection and stops accepting new ones), kept down a random while, and started again;
quorum queues recover from their logs. After each start the test measures how long it
takes until every work queue has its consumer again (limit: 60 s); at the end the books
are read back.
"""

from __future__ import annotations

import asyncio
import contextlib
import random

import pytest

from tests.faults.books import in_flight
from tests.faults.broker import private_broker
from tests.faults.outbox import parked_everywhere
from tests.faults.report import Result
from tests.faults.stack import BrokerProbe, running_stack
from tests.faults.waits import wait_until
from tests.faults.world import Scene, purchase_orders

RESUME_LIMIT = 60.0


async def run(
    scene: Scene,
    *,
    orders: int,
    restarts: int,
    full: bool,
) -> None:
    sims, tmp_path, record = scene.sims, scene.tmp_path, scene.record
    database_url, namespace = scene.database_url, scene.namespace
    rng = random.Random(1)
    pos = purchase_orders(orders)
    (tmp_path / "rabbitmq").mkdir()
    node = private_broker(tmp_path / "rabbitmq")
    broker = await asyncio.to_thread(node.__enter__)
    resumes: list[float] = []
    down: list[float] = []
    mid_flow = 0
    loop = asyncio.get_running_loop()
    try:
        async with running_stack(
            sims,
            tmp_path,
            amqp_url=broker.url,
            database_url=database_url,
            namespace=namespace,
            MLC_IMPORT_BATCH_SIZE="25",
        ) as stack:
            async with BrokerProbe(broker.url, stack.topology) as probe:
                await wait_until(
                    probe.consumers_back, within=120, what="consumers", services=stack.services
                )
                placing = asyncio.create_task(
                    sims.trickle_orders(orders, waves=restarts * 5, interval=1.0)
                )
                for _ in range(restarts):
                    await asyncio.sleep(rng.uniform(1.0, 5.0))
                    mid_flow += await in_flight(sims) > 0
                    await broker.stop_app()
                    outage = rng.uniform(1.0, 8.0)
                    down.append(outage)
                    await asyncio.sleep(outage)
                    await broker.start_app()
                    started = loop.time()
                    await wait_until(
                        probe.consumers_back,
                        within=RESUME_LIMIT,
                        what="every work queue's consumer back after the broker restarted",
                        services=stack.services,
                        every=0.1,
                    )
                    resumes.append(loop.time() - started)
                await placing
                await stack.wait_settled(pos)
            found = await stack.figures(pos)
            async with stack.bus() as bus:
                parked = await parked_everywhere(bus)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.to_thread(node.__exit__, None, None, None)
    record(
        Result(
            scenario="1",
            title="RabbitMQ stopped and started",
            workload=f"{orders} orders in waves",
            faults=f"{restarts} broker stops (stop_app) of {min(down):.0f}-{max(down):.0f} s "
            "at random moments",
            lost=found.lost,
            duplicates=found.duplicates,
            full=full,
            figures={
                "longest consumer resume (s)": round(max(resumes), 1),
                "restarts while orders were in flight": mid_flow,
                "parked messages": len(parked),
            },
            notes="a private RabbitMQ 3.10 node (own node name, ports and data directory); "
            "`rabbitmqctl stop_app` / `start_app` stop and start the broker application, so the "
            "broker itself closes every connection and recovers its quorum queues. Resume time "
            "is from `start_app` returning until each work queue reports a consumer again.",
        )
    )
    assert found.lost == 0, found.describe()
    assert found.duplicates == 0, found.describe()
    assert parked == [], [p.reason for p in parked]


@pytest.mark.faults
async def test_broker_stopped_and_started_during_1000_orders(
    scene: Scene,
) -> None:
    await run(
        scene,
        orders=1000,
        restarts=5,
        full=True,
    )


async def test_broker_stopped_and_started_ci(
    scene: Scene,
) -> None:
    await run(
        scene,
        orders=150,
        restarts=1,
        full=False,
    )
