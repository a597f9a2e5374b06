"""The ``harness`` fixture: every contract test runs once per bus adapter.

RabbitMQ comes from the session's ``amqp_url`` (tests/conftest.py), the embedded bus from a
fresh SQLite file per test; both on the test's own ``bus_namespace``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.contract.bus_harness import AmqpHarness, EmbeddedHarness, Harness


@pytest.fixture(params=["rabbitmq", "embedded"])
async def harness(request: pytest.FixtureRequest, bus_namespace: str) -> AsyncIterator[Harness]:
    made: Harness
    if request.param == "rabbitmq":
        made = AmqpHarness(request.getfixturevalue("amqp_url"), bus_namespace)
    else:
        made = EmbeddedHarness(request.getfixturevalue("sqlite_url"), bus_namespace)
    try:
        yield made
    finally:
        await made.close()


@pytest.fixture
async def amqp_harness(amqp_url: str, bus_namespace: str) -> AsyncIterator[AmqpHarness]:
    made = AmqpHarness(amqp_url, bus_namespace)
    try:
        yield made
    finally:
        await made.close()


@pytest.fixture
async def embedded_harness(sqlite_url: str, bus_namespace: str) -> AsyncIterator[EmbeddedHarness]:
    made = EmbeddedHarness(sqlite_url, bus_namespace)
    try:
        yield made
    finally:
        await made.close()
