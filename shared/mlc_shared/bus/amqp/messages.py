"""AMQP messages in and out: envelope -> persistent message, and the copies a failed,
parked or replayed delivery becomes. Pure functions of their inputs (unit-tested).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aio_pika import DeliveryMode, Message
from aio_pika.abc import AbstractIncomingMessage, HeadersType

from mlc_shared.bus.base import AttemptRecord, ParkedMessage
from mlc_shared.bus.delivery import (
    FAILURES_HEADER,
    HISTORY_HEADER,
    PARKED_AT_HEADER,
    REASON_HEADER,
    TENANT_HEADER,
    Retry,
    decode_history,
    encode_history,
    replay_headers,
)
from mlc_shared.messages.envelope import Envelope, InvalidMessage, valid_tenant

CONTENT_TYPE = "application/json"
UNKNOWN_TENANT = "unknown"
"""Routing word for a body that names no tenant anywhere (it can only be parked/replayed)."""

_SHOWN_APART = frozenset({REASON_HEADER, PARKED_AT_HEADER, HISTORY_HEADER})
"""Headers a :class:`ParkedMessage` shows as its own fields rather than in ``headers``."""


def outgoing(envelope: Envelope, headers: Mapping[str, Any] | None = None) -> Message:
    """A persistent message carrying ``envelope``; ids copied to AMQP properties so broker
    tools (and a parked body that no longer decodes) still show them."""
    return Message(
        envelope.encode(),
        headers={**(headers or {}), TENANT_HEADER: envelope.tenant},
        content_type=CONTENT_TYPE,
        delivery_mode=DeliveryMode.PERSISTENT,
        message_id=envelope.message_id,
        correlation_id=envelope.correlation_id,
        type=envelope.type,
        timestamp=envelope.created_at,
    )


def retry_copy(envelope: Envelope, headers: Mapping[str, Any], retry: Retry) -> Message:
    """The next attempt of a failed delivery, for retry tier ``retry.tier``."""
    kept = replay_headers(headers)
    kept[FAILURES_HEADER] = retry.failures
    if retry.history:
        kept[HISTORY_HEADER] = encode_history(retry.history)
    return outgoing(envelope.with_attempt(retry.attempt), kept)


def parked_copy(
    message: AbstractIncomingMessage,
    *,
    tenant: str,
    reason: str,
    history: tuple[AttemptRecord, ...],
    now: datetime,
) -> Message:
    """The delivery as it came (body, headers, properties), plus why it was parked.

    ``expiration`` and ``user_id`` are deliberately not copied: a per-message TTL would
    expire the parked copy, and RabbitMQ refuses a ``user_id`` other than the publisher's
    own connection user.
    """
    headers: HeadersType = dict(message.headers)
    headers[TENANT_HEADER] = tenant
    headers[REASON_HEADER] = reason
    headers[PARKED_AT_HEADER] = now.isoformat()
    if history:
        headers[HISTORY_HEADER] = encode_history(history)
    return Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        content_encoding=message.content_encoding,
        delivery_mode=DeliveryMode.PERSISTENT,
        message_id=message_id_of(message),
        correlation_id=message.correlation_id,
        type=message.type,
        timestamp=message.timestamp,
        app_id=message.app_id,
    )


def replayed(parked: AbstractIncomingMessage) -> Message:
    """A parked message back as a fresh attempt 1, same message_id (base.py contract)."""
    headers = replay_headers(parked.headers)
    try:
        envelope = Envelope.decode(parked.body)
    except InvalidMessage:
        # Still not an envelope: replay the body untouched; the consumer parks it again
        # with the reason unless the code learned the type in the meantime.
        return Message(
            parked.body,
            headers=headers,
            content_type=parked.content_type,
            delivery_mode=DeliveryMode.PERSISTENT,
            message_id=message_id_of(parked),
            correlation_id=parked.correlation_id,
            type=parked.type,
            timestamp=parked.timestamp,
        )
    return outgoing(envelope.with_attempt(1), headers)


def message_id_of(message: AbstractIncomingMessage) -> str:
    """The AMQP message_id; for a foreign message without one, a stable id from the body so
    that listing, replaying and purging agree on what to call it."""
    if message.message_id:
        return message.message_id
    return "sha256:" + hashlib.sha256(message.body).hexdigest()[:32]


def tenant_of(message: AbstractIncomingMessage, queue: str) -> str:
    """The tenant of a delivery whose body may not decode: our header, else the routing key
    it was published with (``<queue>.<tenant>``, kept by the broker in ``x-death``)."""
    header = message.headers.get(TENANT_HEADER)
    if isinstance(header, str) and valid_tenant(header):
        return header
    keys: list[str] = [message.routing_key or ""]
    for death in _deaths(message.headers):
        keys.extend(str(k) for k in death.get("routing-keys", []) if isinstance(k, str))
    prefix = queue + "."
    for key in keys:
        if key.startswith(prefix):
            word = key[len(prefix) :].split(".", 1)[0]
            if valid_tenant(word):
                return word
    return UNKNOWN_TENANT


def published_tenant(message: AbstractIncomingMessage, queue: str) -> str | None:
    """The tenant word of the routing key the publisher used, which the broker's topic
    permissions checked (deploy/rabbitmq/users.json): the delivery's own key, or for a
    message the broker moved by itself (a retry tier expiring back to ``queue``) the key in
    ``x-death``. Unlike :func:`tenant_of` it never trusts the ``x-mlc-tenant`` header,
    which any publisher can write. None when no key names a tenant (a message published
    straight to the queue, which only a user with write permission on it can do)."""
    keys: list[str] = [message.routing_key or ""]
    if not keys[0].startswith(queue + "."):
        keys = [str(k) for d in _deaths(message.headers) for k in d.get("routing-keys", [])]
    for key in keys:
        if key.startswith(queue + "."):
            word = key[len(queue) + 1 :].split(".", 1)[0]
            if valid_tenant(word):
                return word
    return None


def parked_message(queue: str, message: AbstractIncomingMessage) -> ParkedMessage:
    headers = dict(message.headers)
    try:
        envelope: Envelope | None = Envelope.decode(message.body)
    except InvalidMessage:
        envelope = None
    return ParkedMessage(
        queue=queue,
        message_id=message_id_of(message),
        reason=_reason(headers),
        body=message.body,
        parked_at=_parked_at(headers, message),
        envelope=envelope,
        history=decode_history(headers.get(HISTORY_HEADER)),
        headers={k: v for k, v in headers.items() if k not in _SHOWN_APART},
    )


def _deaths(headers: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    deaths = headers.get("x-death")
    return [d for d in deaths if isinstance(d, Mapping)] if isinstance(deaths, list) else []


def _reason(headers: Mapping[str, Any]) -> str:
    reason = headers.get(REASON_HEADER)
    if isinstance(reason, str):
        return reason
    for death in _deaths(headers):
        if death.get("reason") == "delivery_limit":
            # Dead-lettered by the broker itself (declarations.py, x-delivery-limit).
            return (
                "delivered too many times without an acknowledgement: its consumer crashed "
                "or lost the connection while handling it (quorum queue x-delivery-limit)"
            )
    first = headers.get("x-first-death-reason")
    return f"dead-lettered by the broker ({first})" if first else "parked (no reason recorded)"


def _parked_at(headers: Mapping[str, Any], message: AbstractIncomingMessage) -> datetime:
    raw = headers.get(PARKED_AT_HEADER)
    if isinstance(raw, str):
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            pass
    for death in _deaths(headers):
        when = death.get("time")
        if isinstance(when, datetime):
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    stamp = message.timestamp
    if isinstance(stamp, datetime):
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return datetime.now(UTC)
