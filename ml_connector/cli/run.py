"""`mlc serve <service>` and `mlc run`: start services and run until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from typing import Annotated

import typer
from mlc_shared import eventloop
from mlc_shared.config import CommonSettings, ConfigError, load_settings
from mlc_shared.logging import configure_logging, get_logger

from ml_connector.runtime import SERVICES, Runtime

log = get_logger(__name__)


async def _until_signalled(runtime: Runtime) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C still raises
            loop.add_signal_handler(sig, stop.set)
    async with runtime:
        eventloop.freeze_startup_objects()
        log.info("services started", services=list(runtime.names))
        await stop.wait()
        log.info("stopping")


def _start(services: tuple[str, ...]) -> None:
    try:
        common = load_settings(CommonSettings)
        configure_logging(common.log_level, common.log_format)
        runtime = Runtime(services)
        eventloop.run(_until_signalled(runtime), common.event_loop)
    except (ConfigError, ValueError) as exc:
        typer.echo(f"mlc: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        sys.exit(130)


def serve(service: Annotated[str, typer.Argument(help=f"one of: {', '.join(SERVICES)}")]) -> None:
    if service not in SERVICES:
        typer.echo(
            f"mlc: unknown service {service!r}; services are: {', '.join(SERVICES)}", err=True
        )
        raise typer.Exit(2)
    _start((service,))


def run() -> None:
    _start(SERVICES)
