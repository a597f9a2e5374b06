#!/bin/sh
# Install one part of the workspace, and only what it needs, from uv.lock into the virtual
# environment $UV_PROJECT_ENVIRONMENT. Run from the workspace root. Every image's builder
# stage uses it; tests/deploy/test_image_install.py replays those stages offline against
# the same lock file to check what each image would contain.
#
#   install.sh deps PACKAGE   the third-party dependencies of PACKAGE (a cacheable layer:
#                             it needs only pyproject.toml files and uv.lock)
#   install.sh package PACKAGE
#                             PACKAGE and the workspace members it depends on (mlc-shared),
#                             as regular (non-editable) installs
#   install.sh cli            the `mlc` command: the root package without its dependencies
#                             (which name every service), plus the CLI's own libraries at
#                             the versions uv.lock pins (deploy/docker/cli_requirements.py)
#
# Why the root package goes in without dependencies: `ml-connector` depends on every
# service and the simulators so that `uv sync` of the root gives the standalone mode
# everything. An image of one service must not carry the others, so it takes the command
# itself and resolves only typer/rich/uvicorn against the lock's pins (a constraints file
# adds no packages, it only fixes versions).
set -eu

usage() {
    echo "usage: install.sh deps PACKAGE | package PACKAGE | cli" >&2
    exit 2
}

: "${UV_PROJECT_ENVIRONMENT:?install.sh: set UV_PROJECT_ENVIRONMENT to the target virtual environment}"
UV=${UV:-uv}
PYTHON=${PYTHON:-python3}
step=${1:-}

case "$step" in
    deps)
        [ $# -eq 2 ] || usage
        "$UV" sync --frozen --no-dev --no-install-workspace --package "$2"
        ;;
    package)
        [ $# -eq 2 ] || usage
        "$UV" sync --frozen --no-dev --no-editable --package "$2"
        ;;
    cli)
        [ $# -eq 1 ] || usage
        work=$(mktemp -d)
        trap 'rm -rf "$work"' EXIT
        "$UV" export --frozen --no-dev --no-emit-workspace --no-hashes --no-header \
            --no-annotate --package ml-connector --output-file "$work/locked.txt" >/dev/null
        "$PYTHON" deploy/docker/cli_requirements.py pyproject.toml >"$work/cli.txt"
        "$UV" pip install --python "$UV_PROJECT_ENVIRONMENT/bin/python" \
            --constraints "$work/locked.txt" --requirements "$work/cli.txt"
        "$UV" pip install --python "$UV_PROJECT_ENVIRONMENT/bin/python" --no-deps .
        ;;
    *)
        usage
        ;;
esac
