"""Scenario 7: the same order arriving three times by webhook (same eventId), by polling,
and by replay from the dead letters (issue 8): one voucher, one acknowledgement.

The Walmart simulator delivers each PO_CREATED to the webhook-receiver twice (its duplicate
probability is 1) and the test POSTs the delivered body a third time, as Walmart's retry
would. The orders' SKU is not mapped yet, so each order is parked by the orchestrator with
the reason; meanwhile the scheduled poll reads the same orders again. Then the operator
maps the SKU and replays the dead letters: the orders post. Afterwards the webhook arrives
once more, the poll runs again and the parking queue is replayed again: nothing changes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS
from mlc_shared.store import open_store
from sync_orchestrator import mapping_edit

from tests.faults.books import figures
from tests.faults.outbox import parked_everywhere
from tests.faults.report import Result
from tests.faults.stack import Stack, running_stack
from tests.faults.waits import wait_until
from tests.faults.webhooks import deliver_again, deliveries, listening, subscribe
from tests.faults.world import Scene, World, purchase_orders

SKU, ITEM = "SHK-HD-016", "Wall Clock Wooden"  # in the Tally demo company, not yet mapped
USER, PASSWORD = "walmart", "hook-password-for-scenario-7"


async def map_sku(database_url: str) -> None:
    """What an operator does once told the SKU is missing: map it (``mlc mapping set``, which
    writes a new mapping revision the running orchestrator notices)."""
    store = open_store(database_url)
    try:
        await mapping_edit.change(
            store, "default", {"skus": {SKU: {"stock_item": ITEM, "unit": "Nos"}}}
        )
    finally:
        await store.close()


async def stored_events(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM webhook_events") or 0)
    finally:
        await conn.close()


async def polls(world: World) -> int:
    entries = await world.admin_walmart(
        "GET", "/admin/requests", params={"path_prefix": "/v3/orders"}
    )
    return sum(1 for e in entries if e["method"] == "GET" and e["path"] == "/v3/orders")


async def run(
    scene: Scene,
    *,
    amqp_url: str,
    orders: int,
    full: bool,
) -> None:
    sims, tmp_path, record = scene.sims, scene.tmp_path, scene.record
    database_url, namespace = scene.database_url, scene.namespace
    pos = purchase_orders(orders, prefix="7")
    await sims.admin_walmart(
        "POST", "/admin/items", json={"sku": SKU, "product_name": ITEM, "price": "21.00"}
    )
    await sims.admin_walmart("PATCH", "/admin/config", json={"webhook_duplicate_probability": 1.0})
    hook = await subscribe(sims, USER, PASSWORD)
    answers: list[str] = []
    async with running_stack(
        sims,
        tmp_path,
        amqp_url=amqp_url,
        database_url=database_url,
        namespace=namespace,
        MLC_ORDERS_INTERVAL_S="3",
        MLC_WEBHOOK_AUTH_METHOD="basic",
        MLC_WEBHOOK_USERNAME=USER,
        MLC_WEBHOOK_PASSWORD=PASSWORD,
    ) as stack:
        await wait_until(
            lambda: listening(hook), within=120, what="receiver up", services=stack.services
        )
        await sims.place_orders(orders, prefix="7", skus=[SKU])
        # Two deliveries of each event by the simulator, a third by the test.
        delivered = await wait_until(
            lambda: _delivered_twice(sims, orders), within=120, what="two deliveries per event"
        )
        for first in delivered:
            answers.append(await deliver_again(hook, first, USER, PASSWORD))
        async with stack.bus() as bus:
            parked = await wait_until(
                lambda: _parked(stack, orders),
                within=120,
                what=f"{orders} orders parked for the unmapped SKU",
                services=stack.services,
            )
            reasons = {p.reason for p in parked}
            polls_before = await polls(sims)
            await wait_until(
                lambda: _more_polls(sims, polls_before + 2),
                within=60,
                what="two more scheduled polls",
            )
            assert (await figures(sims, pos)).missing_vouchers == pos  # nothing posted yet
            await map_sku(database_url)
            replayed = await bus.replay(ORCHESTRATOR_EVENTS)
            await stack.wait_settled(pos)
            # And once more each way, after the orders posted.
            for first in delivered:
                answers.append(await deliver_again(hook, first, USER, PASSWORD))
            polls_before = await polls(sims)
            await wait_until(lambda: _more_polls(sims, polls_before + 2), within=60, what="polls")
            replayed_again = await bus.replay(ORCHESTRATOR_EVENTS)
            await asyncio.sleep(3)
            left = await parked_everywhere(bus)
        found = await stack.figures(pos)
        events = await stored_events(database_url)
    all_deliveries = await deliveries(sims)
    record(
        Result(
            scenario="7",
            title="same order by webhook (3 deliveries, one eventId), by polling and by replay",
            workload=f"{orders} orders of a SKU not yet mapped",
            faults="each PO_CREATED delivered 3 times (+1 after posting); scheduled polls "
            "re-read the orders; parked orders replayed after mapping the SKU, and again",
            lost=found.lost,
            duplicates=found.duplicates,
            full=full,
            figures={
                "webhook deliveries": len(all_deliveries) + len(answers),
                "answered duplicate by the receiver": answers.count("duplicate"),
                "events stored": events,
                "parked, then replayed": replayed,
                "replayed again": replayed_again,
                "parked at the end": len(left),
            },
            notes="a private RabbitMQ node; the simulator's webhook duplicate probability is 1 "
            "and the test re-sends each delivered body; the SKU is mapped in the store (as the "
            "operator would) before the parking queue is replayed through the bus.",
        )
    )
    assert found.lost == 0, found.describe()
    assert found.duplicates == 0, found.describe()
    assert answers == ["duplicate"] * len(answers), answers
    assert events == orders
    assert replayed == orders
    assert replayed_again == 0
    assert left == []
    assert all(SKU in reason for reason in reasons), reasons


async def _delivered_twice(world: World, orders: int) -> list[dict[str, Any]] | None:
    found = [d for d in await deliveries(world) if d["status_code"] == 200]
    firsts = {d["event_id"]: d for d in found if not d["duplicate"]}
    if len(firsts) == orders and len(found) >= 2 * orders:
        return list(firsts.values())
    return None


async def _parked(stack: Stack, orders: int) -> list[Any] | None:
    async with stack.bus() as bus:
        parked = await bus.parked(ORCHESTRATOR_EVENTS, limit=1000)
    return parked if len(parked) >= orders else None


async def _more_polls(world: World, at_least: int) -> bool:
    return await polls(world) >= at_least


@pytest.mark.faults
async def test_same_order_by_webhook_polling_and_replay(
    scene: Scene,
    broker_url: str,
) -> None:
    await run(
        scene,
        amqp_url=broker_url,
        orders=20,
        full=True,
    )


async def test_same_order_five_ways_ci(
    scene: Scene,
    broker_url: str,
) -> None:
    await run(
        scene,
        amqp_url=broker_url,
        orders=3,
        full=False,
    )
