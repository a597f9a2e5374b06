"""Where the tests find RabbitMQ and PostgreSQL.

Order: ``MLC_TEST_AMQP_URL`` / ``MLC_TEST_DATABASE_URL`` (defaulting to the local services),
then testcontainers where a Docker engine answers. When neither is reachable the tests
fail with a message that says what to start; they never skip.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
from contextlib import ExitStack
from urllib.parse import urlsplit

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"


class ServiceUnavailable(RuntimeError):
    pass


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), 2):
            return True
    except OSError:
        return False


def _docker_engine() -> bool:
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def resolve_amqp_url(stack: ExitStack) -> str:
    url = os.environ.get("MLC_TEST_AMQP_URL", DEFAULT_AMQP_URL)
    if _reachable(url, 5672):
        return url
    if _docker_engine():
        from testcontainers.rabbitmq import RabbitMqContainer

        container = stack.enter_context(RabbitMqContainer("rabbitmq:3.10-management"))
        host, port = container.get_container_host_ip(), container.get_exposed_port(5672)
        return f"amqp://guest:guest@{host}:{port}/"
    raise ServiceUnavailable(
        f"RabbitMQ is not reachable at {url} and no Docker engine is available for "
        "testcontainers. Start it (`rabbitmq-server -detached`) or set MLC_TEST_AMQP_URL."
    )


def resolve_database_url(stack: ExitStack) -> str:
    url = os.environ.get("MLC_TEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    if _reachable(url, 5432):
        return url
    if _docker_engine():
        from testcontainers.postgres import PostgresContainer

        container = stack.enter_context(PostgresContainer("postgres:15", driver=None))
        return container.get_connection_url()
    raise ServiceUnavailable(
        f"PostgreSQL is not reachable at {url} and no Docker engine is available for "
        "testcontainers. Start it (`pg_ctlcluster --skip-systemctl-redirect $(ls "
        "/etc/postgresql) main start`) or set MLC_TEST_DATABASE_URL."
    )


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path=f"/{name}").geturl()


async def create_database(admin_url: str, name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return _with_database(admin_url, name)


async def drop_database(admin_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]
