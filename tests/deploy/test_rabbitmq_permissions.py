"""deploy/rabbitmq/users.json: who may touch which queue and routing key, checked against
every name the real topology code (mlc_shared.bus.topology) produces; and the script that
renders it with passwords. RabbitMQ matches permission patterns unanchored (Erlang ``re``,
PCRE), which ``re.search`` reproduces for these patterns."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mlc_shared.bus.topology import (
    ORCHESTRATOR_EVENTS,
    WALMART_COMMANDS,
    Topology,
    tally_commands,
)

from tests.deploy.helpers import RABBITMQ_DIR, password_variable, users_definitions

TOPOLOGY = Topology()
TENANTS = ("default", "acme", "parking", "retry", "a_b-1")
"""Includes tenant words that look like parts of other names."""
WORK_QUEUES = (ORCHESTRATOR_EVENTS, WALMART_COMMANDS, *(tally_commands(t) for t in TENANTS))


def _tiers(queue: str) -> range:
    return range(len(TOPOLOGY.policy(queue).retry_delays))


def all_queue_names() -> set[str]:
    names: set[str] = set()
    for queue in WORK_QUEUES:
        names.add(TOPOLOGY.physical(queue))
        names.add(TOPOLOGY.parking_queue(queue))
        names.update(TOPOLOGY.retry_queue(queue, tier) for tier in _tiers(queue))
    return names


def all_routing_keys() -> set[str]:
    keys: set[str] = set()
    for queue in WORK_QUEUES:
        for tenant in TENANTS:
            keys.add(TOPOLOGY.routing_key(queue, tenant))
            keys.add(TOPOLOGY.parking_routing_key(queue, tenant))
            keys.update(TOPOLOGY.retry_routing_key(queue, tenant, t) for t in _tiers(queue))
    return keys


def own_keys(queue: str, tenant: str) -> set[str]:
    """The retry and parking keys a consumer of ``queue`` publishes for ``tenant``."""
    return {TOPOLOGY.parking_routing_key(queue, tenant)} | {
        TOPOLOGY.retry_routing_key(queue, tenant, t) for t in _tiers(queue)
    }


OTHER_NAMES = {"amq.default", "other.queue", "amq.gen-abc", "mlcx", "xmlc", "amq.topic"}
"""Names no ml-connector user should reach. (The empty name is not among them: RabbitMQ's
idiom for "nothing" is the pattern ``^$``, and no resource is named "".)"""


def _permission(user: str) -> dict[str, str]:
    [entry] = [p for p in users_definitions()["permissions"] if p["user"] == user]
    return dict(entry)


def _topic(user: str) -> dict[str, str]:
    [entry] = [p for p in users_definitions()["topic_permissions"] if p["user"] == user]
    return dict(entry)


def allowed(pattern: str, names: set[str]) -> set[str]:
    return {name for name in names if re.search(pattern, name)}


def test_users_json_is_definitions_for_one_vhost_and_the_mlc_exchange() -> None:
    data = users_definitions()
    assert set(data) == {"vhosts", "users", "permissions", "topic_permissions"}
    assert data["vhosts"] == [{"name": "/"}]
    users = [u["name"] for u in data["users"]]
    assert len(users) == len(set(users))
    for entry in (*data["permissions"], *data["topic_permissions"]):
        assert entry["user"] in users
        assert entry["vhost"] == "/"
    for user in users:
        _permission(user)  # exactly one each
        assert _topic(user)["exchange"] == TOPOLOGY.exchange


def test_no_password_is_committed() -> None:
    """Each user on one line with an empty hash: safe to load raw (no password login), and
    the form render-definitions.sh fills in."""
    lines = (RABBITMQ_DIR / "users.json").read_text(encoding="utf-8").splitlines()
    for user in users_definitions()["users"]:
        assert user["password_hash"] == ""
        assert "password" not in user
        [line] = [line for line in lines if f'"name": "{user["name"]}"' in line]
        assert '"password_hash": ""' in line
        assert user["tags"] == [], "service users need no management tags"


def test_every_pattern_is_anchored() -> None:
    """Unanchored, `^tally\\.default\\.commands` would also match tally.default.commandsX."""
    data = users_definitions()
    for entry in (*data["permissions"], *data["topic_permissions"]):
        for kind in ("configure", "write", "read"):
            if kind not in entry:
                continue  # topic permissions have only write and read
            pattern = entry[kind]
            assert pattern.startswith("^"), (entry["user"], kind)
            assert pattern.endswith("$"), (entry["user"], kind)


def test_the_agent_reads_only_its_tenant_s_command_queue() -> None:
    queues = all_queue_names() | OTHER_NAMES
    perm = _permission("mlc-agent-default")
    assert allowed(perm["read"], queues) == {"tally.default.commands"}
    assert allowed(perm["configure"], queues | {"mlc"}) == set()
    # write covers publishing to the exchange; no queue (queue.bind) and no default exchange.
    assert allowed(perm["write"], queues | {"mlc"}) == {"mlc"}


def test_the_agent_publishes_only_its_own_routing_keys() -> None:
    keys = all_routing_keys() | {
        "orchestrator.events.default.x",
        "orchestrator.events.defaultx",
        "xorchestrator.events.default",
        "orchestrator.events.*",
        "orchestrator.events.#",
    }
    expected = {"orchestrator.events.default"} | own_keys(tally_commands("default"), "default")
    assert allowed(_topic("mlc-agent-default")["write"], keys) == expected
    assert allowed(_topic("mlc-agent-default")["read"], keys) == set()


def test_every_agent_user_is_confined_to_its_tenant() -> None:
    for user in users_definitions()["users"]:
        name = user["name"]
        if not name.startswith("mlc-agent-"):
            continue
        tenant = name.removeprefix("mlc-agent-")
        queue = tally_commands(tenant)
        assert allowed(_permission(name)["read"], all_queue_names()) == {queue}
        assert allowed(_topic(name)["write"], all_routing_keys()) == {
            TOPOLOGY.routing_key(ORCHESTRATOR_EVENTS, tenant)
        } | own_keys(queue, tenant)


def test_the_gateway_consumes_walmart_commands_and_answers_any_tenant() -> None:
    perm, topic = _permission("mlc-gateway"), _topic("mlc-gateway")
    assert allowed(perm["read"], all_queue_names() | OTHER_NAMES) == {WALMART_COMMANDS}
    assert allowed(perm["configure"], all_queue_names() | {"mlc"}) == set()
    assert allowed(perm["write"], all_queue_names() | OTHER_NAMES | {"mlc"}) == {"mlc"}
    expected = {TOPOLOGY.routing_key(ORCHESTRATOR_EVENTS, t) for t in TENANTS}
    for tenant in TENANTS:
        expected |= own_keys(WALMART_COMMANDS, tenant)
    assert allowed(topic["write"], all_routing_keys()) == expected


def test_the_webhook_receiver_only_publishes_events() -> None:
    perm, topic = _permission("mlc-webhook"), _topic("mlc-webhook")
    assert allowed(perm["read"], all_queue_names() | OTHER_NAMES | {"mlc"}) == set()
    assert allowed(perm["configure"], all_queue_names() | {"mlc"}) == set()
    assert allowed(perm["write"], all_queue_names() | OTHER_NAMES | {"mlc"}) == {"mlc"}
    assert allowed(topic["write"], all_routing_keys()) == {
        TOPOLOGY.routing_key(ORCHESTRATOR_EVENTS, t) for t in TENANTS
    }


def test_the_orchestrator_owns_the_topology_and_nothing_else() -> None:
    """It declares new tenants' queues, lists and replays parked messages of every queue."""
    perm, topic = _permission("mlc-orchestrator"), _topic("mlc-orchestrator")
    ours = all_queue_names() | {"mlc"}
    for kind in ("configure", "read"):
        assert allowed(perm[kind], ours | OTHER_NAMES) == ours, kind
    # Declaring a queue that dead-letters to the default exchange needs write on it.
    assert allowed(perm["write"], ours | OTHER_NAMES) == ours | {"amq.default"}
    assert allowed(topic["write"], all_routing_keys()) == all_routing_keys()
    bindings = {TOPOLOGY.work_binding(q) for q in WORK_QUEUES}
    bindings |= {TOPOLOGY.parking_binding(q) for q in WORK_QUEUES}
    bindings |= {TOPOLOGY.retry_binding(q, t) for q in WORK_QUEUES for t in _tiers(q)}
    assert allowed(topic["read"], bindings | {"#", "orchestrator.#"}) == bindings


# --- render-definitions.sh ---------------------------------------------------------------

PASSWORDS = {
    password_variable(u["name"]): f"pw-{i:02d}-abcdefghijklmnop"
    for i, u in enumerate(users_definitions()["users"])
}


def _render(target: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(RABBITMQ_DIR / "render-definitions.sh"), str(RABBITMQ_DIR), str(target), *extra],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": os.environ["PATH"], **env},
    )


def _json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_render_fills_in_every_password(tmp_path: Path) -> None:
    admin = {
        "RABBITMQ_ADMIN_USERNAME": "mlc-admin",
        "RABBITMQ_ADMIN_PASSWORD": "admin-password-0123",
    }
    result = _render(tmp_path, {**PASSWORDS, **admin}, "--", "sh", "-c", "echo broker started")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "broker started"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "10-users.json",
        "15-admin.json",
        "20-topology.json",
    ]
    users = _json(tmp_path / "10-users.json")
    assert {u["name"]: u["password"] for u in users["users"]} == {
        u["name"]: PASSWORDS[password_variable(u["name"])] for u in users_definitions()["users"]
    }
    assert all("password_hash" not in u for u in users["users"])
    assert {k: v for k, v in users.items() if k != "users"} == {
        k: v for k, v in users_definitions().items() if k != "users"
    }
    assert _json(tmp_path / "20-topology.json") == _json(RABBITMQ_DIR / "definitions.json")
    admin_defs = _json(tmp_path / "15-admin.json")
    assert admin_defs["users"] == [
        {"name": "mlc-admin", "password": "admin-password-0123", "tags": ["administrator"]}
    ]
    for path in tmp_path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_render_without_an_admin_writes_no_admin_file(tmp_path: Path) -> None:
    assert _render(tmp_path, PASSWORDS).returncode == 0
    assert not (tmp_path / "15-admin.json").exists()


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        (None, "is not set"),
        ("short-password", "at least 16"),
        ('quote"and-more-than-16', "only letters"),
        ("slash/and-more-than-16", "only letters"),
        ("at@sign-and-more-than-16", "only letters"),
    ],
)
def test_render_refuses_a_missing_or_unusable_password(
    tmp_path: Path, value: str | None, complaint: str
) -> None:
    variable = password_variable("mlc-agent-default")
    env = {k: v for k, v in PASSWORDS.items() if k != variable}
    if value is not None:
        env[variable] = value
    result = _render(tmp_path, env, "--", "sh", "-c", "echo must-not-run")
    assert result.returncode == 1
    assert variable in result.stderr
    assert complaint in result.stderr
    assert "must-not-run" not in result.stdout
    assert not (tmp_path / "10-users.json").exists()
