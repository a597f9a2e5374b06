"""Reading Tally's verdicts: import counters and whole-request failures (tally-xml.md §1.4, §5).

Shapes handled: D ``<RESPONSE>`` counters (+ ``LINEERROR``), D' ``ENVELOPE > ... >
IMPORTRESULT`` (UNCERTAIN which versions emit it, so both are read), E ``Unknown Request,
cannot be processed``, F ``Could not set 'SVCurrentCompany' ...``, I ``STATUS`` 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from tally_agent.errors import (
    CompanyNotOpen,
    TallyProtocolError,
    TallyRejectedRequest,
    UnknownRequest,
)
from tally_agent.protocol.values import parse_number

UNKNOWN_REQUEST = "unknown request"
COMPANY_NOT_SET = "could not set 'svcurrentcompany'"
COUNTERS = (
    "CREATED",
    "ALTERED",
    "DELETED",
    "LASTVCHID",
    "LASTMID",
    "COMBINED",
    "IGNORED",
    "ERRORS",
    "CANCELLED",
    "EXCEPTIONS",
)


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    altered: int = 0
    deleted: int = 0
    last_vch_id: int = 0
    last_mid: int = 0
    combined: int = 0
    ignored: int = 0
    errors: int = 0
    cancelled: int = 0
    exceptions: int = 0
    line_errors: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        """Success needs ERRORS=0 *and* EXCEPTIONS=0 *and* no LINEERROR (§5.2, BRIDGE §9.2)."""
        return self.errors == 0 and self.exceptions == 0 and not self.line_errors

    @property
    def last_line_error(self) -> str | None:
        """Tally reports only the last voucher's line error (§5.2)."""
        return self.line_errors[-1] if self.line_errors else None


def text_of(element: etree._Element) -> str:
    return " ".join(str(part).strip() for part in element.itertext() if str(part).strip())


def _company_error(text: str) -> CompanyNotOpen:
    return CompanyNotOpen(f"Tally answered: {text.strip()}")


def raise_for_failure(root: etree._Element) -> None:
    """Raise the right :class:`TallyError` when ``root`` is a whole-request failure."""
    if root.tag == "RESPONSE" and len(root) == 0:
        text = (root.text or "").strip()
        if UNKNOWN_REQUEST in text.lower():
            raise UnknownRequest(f"Tally answered: {text}")
        if COMPANY_NOT_SET in text.lower():
            raise _company_error(text)
        if text:
            raise TallyRejectedRequest(f"Tally answered: {text}")
    line_errors = [text_of(e) for e in root.iter("LINEERROR")]
    for text in line_errors:
        if COMPANY_NOT_SET in text.lower():
            raise _company_error(text)
    status = root.findtext("HEADER/STATUS")
    if status is not None and status.strip() == "0":
        detail = "; ".join(t for t in line_errors if t) or _data_text(root) or "no detail"
        raise TallyRejectedRequest(f"Tally answered STATUS 0: {detail}")


def _data_text(root: etree._Element) -> str:
    data = root.find("BODY/DATA")
    return text_of(data) if data is not None else ""


def read_import_result(root: etree._Element) -> ImportResult:
    """Counters from shape D or D'. A request-level failure raises instead; an answer with
    no counters at all is not an import result and is refused (never read as "0 created")."""
    raise_for_failure(root)
    holder = root if root.tag == "RESPONSE" else root.find(".//IMPORTRESULT")
    if holder is None or all(holder.find(name) is None for name in COUNTERS):
        raise TallyProtocolError(
            "Tally's answer to an import has no counters: "
            + etree.tostring(root, encoding="unicode")[:300]
        )
    values: dict[str, int] = {}
    for name in COUNTERS:
        try:
            values[name.lower()] = parse_number(holder.findtext(name)) or 0
        except ValueError as exc:
            raise TallyProtocolError(f"import counter {name}: {exc}") from None
    lines = tuple(text_of(e) for e in root.iter("LINEERROR"))
    return ImportResult(
        created=values["created"],
        altered=values["altered"],
        deleted=values["deleted"],
        last_vch_id=values["lastvchid"],
        last_mid=values["lastmid"],
        combined=values["combined"],
        ignored=values["ignored"],
        errors=values["errors"],
        cancelled=values["cancelled"],
        exceptions=values["exceptions"],
        line_errors=tuple(line for line in lines if line),
    )


def function_result(root: etree._Element) -> str | None:
    """``BODY > DATA > RESULT`` of a ``TYPE=Function`` export (shape G)."""
    raise_for_failure(root)
    result = root.find("BODY/DATA/RESULT")
    if result is None:
        result = root.find(".//RESULT")
    if result is None:
        return None
    return (result.text or "").strip() or None
