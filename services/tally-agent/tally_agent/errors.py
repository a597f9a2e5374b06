"""Everything that can go wrong talking to TallyPrime, and what to do about it.

The tree (catch at the level you can act on)::

    TallyError
    ├── TallyUnavailable            Tally is away; the message is not at fault  -> retry, not counted
    │   ├── TallyPortClosed         nothing listens on the port (§1.6)
    │   ├── TallyBusy               no answer in time / still working after a timeout (§1.5)
    │   └── CompanyNotOpen          "Could not set 'SVCurrentCompany'", company not loaded (§1.7)
    ├── TallyDropped                connection died mid-answer (a crash, §1.5)  -> retry, counted
    ├── TallyRejectedRequest        Tally refused the whole request             -> park
    │   └── UnknownRequest          "Unknown Request, cannot be processed" (§1.4 E, §5.2)
    └── TallyProtocolError          an answer we refuse to read (DTD, entity, not XML) -> park
        └── UnsafeXml               DOCTYPE/ENTITY in a response (XML bomb, external entity)

Line errors inside an import answer are not exceptions: they become the "rejected" outcome
of the voucher concerned, carrying Tally's words (§5.2). :data:`ERROR_TABLE` maps each class
to one action; ``tests/unit/tally_agent/test_errors.py`` checks it row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mlc_shared.bus.base import Reject, RetryLater


class TallyError(Exception):
    """Base of every Tally failure; ``hint`` is one plain sentence for an operator."""

    hint: str = "Check that TallyPrime is running and its XML port answers."

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint


class TallyUnavailable(TallyError):
    """Tally cannot serve anyone right now; the request itself may be fine."""


class TallyPortClosed(TallyUnavailable):
    hint = (
        "TallyPrime is not answering on its port: start TallyPrime and enable the port in "
        "F1 (Help) > Settings > Connectivity > Client/Server configuration "
        "(TallyPrime is acting as: Server or Both, port 9000)."
    )


class TallyBusy(TallyUnavailable):
    hint = (
        "TallyPrime accepted the connection but did not answer in time: it may be busy with a "
        "long report or waiting on a dialog box on its screen; close any dialog in TallyPrime."
    )


class CompanyNotOpen(TallyUnavailable):
    hint = "Open the company in TallyPrime (Alt+F3 / Select Company); the agent needs it loaded."


class TallyDropped(TallyError):
    hint = "TallyPrime closed the connection mid-answer (it may have crashed); restart TallyPrime."


class TallyRejectedRequest(TallyError):
    hint = "TallyPrime refused the request as a whole; see the reason."


class UnknownRequest(TallyRejectedRequest):
    hint = (
        "TallyPrime answered 'Unknown Request, cannot be processed': the request was malformed "
        "or sent in an encoding Tally did not expect (check MLC_TALLY_ENCODING)."
    )


class TallyProtocolError(TallyError):
    hint = "TallyPrime's answer could not be read; see the reason."


class UnsafeXml(TallyProtocolError):
    hint = "The answer carried a DTD or entity declaration, which the agent refuses to read."


Action = Literal["retry", "park"]


@dataclass(frozen=True)
class ErrorRule:
    error: type[TallyError]
    action: Action
    counts: bool
    why: str


ERROR_TABLE: tuple[ErrorRule, ...] = (
    # Most specific first: the first row whose class matches wins.
    ErrorRule(
        TallyPortClosed,
        "retry",
        False,
        "connection refused: Tally closed or port disabled (§1.6); not the message's fault",
    ),
    ErrorRule(
        TallyBusy,
        "retry",
        False,
        "timeout or hang: Tally keeps working after a client gives up (§1.5)",
    ),
    ErrorRule(
        CompanyNotOpen,
        "retry",
        False,
        "Could not set 'SVCurrentCompany' / company not loaded (§1.7, §5.3)",
    ),
    ErrorRule(TallyUnavailable, "retry", False, "Tally away"),
    ErrorRule(
        TallyDropped,
        "retry",
        True,
        "answer cut off: a request can crash Tally (§1.5), so repeated crashes park it",
    ),
    ErrorRule(
        UnknownRequest,
        "park",
        True,
        "'Unknown Request, cannot be processed': malformed for Tally, retrying cannot help",
    ),
    ErrorRule(TallyRejectedRequest, "park", True, "Tally refused the request as a whole"),
    ErrorRule(
        TallyProtocolError,
        "park",
        True,
        "unreadable or unsafe answer: retrying reads the same answer again",
    ),
    ErrorRule(TallyError, "retry", True, "anything else from Tally: retry within the limit"),
)


def rule_for(error: TallyError) -> ErrorRule:
    for rule in ERROR_TABLE:
        if isinstance(error, rule.error):
            return rule
    raise AssertionError("ERROR_TABLE ends with TallyError and matches every TallyError")


def to_bus_exception(error: TallyError) -> RetryLater | Reject:
    """The bus's answer to ``error``: retry tiers (counted or not) or parking."""
    rule = rule_for(error)
    reason = f"{type(error).__name__}: {error.message}"
    if rule.action == "park":
        return Reject(reason)
    return RetryLater(reason, counts=rule.counts)
