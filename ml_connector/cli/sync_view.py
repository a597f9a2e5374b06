"""What `mlc sync` shows: a progress bar fed from the run's audit rows, the summary after
it, and a dry run's requests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from mlc_shared.store.records import AuditRow
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from sync_orchestrator.dry_run import DryRunReport, sections

from ml_connector.cli.context import print_table

IN_PROGRESS = {"queued", "seen", "changed"}
"""Statuses a record passes through; any other is where it ended up (posted, rejected...)."""
FAILED = {"rejected", "failed", "unbalanced"}


class RunProgress:
    """One bar: records the run queued, and how many of them reached an outcome."""

    def __init__(self, flow: str, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn(f"[bold]{flow}[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=False,
        )
        self.task = self.progress.add_task("starting", total=None)

    def update(self, rows: Iterable[AuditRow]) -> None:
        queued: set[tuple[str, str]] = set()
        done: set[tuple[str, str]] = set()
        counts: Counter[str] = Counter()
        for row in rows:
            key = (row.record_kind, row.source_id)
            counts[row.status] += 1
            if row.status in IN_PROGRESS:
                queued.add(key)
            else:
                done.add(key)
        total = len(queued | done)
        words = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self.progress.update(
            self.task, total=total or None, completed=len(done), description=words or "waiting"
        )

    def __enter__(self) -> RunProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def summary(rows: list[AuditRow], flow: str, correlation_id: str) -> bool:
    """Prints the outcome per record kind; True when nothing was rejected or failed."""
    latest: dict[tuple[str, str], AuditRow] = {}
    for row in sorted(rows, key=lambda r: r.id):
        latest[(row.record_kind, row.source_id)] = row
    counts: Counter[tuple[str, str]] = Counter(
        (row.record_kind, row.status) for row in latest.values()
    )
    print_table(
        f"{flow} run {correlation_id}",
        ("record", "status", "count"),
        [(kind, status, n) for (kind, status), n in sorted(counts.items())],
    )
    failures = [r for r in latest.values() if r.status in FAILED]
    for row in failures[:20]:
        reason = (row.detail or {}).get("reason") or (row.detail or {}).get("error") or ""
        Console().print(f"[red]{row.record_kind} {row.source_id}: {row.status}[/red] {reason}")
    return not failures


def print_dry_run(report: DryRunReport, skipped: list[str], console: Console) -> None:
    if not report.started:
        console.print(f"flow {report.flow!r} is paused: a run would not start.")
        return
    console.print(
        f"[bold]Dry run of {report.flow!r} for tenant {report.tenant!r}[/bold]: nothing was "
        "sent and nothing was written."
    )
    if report.reads:
        reads = Counter(report.reads)
        console.print("read: " + ", ".join(f"{t} x{n}" for t, n in reads.items()))
    for system, rendered in sections(report):
        console.rule(f"{system}: {len(rendered)} request(s) that would be sent")
        for request in rendered:
            console.print(f"[bold]{request.title}[/bold]")
            if request.body:
                # Exactly the bytes that would be sent: no re-indenting, no wrapping.
                console.print(request.body, markup=False, highlight=False, soft_wrap=True)
    if not report.rendered:
        console.print("nothing would be sent to Tally or Walmart.")
    for line in skipped:
        console.print(f"[yellow]not sent:[/yellow] {line}")
    for reason in report.parked:
        console.print(f"[red]would be parked:[/red] {reason}")
    for flow, cursor in report.cursors.items():
        console.print(f"cursor of {flow!r} would become {cursor}")
