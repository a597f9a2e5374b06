"""Scenario 2: the connection between the services and RabbitMQ cut and delayed by a
fault-injecting TCP proxy, 20 times while more than 10,000 outbox rows drain (issue 8):
no outbox row is marked published whose message never reached its queue.

Workload: the catalog flow's first cycle over a catalog of 10,000 generated stock items
(one UpdateInventory command per SKU: MLC_INVENTORY_BATCH_SIZE=1) while 1,000 orders arrive
(imported and acknowledged in batches of 25). The agent exports the catalog in one page, so
the 10,000 commands enter the outbox in one transaction and drain as one backlog; the cuts
start once it is there. Every service reaches the broker only through
tests/faults/proxy.py, which delays each chunk and limits every connection's bandwidth (so
the backlog takes long enough to be cut in the middle), and is cut 20 times: every
connection aborted, new ones refused for a random while. Each cut must meet unpublished
rows, or the run proves nothing.

Proof, independent of the services: a tap queue of the test's own, bound to the same
exchange with the work queues' bindings, receives a copy of every message the broker
routed to them. A publisher confirm covers every queue a message was routed to, so a row
the relay marked published must have its message id in the tap. The tap connects to the
broker directly, never through the proxy.
"""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

import aio_pika
import pytest
from mlc_shared.bus.topology import Topology
from yarl import URL

from tests.faults.books import in_flight
from tests.faults.outbox import outbox_rows, parked_everywhere, unpublished_outbox
from tests.faults.proxy import FaultProxy
from tests.faults.report import Result
from tests.faults.stack import Stack, running_stack
from tests.faults.waits import wait_until
from tests.faults.world import GODOWN, ITEMS, NODE, Scene, World, mapping_toml, purchase_orders

TAP_BINDINGS = ("walmart.commands.*", "tally.*.commands.*", "orchestrator.events.*")
SETTLE_WITHIN = 1800.0
"""Bound on the orders settling once the cuts stop. Their imports and acknowledgements
queue behind the catalog's 10,000 inventory commands and their 10,000 results in the same
FIFO queues; a 2-CPU machine shared with other work got through about 10 of those a
second, which the suite's usual 600 s (tests/faults/stack.py) does not cover."""


class Tap:
    """A queue bound like the work queues, collecting the ids of what was routed."""

    def __init__(self, url: str, topology: Topology) -> None:
        self.url = url
        self.name = topology.physical("faults-tap")
        self.exchange = topology.exchange
        self.ids: set[str] = set()

    async def __aenter__(self) -> Tap:
        self._connection = await aio_pika.connect_robust(self.url)
        channel = await self._connection.channel()
        exchange = await channel.declare_exchange(
            self.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        self._queue = await channel.declare_queue(self.name, durable=True)
        for binding in TAP_BINDINGS:
            await self._queue.bind(exchange, binding)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._connection.close()

    async def drain(self) -> set[str]:
        while message := await self._queue.get(no_ack=True, fail=False):
            if message.message_id:
                self.ids.add(message.message_id)
        return self.ids


async def seed_catalog(world: World, count: int) -> list[str]:
    """``count`` generated stock items in Tally's Chennai godown, each listed on Walmart
    under its part number (the mapping matches SKUs by part number)."""
    await world.admin_tally(
        "POST",
        f"{world.company_path}/stock-items/generate",
        json={"count": count, "prefix": "Item", "unit": "Nos", "godowns": [GODOWN]},
    )
    stock = await world.admin_tally("GET", f"{world.company_path}/stock")
    listed = [(i["part_number"], i["name"]) for i in stock if i.get("part_number")]
    for start in range(0, len(listed), 1000):
        await world.admin_walmart(
            "POST",
            "/admin/catalog",
            json={
                "items": [
                    {"sku": sku, "product_name": name, "price": "5.00"}
                    for sku, name in listed[start : start + 1000]
                    if sku not in ITEMS
                ]
            },
        )
    world.mapping_file.write_text(
        mapping_toml(ITEMS).replace("match_by_name = false", "match_by_name = true")
    )
    return [sku for sku, name in listed if name.startswith("Item ")]


async def stock_not_on_walmart(world: World, skus: list[str]) -> list[str]:
    stock = await world.admin_tally("GET", f"{world.company_path}/stock")
    closing = {
        i["part_number"]: sum(
            (Decimal(str(g["qty"])) for g in i["godowns"] if g["godown"] == GODOWN), Decimal(0)
        )
        for i in stock
        if i.get("part_number")
    }
    wrong = []
    for sku in skus:
        held = world.walmart.state.stock.get((sku, NODE))
        if held is None or held.input_qty != max(int(closing[sku]), 0):
            wrong.append(sku)
    return wrong


async def run(
    scene: Scene,
    *,
    amqp_url: str,
    items: int,
    orders: int,
    cuts: int,
    bandwidth: int,
    full: bool,
) -> None:
    sims, tmp_path, record = scene.sims, scene.tmp_path, scene.record
    database_url, namespace = scene.database_url, scene.namespace
    rng = random.Random(2)
    pos = purchase_orders(orders)
    skus = await seed_catalog(sims, items)
    await sims.admin_walmart("PATCH", "/admin/config", json={"throttling_enabled": False})
    broker = URL(amqp_url)
    proxy = FaultProxy(broker.host or "127.0.0.1", broker.port or 5672)
    await proxy.start()
    proxy.toxics.latency = 0.002
    proxy.toxics.bandwidth = bandwidth
    proxied = str(broker.with_host("127.0.0.1").with_port(proxy.port))
    cut_with_rows_pending = 0
    loop = asyncio.get_running_loop()
    try:
        async with (
            running_stack(
                sims,
                tmp_path,
                amqp_url=proxied,
                database_url=database_url,
                namespace=namespace,
                MLC_CATALOG_INTERVAL_S="20",
                MLC_INVENTORY_BATCH_SIZE="1",
                MLC_IMPORT_BATCH_SIZE="25",
                MLC_WALMART_BUDGETS='{"inventory.update": "none"}',
                # One page, so every command of the catalog is in the outbox when the cuts
                # start; with pages of 1,000 the cuts only met the first 1,000-2,000 rows
                # and the rest came after them.
                MLC_TALLY_EXPORT_PAGE_SIZE=str(items),
            ) as stack,
            Tap(amqp_url, stack.topology) as tap,
        ):
            placing = asyncio.create_task(sims.trickle_orders(orders, waves=20, interval=1.5))
            # Cut once the catalog's commands are in the outbox, not at the first order's
            # row: cutting from then on starved the agent's export, so the inventory rows
            # reached the outbox after the last cut (3 of 20 cuts met pending rows).
            await wait_until(
                lambda: _backlog(database_url, items // 10),
                within=300,
                what=f"the outbox holding {items // 10} unpublished rows",
                services=stack.services,
                every=0.1,
            )
            started = loop.time()
            for _ in range(cuts):
                await asyncio.sleep(rng.uniform(0.5, 2.5))
                cut_with_rows_pending += await unpublished_outbox(database_url) > 0
                await proxy.cut()
                await asyncio.sleep(rng.uniform(0.2, 3.0))
                await proxy.resume()
            cutting_took = loop.time() - started
            await placing
            proxy.toxics.bandwidth = None
            await stack.wait_settled(pos, within=SETTLE_WITHIN)
            await wait_until(
                lambda: _all_pushed(stack, skus),
                within=900,
                what="Walmart's inventory equal to Tally's stock for every generated item",
                services=stack.services,
                every=3.0,
            )
            # A row written just now (a scheduled catalog cycle, a late webhook's read) is not
            # expected published yet; every row is expected published once the relay drains.
            await wait_until(
                lambda: _drained(database_url),
                within=120,
                what="every outbox row published",
                services=stack.services,
            )
            rows = await outbox_rows(database_url)
            routed = await tap.drain()
            async with stack.bus(amqp_url) as bus:
                parked = await parked_everywhere(bus)
            wrong_stock = await stock_not_on_walmart(sims, skus)
            found = await stack.figures(pos)
            still_in_flight = await in_flight(sims)
    finally:
        await proxy.close()
    published = [r for r in rows if r[2]]
    unrouted = [message_id for message_id, _, done in rows if done and message_id not in routed]
    record(
        Result(
            scenario="2",
            title="connection cut and delayed by a TCP proxy while the outbox drains",
            workload=f"{len(rows)} outbox rows: catalog of {items} items (one command each) "
            f"and {orders} orders",
            faults=f"{proxy.cuts} cuts of every broker connection (down 0.2-3 s), 2 ms delay "
            f"and {bandwidth // 1000} kB/s per connection",
            lost=found.lost + len(wrong_stock),
            duplicates=found.duplicates,
            full=full,
            figures={
                "rows marked published, message not in its queue": len(unrouted),
                "rows published": len(published),
                "cuts while rows were unpublished": cut_with_rows_pending,
                "cutting lasted (s)": round(cutting_took),
                "connections made through the proxy": proxy.connections,
                "parked messages": len(parked),
            },
            notes="a private RabbitMQ node behind tests/faults/proxy.py (every service "
            "connects through it); the check uses a tap queue bound like the work queues on a "
            "direct connection. 'lost' counts orders not posted or not acknowledged and generated "
            "items whose Walmart quantity is not Tally's closing stock.",
        )
    )
    assert cut_with_rows_pending == cuts, f"only {cut_with_rows_pending} cuts met unpublished rows"
    assert unrouted == [], f"{len(unrouted)} rows marked published were never routed"
    assert len(published) == len(rows)
    assert found.lost == 0, found.describe()
    assert still_in_flight == 0
    assert wrong_stock == [], f"{len(wrong_stock)} SKUs wrong on Walmart: {wrong_stock[:10]}"
    assert found.duplicates == 0, found.describe()
    assert parked == [], [p.reason for p in parked]


async def _backlog(database_url: str, rows: int) -> bool:
    return await unpublished_outbox(database_url) >= rows


async def _drained(database_url: str) -> bool:
    return await unpublished_outbox(database_url) == 0


async def _all_pushed(stack: Stack, skus: list[str]) -> bool:
    return not await stock_not_on_walmart(stack.world, skus)


@pytest.mark.faults
async def test_proxy_cuts_while_10000_outbox_rows_drain(
    scene: Scene,
    broker_url: str,
) -> None:
    await run(
        scene,
        amqp_url=broker_url,
        # One row per item: the orders add only about a hundred more (their imports and
        # acknowledgements go in batches of 25), so the catalog alone makes the 10,000.
        items=10_000,
        orders=1000,
        cuts=20,
        bandwidth=150_000,
        full=True,
    )


async def test_proxy_cuts_while_the_outbox_drains_ci(
    scene: Scene,
    broker_url: str,
) -> None:
    await run(
        scene,
        amqp_url=broker_url,
        items=600,
        orders=100,
        cuts=3,
        # 600 rows drain in about 4 s at 150 kB/s; at 30 kB/s the third cut (8.5 s after
        # the backlog appears, seed 2) still meets some.
        bandwidth=30_000,
        full=False,
    )
