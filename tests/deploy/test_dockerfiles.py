"""The Dockerfiles, parsed with dockerfile-parse: multi-stage on one slim Python 3.11 base,
a non-root user, a health check on /healthz, and each image installing only its own
package. (What install.sh then installs is tests/deploy/test_image_install.py.)"""

from __future__ import annotations

import io
import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from tests.deploy.helpers import PACKAGES, REPO, SERVICES, kustomize

SANDBOX_DOCKERFILE = REPO / "deploy" / "docker" / "sandbox.Dockerfile"
IMAGES = {
    **{s: (REPO / "services" / s / "Dockerfile", PACKAGES[s]) for s in SERVICES},
    "sandbox": (SANDBOX_DOCKERFILE, "mlc-sandbox"),
}
SOURCE_DIRS = {
    "mlc-tally-agent": "services/tally-agent/",
    "mlc-walmart-gateway": "services/walmart-gateway/",
    "mlc-webhook-receiver": "services/webhook-receiver/",
    "mlc-sync-orchestrator": "services/sync-orchestrator/",
    "mlc-sandbox": "sandbox/",
}


@dataclass(frozen=True)
class Instruction:
    name: str
    value: str


def stages(path: Path) -> tuple[list[str], list[list[Instruction]]]:
    parser = DockerfileParser(fileobj=io.BytesIO(path.read_bytes()))
    result: list[list[Instruction]] = []
    for item in parser.structure:
        if item["instruction"] == "FROM":
            result.append([])
        if result and item["instruction"] != "COMMENT":
            result[-1].append(Instruction(item["instruction"], item["value"]))
    return list(parser.parent_images), result


def values(stage: list[Instruction], name: str) -> list[str]:
    return [i.value for i in stage if i.name == name]


def install_calls(stage: list[Instruction]) -> list[list[str]]:
    calls = []
    for run in values(stage, "RUN"):
        words = shlex.split(run)
        if "deploy/docker/install.sh" in words:
            calls.append(words[words.index("deploy/docker/install.sh") + 1 :])
    return calls


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_two_stages_on_the_same_slim_python(image: str) -> None:
    parents, parsed = stages(IMAGES[image][0])
    assert len(parsed) == 2
    assert parents[0] == parents[1]
    assert re.fullmatch(r"python:3\.11-slim(-[a-z]+)?", parents[0]), parents[0]
    assert values(parsed[0], "FROM")[0].endswith(" AS builder")
    runtime = parsed[1]
    assert values(runtime, "COPY")[0] == "--from=builder /opt/mlc/venv /opt/mlc/venv"
    # Nothing but the virtual environment and the probe reaches the final image.
    assert all(
        c.startswith("--from=builder ") or c.startswith("deploy/docker/healthcheck.py ")
        for c in values(runtime, "COPY")
    )


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_runs_as_a_non_root_user_it_creates(image: str) -> None:
    _, (_, runtime) = stages(IMAGES[image][0])
    [user] = values(runtime, "USER")
    uid, _, gid = user.partition(":")
    assert uid.isdigit()
    assert int(uid) >= 1000
    assert not gid or int(gid) >= 1000
    created = " ".join(values(runtime, "RUN"))
    assert f"--uid {uid}" in created
    assert "--shell /usr/sbin/nologin" in created
    names = [i.name for i in runtime]
    assert names.index("USER") > max(i for i, n in enumerate(names) if n in {"RUN", "COPY"})


@pytest.mark.parametrize("service", SERVICES)
def test_health_check_probes_healthz(service: str) -> None:
    _, (_, runtime) = stages(IMAGES[service][0])
    [check] = values(runtime, "HEALTHCHECK")
    options, _, command = check.partition("CMD")
    assert re.search(r"--interval=\d+s", options)
    assert re.search(r"--timeout=\d+s", options)
    assert json.loads(command) == ["python", "/opt/mlc/healthcheck.py", "/healthz"]
    assert "/opt/mlc/healthcheck.py" in " ".join(values(runtime, "COPY"))


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_installs_only_its_own_package(image: str) -> None:
    path, package = IMAGES[image]
    _, (builder, _) = stages(path)
    assert install_calls(builder) == [["deps", package], ["package", package], ["cli"]]
    sources = {word for copy in values(builder, "COPY") for word in copy.split()[:-1]}
    for other, source in SOURCE_DIRS.items():
        # Other members contribute their pyproject.toml only (uv needs the workspace's shape).
        assert (source in sources) is (other == package), f"{image} copies {source}"
        assert f"{source}pyproject.toml" in sources or other == package
    assert "uv==0.13.9" in " ".join(values(builder, "RUN")) or "UV_VERSION=0.13.9" in values(
        builder, "ARG"
    )
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    [pinned] = re.findall(r"^UV_VERSION := (\S+)$", makefile, re.M)
    assert f"UV_VERSION={pinned}" in values(builder, "ARG"), "the image's uv is the Makefile's"


@pytest.mark.parametrize("service", SERVICES)
def test_entrypoint_is_mlc_serve(service: str) -> None:
    _, (_, runtime) = stages(IMAGES[service][0])
    assert [json.loads(v) for v in values(runtime, "ENTRYPOINT")] == [["mlc"]]
    assert [json.loads(v) for v in values(runtime, "CMD")] == [["serve", service]]
    env = " ".join(values(runtime, "ENV"))
    assert "MLC_HTTP_HOST=0.0.0.0" in env
    assert "MLC_HTTP_PORT=8080" in env
    assert values(runtime, "EXPOSE") == ["8080"]


@pytest.mark.parametrize("service", SERVICES)
def test_kubernetes_runs_the_image_s_user(service: str) -> None:
    _, (_, runtime) = stages(IMAGES[service][0])
    uid, _, gid = values(runtime, "USER")[0].partition(":")
    [deployment] = [
        d
        for d in kustomize("base")
        if d["kind"] == "Deployment" and d["metadata"]["name"] == service
    ]
    pod = deployment["spec"]["template"]["spec"]["securityContext"]
    assert (pod["runAsUser"], pod["runAsGroup"]) == (int(uid), int(gid))


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    patterns = {
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", ".tools", ".env", "*.env", "tests"} <= patterns
    # ... but not what the images copy.
    for needed in (
        "uv.lock",
        "pyproject.toml",
        "README.md",
        "shared",
        "services",
        "sandbox",
        "ml_connector",
        "deploy/docker",
    ):
        assert needed not in patterns
