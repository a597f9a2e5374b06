"""The receiver in standalone mode: SQLite store and the embedded bus in one file, over HTTP."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from mlc_shared.bus.base import Bus
from mlc_shared.bus.factory import create_bus
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS
from mlc_shared.config import ConfigError
from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.webhooks import WebhookEventReceived
from mlc_shared.store import SqlStore, create_engine
from webhook_receiver.events import message_id
from webhook_receiver.main import serve
from webhook_receiver.service import WebhookReceiverService
from webhook_receiver.settings import WebhookReceiverSettings

AUTH = {"Authorization": base64.b64encode(b"walmart:pw").decode()}


def settings(sqlite_url: str, **extra: object) -> WebhookReceiverSettings:
    options: dict[str, object] = {
        "database_url": sqlite_url,
        "webhook_port": 0,
        "webhook_auth_method": "basic",
        "webhook_username": "walmart",
        "webhook_password": "pw",
        **extra,
    }
    return WebhookReceiverSettings.model_validate(options)


@pytest.fixture
async def standalone(sqlite_url: str) -> AsyncIterator[tuple[WebhookReceiverService, Bus]]:
    engine = create_engine(sqlite_url)
    store = SqlStore(engine)
    await store.migrate()
    config = settings(sqlite_url)
    bus = create_bus(config, engine=engine)
    service = WebhookReceiverService(config, bus, store)
    await service.start()
    yield service, bus
    await service.stop()
    await bus.close()
    await store.close()
    await engine.dispose()


async def test_delivery_reaches_the_embedded_bus_once(
    standalone: tuple[WebhookReceiverService, Bus],
) -> None:
    service, bus = standalone
    body = json.dumps(
        {
            "source": {"eventType": "RETURN_CREATED", "eventId": "ret-1"},
            "payload": {"returnOrders": [{"returnOrderId": "RO-7", "purchaseOrderId": "PO-7"}]},
        }
    ).encode()
    async with httpx.AsyncClient(base_url=service.url) as client:
        statuses = [
            (await client.post("/webhooks/walmart/default", content=body, headers=AUTH)).json()[
                "status"
            ]
            for _ in range(2)
        ]
        assert statuses == ["accepted", "duplicate"]
        assert (await client.get("/readyz")).status_code == 200
    assert (await bus.depth(ORCHESTRATOR_EVENTS)).ready == 1
    received: asyncio.Queue[Envelope] = asyncio.Queue()
    subscription = await bus.consume(ORCHESTRATOR_EVENTS, received.put)
    message = await asyncio.wait_for(received.get(), 30)
    await subscription.cancel()
    assert message.message_id == message_id("default", "ret-1")
    assert isinstance(message.payload, WebhookEventReceived)
    assert message.payload.return_order_ids == ("RO-7",)


async def test_serve_answers_until_stopped(sqlite_url: str) -> None:
    with socket.socket() as probe:  # a free port, so the test knows where to knock
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings(sqlite_url, webhook_port=port), stop))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        async with asyncio.timeout(30):
            while True:
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    assert not task.done(), task.exception()
                await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, 30)
        with pytest.raises(httpx.TransportError):
            await client.get("/healthz")


async def test_a_taken_port_is_a_plain_config_error(
    standalone: tuple[WebhookReceiverService, Bus], sqlite_url: str
) -> None:
    taken, _ = standalone
    engine = create_engine(sqlite_url)
    store = SqlStore(engine)
    config = settings(sqlite_url, webhook_port=taken.port)
    bus = create_bus(config, engine=engine)
    second = WebhookReceiverService(config, bus, store)
    with pytest.raises(ConfigError, match="cannot listen"):
        await second.start()
    await bus.close()
    await engine.dispose()


async def test_the_process_stops_on_sigterm(sqlite_url: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "MLC_DATABASE_URL": sqlite_url,
        "MLC_WEBHOOK_PORT": str(port),
        "MLC_WEBHOOK_AUTH_METHOD": "basic",
        "MLC_WEBHOOK_USERNAME": "walmart",
        "MLC_WEBHOOK_PASSWORD": "pw",
    }
    env.pop("MLC_AMQP_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "webhook_receiver.main",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            async with asyncio.timeout(60):
                while True:
                    try:
                        if (await client.get("/readyz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        assert process.returncode is None
                    await asyncio.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
