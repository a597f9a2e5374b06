"""Scenario 8: one poison order among 1,000 (issue 8): it is parked after exactly the
configured delivery limit, with its reason, and the other 999 post.

The poison: Walmart fails every call about that one order (the simulator answers 500
SYSTEM_ERROR to each acknowledgement of its purchase order, before the call takes effect).
Each failure counts toward the message's delivery limit, which this scenario configures to
4 (not the default 5, to show the configured value is the one obeyed). Once it is parked
the cause goes away and the operator replays it: it then completes, once.

Among the 999 others is an order of 30 lines. Before the fix in
sync_orchestrator/vouchers.py (order_version), its version overflowed the store's column
and took every order of its page with it into the parking queue; it is kept here so that
regression would show as lost orders.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from mlc_shared.bus.base import ParkedMessage
from mlc_shared.bus.topology import WALMART_COMMANDS
from mlc_shared.messages.walmart import AcknowledgeOrder

from tests.faults.books import acknowledged
from tests.faults.outbox import parked_everywhere
from tests.faults.report import Result
from tests.faults.stack import Stack, running_stack
from tests.faults.waits import wait_until
from tests.faults.world import Scene, World, purchase_orders

DELIVERY_LIMIT = 4
CLIENT_ATTEMPTS = 2  # MLC_WALMART_RETRY_ATTEMPTS: HTTP tries inside one delivery


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
    poison, long_order = pos[orders // 3], pos[orders // 2]
    others = [po for po in pos if po != poison]
    await sims.place_orders(orders // 2)
    await sims.place_orders(1, first=orders // 2, lines=30)
    await sims.place_orders(orders - orders // 2 - 1, first=orders // 2 + 1)
    ack_path = f"/v3/orders/{poison}/acknowledge"
    await sims.admin_walmart(
        "POST", "/admin/faults/next", json={"status": 500, "path_prefix": ack_path, "count": 100000}
    )
    async with running_stack(
        sims,
        tmp_path,
        amqp_url=amqp_url,
        database_url=database_url,
        namespace=namespace,
        delivery_limit=DELIVERY_LIMIT,
        MLC_WALMART_RETRY_ATTEMPTS=str(CLIENT_ATTEMPTS),
        MLC_WALMART_RETRY_BASE_DELAY="0.05",
        MLC_WALMART_RETRY_MAX_DELAY="0.2",
    ) as stack:
        await stack.wait_settled(others)
        async with stack.bus() as bus:
            parked: list[ParkedMessage] = await wait_until(
                lambda: _parked(stack),
                within=300,
                what="the poison order's acknowledgement parked",
                services=stack.services,
            )
            others_found = await stack.figures(others)
            ack_calls = await _calls(sims, ack_path)
            # The cause goes away; the operator replays the dead letter.
            await sims.admin_walmart("DELETE", "/admin/faults")
            replayed = await bus.replay(WALMART_COMMANDS)
            await stack.wait_settled(pos)
            left = await parked_everywhere(bus)
        found = await stack.figures(pos)
    (message,) = parked
    payload = message.envelope.payload if message.envelope else None
    record(
        Result(
            scenario="8",
            title="one poison order among many",
            workload=f"{orders} orders (one of 30 lines)",
            faults=f"Walmart answers 500 to every acknowledgement of order {poison}; "
            f"delivery limit {DELIVERY_LIMIT}",
            lost=found.lost,
            duplicates=found.duplicates,
            full=full,
            figures={
                "parked": len(parked),
                "deliveries before parking": len(message.history),
                "acknowledgement calls for the poison": ack_calls,
                "others posted before the replay": len(others) - others_found.lost,
                "parked reason": message.reason[:90],
                "replayed and completed": replayed,
            },
            notes="a private RabbitMQ node; delivery limit 4 on every queue (the launcher's "
            "FAULTS_DELIVERY_LIMIT), two HTTP tries per delivery (MLC_WALMART_RETRY_ATTEMPTS); "
            "the poison's voucher is posted (Tally is not at fault), its acknowledgement is "
            "what parks; after the simulator's faults are cleared the parking queue is "
            "replayed through the bus.",
        )
    )
    assert others_found.lost == 0, others_found.describe()
    assert isinstance(payload, AcknowledgeOrder)
    assert payload.purchase_order_id == poison
    assert len(message.history) == DELIVERY_LIMIT, message.history
    assert [h.attempt for h in message.history] == list(range(1, DELIVERY_LIMIT + 1))
    assert message.reason.startswith(f"gave up after {DELIVERY_LIMIT} attempts"), message.reason
    assert "500" in message.reason or "SYSTEM_ERROR" in message.reason, message.reason
    # One try inside its batch's AcknowledgeOrders, then DELIVERY_LIMIT deliveries alone.
    assert ack_calls == (DELIVERY_LIMIT + 1) * CLIENT_ATTEMPTS
    assert replayed == 1
    assert left == []
    assert acknowledged(sims, poison)
    assert acknowledged(sims, long_order)
    assert found.lost == 0, found.describe()
    assert found.duplicates == 0, found.describe()


async def _parked(stack: Stack) -> list[ParkedMessage] | None:
    async with stack.bus() as bus:
        parked = await parked_everywhere(bus)
    return parked or None


async def _calls(world: World, path: str) -> int:
    entries: list[dict[str, Any]] = await world.admin_walmart(
        "GET", "/admin/requests", params={"path_prefix": path}
    )
    await asyncio.sleep(0)
    return sum(1 for e in entries if e["path"] == path)


@pytest.mark.faults
async def test_one_poison_order_among_1000(
    scene: Scene,
    broker_url: str,
) -> None:
    await run(
        scene,
        amqp_url=broker_url,
        orders=1000,
        full=True,
    )


async def test_one_poison_order_ci(
    scene: Scene,
    broker_url: str,
) -> None:
    await run(
        scene,
        amqp_url=broker_url,
        orders=60,
        full=False,
    )
