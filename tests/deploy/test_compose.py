"""docker-compose.yml: the Compose Specification schema (as vendored by check-jsonschema)
and the rules of docs/operator-guide.md that a schema cannot express. No Docker engine is
needed: nothing here starts a container."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.helpers import (
    COMPOSE_FILE,
    RABBITMQ_DIR,
    REPO,
    SERVICES,
    compose,
    interpolations,
    password_variable,
    users_definitions,
)

SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|CLIENT_ID")
SANDBOX_ENV = REPO / "deploy" / "docker" / "sandbox.env"
SIMULATORS = {"tally-sim": "tally", "walmart-sim": "walmart"}


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def _services() -> dict[str, dict[str, Any]]:
    services = compose()["services"]
    assert isinstance(services, dict)
    return services


def _env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def test_compose_file_matches_the_compose_specification() -> None:
    result = _check_jsonschema(COMPOSE_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_what_compose_would_reject(tmp_path: Path) -> None:
    """The validator is live: a misspelt condition and an unknown key are refused."""
    broken = COMPOSE_FILE.read_text(encoding="utf-8")
    broken = broken.replace("condition: service_healthy", "condition: service_healty", 1)
    broken = broken.replace("    restart: unless-stopped\n", "    restart_policy: always\n", 1)
    path = tmp_path / "docker-compose.yml"
    path.write_text(broken, encoding="utf-8")
    result = _check_jsonschema(path)
    assert result.returncode != 0
    assert "service_healty" in result.stdout
    assert "restart_policy" in result.stdout


@pytest.mark.parametrize("name", sorted(_services()))
def test_every_service_has_a_health_check(name: str) -> None:
    check = _services()[name].get("healthcheck")
    assert check, f"{name} has no healthcheck"
    assert not check.get("disable")
    assert check["test"][0] == "CMD"
    assert check["test"][1:] != ["NONE"]


@pytest.mark.parametrize("name", SERVICES)
def test_connector_services_probe_readiness(name: str) -> None:
    assert _services()[name]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "/opt/mlc/healthcheck.py",
        "/readyz",
    ]


def test_dependencies_wait_until_healthy() -> None:
    services = _services()
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on must name a condition"
        for target, rule in depends_on.items():
            assert target in services, f"{name} depends on unknown service {target}"
            assert rule["condition"] == "service_healthy", f"{name} -> {target}"
            assert services[target].get("healthcheck"), f"{target} cannot become healthy"
            # A dependency switched off by a profile must be optional, or
            # `docker compose up` without that profile refuses to start.
            own = set(service.get("profiles", []))
            theirs = set(services[target].get("profiles", []))
            if theirs and not theirs <= own:
                assert rule.get("required") is False, f"{name} -> {target} must be required: false"


def test_connector_services_wait_for_broker_and_database() -> None:
    services = _services()
    for name in SERVICES:
        assert "rabbitmq" in services[name]["depends_on"]
        assert "profiles" not in services[name], f"{name} must run without a profile"
    for name in ("webhook-receiver", "sync-orchestrator"):
        assert "postgres" in services[name]["depends_on"]


def test_interpolations_are_well_formed() -> None:
    form = re.compile(r"^[A-Z][A-Z0-9_]*(:?[-?].*)?$", re.DOTALL)
    found = interpolations(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert found
    for match in found:
        assert form.match(match.group(1)), f"not a compose interpolation: {match.group(0)}"


def test_every_secret_is_required() -> None:
    """`${VAR:?message}`: compose stops and names the variable instead of using a default."""
    secrets = [
        m.group(1)
        for m in interpolations(COMPOSE_FILE.read_text(encoding="utf-8"))
        if SECRET_NAME.search(m.group(1).split(":")[0].split("-")[0])
    ]
    assert len(secrets) >= 10
    for expression in secrets:
        name, sep, message = expression.partition(":?")
        assert sep, f"${{{expression}}} must be ${{VAR:?...}}"
        assert re.fullmatch(r"[A-Z0-9_]+", name), expression
        assert message.strip(), f"${{{name}:?}} needs a message saying what to set"


def test_no_secret_has_a_literal_value() -> None:
    for name, service in _services().items():
        environment = service.get("environment", {})
        assert isinstance(environment, dict), f"{name}: use the mapping form"
        for key, value in environment.items():
            if SECRET_NAME.search(key) and not key.endswith("_USERNAME"):
                assert value is None or "${" in str(value), f"{name}: {key} has a literal value"


def test_amqp_urls_use_each_service_s_own_broker_user() -> None:
    services = _services()
    users = {u["name"] for u in users_definitions()["users"]}
    broker_env = services["rabbitmq"]["environment"]
    seen = set()
    for name in SERVICES:
        url = services[name]["environment"]["MLC_AMQP_URL"]
        match = re.fullmatch(r"amqp://([a-z0-9-]+):\$\{([A-Z0-9_]+):\?[^}]+\}@rabbitmq:5672/", url)
        assert match, f"{name}: unexpected MLC_AMQP_URL {url}"
        user, variable = match.groups()
        assert user in users, f"{name} logs in as {user}, which users.json does not define"
        assert variable == password_variable(user)
        assert variable in broker_env, f"the broker is not given {variable}"
        seen.add(user)
    assert len(seen) == len(SERVICES), "every service needs a user of its own"


def test_broker_loads_topology_and_users_from_deploy_rabbitmq() -> None:
    broker = _services()["rabbitmq"]
    assert broker["image"].startswith("rabbitmq:3.10")
    assert broker["hostname"] == "rabbitmq"
    entrypoint = broker["entrypoint"]
    assert entrypoint[:2] == ["/bin/sh", "/opt/mlc/rabbitmq/render-definitions.sh"]
    source, target = entrypoint[2], entrypoint[3]
    assert entrypoint[4:] == ["--", "docker-entrypoint.sh"]
    assert broker["command"] == ["rabbitmq-server"]
    conf = (RABBITMQ_DIR / "rabbitmq.conf").read_text(encoding="utf-8")
    assert re.search(rf"^load_definitions = {re.escape(target)}$", conf, re.MULTILINE)
    assert target in broker["tmpfs"]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in broker["volumes"]}
    assert mounts[source] == "./deploy/rabbitmq"
    assert mounts["/etc/rabbitmq/conf.d/20-mlc.conf"] == "./deploy/rabbitmq/rabbitmq.conf"
    assert mounts["/etc/rabbitmq/enabled_plugins"] == "./deploy/rabbitmq/enabled_plugins"
    plugins = (RABBITMQ_DIR / "enabled_plugins").read_text(encoding="utf-8")
    assert "rabbitmq_management" in plugins
    assert "rabbitmq_prometheus" in plugins


def test_files_and_build_contexts_exist() -> None:
    for name, service in _services().items():
        build = service.get("build")
        if build:
            assert (REPO / build["context"] / build["dockerfile"]).is_file(), name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./deploy"):
                assert (REPO / source).exists(), f"{name} mounts missing {source}"
    for name in SERVICES:
        assert _services()[name]["build"]["dockerfile"] == f"services/{name}/Dockerfile"


def test_sandbox_profile_adds_both_simulators_wired_in() -> None:
    services = _services()
    in_profile = {n for n, s in services.items() if "sandbox" in s.get("profiles", [])}
    assert in_profile == set(SIMULATORS)
    sandbox = _env_file(SANDBOX_ENV)
    for name, kind in SIMULATORS.items():
        command = services[name]["command"]
        assert command[:2] == ["sandbox", kind]
        assert command[command.index("--host") + 1] == "0.0.0.0"
        port = command[command.index("--port") + 1]
        url_setting = {"tally": "MLC_TALLY_URL", "walmart": "MLC_WALMART_BASE_URL"}[kind]
        assert sandbox[url_setting] == f"http://{name}:{port}"
    assert sandbox["COMPOSE_PROFILES"] == "sandbox"
    # The agent and the gateway wait for their simulator when it runs.
    assert "tally-sim" in services["tally-agent"]["depends_on"]
    assert "walmart-sim" in services["walmart-gateway"]["depends_on"]


def test_sandbox_env_supplies_every_required_variable() -> None:
    """So `docker compose --env-file deploy/docker/sandbox.env --profile sandbox up` starts."""
    sandbox = _env_file(SANDBOX_ENV)
    required = {
        m.group(1).partition(":?")[0]
        for m in interpolations(COMPOSE_FILE.read_text(encoding="utf-8"))
        if ":?" in m.group(1)
    }
    missing = required - set(sandbox)
    assert not missing, f"deploy/docker/sandbox.env lacks {sorted(missing)}"
    for key, value in sandbox.items():
        if "PASSWORD" in key:
            # render-definitions.sh and the URLs accept these only.
            assert re.fullmatch(r"[A-Za-z0-9._~-]{16,}", value), key
