"""The `mlc` command. Each command or group lives in its own module, listed in ``COMMANDS``.

The root group imports a module only when its command runs: importing every service,
SQLAlchemy, Alembic and FastAPI took about 3 s, which `mlc --help` and every mistyped
command paid. Help texts are therefore kept here, beside the table.

A command whose package is not installed is left out rather than breaking `mlc`: a service
image installs one service (services/*/Dockerfile), and `mlc serve tally-agent` must work
there without the simulators, FastAPI or the other services.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Any

import typer
import typer.core
import typer.main

# typer (0.29) carries its own copy of click; commands and contexts are of that copy's types.
from typer import _click as click

_SERVICES = ("tally_agent", "walmart_gateway", "webhook_receiver", "sync_orchestrator")
_ORCHESTRATOR = ("sync_orchestrator", "fastapi")


@dataclass(frozen=True)
class Entry:
    module: str
    attribute: str
    """A typer.Typer (a group) or a function (one command)."""
    help: str
    needs: tuple[str, ...] = ()
    """Packages the module imports that an image may lack."""


COMMANDS: dict[str, Entry] = {
    "serve": Entry(
        "ml_connector.cli.run", "serve", "Run one service in the foreground (distributed mode)."
    ),
    "run": Entry(
        "ml_connector.cli.run",
        "run",
        "Run all four services in one process (standalone mode).",
        _SERVICES,
    ),
    "tally": Entry(
        "ml_connector.cli.tally",
        "app",
        "Look into TallyPrime directly (MLC_TALLY_* settings).",
        ("tally_agent",),
    ),
    "walmart": Entry(
        "ml_connector.cli.walmart",
        "app",
        "Look into Walmart Marketplace directly (MLC_WALMART_*).",
        ("walmart_gateway",),
    ),
    "mapping": Entry(
        "ml_connector.cli.mapping",
        "app",
        "Show, edit, import, export, check the mapping.",
        _ORCHESTRATOR,
    ),
    "audit": Entry(
        "ml_connector.cli.audit", "app", "Search and export the audit trail.", _ORCHESTRATOR
    ),
    "flows": Entry(
        "ml_connector.cli.flows", "app", "Flow status; pause and resume flows.", _ORCHESTRATOR
    ),
    "dlq": Entry(
        "ml_connector.cli.dlq", "app", "Dead letters: list, show, replay, purge.", _ORCHESTRATOR
    ),
    "tenant": Entry(
        "ml_connector.cli.tenant",
        "app",
        "The tenants (sellers) this connector serves.",
        _ORCHESTRATOR,
    ),
    "sync": Entry(
        "ml_connector.cli.sync",
        "sync",
        "Run a flow now (--since to backfill, --dry-run to preview).",
        (*_SERVICES, "fastapi"),
    ),
    "doctor": Entry(
        "ml_connector.cli.doctor",
        "doctor",
        "Check settings, broker, database, Tally, Walmart and mapping.",
        _SERVICES,
    ),
    "demo": Entry(
        "ml_connector.cli.demo",
        "demo",
        "Rehearse the whole connector against the bundled simulators.",
        (*_SERVICES, "tally_sim", "walmart_sim"),
    ),
    "sandbox": Entry(
        "ml_connector.cli",
        "sandbox",
        "Run a simulator of TallyPrime or Walmart Marketplace.",
        ("tally_sim", "walmart_sim"),
    ),
}


def sandbox() -> typer.Typer:
    """The `mlc sandbox` group, assembled from the two simulators' commands."""
    from ml_connector.cli.sandbox_tally import tally
    from ml_connector.cli.sandbox_walmart import walmart

    group = typer.Typer(no_args_is_help=True)
    group.command("tally", help="TallyPrime simulator (XML/JSON port + admin API).")(tally)
    group.command("walmart", help="Walmart Marketplace simulator (/v3 + admin API).")(walmart)
    return group


def _installed(entry: Entry) -> bool:
    return all(importlib.util.find_spec(package) is not None for package in entry.needs)


def _click_command(name: str, entry: Entry) -> click.Command:
    target: Any = getattr(importlib.import_module(entry.module), entry.attribute)
    if target is sandbox:
        target = sandbox()
    if isinstance(target, typer.Typer):
        target.info.help = entry.help
        group = target
    else:
        group = typer.Typer(pretty_exceptions_show_locals=False)
        group.command(name, help=entry.help)(target)
    command = typer.main.get_command(group)  # a Typer of one command gives that command
    command.name = name
    return command


class LazyGroup(typer.core.TyperGroup):
    """Lists the commands from ``COMMANDS`` and imports one only when it is invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, entry in COMMANDS.items() if _installed(entry)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or not _installed(entry):
            return None
        return _click_command(cmd_name, entry)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name].help) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="mlc",
    cls=LazyGroup,
    help="ml-connector: keeps a TallyPrime company and a Walmart Marketplace account in step.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


@app.callback()
def _root() -> None:
    """ml-connector: keeps a TallyPrime company and a Walmart Marketplace account in step."""


def main() -> None:
    app()
