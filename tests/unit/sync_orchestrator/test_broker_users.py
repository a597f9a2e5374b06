"""Each agent's RabbitMQ user reaches only its own queue: the generated permissions are the
ones deploy/rabbitmq/users.json gives the default agent, for any tenant and namespace."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, Topology, tally_commands
from sync_orchestrator.broker_users import agent_user, new_password

USERS = json.loads((Path(__file__).parents[3] / "deploy/rabbitmq/users.json").read_text())


def test_the_default_agent_matches_users_json() -> None:
    generated = agent_user("default").definitions()
    for section in ("users", "permissions", "topic_permissions"):
        committed = [
            e for e in USERS[section] if e.get("name", e.get("user")) == "mlc-agent-default"
        ]
        assert generated[section] == committed


def test_an_agent_reaches_its_own_queue_and_keys_only() -> None:
    topology = Topology(namespace="t1-x")
    user = agent_user("acme-2", topology)
    assert user.name == "mlc-agent-acme-2"
    assert re.search(user.read, topology.physical(tally_commands("acme-2")))
    for other in ("acme", "acme-20", "other"):
        assert not re.search(user.read, topology.physical(tally_commands(other)))
    assert re.search(user.write, topology.exchange)
    assert not re.search(user.write, "mlc")  # another namespace's exchange
    assert re.search(user.topic_write, f"{ORCHESTRATOR_EVENTS}.acme-2")
    assert re.search(user.topic_write, "tally.acme-2.commands.acme-2.retry.0")
    assert re.search(user.topic_write, "tally.acme-2.commands.acme-2.parking")
    for key in (
        f"{ORCHESTRATOR_EVENTS}.acme",
        f"{ORCHESTRATOR_EVENTS}.acme-2x",
        "walmart.commands.acme-2",
        "tally.acme.commands.acme.parking",
    ):
        assert not re.search(user.topic_write, key), key
    assert user.configure == "^$"


def test_passwords_are_long_and_url_safe() -> None:
    password = new_password()
    assert len(password) >= 32
    assert re.fullmatch(r"[A-Za-z0-9_-]+", password)
    assert new_password() != password
