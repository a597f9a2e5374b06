"""The `mlc` command. Each command group lives in its own module and is added here.

A group whose package is not installed is left out rather than breaking `mlc`: a service
image installs one service (services/*/Dockerfile), and `mlc serve tally-agent` must work
there without the simulators, FastAPI or the other services.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer

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


def _optional(module: str, attribute: str) -> Any | None:
    try:
        return getattr(importlib.import_module(module), attribute)
    except ModuleNotFoundError as exc:
        # A package this image does not install: leave the group out. A module of our own
        # that is missing is a packaging bug and must not be hidden.
        if exc.name and exc.name.split(".")[0] != "ml_connector":
            return None
        raise


def _register() -> None:
    serve = _optional("ml_connector.cli.run", "serve")
    if serve is not None:
        app.command(help="Run one service in the foreground (distributed mode).")(serve)
        run = _optional("ml_connector.cli.run", "run")
        if run is not None:
            app.command(help="Run all four services in one process (standalone mode).")(run)
    for module, name, help_text in (
        (
            "ml_connector.cli.tally",
            "tally",
            "Look into TallyPrime directly (MLC_TALLY_* settings).",
        ),
        (
            "ml_connector.cli.walmart",
            "walmart",
            "Look into Walmart Marketplace directly (MLC_WALMART_*).",
        ),
    ):
        group = _optional(module, "app")
        if group is not None:
            app.add_typer(group, name=name, help=help_text)
    for module, name, help_text in (
        ("ml_connector.cli.mapping", "mapping", "Show, edit, import, export, check the mapping."),
        ("ml_connector.cli.audit", "audit", "Search and export the audit trail."),
        ("ml_connector.cli.flows", "flows", "Flow status; pause and resume flows."),
        ("ml_connector.cli.dlq", "dlq", "Dead letters: list, show, replay, purge."),
        ("ml_connector.cli.tenant", "tenant", "The tenants (sellers) this connector serves."),
    ):
        group = _optional(module, "app")
        if group is not None:
            app.add_typer(group, name=name, help=help_text)
    sync = _optional("ml_connector.cli.sync", "sync")
    if sync is not None:
        app.command(help="Run a flow now (--since to backfill, --dry-run to preview).")(sync)
    doctor = _optional("ml_connector.cli.doctor", "doctor")
    if doctor is not None:
        app.command(help="Check settings, broker, database, Tally, Walmart and mapping.")(doctor)
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
