"""Fixtures of the fault suite, and the session-finish hook that writes docs/reliability.md
from the scenarios' measured results (tests/faults/report.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.faults.broker import private_broker
from tests.faults.report import Result, load, save, write_doc
from tests.faults.world import World, world

RESULTS_KEY = "mlc-faults-results"
_started = 0.0


def _results_dir(config: pytest.Config) -> Path:
    return Path(config.cache.mkdir(RESULTS_KEY))  # type: ignore[union-attr]


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")  # a pytest-xdist worker process


def pytest_sessionstart(session: pytest.Session) -> None:
    global _started
    _started = time.time()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if _is_worker(config) or getattr(config, "cache", None) is None:
        return
    directory = _results_dir(config)
    fresh = [
        result
        for result, path in zip(load(directory), sorted(directory.glob("*.json")), strict=True)
        if path.stat().st_mtime >= _started
    ]
    if write_doc(fresh):
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"fault figures written to docs/reliability.md ({len(fresh)})")


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Callable[[Result], None]:
    """Keep a scenario's measured result for docs/reliability.md (and the terminal)."""

    def keep(result: Result) -> None:
        save(_results_dir(request.config), result)
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
