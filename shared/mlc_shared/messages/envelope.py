"""The one envelope every message travels in (ARCHITECTURE.md, "Messages and the broker").

JSON on the wire. Decoding never raises anything but :class:`InvalidMessage`, whose
reason is what an operator reads next to the parked message.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, ValidationError

TENANT_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
_TENANT_RE = re.compile(TENANT_PATTERN)


class InvalidMessage(ValueError):
    """A body that cannot become an :class:`Envelope`; parked with ``reason``, never dropped."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Payload(BaseModel):
    """Base of every message payload. Subclasses register themselves in the catalogue:

    ``class StockItemsExported(Payload, message_type="tally.stock_items_exported"): ...``
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    message_type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    def __init_subclass__(cls, message_type: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if message_type is not None:
            from mlc_shared.messages.catalogue import register

            cls.message_type = message_type
            register(cls)


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    message_id: str = Field(default_factory=new_id)
    correlation_id: str = Field(description="the flow run this message belongs to")
    causation_id: str | None = Field(
        default=None, description="message_id of the message that caused this one"
    )
    tenant: str = Field(pattern=TENANT_PATTERN)
    type: str
    schema_version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    attempt: int = Field(default=1, ge=1)
    payload: SerializeAsAny[Payload]

    @classmethod
    def new(
        cls,
        payload: Payload,
        *,
        tenant: str,
        correlation_id: str | None = None,
        cause: Envelope | None = None,
        message_id: str | None = None,
    ) -> Self:
        """A fresh message. ``cause`` carries the correlation id forward and sets causation.

        ``message_id`` is given when the id must be deterministic (idempotency keys derived
        from the source record, so that a re-run produces the same id).
        """
        corr = correlation_id or (cause.correlation_id if cause else new_id())
        return cls(
            message_id=message_id or new_id(),
            correlation_id=corr,
            causation_id=cause.message_id if cause else None,
            tenant=tenant,
            type=payload.message_type,
            schema_version=payload.schema_version,
            payload=payload,
        )

    def with_attempt(self, attempt: int) -> Self:
        return self.model_copy(update={"attempt": attempt})

    def encode(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def decode(cls, body: bytes | str) -> Self:
        from mlc_shared.messages.catalogue import payload_class

        try:
            raw = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidMessage(f"body is not valid JSON: {exc}") from None
        except RecursionError:
            raise InvalidMessage("body is not valid JSON: nested too deeply") from None
        except ValueError:  # an integer longer than sys.get_int_max_str_digits() allows
            raise InvalidMessage("body is not valid JSON: a number has too many digits") from None
        if not isinstance(raw, dict):
            raise InvalidMessage("body is JSON but not an object")
        type_name = raw.get("type")
        if not isinstance(type_name, str):
            raise InvalidMessage("envelope has no 'type'")
        model = payload_class(type_name)
        if model is None:
            raise InvalidMessage(f"unknown message type {type_name!r}")
        version = raw.get("schema_version", 1)
        if version != model.schema_version:
            raise InvalidMessage(
                f"{type_name} schema_version {version!r} is not the supported {model.schema_version}"
            )
        try:
            payload = model.model_validate(raw.get("payload"))
            return cls.model_validate({**raw, "payload": payload})
        except ValidationError as exc:
            raise InvalidMessage(f"invalid {type_name} message: {_summarise(exc)}") from None
        except RecursionError:
            raise InvalidMessage(f"invalid {type_name} message: nested too deeply") from None


def _summarise(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def valid_tenant(tenant: str) -> bool:
    return bool(_TENANT_RE.match(tenant))
