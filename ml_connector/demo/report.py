"""How `mlc demo` shows its result: a rich table, or one JSON object."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from ml_connector.demo.scenario import DemoResult


def as_json(result: DemoResult) -> str:
    """Counts (and `settlement_difference`, a decimal string); whether they reconcile is the
    exit status."""
    return json.dumps(result.counts, sort_keys=True)


def print_table(result: DemoResult, console: Console) -> None:
    table = Table(title="Reconciliation: Tally books vs Walmart", show_lines=False)
    table.add_column("check")
    table.add_column("expected", justify="right")
    table.add_column("found", justify="right")
    table.add_column("", justify="center")
    for check in result.checks:
        table.add_row(
            check.label,
            check.expected,
            check.actual,
            "[green]OK[/green]" if check.ok else "[red]MISMATCH[/red]",
        )
    console.print(table)
    counts = ", ".join(f"{k}={v}" for k, v in result.counts.items())
    console.print(f"[dim]{counts}; {result.seconds} s[/dim]")
    console.print(
        "[green]The books reconcile.[/green]"
        if result.ok
        else "[red]The books do NOT reconcile.[/red]"
    )
