"""Fixtures shared by every test: real RabbitMQ and PostgreSQL, isolated per test session.

Each session gets a fresh PostgreSQL database and a fresh bus namespace (queue-name prefix),
so parallel runs on one machine never see each other's state.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.services import (
    DEFAULT_AMQP_URL,
    create_database,
    delete_namespace,
    drop_database,
    resolve_amqp_url,
    resolve_database_url,
)


@pytest.fixture(scope="session")
def _service_stack() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


@pytest.fixture(scope="session")
def amqp_url(_service_stack: ExitStack) -> str:
    return resolve_amqp_url(_service_stack)


@pytest.fixture(scope="session")
def postgres_admin_url(_service_stack: ExitStack) -> str:
    return resolve_database_url(_service_stack)


@pytest.fixture(scope="session")
async def postgres_url(postgres_admin_url: str) -> AsyncIterator[str]:
    """A fresh, empty database for this test session."""
    name = f"mlc_test_{uuid.uuid4().hex[:12]}"
    url = await create_database(postgres_admin_url, name)
    yield url
    await drop_database(postgres_admin_url, name)


@pytest.fixture
async def fresh_postgres_url(postgres_admin_url: str) -> AsyncIterator[str]:
    """A fresh, empty database for one test."""
    name = f"mlc_test_{uuid.uuid4().hex[:12]}"
    url = await create_database(postgres_admin_url, name)
    yield url
    await drop_database(postgres_admin_url, name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mlc.db'}"


@pytest.fixture
async def bus_namespace() -> AsyncIterator[str]:
    """A queue-name prefix no other test or run uses; on RabbitMQ, everything under it is
    deleted after the test (tests/support/services.py: delete_namespace)."""
    namespace = f"t{uuid.uuid4().hex[:10]}"
    yield namespace
    await delete_namespace(os.environ.get("MLC_TEST_AMQP_URL", DEFAULT_AMQP_URL), namespace)
