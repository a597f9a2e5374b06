"""``mlc tally``: look straight into TallyPrime with the agent's settings.

Every failure ends with one plain sentence saying what to do (enable the port, open the
company, ...) and a non-zero exit status; ``--json`` writes a JSON array (numbers as decimal
strings) streamed item by item, so a 100,000-item export is never held whole.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

import typer
from mlc_shared.config import ConfigError, load_settings
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table
from tally_agent.errors import CompanyNotOpen, TallyBusy, TallyError, TallyPortClosed
from tally_agent.factory import client_for, reader_for
from tally_agent.incremental import export_vouchers
from tally_agent.kinds import LEDGERS, STOCK_ITEMS
from tally_agent.reads import TallyReader
from tally_agent.settings import TallyAgentSettings

app = typer.Typer(
    help="Look into TallyPrime directly (uses the MLC_TALLY_* settings).", no_args_is_help=True
)
err = Console(stderr=True)
T = TypeVar("T")

EXIT_CONFIG, EXIT_PORT, EXIT_COMPANY, EXIT_BUSY, EXIT_OTHER = 2, 3, 4, 5, 1

UrlOption = Annotated[str | None, typer.Option("--url", help="overrides MLC_TALLY_URL")]
CompanyOption = Annotated[str | None, typer.Option("--company", help="overrides MLC_TALLY_COMPANY")]
JsonOption = Annotated[bool, typer.Option("--json", help="a JSON array instead of a table")]


def _settings(url: str | None, company: str | None) -> TallyAgentSettings:
    overrides: dict[str, Any] = {}
    if url:
        overrides["tally_url"] = url
    if company:
        overrides["tally_company"] = company
    try:
        return load_settings(TallyAgentSettings, **overrides)
    except ConfigError as exc:
        err.print(f"{exc}")
        raise typer.Exit(EXIT_CONFIG) from None


def _exit_code(error: TallyError) -> int:
    if isinstance(error, TallyPortClosed):
        return EXIT_PORT
    if isinstance(error, CompanyNotOpen):
        return EXIT_COMPANY
    if isinstance(error, TallyBusy):
        return EXIT_BUSY
    return EXIT_OTHER


def _run(settings: TallyAgentSettings, work: Callable[[TallyReader], Awaitable[T]]) -> T:
    async def main() -> T:
        async with client_for(settings) as client:
            return await work(reader_for(settings, client))

    try:
        return asyncio.run(main())
    except TallyError as exc:
        err.print(f"{exc.hint} ({exc.message})", soft_wrap=True, highlight=False, markup=False)
        raise typer.Exit(_exit_code(exc)) from None


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


async def _write_json(items: AsyncIterator[BaseModel]) -> int:
    """A JSON array written as items arrive; returns the count."""
    out = sys.stdout
    out.write("[")
    count = 0
    async for item in items:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(_plain(item), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    out.flush()
    return count


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    Console().print(table)


@app.command()
def ping(url: UrlOption = None, company: CompanyOption = None) -> None:
    """Exit 0 when TallyPrime answers and the company is open."""
    settings = _settings(url, company)

    async def check(reader: TallyReader) -> str:
        await reader.client.liveness()
        found = await reader.open_company()
        return found.name

    name = _run(settings, check)
    Console().print(
        f"TallyPrime answers at {settings.tally_base_url} and company {name!r} is open.",
        highlight=False,
        markup=False,
    )


@app.command()
def companies(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """The companies loaded in TallyPrime."""
    found = _run(_settings(url, None), lambda reader: reader.companies())
    if as_json:
        print(json.dumps([_plain(c) for c in found], ensure_ascii=False, indent=1))
        return
    _table(
        "Companies",
        ["Name", "GUID", "Books from", "ALTMSTID", "ALTVCHID"],
        [(c.name, c.guid, c.books_from, c.alt_mst_id, c.alt_vch_id) for c in found],
    )


@app.command("stock-items")
def stock_items(
    since_alter_id: Annotated[
        int, typer.Option("--since-alter-id", min=0, help="only items altered after this ALTERID")
    ] = 0,
    url: UrlOption = None,
    company: CompanyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stock items with closing quantity, rate, value, standard price, HSN and godowns."""
    settings = _settings(url, company)

    async def items(reader: TallyReader) -> AsyncIterator[BaseModel]:
        # A direct look-up: ALTERID above N, as asked (no incremental bookkeeping).
        company = await reader.open_company()
        async with reader.for_company(company).masters(
            STOCK_ITEMS, company, since_alter_id=since_alter_id
        ) as rows:
            async for item in rows:
                yield item

    if as_json:
        _run(settings, lambda reader: _write_json(items(reader)))
        return

    async def collect(reader: TallyReader) -> list[Any]:
        return [item async for item in items(reader)]

    rows = _run(settings, collect)
    _table(
        "Stock items",
        [
            "Name",
            "Parent",
            "Closing qty",
            "Unit",
            "Rate",
            "Value",
            "Std price",
            "HSN",
            "Godowns",
            "ALTERID",
        ],
        [
            (
                i.name,
                i.parent,
                i.closing_qty,
                i.base_unit,
                i.closing_rate,
                i.closing_value,
                i.standard_price,
                i.hsn_code,
                ", ".join(f"{g.godown}: {g.qty}" for g in i.godowns),
                i.alter_id,
            )
            for i in rows
        ],
    )


@app.command()
def ledgers(
    url: UrlOption = None, company: CompanyOption = None, as_json: JsonOption = False
) -> None:
    """Ledgers with their group and closing balance (negative = debit)."""
    settings = _settings(url, company)

    async def rows(reader: TallyReader) -> AsyncIterator[BaseModel]:
        company = await reader.open_company()
        async with reader.for_company(company).masters(LEDGERS, company) as found:
            async for ledger in found:
                yield ledger

    if as_json:
        _run(settings, lambda reader: _write_json(rows(reader)))
        return

    async def collect(reader: TallyReader) -> list[Any]:
        return [ledger async for ledger in rows(reader)]

    found = _run(settings, collect)
    _table(
        "Ledgers",
        ["Name", "Group", "Closing balance", "GSTIN"],
        [(x.name, x.parent, x.closing_balance, x.gstin) for x in found],
    )


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        err.print(f"{option} must be a date like 2025-04-01, not {text!r}.")
        raise typer.Exit(EXIT_CONFIG) from None


@app.command()
def vouchers(
    from_date: Annotated[str, typer.Option("--from", help="YYYY-MM-DD")],
    to_date: Annotated[str, typer.Option("--to", help="YYYY-MM-DD")],
    voucher_type: Annotated[str | None, typer.Option("--type", help="e.g. Sales")] = None,
    url: UrlOption = None,
    company: CompanyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Vouchers dated between --from and --to (inclusive), in windows Tally survives."""
    settings = _settings(url, company)
    start, end = _day(from_date, "--from"), _day(to_date, "--to")
    if end < start:
        err.print("--to must not be before --from.")
        raise typer.Exit(EXIT_CONFIG)

    async def rows(reader: TallyReader) -> AsyncIterator[BaseModel]:
        async for _company, _start, _end, window in export_vouchers(
            reader,
            start,
            end,
            voucher_type=voucher_type,
            window=settings.tally_export_window,
            count_method=settings.tally_voucher_count,
        ):
            for voucher in window:
                yield voucher

    if as_json:
        _run(settings, lambda reader: _write_json(rows(reader)))
        return

    async def collect(reader: TallyReader) -> list[Any]:
        return [voucher async for voucher in rows(reader)]

    found = _run(settings, collect)
    _table(
        "Vouchers",
        ["Date", "Type", "Number", "Party", "Amount", "Cancelled"],
        [
            (
                v.date,
                v.voucher_type,
                v.number,
                v.party_ledger,
                v.amount,
                "yes" if v.is_cancelled else "",
            )
            for v in found
        ],
    )
