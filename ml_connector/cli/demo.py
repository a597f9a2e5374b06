"""`mlc demo`: rehearse the whole connector against the bundled simulators."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from mlc_shared.logging import configure_logging
from rich.console import Console

from ml_connector.demo.report import as_json, print_table
from ml_connector.demo.scenario import DemoFailed, run_demo


def demo(
    orders: Annotated[
        int, typer.Option(min=1, max=2000, help="how many Walmart orders to take")
    ] = 12,
    as_json_flag: Annotated[
        bool, typer.Option("--json", help="print one JSON object of counts")
    ] = False,
    workdir: Annotated[
        Path | None, typer.Option(help="keep the SQLite state here (default: a temp dir)")
    ] = None,
) -> None:
    console = Console(stderr=as_json_flag)
    configure_logging("WARNING", "console")
    with tempfile.TemporaryDirectory(prefix="mlc-demo-") as tmp:
        folder = workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            result = asyncio.run(
                run_demo(orders, folder, lambda line: console.print(f"[cyan]>[/cyan] {line}"))
            )
        except DemoFailed as exc:
            console.print(f"[red]demo failed:[/red] {exc}")
            raise typer.Exit(1) from None
    if as_json_flag:
        typer.echo(as_json(result))
    else:
        print_table(result, console)
    raise typer.Exit(0 if result.ok else 1)
