"""Print the root package's own third-party requirements, one per line.

The `mlc` command is the root package ``ml-connector``; its declared dependencies are every
workspace member (so ``uv sync`` of the root installs everything) plus a few libraries the
CLI itself needs. A service image installs the root package without dependencies and adds
only these libraries, pinned by uv.lock through a constraints file (deploy/docker/install.sh),
so ``mlc serve`` works without pulling in the other services.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

# PEP 508: a requirement starts with the distribution name.
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalise(name: str) -> str:
    """PEP 503 normalisation, so ``Foo_Bar`` and ``foo-bar`` compare equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def cli_requirements(pyproject: Path) -> list[str]:
    """The root project's dependencies that are not workspace members."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    members = {normalise(name) for name in data["tool"]["uv"]["sources"]}
    requirements: list[str] = []
    for requirement in data["project"]["dependencies"]:
        match = _NAME.match(requirement)
        if match is None:
            raise ValueError(f"cannot read the requirement {requirement!r} in {pyproject}")
        if normalise(match.group(1)) not in members:
            requirements.append(requirement)
    return requirements


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: cli_requirements.py PYPROJECT_TOML", file=sys.stderr)
        return 2
    for requirement in cli_requirements(Path(argv[1])):
        print(requirement)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
