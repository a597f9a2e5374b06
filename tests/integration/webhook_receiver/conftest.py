"""Fixtures for the webhook-receiver integration tests: real RabbitMQ and PostgreSQL
(tests/conftest.py), the receiver over HTTP on 127.0.0.1, and a consumer that collects what
it publishes to ``orchestrator.events``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, Topology
from mlc_shared.store import SqlStore, open_store
from webhook_receiver.service import WebhookReceiverService
from webhook_receiver.settings import WebhookReceiverSettings

from tests.integration.webhook_receiver.support import TENANTS, WAIT, Collector, Receivers


@pytest.fixture
async def store(postgres_url: str) -> AsyncIterator[SqlStore]:
    store = open_store(postgres_url)
    await store.migrate()
    assert isinstance(store, SqlStore)
    yield store
    await store.close()


@pytest.fixture
async def fresh_store(fresh_postgres_url: str) -> AsyncIterator[SqlStore]:
    """A database of its own, for tests that count every unpublished row."""
    store = open_store(fresh_postgres_url)
    await store.migrate()
    assert isinstance(store, SqlStore)
    yield store
    await store.close()


@pytest.fixture
def topology(bus_namespace: str) -> Topology:
    return Topology(namespace=bus_namespace)


@pytest.fixture
async def bus(amqp_url: str, topology: Topology) -> AsyncIterator[AmqpBus]:
    bus = AmqpBus(amqp_url, topology=topology, queues=[ORCHESTRATOR_EVENTS])
    await bus.start()
    yield bus
    await bus.close()


@pytest.fixture
async def collector(bus: AmqpBus) -> AsyncIterator[Collector]:
    collector = Collector()
    subscription = await bus.consume(ORCHESTRATOR_EVENTS, collector.handle)
    yield collector
    await subscription.cancel()


@pytest.fixture
async def start_receiver() -> AsyncIterator[Receivers]:
    started: list[WebhookReceiverService] = []

    async def start(bus: AmqpBus, store: SqlStore, **settings: Any) -> WebhookReceiverService:
        options = {"webhook_port": 0, "webhook_sweep_interval": 3600.0, **settings}
        service = WebhookReceiverService(WebhookReceiverSettings(**options), bus, store, TENANTS)
        await service.start()
        started.append(service)
        return service

    yield start
    for service in started:
        await service.stop()


@pytest.fixture
async def receiver(
    start_receiver: Receivers, bus: AmqpBus, store: SqlStore, collector: Collector
) -> WebhookReceiverService:
    return await start_receiver(bus, store, webhook_max_body_bytes=4096)


@pytest.fixture
async def client(receiver: WebhookReceiverService) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=receiver.url, timeout=WAIT) as client:
        yield client
