"""Throwaway RabbitMQ users on the shared broker, with the permissions deploy/rabbitmq/users.json
gives a tenant's agent, moved into a test namespace; deleted afterwards.

The deployed patterns name the default namespace (``mlc``, ``tally.default.commands``);
here every resource name gets the test's namespace prefix and the tenant word is replaced,
so the broker enforces exactly the shipped rules on names no other run uses. Users are
created through the management API (enabled on the test broker, tests/support/services.py)
and named after the namespace.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from tests.support.services import management_url

USERS_FILE = Path(__file__).resolve().parents[2] / "deploy" / "rabbitmq" / "users.json"
TEMPLATE_USER = "mlc-agent-default"
TEMPLATE_TENANT = "default"


@dataclass(frozen=True)
class BrokerUser:
    name: str
    password: str
    amqp_url: str


def _template() -> tuple[dict[str, str], dict[str, str]]:
    data: dict[str, Any] = json.loads(USERS_FILE.read_text(encoding="utf-8"))
    [perm] = [p for p in data["permissions"] if p["user"] == TEMPLATE_USER]
    [topic] = [p for p in data["topic_permissions"] if p["user"] == TEMPLATE_USER]
    return perm, topic


def _resource(pattern: str, namespace: str, tenant: str) -> str:
    """``^mlc$`` -> ``^<ns>\\.mlc$``; ``^tally\\.default\\.commands$`` likewise, for ``tenant``."""
    body = pattern.removeprefix("^").removesuffix("$")
    if not body:
        return pattern
    body = body.replace(re.escape(TEMPLATE_TENANT), re.escape(tenant))
    return f"^{re.escape(namespace)}\\.{body}$"


def agent_permissions(namespace: str, tenant: str) -> tuple[dict[str, str], dict[str, str]]:
    """(vhost permissions, topic permissions on the namespace's exchange) of ``tenant``'s agent."""
    perm, topic = _template()
    vhost = {k: _resource(perm[k], namespace, tenant) for k in ("configure", "write", "read")}
    # Routing keys carry no namespace (bus/topology.py): only the tenant word changes.
    keys = {
        k: topic[k].replace(re.escape(TEMPLATE_TENANT), re.escape(tenant))
        for k in ("write", "read")
    }
    return vhost, {"exchange": f"{namespace}.{topic['exchange']}", **keys}


@asynccontextmanager
async def agent_user(amqp_url: str, namespace: str, tenant: str) -> AsyncIterator[BrokerUser]:
    name = f"{namespace}-agent-{tenant}"
    password = secrets.token_urlsafe(16)
    vhost, topic = agent_permissions(namespace, tenant)
    parts = urlsplit(amqp_url)
    url = parts._replace(
        netloc=f"{quote(name)}:{quote(password)}@{parts.hostname}:{parts.port or 5672}"
    ).geturl()
    async with httpx.AsyncClient(base_url=management_url(amqp_url), timeout=10) as http:
        (
            await http.put(f"/api/users/{quote(name)}", json={"password": password, "tags": ""})
        ).raise_for_status()
        try:
            (await http.put(f"/api/permissions/%2F/{quote(name)}", json=vhost)).raise_for_status()
            (
                await http.put(f"/api/topic-permissions/%2F/{quote(name)}", json=topic)
            ).raise_for_status()
            yield BrokerUser(name, password, url)
        finally:
            await http.delete(f"/api/users/{quote(name)}")


@asynccontextmanager
async def service_user(amqp_url: str, namespace: str, password: str) -> AsyncIterator[BrokerUser]:
    """A user that may do everything inside ``namespace`` (what the services need), with
    the given password; deleted afterwards."""
    name = f"{namespace}-services"
    ours = f"^{re.escape(namespace)}\\..*$"
    vhost = {
        "configure": ours,
        "read": ours,
        # Declaring a queue that dead-letters to the default exchange needs write on it.
        "write": f"^({re.escape(namespace)}\\..*|amq\\.default)$",
    }
    parts = urlsplit(amqp_url)
    url = parts._replace(
        netloc=f"{quote(name)}:{quote(password)}@{parts.hostname}:{parts.port or 5672}"
    ).geturl()
    async with httpx.AsyncClient(base_url=management_url(amqp_url), timeout=10) as http:
        (
            await http.put(f"/api/users/{quote(name)}", json={"password": password, "tags": ""})
        ).raise_for_status()
        try:
            (await http.put(f"/api/permissions/%2F/{quote(name)}", json=vhost)).raise_for_status()
            yield BrokerUser(name, password, url)
        finally:
            await http.delete(f"/api/users/{quote(name)}")
