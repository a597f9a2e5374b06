"""`mlc doctor` against the simulators, the real RabbitMQ and a real PostgreSQL: all OK on a
healthy installation, then one FAIL line saying what to do for each thing an operator gets
wrong (company closed, Tally port off, wrong client secret, broker unreachable). The
command runs as a real process; no secret may appear in what it prints."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.topology import Topology, standard_queues
from mlc_shared.store import open_store
from sync_orchestrator.mapping import save_mapping
from walmart_gateway.api.webhooks import DeliveryAuth, SubscriptionRequest
from walmart_gateway.gateway import WalmartGateway
from walmart_gateway.settings import WalmartSettings

from ml_connector.doctor.report import passed
from ml_connector.doctor.run import diagnose
from tests.integration.ops.world import PUBLIC_URL, World, simulators

MLC = str(Path(sys.executable).with_name("mlc"))
ALERT_HOOK = "http://127.0.0.1:9/alert-hook-s3cr3t-path"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def world(
    tmp_path: Path, amqp_url: str, fresh_postgres_url: str, bus_namespace: str
) -> AsyncIterator[World]:
    async with simulators() as world:
        store = open_store(fresh_postgres_url)
        await store.migrate()
        async with store.transaction() as tx:
            await save_mapping(tx, "default", world.mapping)
        await store.close()
        topology = Topology(namespace=bus_namespace)
        bus = AmqpBus(amqp_url, topology=topology, queues=standard_queues("default"))
        await bus.start()  # declares the topology, as the services do
        await bus.close()
        settings = WalmartSettings(
            walmart_base_url=world.walmart.url,
            walmart_client_id=world.walmart.client_id,
            walmart_client_secret=world.walmart.client_secret,
        )
        gateway = WalmartGateway(settings)
        seller = await gateway.seller("default")
        await seller.webhooks.subscribe(
            SubscriptionRequest(
                event_type="PO_CREATED",
                resource_name="ORDER",
                event_url=PUBLIC_URL,
                auth=DeliveryAuth(method="HMAC", client_secret="hmac-key-for-doctor"),
            )
        )
        await gateway.aclose()
        world.env.update(
            {
                "MLC_AMQP_URL": amqp_url,
                "MLC_DATABASE_URL": fresh_postgres_url,
                "MLC_BUS_NAMESPACE": bus_namespace,
                "MLC_WEBHOOK_PUBLIC_URL": PUBLIC_URL,
                "MLC_ALERT_WEBHOOK_URL": ALERT_HOOK,
            }
        )
        yield world


async def doctor(env: dict[str, str]) -> tuple[int, list[str]]:
    """The same checks in this process (quicker than a new `mlc` process each time)."""
    overrides = {k.removeprefix("MLC_").lower(): v for k, v in env.items()}
    results = await diagnose(**overrides)
    return (0 if passed(results) else 1), [r.line() for r in results]


async def mlc_doctor(env: dict[str, str]) -> tuple[int, list[str]]:
    """Run the `mlc doctor` command (without blocking the simulators' event loop)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MLC_")}
    proc = await asyncio.create_subprocess_exec(
        MLC,
        "doctor",
        env={**clean, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return int(proc.returncode or 0), out.decode().splitlines()


def line(lines: list[str], check: str) -> str:
    found = [ln for ln in lines if ln.split()[1:2] == [check]]
    assert len(found) == 1, f"no single {check!r} line in:\n" + "\n".join(lines)
    return found[0]


def assert_no_secret(lines: list[str], *secrets: str) -> None:
    text = "\n".join(lines)
    for secret in secrets:
        assert secret not in text


async def test_everything_ok_on_a_healthy_installation(world: World) -> None:
    code, lines = await mlc_doctor(world.env)
    checks = [ln for ln in lines if ln[:4] in ("OK  ", "WARN", "FAIL")]
    assert code == 0, "\n".join(lines)
    assert checks, lines
    assert [ln for ln in checks if not ln.startswith("OK ")] == []
    for check in (
        "config",
        "alerts",
        "broker",
        "database",
        "tally.port",
        "tally.company",
        "tally.release",
        "tally.mode",
        "walmart.token",
        "walmart.scopes",
        "walmart.webhooks",
        "mapping.tally",
        "mapping.skus",
    ):
        line(lines, check)
    assert "PO_CREATED" in line(lines, "walmart.webhooks")
    assert_no_secret(lines, world.walmart.client_secret, "alert-hook-s3cr3t-path")


async def test_company_closed_says_open_it(world: World) -> None:
    async with httpx.AsyncClient(timeout=10) as admin:
        reply = await admin.post(f"{world.tally.admin_url}/companies/{quote(world.company)}/unload")
        reply.raise_for_status()
    code, lines = await doctor(world.env)
    assert code == 1
    company = line(lines, "tally.company")
    assert company.startswith("FAIL")
    assert "Open the company in TallyPrime" in company
    assert line(lines, "tally.port").startswith("OK")
    assert line(lines, "mapping").startswith("WARN")


async def test_tally_port_off_says_where_to_enable_it(world: World) -> None:
    async with httpx.AsyncClient(timeout=10) as admin:
        (await admin.post(f"{world.tally.admin_url}/faults/stop")).raise_for_status()
    code, lines = await doctor(world.env)
    assert code == 1
    port = line(lines, "tally.port")
    assert port.startswith("FAIL")
    assert "F1 (Help) > Settings > Connectivity" in port


async def test_wrong_client_secret_names_the_settings(world: World) -> None:
    wrong = "Wr0ng-Secret-For-The-Doctor"
    code, lines = await doctor({**world.env, "MLC_WALMART_CLIENT_SECRET": wrong})
    assert code == 1
    token = line(lines, "walmart.token")
    assert token.startswith("FAIL")
    assert "MLC_WALMART_CLIENT_SECRET" in token
    assert line(lines, "tally.company").startswith("OK")
    assert_no_secret(lines, wrong, world.walmart.client_secret)


async def test_broker_unreachable_says_check_the_url(world: World) -> None:
    password = "Br0ker-Pa55word"
    url = f"amqp://mlc:{password}@127.0.0.1:{_free_port()}/"
    code, lines = await mlc_doctor({**world.env, "MLC_AMQP_URL": url})
    assert code == 1
    broker = line(lines, "broker")
    assert broker.startswith("FAIL")
    assert "MLC_AMQP_URL" in broker
    assert "127.0.0.1" in broker
    assert_no_secret(lines, password)


async def test_missing_queues_say_how_to_declare_them(world: World) -> None:
    code, lines = await doctor({**world.env, "MLC_BUS_NAMESPACE": "nosuchns"})
    assert code == 1
    broker = line(lines, "broker")
    assert broker.startswith("FAIL")
    assert "deploy/rabbitmq/definitions.json" in broker


async def test_an_impossible_setting_is_named(world: World) -> None:
    code, lines = await doctor({**world.env, "MLC_ORDERS_LOOKBACK_DAYS": "900"})
    assert code == 1
    config = line(lines, "config.sync-orchestrator")
    assert config.startswith("FAIL")
    assert "MLC_ORDERS_LOOKBACK_DAYS" in config
