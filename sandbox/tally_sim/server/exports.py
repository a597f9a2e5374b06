"""Export requests on the Tally port: collections and objects (shape A), functions (G),
built-in reports (B) and inline reports (C), in XML or JSON (tally-xml.md §1.4, §2, §8)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tally_sim.export.collections import collection_stream, object_stream
from tally_sim.export.context import ExportContext
from tally_sim.export.inline_report import inline_report_stream, is_ascii_format
from tally_sim.export.json_render import collection_json, object_json_response
from tally_sim.export.registry import ObjectType, builtin_collection, resolve_type
from tally_sim.export.reports import (
    is_builtin_report,
    list_of_accounts,
    report_key,
    stock_summary,
    trial_balance,
    vouchers_report,
)
from tally_sim.model.state import CompanyChoice, Selection, SimState
from tally_sim.model.values import parse_logical
from tally_sim.server.replies import Reply, company_refused, json_error, json_reply, one, unknown
from tally_sim.wire import responses
from tally_sim.wire.requests import ExportRequest

_FUNCTIONS = {
    "SYSTEMPERIODFROM",
    "SYSTEMPERIODTO",
    "CURRENTDATE",
    "CURRENTCOMPANY",
    "CURRENTSIMPLECOMPANY",
}


class ExportRouter:
    def __init__(self, state: SimState) -> None:
        self.state = state

    def route(
        self, request: ExportRequest, choice: CompanyChoice, utf16: bool, json_mode: bool
    ) -> Reply:
        summary: dict[str, Any] = {"kind": f"export {request.kind}", "id": request.id}
        company = choice.company if choice.outcome is Selection.OK else None
        summary["company"] = company.name if company else None
        ctx = ExportContext(self.state, company, request.static)
        if request.kind == "function":
            if json_mode:  # JSON mode carries Data/Collection/Object exports only (§8)
                return json_error(utf16, responses.UNKNOWN_TEXT, summary)
            return self._function(request, ctx, choice, utf16, summary)
        if request.kind == "collection":
            definition = request.tdl.collection(request.id)
            object_type = (
                resolve_type(definition.type) if definition else builtin_collection(request.id)
            )
            return self._rows(request, ctx, choice, object_type, utf16, json_mode, summary)
        if request.kind == "object":
            return self._object(request, ctx, choice, utf16, json_mode, summary)
        if json_mode:
            return json_error(utf16, responses.UNKNOWN_TEXT, summary)
        return self._report(request, ctx, choice, utf16, summary)

    def _read_refused(self, choice: CompanyChoice) -> bool:
        """Collection/Object reads: a named company that is not loaded gives 0 rows with
        STATUS=1 unless `unknown_company_reads=error` (§1.7); refused credentials always
        give the SVCurrentCompany error."""
        if choice.outcome is Selection.CREDENTIALS_REFUSED:
            return True
        return (
            choice.outcome is Selection.NOT_LOADED
            and self.state.settings.unknown_company_reads == "error"
        )

    def _rows(
        self,
        request: ExportRequest,
        ctx: ExportContext,
        choice: CompanyChoice,
        object_type: ObjectType | None,
        utf16: bool,
        json_mode: bool,
        summary: dict[str, Any],
    ) -> Reply:
        if object_type is None:
            if json_mode:
                return json_error(utf16, responses.UNKNOWN_TEXT, summary)
            return unknown(utf16, f"no collection {request.id!r}")
        summary["type"] = object_type.name
        if object_type.name != "COMPANY" and self._read_refused(choice):
            return company_refused(choice, utf16, summary, json_mode)
        definition = request.tdl.collection(request.id)
        if json_mode:
            payload = collection_json(ctx, object_type, definition, request.tdl, request.fetch)
            return json_reply(payload, utf16, summary)
        return Reply(
            collection_stream(ctx, object_type, definition, request.tdl, request.fetch),
            utf16,
            summary=summary,
        )

    def _object(
        self,
        request: ExportRequest,
        ctx: ExportContext,
        choice: CompanyChoice,
        utf16: bool,
        json_mode: bool,
        summary: dict[str, Any],
    ) -> Reply:
        object_type = resolve_type(request.subtype)
        if object_type is None:
            if json_mode:
                return json_error(utf16, responses.UNKNOWN_TEXT, summary)
            return unknown(utf16, f"unknown SUBTYPE {request.subtype!r}")
        if object_type.name != "COMPANY" and self._read_refused(choice):
            return company_refused(choice, utf16, summary, json_mode)
        found = object_type.find(ctx, request.id)
        if json_mode:
            return json_reply(
                object_json_response(ctx, object_type, found, request.fetch), utf16, summary
            )
        return Reply(
            object_stream(ctx, object_type.spec, found, request.fetch), utf16, summary=summary
        )

    def _function(
        self,
        request: ExportRequest,
        ctx: ExportContext,
        choice: CompanyChoice,
        utf16: bool,
        summary: dict[str, Any],
    ) -> Reply:
        name = request.id.strip().lstrip("$").upper()
        if name not in _FUNCTIONS:
            return unknown(utf16, f"unknown function {request.id!r}")
        if choice.outcome is not Selection.OK and name != "CURRENTDATE":
            return company_refused(choice, utf16, summary, False)
        company = ctx.company
        value: object
        if name == "SYSTEMPERIODFROM":
            value = company.period_from if company else None
        elif name == "SYSTEMPERIODTO":
            value = company.period_to if company else None
        elif name == "CURRENTDATE":
            value = ctx.today()
        else:
            value = company.name if company else ""
        return Reply(
            one(responses.function_result(value, self.state.settings.jd_epoch)),
            utf16,
            summary=summary,
        )

    def _report(
        self,
        request: ExportRequest,
        ctx: ExportContext,
        choice: CompanyChoice,
        utf16: bool,
        summary: dict[str, Any],
    ) -> Reply:
        inline = request.tdl.reports.get(request.id.casefold())
        if inline is not None:
            summary["kind"] = "export inline report"
            if choice.outcome is not Selection.OK:
                if is_ascii_format(request.static.get("SVEXPORTFORMAT")):
                    # LOADER reads an empty answer as "company closed" (§1.7).
                    return Reply(one(""), utf16, summary=summary)
                return company_refused(choice, utf16, summary, False)
            return Reply(inline_report_stream(ctx, inline, request.tdl), utf16, summary=summary)
        key = report_key(request.id)
        if key == "listofcompanies":
            return self._rows(
                request, ctx, choice, builtin_collection("Company"), utf16, False, summary
            )
        if not is_builtin_report(request.id):
            return unknown(utf16, f"unknown report {request.id!r}")
        if choice.outcome is not Selection.OK:
            return company_refused(choice, utf16, summary, False)
        body = self._builtin(request, ctx, key)
        if body is None:
            return unknown(utf16, "unknown ACCOUNTTYPE")
        return Reply(body, utf16, summary=summary)

    def _builtin(
        self, request: ExportRequest, ctx: ExportContext, key: str
    ) -> Iterator[str] | None:
        static = request.static

        def option(name: str) -> str | None:
            return static.get(name) or request.extras.get(name)

        if key == "listofaccounts":
            return list_of_accounts(ctx, option("ACCOUNTTYPE") or "")
        if key in ("daybook", "voucherregister"):
            return vouchers_report(ctx, key == "daybook", option("VOUCHERTYPENAME"))
        if key == "stocksummary":
            return stock_summary(ctx, bool(parse_logical(option("EXPLODEFLAG"))))
        return trial_balance(ctx)
