"""One check's answer, and how the doctor prints them: one line per check, secrets never."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from mlc_shared.logging import redact_text

Status = Literal["OK", "WARN", "FAIL"]


@dataclass(frozen=True)
class Result:
    check: str
    status: Status
    summary: str
    action: str = ""

    def line(self) -> str:
        text = f"{self.status:<4} {self.check:<18} {self.summary}"
        if self.action and self.status != "OK":
            text += f" -> {self.action}"
        # Every line passes the log redactor too: a secret that slipped into an error
        # message (a URL with a password, a token echoed back) is masked.
        return redact_text(text)

    def as_json(self) -> dict[str, str]:
        return {
            "check": self.check,
            "status": self.status,
            "summary": redact_text(self.summary),
            "action": redact_text(self.action) if self.status != "OK" else "",
        }


def ok(check: str, summary: str) -> Result:
    return Result(check, "OK", summary)


def warn(check: str, summary: str, action: str) -> Result:
    return Result(check, "WARN", summary, action)


def fail(check: str, summary: str, action: str) -> Result:
    return Result(check, "FAIL", summary, action)


def passed(results: Iterable[Result]) -> bool:
    return all(r.status != "FAIL" for r in results)


def where(url: str) -> str:
    """``host:port/path`` of a URL without its user name or password."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return f"{host}{parts.path}"
