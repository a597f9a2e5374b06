"""From the exact bytes Walmart sent to the row we store and the message we publish.

:func:`interpret` is pure: the same tenant, body and receive time always give the same row
and the same message (the message id is derived from tenant and ``eventId``). The sweep
relies on that to re-publish a stored event after a crash without creating a new message.

What is refused (400, :class:`MalformedDelivery`) and what is kept:

* not UTF-8 JSON, not an object, no ``source.eventType`` / ``source.eventId`` usable as a
  key: 400. Such a body is not a Walmart event (§9.3) and cannot be deduplicated.
* a well-formed envelope with an unknown ``eventType``: kept and published as
  :class:`WebhookEventUnhandled` (``unknown_type``) for an operator.
* a known ``eventType`` whose payload does not validate: also kept and published as
  :class:`WebhookEventUnhandled` (``invalid_payload``), answered 200. A 4xx would make
  Walmart retry three times and then drop the event (§9.5), and retrying cannot fix the
  payload; an operator holding the stored body can.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mlc_shared.messages.envelope import Envelope, Payload
from mlc_shared.messages.webhooks import (
    EVENT_MODELS,
    WebhookEventReceived,
    WebhookEventUnhandled,
)
from mlc_shared.store.records import WebhookEvent
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

# Column widths of webhook_events (store/tables.py) and characters a key may hold: an id
# with control characters or lone surrogates could not be stored or logged safely.
_EVENT_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_EVENT_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
_MESSAGE_NAMESPACE = uuid.UUID("6f1c2a52-9a8e-4d1e-9d2b-7f0a0c4b5e31")


class MalformedDelivery(ValueError):
    """Not a Walmart event envelope: answered 400 with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Source:
    event_type: str
    event_id: str
    event_time: datetime | None
    payload: Any


@dataclass(frozen=True)
class Interpretation:
    row: WebhookEvent
    message: Envelope

    @property
    def event_id(self) -> str:
        return self.row.event_id


def read_source(body: bytes) -> Source:
    """The ``{source: {eventType, eventTime, eventId}, payload}`` envelope (§9.3)."""
    try:
        # Decoded as UTF-8 here, not by json.loads: given bytes, it also reads UTF-16 and
        # UTF-32, whose NULs the stored text (and PostgreSQL) cannot hold (tests/badinput).
        # A UTF-8 byte order mark is tolerated, as json.loads tolerated it.
        raw = json.loads(body.decode("utf-8").removeprefix("\ufeff"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MalformedDelivery("body is not UTF-8 JSON") from None
    except RecursionError:
        raise MalformedDelivery("body is nested too deeply") from None
    except ValueError:  # an integer longer than sys.get_int_max_str_digits() (4300) allows
        raise MalformedDelivery("body holds a number with too many digits") from None
    if not isinstance(raw, dict):
        raise MalformedDelivery("body is not a JSON object")
    source = raw.get("source")
    if not isinstance(source, dict):
        raise MalformedDelivery("no 'source' object")
    event_type, event_id = source.get("eventType"), source.get("eventId")
    if not isinstance(event_type, str) or not _EVENT_TYPE.match(event_type):
        raise MalformedDelivery("source.eventType missing or not an event type name")
    if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
        raise MalformedDelivery("source.eventId missing or not 1-128 visible ASCII characters")
    return Source(event_type, event_id, _event_time(source.get("eventTime")), raw.get("payload"))


def _event_time(value: Any) -> datetime | None:
    """ISO-8601 (``...Z``) per §9.3; anything else is kept in the body, not guessed at."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def message_id(tenant: str, event_id: str) -> str:
    return str(uuid.uuid5(_MESSAGE_NAMESPACE, f"{tenant}/{event_id}"))


def interpret(tenant: str, body: bytes, received_at: datetime) -> Interpretation:
    """The row to store and the message to publish; :class:`MalformedDelivery` for a 400."""
    source = read_source(body)
    text = body.decode("utf-8")  # read_source proved it decodes
    known = source.event_type in EVENT_MODELS
    row = WebhookEvent(
        event_id=source.event_id,
        tenant=tenant,
        event_type=source.event_type,
        event_time=source.event_time,
        received_at=received_at,
        body=text,
        known_type=known,
    )
    payload: Payload
    if not known:
        payload = _unhandled(
            source,
            received_at,
            text,
            "unknown_type",
            f"event type {source.event_type!r} is not one the connector knows",
        )
    else:
        payload = _received(source, received_at, text)
    msg_id = message_id(tenant, source.event_id)
    envelope = Envelope.new(payload, tenant=tenant, message_id=msg_id, correlation_id=msg_id)
    try:
        envelope.encode()
    except PydanticSerializationError:  # e.g. a lone surrogate escape in a payload string
        payload = _unhandled(
            source, received_at, text, "invalid_payload", "payload text cannot be encoded as UTF-8"
        )
        envelope = Envelope.new(payload, tenant=tenant, message_id=msg_id, correlation_id=msg_id)
    return Interpretation(row=row, message=envelope)


def _received(source: Source, received_at: datetime, text: str) -> Payload:
    model = EVENT_MODELS[source.event_type]
    if not isinstance(source.payload, dict):
        return _unhandled(source, received_at, text, "invalid_payload", "payload is not an object")
    try:
        event = model.model_validate(source.payload)
        return WebhookEventReceived.model_validate(
            {
                "event_id": source.event_id,
                "event_time": source.event_time,
                "received_at": received_at,
                "event": event,
            }
        )
    except ValidationError as exc:
        return _unhandled(source, received_at, text, "invalid_payload", summarise(exc))


def _unhandled(
    source: Source, received_at: datetime, text: str, problem: str, reason: str
) -> WebhookEventUnhandled:
    return WebhookEventUnhandled.model_validate(
        {
            "event_id": source.event_id,
            "event_type": source.event_type,
            "event_time": source.event_time,
            "received_at": received_at,
            "problem": problem,
            "reason": reason,
            "body": text,
        }
    )


def summarise(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "(payload)"
        parts.append(f"{loc}: {err['msg']}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
