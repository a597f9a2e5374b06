"""The RabbitMQ user of one tenant's tally-agent: it reaches only its own queue.

The same shape as ``mlc-agent-default`` in deploy/rabbitmq/users.json (a test compares them):
no configure rights (the topology comes from the definitions or the orchestrator), write only
to the exchange, read only its command queue; and, through topic authorisation on the
exchange, publish only its own tenant's events and its own queue's retry and parking keys
(docs/decisions.md §3: the tenant is a word of every routing key). RabbitMQ matches these
patterns as regular expressions (https://www.rabbitmq.com/docs/access-control), so every name
is escaped.

``mlc tenant add`` prints them, or creates the user through the management HTTP API
(https://www.rabbitmq.com/docs/management#http-api: ``PUT /api/users/{name}``,
``/api/permissions/{vhost}/{user}``, ``/api/topic-permissions/{vhost}/{user}``).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote

import httpx
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, Topology, tally_commands

PASSWORD_BYTES = 24
"""32 characters of ``token_urlsafe``: letters, digits, ``-`` and ``_`` only, which
deploy/rabbitmq/render-definitions.sh accepts and amqp:// URLs carry unescaped."""


@dataclass(frozen=True)
class AgentUser:
    name: str
    vhost: str
    configure: str
    write: str
    read: str
    exchange: str
    topic_write: str
    topic_read: str

    def definitions(self) -> dict[str, object]:
        """The entries to add to deploy/rabbitmq/users.json for this user."""
        return {
            "users": [{"name": self.name, "password_hash": "", "tags": []}],
            "permissions": [
                {
                    "user": self.name,
                    "vhost": self.vhost,
                    "configure": self.configure,
                    "write": self.write,
                    "read": self.read,
                }
            ],
            "topic_permissions": [
                {
                    "user": self.name,
                    "vhost": self.vhost,
                    "exchange": self.exchange,
                    "write": self.topic_write,
                    "read": self.topic_read,
                }
            ],
        }


def agent_user(tenant: str, topology: Topology | None = None, vhost: str = "/") -> AgentUser:
    topology = topology or Topology()
    queue = tally_commands(tenant)
    own_events = re.escape(f"{ORCHESTRATOR_EVENTS}.{tenant}")
    own_retries = re.escape(f"{queue}.{tenant}.") + r"(retry\.[0-9]+|parking)"
    return AgentUser(
        name=f"mlc-agent-{tenant}",
        vhost=vhost,
        configure="^$",
        write=f"^{re.escape(topology.exchange)}$",
        read=f"^{re.escape(topology.physical(queue))}$",
        exchange=topology.exchange,
        topic_write=f"^({own_events}|{own_retries})$",
        topic_read="^$",
    )


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


class BrokerAdminError(RuntimeError):
    pass


async def create_agent_user(api_url: str, user: AgentUser, password: str) -> None:
    """Create (or update) the user and its permissions through the management API at
    ``api_url`` (``http://admin:password@host:15672``)."""
    parsed = httpx.URL(api_url)
    auth = (parsed.username, parsed.password) if parsed.username else None
    base = str(parsed.copy_with(username=None, password=None)).rstrip("/")
    vhost = quote(user.vhost, safe="")
    name = quote(user.name, safe="")
    calls = (
        (f"/api/users/{name}", {"password": password, "tags": ""}),
        (
            f"/api/permissions/{vhost}/{name}",
            {"configure": user.configure, "write": user.write, "read": user.read},
        ),
        (
            f"/api/topic-permissions/{vhost}/{name}",
            {"exchange": user.exchange, "write": user.topic_write, "read": user.topic_read},
        ),
    )
    async with httpx.AsyncClient(base_url=base, auth=auth, timeout=15) as http:
        for path, body in calls:
            try:
                reply = await http.put(path, json=body)
            except httpx.HTTPError as exc:
                raise BrokerAdminError(
                    f"RabbitMQ management API at {base} did not answer: {type(exc).__name__}"
                ) from None
            if reply.status_code not in (200, 201, 204):
                raise BrokerAdminError(
                    f"RabbitMQ management API refused {path.split('/')[2]} for {user.name}: "
                    f"HTTP {reply.status_code} {reply.text[:200]}"
                )
