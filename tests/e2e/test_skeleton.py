"""The walking skeleton, end to end, in both run modes (issue 2):

one stock item whose closing quantity changes in the Tally simulator reaches the Walmart
simulator's inventory, and one order created in the Walmart simulator becomes a Sales
voucher in the Tally simulator.

(a) distributed: four `mlc serve` processes on the real RabbitMQ and PostgreSQL;
(b) standalone: one `mlc run` process on SQLite with the embedded bus.
Both talk to the simulators over HTTP; nothing is faked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from tally_sim import TallySimulator
from walmart_sim import WalmartSimulator

from tests.e2e.support import Processes, service_env, tally_vouchers, wait_until, walmart_input_qty

SERVICES = ("tally-agent", "walmart-gateway", "webhook-receiver", "sync-orchestrator")
ITEM, SKU, GODOWN, NODE = "Pressure Cooker 5L", "SHK-CW-002", "Chennai Warehouse", "10001"
PO = "4000000000001"

MAPPING = f"""
default_ship_node = "{NODE}"
match_by_name = false

[ledgers]
party = "Walmart Marketplace"
shipping = "Shipping Charges Collected"
tax = "Output IGST 12%"

[ship_nodes."{NODE}"]
godowns = ["{GODOWN}"]
sales_ledger = "Sales - Walmart Marketplace"
cost_centre = "Walmart US"

[skus."{SKU}"]
stock_item = "{ITEM}"
unit = "Nos"
"""


@dataclass
class World:
    tally: TallySimulator
    walmart: WalmartSimulator
    company: str
    env: dict[str, str]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    tally = TallySimulator(data="demo")
    walmart = WalmartSimulator(data="empty", time_scale=0.001)
    await tally.start(host="127.0.0.1", port=0, admin_port=0)
    await walmart.start(host="127.0.0.1", port=0)
    company = tally.demo_company
    assert company is not None
    async with httpx.AsyncClient(timeout=10) as admin:
        (
            await admin.post(
                f"{walmart.url}/admin/catalog",
                json={
                    "ship_nodes": [{"ship_node": NODE, "name": GODOWN}],
                    "items": [{"sku": SKU, "product_name": ITEM, "price": "25.90"}],
                },
            )
        ).raise_for_status()
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING)
    env = {
        "MLC_TALLY_URL": tally.url,
        "MLC_TALLY_COMPANY": company,
        "MLC_WALMART_BASE_URL": walmart.url,
        "MLC_WALMART_CLIENT_ID": walmart.client_id,
        "MLC_WALMART_CLIENT_SECRET": walmart.client_secret,
        "MLC_MAPPING_FILE": str(mapping),
        "MLC_CATALOG_INTERVAL_S": "1",
        "MLC_ORDERS_INTERVAL_S": "1",
        "MLC_WEBHOOK_PORT": "0",
        "MLC_OUTBOX_POLL_S": "0.2",
    }
    try:
        yield World(tally, walmart, company, env)
    finally:
        await walmart.stop()
        await tally.stop()


async def _change_stock_and_take_an_order(world: World) -> None:
    async with httpx.AsyncClient(timeout=10) as admin:
        (
            await admin.post(
                f"{world.tally.admin_url}/companies/{quote(world.company)}/stock-adjustments",
                json={"item": ITEM, "godown": GODOWN, "qty": 37},
            )
        ).raise_for_status()
        placed = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
        (
            await admin.post(
                f"{world.walmart.url}/admin/orders",
                json={
                    "purchase_order_id": PO,
                    "order_date": placed,
                    "ship_node": NODE,
                    "lines": [
                        {"sku": SKU, "quantity": 2, "unit_price": "25.90", "unit_tax": "1.81"}
                    ],
                },
            )
        ).raise_for_status()


async def _assert_skeleton(world: World, procs: Processes) -> None:
    voucher = await wait_until(
        lambda: tally_vouchers(world.tally.admin_url, world.company, f"WM-{PO}"),
        within=90,
        what=f"Sales voucher WM-{PO} in Tally",
        procs=procs,
    )
    assert len(voucher) == 1
    (entry,) = voucher[0]["inventory"]
    assert entry["item"] == ITEM
    assert float(entry["qty"]) == 2
    # Walmart first learns 37, then 35 once the voucher moved Tally's stock: either proves the
    # path, and the final figure must equal Tally's godown balance after the sale.
    await wait_until(
        lambda: _equals(walmart_input_qty(world.walmart.url, SKU, NODE), 35),
        within=60,
        what="Walmart inventory following Tally's stock (35)",
        procs=procs,
    )


async def _equals(value: object, expected: int) -> bool:
    return await value == expected  # type: ignore[misc,no-any-return]


async def test_distributed_four_processes_on_rabbitmq_and_postgresql(
    world: World, amqp_url: str, fresh_postgres_url: str, bus_namespace: str, tmp_path: Path
) -> None:
    await _change_stock_and_take_an_order(world)
    env = service_env(
        {
            **world.env,
            "MLC_AMQP_URL": amqp_url,
            "MLC_DATABASE_URL": fresh_postgres_url,
            "MLC_BUS_NAMESPACE": bus_namespace,
        }
    )
    procs = Processes(tmp_path)
    try:
        for service in SERVICES:
            procs.start(service, ["serve", service], env)
        await _assert_skeleton(world, procs)
    finally:
        codes = procs.stop()
    assert codes == dict.fromkeys(SERVICES, 0), {n: procs.tail(n) for n in SERVICES}


async def test_standalone_one_process_on_sqlite_and_the_embedded_bus(
    world: World, tmp_path: Path
) -> None:
    await _change_stock_and_take_an_order(world)
    env = service_env({**world.env, "MLC_DATABASE_URL": f"sqlite:///{tmp_path / 'mlc.db'}"})
    procs = Processes(tmp_path)
    try:
        procs.start("mlc-run", ["run"], env)
        await _assert_skeleton(world, procs)
    finally:
        codes = procs.stop()
    assert codes == {"mlc-run": 0}, procs.tail("mlc-run")
