"""`mlc audit search|export`: the audit trail by PO, SKU, return, voucher number, status, date.

Dates are the seller's (``MLC_SELLER_TIMEZONE``): ``--since 2025-04-01`` starts at midnight
there, ``--until 2025-04-30`` runs to the end of that day. ``search`` shows the newest first
(``--limit``); ``export`` writes every matching row, oldest first, as CSV or JSON lines.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal, TextIO

import typer
from mlc_shared.store.records import AuditRow
from pydantic import ValidationError
from sync_orchestrator.audit_terms import (
    AuditTerms,
    as_csv_line,
    as_json_line,
    csv_header,
    every_row,
    search,
)

from ml_connector.cli.context import (
    JsonOption,
    fail,
    opened_store,
    parse_moment,
    print_json_list,
    print_table,
    run,
    settings,
    when,
)

app = typer.Typer(help="Search and export the audit trail.", no_args_is_help=True)

Po = Annotated[str | None, typer.Option("--po", help="Walmart purchase order id")]
Sku = Annotated[str | None, typer.Option("--sku", help="Walmart SKU")]
Return = Annotated[str | None, typer.Option("--return", help="Walmart return order id")]
Voucher = Annotated[str | None, typer.Option("--voucher", help="Tally voucher number")]
Status = Annotated[str | None, typer.Option(help="queued, posted, rejected, exists, ...")]
Flow = Annotated[str | None, typer.Option(help="catalog, orders, returns, settlements")]
Kind = Annotated[str | None, typer.Option(help="record kind: order, return, inventory, ...")]
Since = Annotated[str | None, typer.Option(help="from this date (or date and time)")]
Until = Annotated[str | None, typer.Option(help="up to the end of this date")]
Text = Annotated[str | None, typer.Option(help="any text in an id or the detail")]
Tenant = Annotated[str | None, typer.Option(help="one tenant; default: all")]
Run = Annotated[str | None, typer.Option("--run", help="one flow run (its correlation id)")]


def _terms(
    po: str | None,
    sku: str | None,
    return_id: str | None,
    voucher: str | None,
    status: str | None,
    flow: str | None,
    kind: str | None,
    since: str | None,
    until: str | None,
    text: str | None,
    tenant: str | None,
    correlation_id: str | None,
    limit: int,
) -> AuditTerms:
    zone = settings().seller_timezone
    try:
        return AuditTerms(
            po=po,
            sku=sku,
            return_id=return_id,
            voucher=voucher,
            status=status,
            flow=flow,
            kind=kind,
            since=parse_moment(since, zone),
            until=parse_moment(until, zone, end_of_day=True),
            text=text,
            tenant=tenant,
            correlation_id=correlation_id,
            limit=limit,
        )
    except ValidationError as exc:
        fail(exc.errors()[0]["msg"].removeprefix("Value error, "), 2)


@app.command("search")
def search_command(
    po: Po = None,
    sku: Sku = None,
    return_id: Return = None,
    voucher: Voucher = None,
    status: Status = None,
    flow: Flow = None,
    kind: Kind = None,
    since: Since = None,
    until: Until = None,
    text: Text = None,
    tenant: Tenant = None,
    correlation_id: Run = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Audit rows matching every option given, newest first."""
    terms = _terms(
        po, sku, return_id, voucher, status, flow, kind, since, until, text, tenant,
        correlation_id, limit,
    )  # fmt: skip
    config = settings()

    async def read() -> list[AuditRow]:
        async with opened_store(config) as store:
            return await search(store, terms)

    rows = run(read())
    if as_json:
        print_json_list(rows)
        return
    if not rows:
        typer.echo("no audit rows match.")
        return
    print_table(
        f"Audit trail ({len(rows)} newest)",
        ("when", "tenant", "flow", "kind", "source", "target", "status", "detail"),
        [
            (
                when(r.created_at),
                r.tenant,
                r.flow,
                r.record_kind,
                r.source_id,
                r.target_id,
                r.status,
                _detail(r),
            )
            for r in rows
        ],
    )


def _detail(row: AuditRow) -> str:
    if not row.detail:
        return ""
    return ", ".join(f"{k}={v}" for k, v in row.detail.items() if v is not None)[:120]


@app.command()
def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write; default: stdout")
    ] = None,
    fmt: Annotated[
        Literal["csv", "jsonl"], typer.Option("--format", help="csv or jsonl (JSON lines)")
    ] = "csv",
    po: Po = None,
    sku: Sku = None,
    return_id: Return = None,
    voucher: Voucher = None,
    status: Status = None,
    flow: Flow = None,
    kind: Kind = None,
    since: Since = None,
    until: Until = None,
    text: Text = None,
    tenant: Tenant = None,
    correlation_id: Run = None,
) -> None:
    """Every matching audit row, oldest first, with request and response."""
    terms = _terms(
        po, sku, return_id, voucher, status, flow, kind, since, until, text, tenant,
        correlation_id, 1,
    )  # fmt: skip
    config = settings()

    async def write(out: TextIO) -> int:
        count = 0
        if fmt == "csv":
            out.write(csv_header())
        async with opened_store(config) as store:
            async for row in every_row(store, terms):
                out.write(as_csv_line(row) if fmt == "csv" else as_json_line(row))
                count += 1
        return count

    if output is None:
        run(write(sys.stdout))
        return
    with output.open("w", encoding="utf-8", newline="") as handle:
        count = run(write(handle))
    typer.echo(f"{count} audit rows written to {output}", err=True)
