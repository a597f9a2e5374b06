"""The Tally port's brain: one decoded HTTP request in, one reply out (tally-xml.md §1-§8).

Routing: `GET` is the liveness text (H); a JSON `Content-Type` selects JSON mode (§8);
otherwise the body is decoded by its declared charset (§1.2), parsed safely, classified
(§2) and answered by the export or import engine. Company selection follows §1.7 and the
shapes of §1.4.
"""

from __future__ import annotations

from typing import Any

from tally_sim.importer.engine import run_import
from tally_sim.importer.result import ImportResult
from tally_sim.model.state import CompanyChoice, Selection, SimState
from tally_sim.server.exports import ExportRouter
from tally_sim.server.replies import Reply, json_error, json_reply, one, unknown
from tally_sim.wire import responses
from tally_sim.wire.charset import declared_charset, decode_request, is_utf16_charset
from tally_sim.wire.jsonmode import classify_json
from tally_sim.wire.requests import (
    ImportRequest,
    RefusedRequest,
    StaticVars,
    TallyRequest,
    UnknownRequest,
    classify,
)
from tally_sim.wire.xmlin import MalformedRequest, parse_xml


class Dispatcher:
    def __init__(self, state: SimState) -> None:
        self.state = state
        self.exports = ExportRouter(state)

    # -- entry --------------------------------------------------------------------------
    def handle(self, method: str, headers: dict[str, str], body: bytes) -> Reply:
        content_type = headers.get("content-type")
        utf16 = is_utf16_charset(declared_charset(content_type))
        if method == "GET":
            # §1.3: GET mirrors the request's Content-Type charset even without a body.
            return Reply(one(responses.liveness()), utf16, summary={"kind": "liveness"})
        decoded = decode_request(body, content_type)
        if decoded.text is None:
            return unknown(False, "UTF-16 body without a utf-16 charset")
        json_mode = (content_type or "").split(";")[0].strip().casefold() == "application/json"
        if json_mode:
            request = classify_json(headers, decoded.text)
        else:
            try:
                request = classify(parse_xml(decoded.text))
            except MalformedRequest as error:
                return unknown(decoded.utf16, f"malformed XML: {error}")
        return self._route(request, decoded.utf16, json_mode)

    def _route(self, request: TallyRequest, utf16: bool, json_mode: bool) -> Reply:
        if isinstance(request, UnknownRequest):
            if json_mode:
                return json_error(utf16, responses.UNKNOWN_TEXT, {"kind": "unknown"})
            return unknown(utf16, request.reason)
        if isinstance(request, RefusedRequest):
            return Reply(
                one(responses.status_zero()),
                utf16,
                summary={"kind": "refused", "reason": request.reason},
            )
        if isinstance(request, ImportRequest):
            return self._import(request, utf16, json_mode)
        return self.exports.route(request, self._choose(request.static), utf16, json_mode)

    # -- company selection (§1.7) ---------------------------------------------------------
    def _choose(self, static: StaticVars) -> CompanyChoice:
        username = static.get("SVUSERNAME") or static.get("SVUSER")
        requested = static.company
        if requested and requested.strip().casefold() in (
            "##svcurrentcompany",
            "$$currentcompany",
            "$$currentsimplecompany",
        ):
            requested = None
        return self.state.choose(requested, username, static.get("SVPASSWORD"))

    # -- imports ------------------------------------------------------------------------
    def _import(self, request: ImportRequest, utf16: bool, json_mode: bool) -> Reply:
        choice = self._choose(request.static)
        summary: dict[str, Any] = {
            "kind": "import",
            "id": request.id,
            "objects": len(request.objects),
        }
        if choice.outcome is not Selection.OK or choice.company is None:
            result = ImportResult(line_error=responses.company_error_text(choice.requested_name))
            summary["company_error"] = choice.outcome.value
        else:
            summary["company"] = choice.company.name
            result = run_import(self.state, choice.company, request.objects, request.static)
        summary["result"] = dict(result.counters())
        summary["line_error"] = result.line_error
        if json_mode:
            data: dict[str, Any] = {"import_result": dict(result.counters())}
            if result.line_error is not None:
                data["lineerror"] = result.line_error
            status = "1" if choice.outcome is Selection.OK else "0"
            return json_reply({"status": status, "data": data}, utf16, summary)
        settings = self.state.settings
        text = responses.import_response(
            result, settings.import_response_shape, settings.lineerror_position == "first"
        )
        return Reply(one(text), utf16, summary=summary)
