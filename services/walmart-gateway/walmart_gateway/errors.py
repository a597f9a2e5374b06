"""Everything that can go wrong talking to Walmart, and what to do about it.

The exception tree (catch at the level you can act on)::

    WalmartError
    ├── WalmartTransient                  -> RetryLater (the work is fine; Walmart is not, now)
    │   ├── WalmartUnavailable            5xx, 504, bare gateway statuses, network errors
    │   │   └── WalmartOutcomeUnknown     a non-idempotent call failed after it may have landed:
    │   │                                 check whether it took effect before sending it again
    │   ├── WalmartResourceLocked         423 (concurrent update of the same resource)
    │   └── WalmartThrottled              429, or a local budget wait longer than the cap
    ├── WalmartConfigurationError         -> alert an operator; RetryLater that does not count
    │   ├── WalmartBadCredentials         /v3/token refused the client id / secret
    │   ├── WalmartUnauthorized           401 / 400 INVALID_TOKEN even after a fresh token
    │   ├── WalmartForbidden              403: the token lacks the scope (delegated access)
    │   └── WalmartMisconfigured          wrong base URL, headers, media types: our setup is off
    ├── WalmartNotFound                   404 CONTENT_NOT_FOUND: often "no results" (§6.1, §3.3)
    ├── WalmartRejected                   -> outcome with reason / park: resending cannot help
    │   └── WalmartPayloadTooLarge        413: a feed above the size limit (§10.1)
    └── WalmartResponseInvalid            a 2xx body that does not have the sheet's shape

:data:`RULES` classifies a non-2xx response in one screen (walmart-api.md §2, §10.3, §10.4);
:func:`classify` is the only reader of it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of either Walmart error envelope (§10.3)."""

    code: str
    field: str | None = None
    description: str | None = None
    info: str | None = None
    severity: str | None = None
    category: str | None = None

    @property
    def name(self) -> str:
        """``UNAUTHORIZED`` of ``UNAUTHORIZED.GMP_GATEWAY_API`` (codes are NAME.SERVICE, §1)."""
        return self.code.split(".", 1)[0]

    def __str__(self) -> str:
        text = self.code
        if self.field:
            text += f" [{self.field}]"
        if self.description:
            text += f": {self.description}"
        return text


class WalmartError(Exception):
    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        details: tuple[ErrorDetail, ...] = (),
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.details = details
        self.correlation_id = correlation_id

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.details)

    @property
    def reason(self) -> str:
        """One line for an operator: what happened and what Walmart said about it."""
        said = "; ".join(str(d) for d in self.details)
        return f"{self.message}: {said}" if said else self.message

    def __str__(self) -> str:
        return self.reason


class WalmartTransient(WalmartError):
    retry_after: float | None = None


class WalmartUnavailable(WalmartTransient):
    def __init__(self, message: str, *, sent: bool = True, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.sent = sent
        """False only when the request certainly never reached Walmart (connect failure)."""


class WalmartOutcomeUnknown(WalmartUnavailable):
    pass


class WalmartResourceLocked(WalmartTransient):
    retry_after = 20.0  # §10.3: "one client retries after 20 s"


class WalmartThrottled(WalmartTransient):
    def __init__(
        self, message: str, *, retry_after: float | None = None, api: str = "", **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.api = api


class WalmartConfigurationError(WalmartError):
    pass


class WalmartBadCredentials(WalmartConfigurationError):
    pass


class WalmartUnauthorized(WalmartConfigurationError):
    pass


class WalmartForbidden(WalmartConfigurationError):
    pass


class WalmartMisconfigured(WalmartConfigurationError):
    pass


class WalmartNotFound(WalmartError):
    pass


class WalmartRejected(WalmartError):
    pass


class WalmartPayloadTooLarge(WalmartRejected):
    pass


class WalmartResponseInvalid(WalmartError):
    pass


class Action(StrEnum):
    RETRY = "retry"
    REFRESH_TOKEN_THEN_RETRY = "refresh_token_then_retry"  # noqa: S105
    RATE_LIMITED = "rate_limited"
    NOT_FOUND = "not_found"
    PARK = "park"
    ALERT = "alert"


@dataclass(frozen=True)
class Rule:
    statuses: range
    code: str | None
    """Error name (before the dot) that must be present; None matches any body."""
    on_token_call: bool | None
    """True: only for POST /v3/token; False: only for data calls; None: both."""
    action: Action
    error: type[WalmartError]
    source: str


def _s(status: int) -> range:
    return range(status, status + 1)


# First match wins. "source" is the fact sheet section a reader can check the row against.
RULES: tuple[Rule, ...] = (
    Rule(_s(400), None, True, Action.ALERT, WalmartBadCredentials, "§2 bad id/secret: 400"),
    Rule(_s(401), None, True, Action.ALERT, WalmartBadCredentials, "§2 older behaviour: 401"),
    Rule(
        _s(400),
        "INVALID_TOKEN",
        False,
        Action.REFRESH_TOKEN_THEN_RETRY,
        WalmartUnauthorized,
        "§2 expired token, legacy 400 INVALID_TOKEN",
    ),
    Rule(
        _s(401),
        None,
        False,
        Action.REFRESH_TOKEN_THEN_RETRY,
        WalmartUnauthorized,
        "§2 bad/expired token: 401 UNAUTHORIZED",
    ),
    Rule(_s(403), None, None, Action.ALERT, WalmartForbidden, "§2 token lacks the scope"),
    Rule(_s(400), "MISSING_REQUEST_HEADER", None, Action.ALERT, WalmartMisconfigured, "§1 headers"),
    Rule(_s(400), "INVALID_REQUEST_HEADER", None, Action.ALERT, WalmartMisconfigured, "§1 headers"),
    Rule(_s(400), None, None, Action.PARK, WalmartRejected, "§10.3 invalid request/content"),
    Rule(
        _s(404),
        "CONTENT_NOT_FOUND",
        None,
        Action.NOT_FOUND,
        WalmartNotFound,
        "§6.1 / §3.3 no results is a 404",
    ),
    Rule(_s(404), None, None, Action.ALERT, WalmartMisconfigured, "§10.3 URI_NOT_FOUND"),
    Rule(_s(405), None, None, Action.ALERT, WalmartMisconfigured, "§10.3 METHOD_NOT_ALLOWED"),
    Rule(_s(406), None, None, Action.ALERT, WalmartMisconfigured, "§1 INVALID_ACCEPT_TYPE"),
    Rule(_s(413), None, None, Action.PARK, WalmartPayloadTooLarge, "§10.1 feed above size limit"),
    Rule(_s(415), None, None, Action.ALERT, WalmartMisconfigured, "§1 UNSUPPORTED_MEDIA_TYPE"),
    Rule(_s(423), None, None, Action.RETRY, WalmartResourceLocked, "§10.3 RESOURCE_IS_LOCKED"),
    Rule(_s(429), None, None, Action.RATE_LIMITED, WalmartThrottled, "§10.1 token bucket empty"),
    Rule(
        range(500, 600),
        None,
        None,
        Action.RETRY,
        WalmartUnavailable,
        "§10.3 SYSTEM_ERROR 500, DOWNSTREAM_SYSTEM_TIME_OUT 504, bare 503",
    ),
    Rule(range(400, 500), None, None, Action.PARK, WalmartRejected, "§10.3 any other 4xx"),
)


def classify(status: int, details: tuple[ErrorDetail, ...], *, token_call: bool = False) -> Rule:
    names = {d.name for d in details}
    for rule in RULES:
        if status not in rule.statuses:
            continue
        if rule.on_token_call is not None and rule.on_token_call != token_call:
            continue
        if rule.code is not None and rule.code not in names:
            continue
        return rule
    # Not an error status at all (1xx/3xx reaching us): nothing sensible can follow.
    return Rule(_s(status), None, None, Action.ALERT, WalmartMisconfigured, "unexpected status")


def parse_error_body(body: bytes) -> tuple[ErrorDetail, ...]:
    """Both envelopes (§10.3): gateway ``{"error": [...]}`` and service
    ``{"errors": {"error": [...]}}``, where ``error`` may also be a single object. Anything
    else (a bare status page, XML) yields no details: the status alone decides."""
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ()
    if not isinstance(raw, Mapping):
        return ()
    entries: Any = raw.get("error")
    errors = raw.get("errors")
    if entries is None and isinstance(errors, Mapping):
        entries = errors.get("error")
    elif entries is None and isinstance(errors, list):
        entries = errors
    if isinstance(entries, Mapping):
        entries = [entries]
    if not isinstance(entries, list):
        return ()
    details = []
    for entry in entries:
        if isinstance(entry, Mapping) and isinstance(entry.get("code"), str):
            details.append(
                ErrorDetail(
                    code=entry["code"],
                    field=_text(entry.get("field")),
                    description=_text(entry.get("description")),
                    info=_text(entry.get("info")),
                    severity=_text(entry.get("severity")),
                    category=_text(entry.get("category")),
                )
            )
    return tuple(details)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
