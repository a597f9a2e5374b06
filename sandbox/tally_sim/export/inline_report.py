"""Inline TDL reports: response shape C (tally-xml.md §1.4 C, §2.2).

`REPORT(FORMS) > FORM(PARTS) > PART(LINES, REPEAT "Line : Collection", SCROLLED Vertical) >
LINE(FIELDS, XMLTAG) > FIELD(SET, XMLTAG)`. The output is a bare ENVELOPE whose child tags are
the LINE/FIELD XMLTAGs, or the names upper-cased with spaces stripped (BRIDGE §2.2). A part
without `SCROLLED: Vertical` prints nothing, and a repeated part prints only its repeated
line (TDK changelog: "Scroll : Vertical decides whether anything prints"; "a fixed line in the
same part as repeated bill lines is dropped"), so a report without display geometry answers
an empty `<ENVELOPE></ENVELOPE>`.

`SVEXPORTFORMAT = ASCII (Comma Delimited)` prints each line as `"v1","v2",` + CRLF, the form
LOADER parses (§2.2). `USE ChangeCurrentCompany` / `USE Change Period` with `SET` switch the
active company / period the way LOADER does (§1.7).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tally_sim.export.collections import select_rows
from tally_sim.export.context import ExportContext
from tally_sim.export.registry import builtin_collection, resolve_type
from tally_sim.export.scope import make_evaluator
from tally_sim.model.values import parse_any_date
from tally_sim.tdl.evaluate import Evaluator, as_text
from tally_sim.wire.tdl import LineDef, PartDef, ReportDef, TdlMessage
from tally_sim.wire.xmlout import CRLF, escape


def is_ascii_format(export_format: str | None) -> bool:
    return export_format is not None and "ascii" in export_format.casefold()


def _tag(name: str, xml_tag: str | None) -> str:
    return (xml_tag or "".join(name.split())).strip().strip('"').upper()


class _Writer:
    def __init__(self, ctx: ExportContext, tdl: TdlMessage, evaluator: Evaluator, ascii_: bool):
        self.ctx = ctx
        self.tdl = tdl
        self.evaluator = evaluator
        self.ascii = ascii_
        self.out: list[str] = []

    def part(self, part: PartDef, depth: int) -> None:
        for sub in part.parts:
            found = self.tdl.parts.get(sub.casefold())
            if found is not None and depth < 8:
                self.part(found, depth + 1)
        if not part.scrolled:
            return
        if part.repeat is None:
            for line_name in part.lines:
                self.line(line_name, None)
            return
        line_name, collection_name = part.repeat
        for row in self.rows(collection_name):
            self.line(line_name, row)

    def rows(self, collection_name: str) -> list[Any]:
        definition = self.tdl.collection(collection_name)
        object_type = (
            resolve_type(definition.type) if definition else builtin_collection(collection_name)
        )
        if object_type is None:
            return []
        return select_rows(self.ctx, object_type, definition, self.tdl, self.evaluator)

    def line(self, line_name: str, row: Any) -> None:
        line = self.tdl.lines.get(line_name.casefold())
        if line is None:
            return
        values = [(self._field_tag(f), self._field_value(f, row)) for f in line.fields]
        if self.ascii:
            self.out.append("".join(f'"{v}",' for _, v in values) + CRLF)
            return
        self.out.append(self._xml_line(line, values))

    def _xml_line(self, line: LineDef, values: list[tuple[str, str]]) -> str:
        fields = "".join(f"<{t}>{escape(v)}</{t}>" for t, v in values)
        if line.xml_tag:
            tag = _tag(line.name, line.xml_tag)
            return f" <{tag}>{fields}</{tag}>{CRLF}"
        return f" {fields}{CRLF}" if fields else ""

    def _field_tag(self, field_name: str) -> str:
        definition = self.tdl.fields.get(field_name.casefold())
        return _tag(field_name, definition.xml_tag if definition else None)

    def _field_value(self, field_name: str, row: Any) -> str:
        definition = self.tdl.fields.get(field_name.casefold())
        if definition is None or not definition.set_expr:
            return ""
        try:
            return as_text(self.evaluator.evaluate(definition.set_expr, row), display=True)
        except ValueError:
            return ""


def _apply_report_actions(ctx: ExportContext, report: ReportDef) -> None:
    uses = {"".join(u.split()).casefold() for u in report.uses}
    values = {k.replace(" ", "").casefold(): v.strip().strip('"') for k, v in report.sets}
    if "changecurrentcompany" in uses and "svcurrentcompany" in values:
        found = ctx.state.find(values["svcurrentcompany"])
        if found is not None and found.loaded:
            ctx.state.set_active(found)
    if "changeperiod" in uses and ctx.company is not None:
        start = parse_any_date(values.get("svfromdate"))
        end = parse_any_date(values.get("svtodate"))
        if start:
            ctx.company.period_from = start
        if end:
            ctx.company.period_to = end


def inline_report_stream(ctx: ExportContext, report: ReportDef, tdl: TdlMessage) -> Iterator[str]:
    _apply_report_actions(ctx, report)
    ascii_ = is_ascii_format(ctx.static.get("SVEXPORTFORMAT"))
    writer = _Writer(ctx, tdl, make_evaluator(ctx, tdl), ascii_)
    for form_name in report.forms:
        form = tdl.forms.get(form_name.casefold())
        if form is None:
            continue
        for part_name in form.parts:
            part = tdl.parts.get(part_name.casefold())
            if part is not None:
                writer.part(part, 0)
    if ascii_:
        yield "".join(writer.out)
        return
    yield f"<ENVELOPE>{CRLF}{''.join(writer.out)}</ENVELOPE>{CRLF}"
