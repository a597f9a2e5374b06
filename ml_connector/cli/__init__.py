"""The `mlc` command. Each command group lives in its own module and is added here.

A group whose package is not installed is left out rather than breaking `mlc`: a service
image installs one service (services/*/Dockerfile), and `mlc serve tally-agent` must work
there without the simulators, FastAPI or the other services.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer

from ml_connector.cli.run import run, serve

_PACKAGES = {
    "tally_sim",
    "walmart_sim",
    "tally_agent",
    "walmart_gateway",
    "webhook_receiver",
    "sync_orchestrator",
    "fastapi",
}

app = typer.Typer(
    name="mlc",
    help="ml-connector: keeps a TallyPrime company and a Walmart Marketplace account in step.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.command(help="Run one service in the foreground (distributed mode).")(serve)
app.command(help="Run all four services in one process (standalone mode).")(run)


def _optional(module: str, attribute: str) -> Any | None:
    try:
        return getattr(importlib.import_module(module), attribute)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in _PACKAGES:
            return None
        raise


def _register() -> None:
    for module, name, help_text in (
        ("ml_connector.cli.tally", "tally", None),
        ("ml_connector.cli.walmart", "walmart", None),
    ):
        group = _optional(module, "app")
        if group is not None:
            app.add_typer(group, name=name, help=help_text)
    demo = _optional("ml_connector.cli.demo", "demo")
    if demo is not None:
        app.command(help="Rehearse the whole connector against the bundled simulators.")(demo)
    tally_sim = _optional("ml_connector.cli.sandbox_tally", "tally")
    walmart_sim = _optional("ml_connector.cli.sandbox_walmart", "walmart")
    if tally_sim is not None and walmart_sim is not None:
        sandbox = typer.Typer(
            help="Run a simulator of TallyPrime or Walmart Marketplace.", no_args_is_help=True
        )
        sandbox.command("tally", help="TallyPrime simulator (XML/JSON port + admin API).")(
            tally_sim
        )
        sandbox.command("walmart", help="Walmart Marketplace simulator (/v3 + admin API).")(
            walmart_sim
        )
        app.add_typer(sandbox, name="sandbox")


_register()


def main() -> None:
    app()
