"""What the connector sent, and when the single worker served it.

Every request gets a sequence number when it arrives and records when the worker started and
finished it. Starts and finishes share one event counter, so serialisation is visible without
clocks: with one worker, every request's finish is the event right after its start. Busy
periods (the `busy` fault) appear as entries with method `BUSY`.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class LogEntry:
    seq: int
    method: str
    path: str
    content_type: str | None
    headers: dict[str, str]
    body: str
    body_truncated: bool
    received_at: float
    started_at: float | None = None
    finished_at: float | None = None
    started_order: int | None = None
    finished_order: int | None = None
    outcome: str = "queued"  # queued | served | crashed | dropped
    bytes_sent: int = 0
    summary: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_XML_PASSWORD = re.compile(r"(<SVPASSWORD\b[^>]*>)(.*?)(</SVPASSWORD>)", re.IGNORECASE | re.DOTALL)
_JSON_PASSWORD = re.compile(
    r'("name"\s*:\s*"svpassword"\s*,\s*"value"\s*:\s*)"(?:[^"\\]|\\.)*"', re.IGNORECASE
)


def redact(body: str) -> str:
    """Passwords a client sends (SVPASSWORD, §2.6) are not kept in the log."""
    body = _XML_PASSWORD.sub(r"\1***\3", body)
    return _JSON_PASSWORD.sub(r'\1"***"', body)


class RequestLog:
    def __init__(self, limit: int, body_limit: int) -> None:
        self.limit = limit
        self.body_limit = body_limit
        self._entries: deque[LogEntry] = deque(maxlen=limit)
        self._seq = 0
        self._events = 0

    def record(self, method: str, path: str, headers: dict[str, str], body_text: str) -> LogEntry:
        self._seq += 1
        if self._entries.maxlen != self.limit:
            self._entries = deque(self._entries, maxlen=self.limit)
        body_text = redact(body_text)
        truncated = len(body_text) > self.body_limit
        entry = LogEntry(
            seq=self._seq,
            method=method,
            path=path,
            content_type=headers.get("content-type"),
            headers=dict(headers),
            body=body_text[: self.body_limit],
            body_truncated=truncated,
            received_at=time.time(),
        )
        self._entries.append(entry)
        return entry

    def started(self, entry: LogEntry) -> None:
        self._events += 1
        entry.started_at = time.time()
        entry.started_order = self._events
        entry.outcome = "running"

    def finished(self, entry: LogEntry, outcome: str, bytes_sent: int) -> None:
        self._events += 1
        entry.finished_at = time.time()
        entry.finished_order = self._events
        entry.outcome = outcome
        entry.bytes_sent = bytes_sent

    def entries(self, since: int = 0) -> list[LogEntry]:
        return [e for e in self._entries if e.seq > since]

    def clear(self) -> None:
        self._entries.clear()
