"""Scenario 4: the agent killed between Tally's OK and its acknowledgement, again and again
(issue 8): the redelivered command creates nothing.

Each order travels in its own ImportVouchers command (import batch size 1) and the Tally
simulator takes 150 ms over every request. For each command the test watches Tally's
request log: as soon as the import request is being worked on, the agent process is frozen
(SIGSTOP) before it can read the answer; once Tally has applied the import and sent its
OK, the agent is SIGKILLed. It never published a result and never acknowledged the
command, so RabbitMQ delivers the command again to the agent started next. Its duplicate
check (tally_agent/importer.py) must find the voucher and create nothing; the books must
hold each voucher exactly once and every order must still be acknowledged on Walmart.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.faults.outbox import audit_rows, parked_everywhere
from tests.faults.report import Result
from tests.faults.stack import Stack, running_stack
from tests.faults.waits import wait_until
from tests.faults.world import Scene, World, purchase_orders

AGENT = "tally-agent"
TALLY_LATENCY_MS = 150


def is_import(entry: dict[str, Any]) -> bool:
    body = str(entry.get("body", ""))
    return "<TALLYREQUEST>Import" in body or "Import Data" in body


async def requests_since(world: World, seq: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = await world.admin_tally(
        "GET", "/requests", params={"since": seq}
    )
    return entries


async def next_import(world: World, seq: int, within: float = 120.0) -> dict[str, Any] | None:
    """The first import request after ``seq`` once Tally has started on it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        for entry in await requests_since(world, seq):
            if is_import(entry) and entry["outcome"] in ("running", "served"):
                return entry
        await asyncio.sleep(0.02)
    return None


async def outcome_of(world: World, seq: int) -> str:
    for entry in await requests_since(world, seq - 1):
        if entry["seq"] == seq:
            return str(entry["outcome"])
    return "missing"


async def _answered(world: World, seq: int) -> bool:
    return await outcome_of(world, seq) != "running"


async def kill_after_ok(stack: Stack, seq: int) -> tuple[int, bool] | None:
    """Freeze the agent while Tally works on the next import, kill it once Tally answered.
    (import seq, whether the agent was frozen before the answer existed); None when no
    import came."""
    world = stack.world
    entry = await next_import(world, seq)
    if entry is None:
        return None
    stack.services.freeze(AGENT)
    frozen_before_answer = await outcome_of(world, entry["seq"]) == "running"
    await wait_until(
        lambda: _answered(world, entry["seq"]), within=60, what="Tally's answer", every=0.02
    )
    await stack.services.kill(AGENT)
    stack.services.start(AGENT)
    return int(entry["seq"]), frozen_before_answer


async def run(
    scene: Scene,
    *,
    amqp_url: str,
    kills: int,
    full: bool,
) -> None:
    sims, tmp_path, record = scene.sims, scene.tmp_path, scene.record
    database_url, namespace = scene.database_url, scene.namespace
    pos = purchase_orders(kills)
    await sims.admin_tally("PUT", "/faults/latency", json={"ms": TALLY_LATENCY_MS})
    await sims.place_orders(kills)
    landed = 0
    async with running_stack(
        sims,
        tmp_path,
        amqp_url=amqp_url,
        database_url=database_url,
        namespace=namespace,
        MLC_IMPORT_BATCH_SIZE="1",
        MLC_ORDERS_INTERVAL_S="30",
    ) as stack:
        seq = 0
        for _ in range(kills):
            killed = await kill_after_ok(stack, seq)
            assert killed is not None, "no import request reached Tally"
            seq, frozen = killed
            landed += frozen
        await stack.wait_settled(pos)
        found = await stack.figures(pos)
        async with stack.bus() as bus:
            parked = await parked_everywhere(bus)
    await sims.admin_tally("PUT", "/faults/latency", json={"ms": 0})
    log = await requests_since(sims, 0)
    imports = [e["summary"]["result"] for e in log if e["summary"].get("kind") == "import"]
    created = sum(int(result.get("created", 0)) for result in imports)
    altered = sum(int(result.get("altered", 0)) for result in imports)
    posted = await audit_rows(database_url, "posted")
    skipped = sum(1 for row in posted if json.loads(str(row["detail"])).get("outcome") == "exists")
    record(
        Result(
            scenario="4",
            title="agent killed between Tally's OK and its ack",
            workload=f"{kills} orders, one ImportVouchers command each",
            faults=f"{kills} SIGKILLs of tally-agent after Tally applied the import, "
            "before the result was published or the command acknowledged",
            lost=found.lost,
            duplicates=found.duplicates,
            full=full,
            figures={
                "kills that landed between OK and ack": landed,
                "vouchers Tally created": created,
                "altered by a re-import": altered,
                "redeliveries the duplicate check skipped": skipped,
                "parked messages": len(parked),
            },
            notes="a private RabbitMQ node; Tally simulator latency 150 ms per request. The test "
            "freezes the agent (SIGSTOP) while Tally works on the import, waits for Tally's "
            "OK, then SIGKILLs it and starts a new agent, which receives the same command "
            "again.",
        )
    )
    assert found.lost == 0, found.describe()
    assert found.duplicates == 0, found.describe()
    assert landed == kills, f"only {landed} of {kills} kills landed between OK and ack"
    assert (created, altered) == (kills, 0), (created, altered)
    assert skipped == kills, f"{skipped} redeliveries skipped by the duplicate check"
    assert parked == [], [p.reason for p in parked]


@pytest.mark.faults
async def test_agent_killed_between_ok_and_ack_100_times(
    scene: Scene,
    broker_url: str,
) -> None:
    await run(
        scene,
        amqp_url=broker_url,
        kills=100,
        full=True,
    )


async def test_agent_killed_between_ok_and_ack_ci(
    scene: Scene,
    broker_url: str,
) -> None:
    await run(
        scene,
        amqp_url=broker_url,
        kills=4,
        full=False,
    )
