"""What the operator commands (mapping, audit, flows, dlq, tenant, sync) share: settings, the
store and the bus opened from them, plain-word failures, and output as a table or JSON.

Operator commands work on the same database and broker as the services, in both modes. In
standalone mode a running ``mlc run`` owns the SQLite file's queues, so these commands open
the embedded bus as a visitor (``recover=False``): they never take over its in-flight
messages.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import typer
from mlc_shared.bus.base import Bus
from mlc_shared.bus.factory import create_bus
from mlc_shared.config import ConfigError, load_settings
from mlc_shared.logging import configure_logging
from mlc_shared.store import SqlStore, open_store
from mlc_shared.store.base import Store
from mlc_shared.store.errors import StoreError
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table
from sync_orchestrator.settings import OrchestratorSettings

T = TypeVar("T")
err = Console(stderr=True, highlight=False)

EXIT_CONFIG, EXIT_UNAVAILABLE, EXIT_NOT_FOUND, EXIT_FAILED = 2, 3, 4, 1

TenantOption = typer.Option("--tenant", help="default: MLC_TENANT")
JsonOption = typer.Option("--json", help="JSON instead of a table")


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    err.print(f"mlc: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(code)


def settings(**overrides: Any) -> OrchestratorSettings:
    """The settings, and logging set up for a person at a terminal: warnings and errors on
    stderr (stdout stays clean for ``--json``), everything with MLC_LOG_LEVEL=DEBUG."""
    try:
        config = load_settings(OrchestratorSettings, **overrides)
    except ConfigError as exc:
        fail(str(exc), EXIT_CONFIG)
    configure_logging("DEBUG" if config.log_level == "DEBUG" else "WARNING", "console")
    return config


def run(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work``; a database or broker that cannot be reached ends in one plain line."""
    try:
        return asyncio.run(work)
    except StoreError as exc:
        fail(f"the database is not available: {exc}", EXIT_UNAVAILABLE)
    except ConfigError as exc:
        fail(str(exc), EXIT_CONFIG)
    except (OSError, ConnectionError) as exc:
        fail(f"cannot reach a service: {exc}", EXIT_UNAVAILABLE)


@asynccontextmanager
async def opened_store(config: OrchestratorSettings) -> AsyncIterator[Store]:
    store = open_store(config.database_url.get_secret_value())
    try:
        await store.migrate()
        yield store
    finally:
        await store.close()


@asynccontextmanager
async def opened_bus(config: OrchestratorSettings, store: Store) -> AsyncIterator[Bus]:
    if config.uses_embedded_bus and isinstance(store, SqlStore):
        from mlc_shared.bus.embedded import EmbeddedBus
        from mlc_shared.bus.topology import Topology

        bus: Bus = EmbeddedBus(
            store.engine, topology=Topology(namespace=config.bus_namespace), recover=False
        )
    else:
        bus = create_bus(config)
    await bus.start()
    try:
        yield bus
    finally:
        await bus.close()


def parse_moment(value: str | None, zone: str, *, end_of_day: bool = False) -> datetime | None:
    """An ISO date (midnight in the seller's zone; with ``end_of_day``, the next midnight) or
    an ISO date-time (UTC unless it names a zone)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time(0), ZoneInfo(zone))
            if end_of_day:
                moment = datetime.combine(
                    date.fromordinal(day.toordinal() + 1), time(0), ZoneInfo(zone)
                )
            return moment
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{value!r} is not a date (2025-04-01) or a date and time (2025-04-01T09:30)")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(plain(value), ensure_ascii=False, indent=2, default=plain) + "\n")


def print_json_list(items: Sequence[Any]) -> None:
    print_json([plain(item) for item in items])


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    Console().print(table)


def when(value: datetime | None) -> str:
    return "never" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
