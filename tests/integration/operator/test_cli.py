"""The operator commands as an operator runs them, each in its own process:

* standalone: ``mlc sync orders`` runs the services in its own process, shows progress and
  a summary, posts the order; ``mlc audit export`` writes what happened;
* distributed: ``mlc sync orders`` asks the running orchestrator (RabbitMQ, PostgreSQL) and
  follows the run through the audit trail; a paused flow is refused;
* ``mlc tenant add`` stores the secret without printing it and creates the agent's RabbitMQ
  user, which can read its own queue and no other tenant's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from aiormq.exceptions import ChannelAccessRefused
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.topology import Topology, tally_commands
from mlc_shared.store import SqlStore
from sync_orchestrator.mapping import (
    Ledgers,
    ShipNodeMapping,
    SkuMapping,
    TenantMapping,
    save_mapping,
)
from sync_orchestrator.status import set_paused

from tests.integration.operator.support import mlc, mlc_env, simulators
from tests.integration.orchestrator.support import GODOWN, NODE, stack
from tests.support.services import management_url

SKU, ITEM = "SHK-CW-002", "Pressure Cooker 5L"
ITEMS = [{"sku": SKU, "product_name": ITEM, "price": "25.90"}]
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
    skus={SKU: SkuMapping(stock_item=ITEM)},
    match_by_name=False,
)
QUIET = {"catalog_interval_s": 0, "orders_interval_s": 0, "returns_interval_s": 0}


async def test_standalone_sync_runs_in_process_and_the_audit_exports(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'mlc.db'}"
    store = SqlStore(database)
    await store.migrate()
    async with store.transaction() as tx:
        await save_mapping(tx, "default", MAPPING)
    await store.close()
    async with simulators(ITEMS, NODE, GODOWN) as sims:
        await sims.place_order("4300000000001", SKU, NODE)
        env = mlc_env(database_url=database, **sims.settings())
        synced = await mlc(env, "sync", "orders", "--wait", "60")
        assert synced.code == 0, synced.stdout + synced.stderr
        assert "order" in synced.stdout
        assert "posted" in synced.stdout
        assert len(await sims.vouchers("WM-4300000000001")) == 1

    exported = tmp_path / "audit.jsonl"
    result = await mlc(env, "audit", "export", "--format", "jsonl", "-o", str(exported))
    assert result.code == 0, result.stderr
    rows = [json.loads(line) for line in exported.read_text().splitlines()]
    ours = [r for r in rows if r["source_id"] == "4300000000001"]
    assert [r["status"] for r in ours][-2:] == ["posted", "acknowledged"]
    assert ours[0]["request"] is not None  # the rendered voucher travels with the trail
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)  # oldest first


async def test_distributed_sync_asks_the_running_orchestrator(
    tmp_path: Path, fresh_postgres_url: str, amqp_url: str, bus_namespace: str
) -> None:
    deployment: dict[str, Any] = {
        "database_url": fresh_postgres_url,
        "amqp_url": amqp_url,
        "bus_namespace": bus_namespace,
    }
    async with stack(tmp_path, MAPPING, walmart_items=ITEMS, **deployment) as s:
        placed = {"sku": SKU, "quantity": 1, "unit_price": "25.90", "unit_tax": "1.81"}
        order = {"purchase_order_id": "4300000000002", "ship_node": NODE, "lines": [placed]}
        (await s.http.post(f"{s.walmart.url}/admin/orders", json=order)).raise_for_status()
        env = mlc_env(**deployment)
        synced = await mlc(env, "sync", "orders", "--wait", "60")
        assert synced.code == 0, synced.stdout + synced.stderr
        assert "asked the orchestrator to run 'orders'" in synced.stdout
        assert len(await s.vouchers("Sales", "WM-4300000000002")) == 1

        await set_paused(s.store, s.tenant, "orders", True)
        refused = await mlc(env, "sync", "orders")
        assert refused.code == 1
        assert "paused" in refused.stderr


async def test_tenant_add_creates_an_agent_user_that_reaches_only_its_queue(
    tmp_path: Path, amqp_url: str, bus_namespace: str
) -> None:
    database = f"sqlite:///{tmp_path / 'mlc.db'}"
    api = management_url(amqp_url)
    topology = Topology(namespace=bus_namespace)
    tenant = f"t{bus_namespace[-8:]}"
    # The orchestrator declares every tenant's queues (it may configure; agents may not).
    async with AmqpBus(
        amqp_url, topology=topology, queues=[tally_commands(tenant), tally_commands("other")]
    ):
        pass
    secret = "walmart-secret-never-printed"
    env = mlc_env(
        database_url=database,
        bus_namespace=bus_namespace,
        tenant_walmart_client_secret=secret,
        rabbitmq_api_url=api,
    )
    password_file = tmp_path / "agent-password"
    added = await mlc(
        env, "tenant", "add", tenant, "--tally-company", "Acme Traders",
        "--walmart-client-id", "acme-client", "--agent-password-file", str(password_file),
    )  # fmt: skip
    try:
        assert added.code == 0, added.stderr
        assert secret not in added.stdout + added.stderr
        assert f"mlc-agent-{tenant}" in added.stdout
        store = SqlStore(database)
        record = await store.find_tenant(tenant)
        await store.close()
        assert record is not None
        assert record.walmart_client_secret is not None
        assert record.walmart_client_secret.get_secret_value() == secret

        password = password_file.read_text().strip()
        host = httpx.URL(api).host
        agent_url = f"amqp://mlc-agent-{tenant}:{password}@{host}:5672/"
        connection = await aio_pika.connect(agent_url)
        async with connection:
            channel = await connection.channel()
            own = await channel.declare_queue(
                topology.physical(tally_commands(tenant)), passive=True
            )
            tag = await own.consume(_ignore)  # reading its own queue is allowed
            await own.cancel(tag)
            other = await (await connection.channel()).declare_queue(
                topology.physical(tally_commands("other")), passive=True
            )
            with pytest.raises(ChannelAccessRefused):
                await other.consume(_ignore)
    finally:
        async with httpx.AsyncClient(timeout=10) as http:
            await http.delete(f"{api}/api/users/mlc-agent-{tenant}")


async def _ignore(message: aio_pika.abc.AbstractIncomingMessage) -> None:
    await message.nack(requeue=True)
