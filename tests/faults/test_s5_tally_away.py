"""Scenario 5: Tally away for 10 minutes of simulated time, twice (issue 8): first the
company closed (TallyPrime running, company not loaded: "Could not set 'SVCurrentCompany'"),
then TallyPrime not running at all (its port refuses connections).

Nothing may reach its delivery limit only because Tally was away (tally_agent/errors.py:
TallyUnavailable is retried without counting), and the backlog must drain when Tally comes
back.

**Simulated time.** Retry tiers are part of the broker topology; the scenario runs the
services with every tier delay multiplied by ``TIME_SCALE`` = 1/30 (tests/faults/launcher.py),
so the Tally queue's tiers of 5 s, 30 s and 120 s take 1/6 s, 1 s and 4 s. One simulated
second is therefore 1/30 of a real second and "10 minutes" is 20 real seconds, during
which a command is refused as many times as it would be in 10 real minutes with the
production tiers. The orders poll runs every 2 real seconds (1 simulated minute).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import pytest

from tests.faults.books import in_flight
from tests.faults.outbox import parked_everywhere
from tests.faults.report import Result
from tests.faults.stack import running_stack
from tests.faults.world import Scene, purchase_orders

TIME_SCALE = 1 / 30
SIMULATED_OUTAGE = 600.0
DELIVERY_LIMIT = 5


def failures_per_command(agent_log: str) -> Counter[str]:
    """How many times each command failed because Tally was away (the agent's own log)."""
    failed: Counter[str] = Counter()
    for line in agent_log.splitlines():
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        if event.get("event") == "tally command failed" and event.get("error_class") in (
            "CompanyNotOpen",
            "TallyPortClosed",
        ):
            failed[str(event.get("message_id"))] += 1
    return failed


async def run(
    scene: Scene,
    *,
    amqp_url: str,
    orders: int,
    full: bool,
) -> None:
    sims, tmp_path, record = scene.sims, scene.tmp_path, scene.record
    database_url, namespace = scene.database_url, scene.namespace
    pos = purchase_orders(orders)
    third = orders // 3
    outage = SIMULATED_OUTAGE * TIME_SCALE
    company = sims.company_path
    backlog: list[int] = []
    async with running_stack(
        sims,
        tmp_path,
        amqp_url=amqp_url,
        database_url=database_url,
        namespace=namespace,
        retry_scale=TIME_SCALE,
        delivery_limit=DELIVERY_LIMIT,
        MLC_IMPORT_BATCH_SIZE="10",
    ) as stack:
        await sims.place_orders(third)
        await stack.wait_settled(pos[:third])
        # 1. The company is closed for ten simulated minutes while orders keep coming.
        await sims.admin_tally("POST", f"{company}/unload")
        await sims.place_orders(third, first=third)
        await asyncio.sleep(outage)
        backlog.append(await in_flight(sims))
        await sims.admin_tally("POST", f"{company}/load")
        await stack.wait_settled(pos[: 2 * third])
        # 2. TallyPrime is not running for ten simulated minutes.
        await sims.admin_tally("POST", "/faults/stop")
        await sims.place_orders(orders - 2 * third, first=2 * third)
        await asyncio.sleep(outage)
        backlog.append(await in_flight(sims))
        await sims.admin_tally("POST", "/faults/start")
        await stack.wait_settled(pos)
        found = await stack.figures(pos)
        async with stack.bus() as bus:
            parked = await parked_everywhere(bus)
        failures = failures_per_command((tmp_path / "tally-agent.log").read_text())
    most = max(failures.values(), default=0)
    record(
        Result(
            scenario="5",
            title="Tally away: company closed, then TallyPrime not running",
            workload=f"{orders} orders, a third before, during each outage",
            faults="company unloaded for 10 simulated minutes, then the Tally port closed "
            "for 10 simulated minutes",
            lost=found.lost,
            duplicates=found.duplicates,
            full=full,
            figures={
                "orders waiting when Tally came back": "/".join(map(str, backlog)),
                "refusals retried without counting": sum(failures.values()),
                "most refusals of one command": most,
                "delivery limit": DELIVERY_LIMIT,
                "parked messages": len(parked),
            },
            notes="a private RabbitMQ node. Simulated time: every retry-tier delay is scaled "
            "by 1/30, so the Tally tiers of 5 s, 30 s and 120 s take 1/6 s, 1 s and 4 s and ten "
            "simulated minutes are 20 real seconds; the orders poll runs every simulated "
            "minute. The figure 'most refusals of one command' above the delivery limit shows "
            "that the outage alone would have parked work had those attempts counted.",
        )
    )
    assert found.lost == 0, found.describe()
    assert found.duplicates == 0, found.describe()
    assert parked == [], [p.reason for p in parked]
    assert all(b > 0 for b in backlog), f"nothing was waiting when Tally came back: {backlog}"
    assert most > DELIVERY_LIMIT, f"a command was refused only {most} times"


@pytest.mark.faults
async def test_tally_away_for_ten_simulated_minutes(
    scene: Scene,
    broker_url: str,
) -> None:
    await run(
        scene,
        amqp_url=broker_url,
        orders=300,
        full=True,
    )
