"""Fixed response shapes of tally-xml.md §1.4: D and D' (import results), E (unknown
request), F (company cannot be selected), G (function result), H (liveness), I (STATUS 0).
Collections (A) and reports (B, C) are rendered by the export package."""

from __future__ import annotations

from datetime import date

from tally_sim.importer.result import ImportResult
from tally_sim.model.values import tally_display_date
from tally_sim.wire.xmlout import CRLF, escape

LIVENESS_TEXT = "TallyPrime Server is Running"
UNKNOWN_TEXT = "Unknown Request, cannot be processed"


def _response(text: str) -> str:
    return f"<RESPONSE>{escape(text)}</RESPONSE>{CRLF}"


def liveness() -> str:
    """Shape H. With its CRLF it is 51 characters: 51 bytes in UTF-8, 102 in UTF-16 (§1.2)."""
    return _response(LIVENESS_TEXT)


def unknown_request() -> str:
    """Shape E: no counters, no STATUS (§5.2: the request never executed)."""
    return _response(UNKNOWN_TEXT)


def company_error_text(requested: str | None) -> str:
    if requested:
        return f"Could not set 'SVCurrentCompany' to '{requested}'"
    return "Could not set 'SVCurrentCompany'"


def company_error_report(requested: str | None) -> str:
    """Shape F for reads: a bare ENVELOPE holding the LINEERROR."""
    text = escape(company_error_text(requested))
    return f"<ENVELOPE>{CRLF} <LINEERROR>{text}</LINEERROR>{CRLF}</ENVELOPE>{CRLF}"


def import_response(result: ImportResult, shape: str, lineerror_first: bool) -> str:
    """Shape D (`<RESPONSE>` with counters) or D' (`ENVELOPE/IMPORTRESULT`)."""
    depth = 1 if shape == "response" else 4
    pad = " " * depth
    counters = "".join(f"{pad}<{n.upper()}>{v}</{n.upper()}>{CRLF}" for n, v in result.counters())
    line_error = ""
    if result.line_error is not None:
        line_depth = depth if shape == "response" else 3
        line_error = f"{' ' * line_depth}<LINEERROR>{escape(result.line_error)}</LINEERROR>{CRLF}"
    if shape == "response":
        body = line_error + counters if lineerror_first else counters + line_error
        return f"<RESPONSE>{CRLF}{body}</RESPONSE>{CRLF}"
    block = f"   <IMPORTRESULT>{CRLF}{counters}   </IMPORTRESULT>{CRLF}"
    data = line_error + block if lineerror_first else block + line_error
    return (
        f"<ENVELOPE>{CRLF} <HEADER>{CRLF}  <VERSION>1</VERSION>{CRLF}  <STATUS>1</STATUS>{CRLF}"
        f" </HEADER>{CRLF} <BODY>{CRLF}  <DATA>{CRLF}{data}  </DATA>{CRLF} </BODY>{CRLF}"
        f"</ENVELOPE>{CRLF}"
    )


def status_zero(line_error: str | None = None) -> str:
    """Shape I: STATUS 0, with a LINEERROR when there is something to say."""
    inner = f"   <LINEERROR>{escape(line_error)}</LINEERROR>{CRLF}" if line_error else ""
    return (
        f"<ENVELOPE>{CRLF} <HEADER>{CRLF}  <VERSION>1</VERSION>{CRLF}  <STATUS>0</STATUS>{CRLF}"
        f" </HEADER>{CRLF} <BODY>{CRLF}  <DATA>{CRLF}{inner}  </DATA>{CRLF} </BODY>{CRLF}"
        f"</ENVELOPE>{CRLF}"
    )


def function_result(value: object, jd_epoch: str) -> str:
    """Shape G: the value in BODY > DATA > RESULT; dates as `<RESULT TYPE="Date" JD="n">`."""
    if isinstance(value, date):
        epoch = date(1899, 12, 30) if jd_epoch == "ole" else date(1899, 12, 31)
        jd = (value - epoch).days
        result = f'<RESULT TYPE="Date" JD="{jd}">{tally_display_date(value)}</RESULT>'
    else:
        result = f'<RESULT TYPE="String">{escape("" if value is None else str(value))}</RESULT>'
    return (
        f"<ENVELOPE>{CRLF} <HEADER>{CRLF}  <VERSION>1</VERSION>{CRLF}  <STATUS>1</STATUS>{CRLF}"
        f" </HEADER>{CRLF} <BODY>{CRLF}  <DESC>{CRLF}  </DESC>{CRLF}  <DATA>{CRLF}   {result}{CRLF}"
        f"  </DATA>{CRLF} </BODY>{CRLF}</ENVELOPE>{CRLF}"
    )
