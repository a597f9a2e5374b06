"""A parked order, replayed twice, posts one voucher: on RabbitMQ with PostgreSQL and on the
embedded bus with SQLite alike. On the embedded bus through ``mlc dlq`` run as an operator
would, in its own process beside the running services (it must not disturb their in-flight
messages); on RabbitMQ through the same code in the test's process.

The second replay is the same parked message sent again with its original message id: what
happens when a replay's acknowledgement of the parked copy is lost (RabbitMQ keeps the copy,
a second ``replay`` sends it again), or when two operators replay it at once.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS
from sync_orchestrator import mapping_edit
from sync_orchestrator.dead_letters import DeadLetters, connector_queues
from sync_orchestrator.mapping import Ledgers, ShipNodeMapping, SkuMapping, TenantMapping

from tests.integration.operator.support import mlc, mlc_env
from tests.integration.orchestrator.support import GODOWN, NODE, Stack, eventually, stack

COOKER, PAN = ("SHK-CW-002", "Pressure Cooker 5L"), ("SHK-CW-003", "Non-Stick Fry Pan 24cm")
PO = "4100000000001"
MAPPING = TenantMapping(
    ledgers=Ledgers(
        party="Walmart Marketplace", shipping="Shipping Charges Collected", tax="Output IGST 12%"
    ),
    default_ship_node=NODE,
    ship_nodes={
        NODE: ShipNodeMapping(
            godowns=(GODOWN,), sales_ledger="Sales - Walmart Marketplace", cost_centre="Walmart US"
        )
    },
    skus={COOKER[0]: SkuMapping(stock_item=COOKER[1])},  # the pan is not mapped yet
    match_by_name=False,
)


@pytest.fixture(params=["embedded-sqlite", "rabbitmq-postgresql"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    if request.param == "embedded-sqlite":
        return {"database_url": f"sqlite:///{tmp_path / 'mlc.db'}", "amqp_url": None}
    return {
        "database_url": request.getfixturevalue("fresh_postgres_url"),
        "amqp_url": request.getfixturevalue("amqp_url"),
        "bus_namespace": request.getfixturevalue("bus_namespace"),
    }


class Operator:
    """``mlc dlq`` as a command (embedded bus) or the code behind it (RabbitMQ)."""

    def __init__(self, s: Stack, deployment: dict[str, Any]) -> None:
        self.env = mlc_env(**deployment) if deployment["amqp_url"] is None else None
        assert s.runtime.bus is not None
        self.letters = DeadLetters(s.runtime.bus, connector_queues([s.tenant]))

    async def parked(self) -> list[dict[str, Any]]:
        if self.env is None:
            return [d.model_dump(mode="json") for d in await self.letters.list()]
        listed = await mlc(self.env, "dlq", "list", "--json")
        assert listed.code == 0, listed.stderr
        return list(json.loads(listed.stdout))

    async def replay(self, message_id: str) -> None:
        if self.env is None:
            assert await self.letters.replay(message_id) == 1
            return
        replayed = await mlc(self.env, "dlq", "replay", message_id)
        assert replayed.code == 0, replayed.stderr
        assert "1 message(s) replayed" in replayed.stdout


async def test_a_parked_order_replayed_twice_posts_one_voucher(
    deployment: dict[str, Any], tmp_path: Path
) -> None:
    items = [{"sku": sku, "product_name": name, "price": "20.00"} for sku, name in (COOKER, PAN)]
    async with stack(tmp_path, MAPPING, walmart_items=items, **deployment) as s:
        await _place_order(s)
        await s.run("orders")  # the order cannot become a voucher: parked with the reason
        operator = Operator(s, deployment)
        [letter] = await operator.parked()
        assert letter["type"] == "orchestrator.post_order"
        assert f"SKU {PAN[0]!r}" in letter["reason"]
        assert await s.vouchers("Sales", f"WM-{PO}") == []
        assert s.runtime.bus is not None
        [parked] = await s.runtime.bus.parked(ORCHESTRATOR_EVENTS)
        assert parked.envelope is not None

        # The operator maps the SKU, then replays.
        await mapping_edit.change(s.store, s.tenant, {"skus": {PAN[0]: {"stock_item": PAN[1]}}})
        await operator.replay(letter["message_id"])
        posted = await eventually(
            lambda: s.vouchers("Sales", f"WM-{PO}"), "the replayed order posted"
        )
        assert len(posted) == 1
        assert await _idle(s)

        # The same parked message a second time, same message id.
        await s.runtime.bus.publish(ORCHESTRATOR_EVENTS, parked.envelope)
        assert await _idle(s)
        assert len(await s.vouchers("Sales", f"WM-{PO}")) == 1
        statuses = await s.statuses(PO, "order")
        assert (statuses.count("queued"), statuses.count("posted")) == (1, 1), statuses
        assert statuses[-1] == "acknowledged"
        assert await operator.letters.list() == []


async def _idle(s: Stack) -> bool:
    return await s.orch.wait_idle(30)


async def _place_order(s: Stack) -> None:
    reply = await s.http.post(
        f"{s.walmart.url}/admin/orders",
        json={
            "purchase_order_id": PO,
            "order_date": (datetime.now(UTC) - timedelta(minutes=2)).isoformat(),
            "ship_node": NODE,
            "lines": [{"sku": PAN[0], "quantity": 1, "unit_price": "10.80", "unit_tax": "1.30"}],
        },
    )
    reply.raise_for_status()
