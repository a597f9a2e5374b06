"""Replies of the Tally port and the small helpers every route uses to build them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tally_sim.model.state import CompanyChoice
from tally_sim.wire import responses


@dataclass
class Reply:
    body: Iterable[str]
    utf16: bool
    media_type: str = "text/xml"
    summary: dict[str, Any] = field(default_factory=dict)


def one(text: str) -> Iterator[str]:
    yield text


def unknown(utf16: bool, reason: str) -> Reply:
    """Shape E (tally-xml.md §1.4)."""
    return Reply(
        one(responses.unknown_request()), utf16, summary={"kind": "unknown", "reason": reason}
    )


def json_reply(payload: dict[str, Any], utf16: bool, summary: dict[str, Any]) -> Reply:
    return Reply(one(json.dumps(payload, ensure_ascii=False)), utf16, "application/json", summary)


def json_error(utf16: bool, text: str, summary: dict[str, Any]) -> Reply:
    return json_reply({"status": "0", "data": {"lineerror": text}}, utf16, summary)


def company_refused(
    choice: CompanyChoice, utf16: bool, summary: dict[str, Any], json_mode: bool
) -> Reply:
    """Shape F (tally-xml.md §1.4, §1.7)."""
    summary["company_error"] = choice.outcome.value
    text = responses.company_error_text(choice.requested_name)
    if json_mode:
        return json_error(utf16, text, summary)
    return Reply(one(responses.company_error_report(choice.requested_name)), utf16, summary=summary)
