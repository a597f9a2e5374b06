"""What the store raises, and what a caller should do about each (STYLE.md: one tree).

::

    StoreError
    ├── StoreUnavailable        retry later: database down, connection lost, lock wait
    │                           timed out, PostgreSQL deadlock/serialization failure
    ├── UnsupportedDatabaseUrl  fix the configuration (also a ValueError)
    ├── NaiveTimestamp          a bug in the caller: timestamps must carry a zone (ValueError)
    ├── RecordNotFound          a bug in the caller: update of a row that is not there
    └── UndecodableOutboxRow    an outbox row this version cannot read; an operator must act

Anything else (an ``sqlalchemy.exc`` error that is not transient) is a programming error
and propagates unchanged.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of everything the store raises on purpose."""


class StoreUnavailable(StoreError):
    """Transient: nothing was committed; the same work can be tried again later.

    A bus consumer turns this into ``RetryLater(..., counts=False)``: an outage of the
    database says nothing about the message (bus/base.py).
    """


class UnsupportedDatabaseUrl(StoreError, ValueError):
    """A database URL the store cannot use; the message says why (never the password)."""


class NaiveTimestamp(StoreError, ValueError):
    """A ``datetime`` without a time zone: ambiguous, so refused rather than guessed."""


class RecordNotFound(StoreError, LookupError):
    """An update named a row that does not exist."""


class UndecodableOutboxRow(StoreError):
    """An outbox row whose envelope this version cannot decode (e.g. a message type removed
    by an upgrade). Raised rather than skipped, so nothing is silently dropped."""

    def __init__(self, row_id: int, reason: str) -> None:
        super().__init__(f"outbox row {row_id} cannot be decoded: {reason}")
        self.row_id = row_id
        self.reason = reason
