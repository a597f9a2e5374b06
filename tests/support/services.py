"""Where the tests find RabbitMQ and PostgreSQL.

Order: ``MLC_TEST_AMQP_URL`` / ``MLC_TEST_DATABASE_URL`` (defaulting to the local services),
then testcontainers where a Docker engine answers. When neither is reachable the tests
fail with a message that says what to start; they never skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
from contextlib import ExitStack
from urllib.parse import quote, urlsplit

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"


class ServiceUnavailable(RuntimeError):
    pass


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
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


def management_url(amqp_url: str) -> str:
    """The broker's management API (``MLC_TEST_AMQP_MANAGEMENT_URL``, default: port 15672 of
    the AMQP host with the AMQP credentials)."""
    explicit = os.environ.get("MLC_TEST_AMQP_MANAGEMENT_URL")
    if explicit:
        return explicit.rstrip("/")
    parts = urlsplit(amqp_url)
    auth = f"{parts.username or 'guest'}:{parts.password or 'guest'}@"
    return f"http://{auth}{parts.hostname or '127.0.0.1'}:15672"


async def delete_namespace(amqp_url: str, namespace: str) -> int:
    """Delete every queue and exchange named ``<namespace>.*``.

    Durable quorum queues outlive the test that declared them, and RabbitMQ 3.10 stops
    accepting connections once their file-handle reservations use up its limit (seen here
    at ~300 leftover queues with the default 1,024 descriptors). So each test's namespace
    is removed after it, whatever the test did.
    """
    import httpx

    base = management_url(amqp_url)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            await http.get("/api/overview")
    except httpx.TransportError:
        return 0  # no management API here (or no broker): nothing this test can clean up
    pattern = f"^{namespace}\\."
    deleted = 0
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        for kind in ("queues", "exchanges"):
            listing = await http.get(
                f"/api/{kind}/%2F",
                params={
                    "name": pattern,
                    "use_regex": "true",
                    "columns": "name",
                    "page": 1,
                    "page_size": 500,
                },
            )
            listing.raise_for_status()
            names = [item["name"] for item in listing.json()["items"]]
            for name in names:
                (await http.delete(f"/api/{kind}/%2F/{quote(name, safe='')}")).raise_for_status()
                deleted += 1
    return deleted
