"""Import counters (tally-xml.md §5.1, §5.2).

Counters aggregate over the request; only the **last** line error is reported (two rejected
vouchers with three missing ledgers gave EXCEPTIONS=2 and one LINEERROR naming the last
voucher's ledger, §5.2). LASTVCHID is the MASTERID of the last voucher created in the request;
LASTMID stays 0 (§4.8: it was 0 on successful master creates).
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTER_ORDER = (
    "created",
    "altered",
    "deleted",
    "lastvchid",
    "lastmid",
    "combined",
    "ignored",
    "errors",
    "cancelled",
    "exceptions",
)


@dataclass
class ImportResult:
    created: int = 0
    altered: int = 0
    deleted: int = 0
    lastvchid: int = 0
    lastmid: int = 0
    combined: int = 0
    ignored: int = 0
    errors: int = 0
    cancelled: int = 0
    exceptions: int = 0
    line_error: str | None = None

    def counters(self) -> list[tuple[str, int]]:
        return [(name, int(getattr(self, name))) for name in COUNTER_ORDER]

    def reject(self, line_error: str | None) -> None:
        """A rejected object (validation failure): EXCEPTIONS, and the line error replaces any
        earlier one. `None` leaves no line error of its own (manual-numbering duplicates,
        §4.7) but still hides nothing earlier."""
        self.exceptions += 1
        if line_error is not None:
            self.line_error = line_error

    def error(self, line_error: str) -> None:
        """An error (e.g. deleting a master that does not exist, §4.8): ERRORS."""
        self.errors += 1
        self.line_error = line_error
