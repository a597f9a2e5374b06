"""The `mlc` command. Each command group lives in its own module and is added here."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="mlc",
    help="ml-connector: keeps a TallyPrime company and a Walmart Marketplace account in step.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def main() -> None:
    app()
