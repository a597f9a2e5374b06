"""Collection and Object exports: response shape A (tally-xml.md §1.4, §3.2).

`ENVELOPE > HEADER(VERSION 1, STATUS 1) > BODY > DESC > CMPINFO ; DATA > COLLECTION > rows`.
CMPINFO counters carry the same tag names as rows (§3.2, BRIDGE §12.7); the simulator counts
the rows it returns by type and, for vouchers, the distinct ledgers they reference (a live
voucher capture showed `VOUCHER` 2 and `LEDGER` 11 for two vouchers).

Filters are evaluated server-side (§3.6: `$AlterID > N` works as a collection filter). The
response is produced as a stream of text chunks so a 100,000-item export never exists as one
string (§7.7: no response size cap; clients must stream).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tally_sim.export.context import ExportContext
from tally_sim.export.registry import ObjectType
from tally_sim.export.scope import make_evaluator
from tally_sim.export.spec import (
    ObjectSpec,
    compile_plan,
    format_value,
    parse_fetch,
    render,
)
from tally_sim.model.company import Company, MasterTable
from tally_sim.model.masters import (
    CostCentre,
    Godown,
    Group,
    Ledger,
    StockGroup,
    StockItem,
    VoucherType,
)
from tally_sim.model.values import Quantity, Rate, name_key
from tally_sim.model.vouchers import Voucher
from tally_sim.tdl.evaluate import Evaluator, as_text
from tally_sim.wire.tdl import CollectionDef, TdlMessage
from tally_sim.wire.xmlout import CRLF, escape

CMPINFO_TAGS = (
    "COMPANY", "GROUP", "LEDGER", "COSTCATEGORY", "COSTCENTRE", "GODOWN", "STOCKGROUP",
    "STOCKCATEGORY", "STOCKITEM", "VOUCHERTYPE", "CURRENCY", "UNIT", "BUDGET", "CLIENTRULE",
    "SERVERRULE", "STATE", "TDSRATE", "TAXCLASSIFICATION", "STCATEGORY", "DEDUCTEETYPE",
    "ATTENDANCETYPE", "FBTCATEGORY", "FBTASSESSEETYPE", "TARIFFCLASSIFICATION",
    "EXCISEDUTYCLASSIFICATION", "SERIALNUMBER", "ADJUSTMENTCLASSIFICATION", "INCOMETAXSLAB",
    "INCOMETAXCLASSIFICATION", "LBTCLASSIFICATION", "TAXUNIT", "RETURNMASTER",
    "GSTCLASSIFICATION", "VOUCHERNUMBERSERIES", "VOUCHER",
)  # fmt: skip

_CHUNK = 64 * 1024


def _header(counts: dict[str, int]) -> str:
    counters = "".join(f"    <{t}>{counts.get(t, 0)}</{t}>{CRLF}" for t in CMPINFO_TAGS)
    return (
        f"<ENVELOPE>{CRLF} <HEADER>{CRLF}  <VERSION>1</VERSION>{CRLF}  <STATUS>1</STATUS>{CRLF}"
        f" </HEADER>{CRLF} <BODY>{CRLF}  <DESC>{CRLF}   <CMPINFO>{CRLF}{counters}   </CMPINFO>{CRLF}"
        f"  </DESC>{CRLF}  <DATA>{CRLF}   <COLLECTION>{CRLF}"
    )


_FOOTER = f"   </COLLECTION>{CRLF}  </DATA>{CRLF} </BODY>{CRLF}</ENVELOPE>{CRLF}"


def _counts(object_type: ObjectType, rows: Sequence[Any]) -> dict[str, int]:
    counts = {object_type.name: len(rows)} if rows else {}
    if object_type.name == "VOUCHER" and rows:
        ledgers = {
            name_key(entry.ledger_name)
            for voucher in rows
            if isinstance(voucher, Voucher)
            for entry in voucher.ledger_entries
        }
        counts["LEDGER"] = len(ledgers)
        counts["CURRENCY"] = 1
    return counts


def _computed_kind(value: object) -> tuple[str, str]:
    if isinstance(value, bool):
        return "Logical", format_value("Logical", value)
    if isinstance(value, date):
        return "Date", format_value("Date", value)
    if isinstance(value, Quantity):
        return "Quantity", format_value("Quantity", value)
    if isinstance(value, Rate):
        return "Rate", format_value("Rate", value)
    if isinstance(value, Decimal | int):
        return "Number", format_value("Number", Decimal(value))
    return "String", escape(as_text(value))


@dataclass
class _Aggregate:
    """A row of a `BY` / `AGGRCOMPUTE` collection (LOADER's per-date voucher counts, §3.5)."""

    values: list[tuple[str, object]]


def _parent_of(row: Any) -> str | None:
    if isinstance(row, Voucher):
        return row.voucher_type
    parent = getattr(row, "parent", None)
    return parent if isinstance(parent, str) and parent else None


def _parent_table(company: Company, row: Any) -> MasterTable[Any] | None:
    """Where the parent of `row` lives: groups for groups and ledgers, stock groups for stock
    groups and items, and so on."""
    tables: dict[type, MasterTable[Any]] = {
        Group: company.groups,
        Ledger: company.groups,
        StockGroup: company.stock_groups,
        StockItem: company.stock_groups,
        CostCentre: company.cost_centres,
        Godown: company.godowns,
        Voucher: company.voucher_types,
        VoucherType: company.voucher_types,
    }
    return tables.get(type(row))


def _child_of(ctx: ExportContext, rows: list[Any], target: str, deep: bool) -> list[Any]:
    """CHILDOF: rows whose parent is `target`; with BELONGSTO Yes, anywhere beneath it."""
    wanted = name_key(target)
    kept = []
    for row in rows:
        current: Any = row
        seen: set[str] = set()
        while current is not None:
            parent = _parent_of(current)
            if parent is None or name_key(parent) in seen:
                break
            if name_key(parent) == wanted:
                kept.append(row)
                break
            if not deep or ctx.company is None:
                break
            seen.add(name_key(parent))
            table = _parent_table(ctx.company, current)
            current = table.get(parent) if table is not None else None
    return kept


def select_rows(
    ctx: ExportContext,
    object_type: ObjectType,
    definition: CollectionDef | None,
    tdl: TdlMessage,
    evaluator: Evaluator,
) -> list[Any]:
    rows = object_type.rows(ctx)
    if definition is None:
        return rows
    if definition.child_of:
        target = definition.child_of.strip()
        if target[:1] in "$#@":
            target = as_text(evaluator.evaluate(target, None))
        rows = _child_of(ctx, rows, target.strip('"'), definition.belongs_to)
    for name in definition.filters:
        formula = tdl.formula(name)
        if formula is None:
            return []  # an undefined filter selects nothing (simulator choice)
        rows = [row for row in rows if evaluator.truthy(formula, row)]
    return rows


def _aggregate(
    definition: CollectionDef, rows: list[Any], evaluator: Evaluator
) -> list[_Aggregate]:
    groups: dict[tuple[str, ...], tuple[list[tuple[str, object]], list[Any]]] = {}
    for row in rows:
        keys = [(name, evaluator.evaluate(expr, row)) for name, expr in definition.by]
        marker = tuple(as_text(v) for _, v in keys)
        groups.setdefault(marker, (keys, []))[1].append(row)
    result = []
    for keys, members in groups.values():
        values: list[tuple[str, object]] = list(keys)
        for label, op, expr in definition.aggregates:
            numbers = [evaluator.evaluate(expr, m) for m in members]
            decimals = [n for n in numbers if isinstance(n, Decimal)]
            if op == "COUNT":
                values.append((label, Decimal(len(members))))
            elif op in ("MAX", "MIN") and decimals:
                values.append((label, max(decimals) if op == "MAX" else min(decimals)))
            else:
                values.append((label, sum(decimals, Decimal(0))))
        result.append(_Aggregate(values))
    return result


def collection_stream(
    ctx: ExportContext,
    object_type: ObjectType,
    definition: CollectionDef | None,
    tdl: TdlMessage,
    fetch: Sequence[str] = (),
) -> Iterator[str]:
    evaluator = make_evaluator(ctx, tdl)
    rows = select_rows(ctx, object_type, definition, tdl, evaluator)
    if definition is not None and definition.by:
        yield from _aggregate_stream(object_type, _aggregate(definition, rows, evaluator))
        return
    selection = parse_fetch([*(definition.fetch if definition else []), *fetch])
    plan = compile_plan(object_type.spec, selection)
    computes = definition.computes if definition else []
    yield _header(_counts(object_type, rows))
    buffer: list[str] = []
    size = 0
    for row in rows:
        computed = []
        for name, expr in computes:
            kind, text = _computed_kind(evaluator.evaluate(expr, row))
            computed.append(("".join(name.split()).upper(), kind, text))
        text = render(plan, row, ctx, 4, computed=computed)
        buffer.append(text)
        size += len(text)
        if size >= _CHUNK:
            yield "".join(buffer)
            buffer, size = [], 0
    buffer.append(_FOOTER)
    yield "".join(buffer)


def _aggregate_stream(object_type: ObjectType, rows: list[_Aggregate]) -> Iterator[str]:
    yield _header({object_type.name: len(rows)} if rows else {})
    element = object_type.spec.element
    parts = []
    for row in rows:
        lines = [f"    <{element}>{CRLF}"]
        for name, value in row.values:
            kind, text = _computed_kind(value)
            tag = "".join(name.split()).upper()
            lines.append(f'     <{tag} TYPE="{kind}">{text}</{tag}>{CRLF}')
        lines.append(f"    </{element}>{CRLF}")
        parts.append("".join(lines))
    yield "".join(parts) + _FOOTER


def object_stream(
    ctx: ExportContext, spec: ObjectSpec, found: Any | None, fetch: Sequence[str]
) -> Iterator[str]:
    """TYPE=Object: one object in shape A (§2.2); nothing found gives an empty COLLECTION
    (the sheet is silent on that case)."""
    counts = {spec.element: 1} if found is not None else {}
    yield _header(counts)
    if found is not None:
        plan = compile_plan(spec, parse_fetch(fetch or ["*"]))
        yield render(plan, found, ctx, 4)
    yield _FOOTER
