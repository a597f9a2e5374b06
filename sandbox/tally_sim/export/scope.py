"""Binding TDL expressions to the simulator: `$Method` through the export specs,
`##SVFromDate` / `##SVToDate` / `##SVCurrentCompany` from the request (tally-xml.md §3.5),
`$$SystemPeriodFrom` and friends from the company (§2.2), `@@Formula` from inline TDL."""

from __future__ import annotations

from tally_sim.export.context import ExportContext
from tally_sim.export.registry import SPEC_BY_CLASS, resolve_type
from tally_sim.tdl.evaluate import Evaluator, Scope, Value
from tally_sim.wire.tdl import TdlMessage


def make_evaluator(ctx: ExportContext, tdl: TdlMessage) -> Evaluator:
    def method(obj: object, name: str) -> Value:
        target = obj if obj is not None else ctx.company
        spec = SPEC_BY_CLASS.get(type(target))
        return spec.method(target, name, ctx) if spec is not None else None

    def find_object(type_name: str, name: str) -> object | None:
        found = resolve_type(type_name)
        return found.find(ctx, name) if found is not None else None

    def variable(name: str) -> Value:
        start, end = ctx.period()
        if name == "SVFROMDATE":
            return start
        if name == "SVTODATE":
            return end
        if name == "SVCURRENTCOMPANY":
            return ctx.company.name if ctx.company else ctx.static.company or ""
        return ctx.static.get(name) or ""

    def system(name: str) -> Value:
        company = ctx.company
        if name == "SYSTEMPERIODFROM":
            return company.period_from if company else None
        if name == "SYSTEMPERIODTO":
            return company.period_to if company else None
        if name == "CURRENTDATE":
            return ctx.today()
        return company.name if company else ""

    return Evaluator(Scope(method, find_object, variable, system, tdl.formula))
