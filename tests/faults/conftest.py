"""Fixtures of the fault suite, and the session-finish hook that writes docs/reliability.md
from the scenarios' measured results (tests/faults/report.py)."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.faults.broker import private_broker
from tests.faults.report import Result, load, save, write_doc
from tests.faults.world import Scene, World, world

RESULTS_KEY = "mlc-faults-results"
SESSION_KEY = "mlc_faults_session"
_SESSION = pytest.StashKey[str]()
FULL_RUN_TIMEOUT_SECONDS = 3600
"""pytest-timeout bound on one full scenario. The suite-wide 300 s (pyproject.toml) would
cut a full run off in the middle (scenario 2 alone takes longer); this bound sits above the
sum of a scenario's own waits (tests/faults/waits.py), so those fail first and say what did
not happen."""


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")  # a pytest-xdist worker process


def _results_dir(config: pytest.Config) -> Path | None:
    """This session's own directory in pytest's cache. Engineers share one checkout and may
    run scenarios at the same time: with one directory for all, a session wrote whatever
    the others had measured meanwhile into docs/reliability.md. None in an xdist worker
    whose controller does not collect the results."""
    session = config.stash.get(_SESSION, None)
    cache = getattr(config, "cache", None)  # absent with -p no:cacheprovider
    if session is None or cache is None:
        return None
    return Path(cache.mkdir(f"{RESULTS_KEY}-{session}"))


def pytest_configure(config: pytest.Config) -> None:
    if not _is_worker(config):
        config.stash[_SESSION] = uuid.uuid4().hex[:12]
    elif SESSION_KEY in config.workerinput:  # type: ignore[attr-defined]
        config.stash[_SESSION] = str(config.workerinput[SESSION_KEY])  # type: ignore[attr-defined]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: tell each worker the controller's session, where its results go."""
    node.workerinput[SESSION_KEY] = node.config.stash[_SESSION]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("faults") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(FULL_RUN_TIMEOUT_SECONDS))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    directory = None if _is_worker(config) else _results_dir(config)
    if directory is None:
        return
    fresh = load(directory)
    shutil.rmtree(directory, ignore_errors=True)
    if write_doc(fresh):
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"fault figures written to docs/reliability.md ({len(fresh)})")


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Callable[[Result], None]:
    """Keep a scenario's measured result for docs/reliability.md (and the terminal)."""

    def keep(result: Result) -> None:
        directory = _results_dir(request.config)
        if directory is not None:
            save(directory, result)
        print(
            f"\n[{result.scenario}] {result.title}: lost {result.lost}, "
            f"duplicates {result.duplicates}, {result.figures}"
        )

    return keep


@pytest.fixture
async def sims(tmp_path: Path) -> AsyncIterator[World]:
    async with world(tmp_path) as made:
        yield made


@pytest.fixture
def scene(
    sims: World,
    tmp_path: Path,
    record: Callable[[Result], None],
    fresh_postgres_url: str,
    bus_namespace: str,
) -> Scene:
    return Scene(sims, tmp_path, record, fresh_postgres_url, bus_namespace)


@pytest.fixture
async def broker_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """The RabbitMQ a scenario runs on. The full runs (marker ``faults``) take minutes, so
    each boots a private node (tests/faults/broker.py): nothing another run does to the
    shared broker (sweeping queues, filling it) can touch them, and nothing they leave
    behind stays on it. The short CI variants use the shared broker and their namespace is
    deleted after them (tests/conftest.py: bus_namespace)."""
    if request.node.get_closest_marker("faults") is None:
        yield request.getfixturevalue("amqp_url")
        return
    node = private_broker(tmp_path_factory.mktemp("rabbitmq"))
    broker = await asyncio.to_thread(node.__enter__)
    try:
        yield broker.url
    finally:
        await asyncio.to_thread(node.__exit__, None, None, None)
