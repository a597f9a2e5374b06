"""What each image would contain. Each Dockerfile's builder stage is replayed step by step
(its COPY instructions into an empty directory, its deploy/docker/install.sh runs with the
Makefile's uv, offline from the cache `make install` filled), so a step that needs a file
copied only later fails here as it would in `docker build`; then the resulting virtual
environment is inspected. No Docker engine is involved."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.helpers import PACKAGES, REPO
from tests.deploy.test_dockerfiles import IMAGES as DOCKERFILES
from tests.deploy.test_dockerfiles import stages

UV = REPO / ".tools" / "bin" / "uv"
IMAGES = {
    **{package: [service.replace("-", "_")] for service, package in PACKAGES.items()},
    "mlc-sandbox": ["tally_sim", "walmart_sim"],
}
WORKSPACE = {"ml-connector", "mlc-shared", *IMAGES}
IMAGE_DOCKERFILES = {package: path for path, package in DOCKERFILES.values()}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_closure(roots: list[str]) -> set[str]:
    """Every distribution uv.lock could install for ``roots``, markers ignored (a superset)."""
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    entries: dict[str, list[dict[str, Any]]] = {}
    for package in lock["package"]:
        entries.setdefault(normalise(package["name"]), []).append(package)
    seen: set[str] = set()
    todo: list[tuple[str, tuple[str, ...]]] = [(normalise(r), ()) for r in roots]
    while todo:
        name, extras = todo.pop()
        key = f"{name}[{','.join(extras)}]"
        if key in seen:
            continue
        seen.add(key)
        for entry in entries[name]:
            deps = list(entry.get("dependencies", []))
            optional = entry.get("optional-dependencies", {})
            for extra in extras:
                deps += optional.get(extra, [])
            for dep in deps:
                todo.append((normalise(dep["name"]), tuple(dep.get("extra", ()))))
    return {key.split("[")[0] for key in seen}


def _cli_requirement_names() -> list[str]:
    out = subprocess.run(
        [sys.executable, "deploy/docker/cli_requirements.py", "pyproject.toml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [re.match(r"[A-Za-z0-9._-]+", line).group(0) for line in out.splitlines()]  # type: ignore[union-attr]


def _run_install(context: Path, venv: Path, args: list[str]) -> None:
    env = {
        **os.environ,
        "UV": str(UV),
        "UV_OFFLINE": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_PYTHON": str(Path(sys.base_prefix) / "bin" / "python3"),
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "PYTHON": sys.executable,
    }
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(
        ["sh", *args], cwd=context, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stderr}"


def _copy(source: Path, target: Path) -> None:
    """Docker's COPY of a local path into the build stage (.dockerignore's caches left out)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    if source.is_dir():
        shutil.copytree(source, target, ignore=ignore, dirs_exist_ok=True)
    else:
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / source.name)


def replay_builder_stage(dockerfile: Path, context: Path, venv: Path) -> list[list[str]]:
    """Carry out the builder stage's COPY and install.sh steps in their order, in an empty
    directory standing for WORKDIR /src: each step sees only what was copied before it."""
    _, (builder, _) = stages(dockerfile)
    steps = []
    for instruction in builder:
        words = shlex.split(instruction.value)
        if instruction.name == "COPY" and not words[0].startswith("--from"):
            *sources, destination = words
            for source in sources:
                _copy(REPO / source.rstrip("/"), context / destination)
        elif instruction.name == "RUN" and "deploy/docker/install.sh" in words:
            args = words[words.index("deploy/docker/install.sh") :]
            _run_install(context, venv, args)
            steps.append(args[1:])
    return steps


@pytest.fixture(scope="module", params=sorted(IMAGES))
def image(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    """(package, virtual environment) of one image, built once per module."""
    assert UV.exists(), "the pinned uv is missing: run `make install`"
    package: str = request.param
    root = tmp_path_factory.mktemp(package)
    steps = replay_builder_stage(IMAGE_DOCKERFILES[package], root / "src", root / "venv")
    assert steps == [["deps", package], ["package", package], ["cli"]]
    return package, root / "venv"


def installed(venv: Path) -> set[str]:
    out = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import json, importlib.metadata as m; print(json.dumps([d.metadata['Name'] for d in m.distributions()]))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {normalise(name) for name in json.loads(out)}


def test_only_the_image_s_own_package_and_its_locked_dependencies(image: tuple[str, Path]) -> None:
    package, venv = image
    names = installed(venv)
    assert package in names
    assert "ml-connector" in names
    others = (WORKSPACE - {package, "ml-connector", "mlc-shared"}) & names
    assert not others, f"{package}'s image carries other services: {sorted(others)}"
    allowed = lock_closure([package, *_cli_requirement_names()]) | {"ml-connector"}
    extra = names - allowed
    assert not extra, f"not needed by {package}: {sorted(extra)}"


def test_every_module_of_the_service_imports(image: tuple[str, Path]) -> None:
    """Its declared dependencies are enough: nothing it imports was left out of the image."""
    package, venv = image
    for module in IMAGES[package]:
        code = (
            "import importlib, pkgutil, sys\n"
            f"import {module} as top\n"
            "for info in pkgutil.walk_packages(top.__path__, top.__name__ + '.'):\n"
            "    importlib.import_module(info.name)\n"
        )
        result = subprocess.run(
            [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"{module} in the {package} image:\n{result.stderr[-2000:]}"


def test_mlc_serve_is_available(image: tuple[str, Path]) -> None:
    """The image's ENTRYPOINT is `mlc`; its CMD `serve <service>` (or `sandbox ...`)."""
    package, venv = image
    command = ["sandbox", "--help"] if package == "mlc-sandbox" else ["serve", "--help"]
    result = subprocess.run(
        [str(venv / "bin" / "mlc"), *command], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, (
        f"`mlc {' '.join(command)}` in the {package} image:\n{result.stderr[-2000:]}"
    )
