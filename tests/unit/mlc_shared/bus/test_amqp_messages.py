"""Building AMQP messages (bus/amqp/messages.py): what a copy keeps and what it drops."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aio_pika import DeliveryMode, IncomingMessage
from aiormq.abc import DeliveredMessage
from mlc_shared.bus.amqp.messages import (
    UNKNOWN_TENANT,
    message_id_of,
    outgoing,
    parked_copy,
    parked_message,
    replayed,
    retry_copy,
    tenant_of,
)
from mlc_shared.bus.base import AttemptRecord
from mlc_shared.bus.delivery import (
    FAILURES_HEADER,
    HISTORY_HEADER,
    REASON_HEADER,
    TENANT_HEADER,
    Retry,
)
from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.orchestrator import RunFlow
from pamqp import commands as spec
from pamqp.header import ContentHeader

NOW = datetime(2026, 1, 2, tzinfo=UTC)
ENVELOPE = Envelope.new(RunFlow(flow="orders"), tenant="acme")


def incoming(
    body: bytes,
    *,
    headers: dict[str, Any] | None = None,
    routing_key: str = "",
    message_id: str | None = None,
) -> IncomingMessage:
    """A delivery as aio-pika hands it to a consumer (built from the wire frames)."""
    properties = spec.Basic.Properties(
        headers=headers or {}, message_id=message_id, expiration="60000", user_id="guest"
    )
    delivered = DeliveredMessage(
        delivery=spec.Basic.Deliver(
            consumer_tag="c", delivery_tag=1, exchange="mlc", routing_key=routing_key
        ),
        header=ContentHeader(body_size=len(body), properties=properties),
        body=body,
        channel=None,  # type: ignore[arg-type]  # not needed to read a message
    )
    return IncomingMessage(delivered)


def test_outgoing_is_persistent_json_with_ids_in_the_properties() -> None:
    message = outgoing(ENVELOPE)
    assert message.delivery_mode == DeliveryMode.PERSISTENT
    assert message.content_type == "application/json"
    assert (message.message_id, message.correlation_id, message.type) == (
        ENVELOPE.message_id,
        ENVELOPE.correlation_id,
        "orchestrator.run_flow",
    )
    assert message.headers == {TENANT_HEADER: "acme"}
    assert Envelope.decode(message.body) == ENVELOPE


def test_retry_copy_carries_the_next_attempt_and_the_history() -> None:
    history = (AttemptRecord(1, "boom", NOW),)
    copy = retry_copy(
        ENVELOPE,
        {TENANT_HEADER: "acme", "x-death": [{"count": 1}], "x-delivery-count": 1, "trace": "t"},
        Retry(tier=0, delay=1.0, attempt=2, failures=1, history=history),
    )
    assert Envelope.decode(copy.body).attempt == 2
    assert copy.message_id == ENVELOPE.message_id
    assert copy.headers == {
        TENANT_HEADER: "acme",
        "trace": "t",
        FAILURES_HEADER: 1,
        HISTORY_HEADER: json.dumps([history[0].to_json()]),
    }


def test_parked_copy_keeps_everything_but_expiry_and_user() -> None:
    original = incoming(b"raw body", headers={"trace": "t"}, message_id="m-1")
    copy = parked_copy(original, tenant="acme", reason="bad", history=(), now=NOW)
    assert copy.body == b"raw body"
    assert copy.message_id == "m-1"
    assert copy.headers["trace"] == "t"
    assert copy.headers[REASON_HEADER] == "bad"
    assert copy.expiration is None  # a TTL would expire the parked copy
    assert copy.user_id is None  # RabbitMQ refuses a user_id other than our own


def test_message_without_an_id_gets_a_stable_one_from_its_body() -> None:
    one = incoming(b"same body")
    two = incoming(b"same body")
    assert message_id_of(one) == message_id_of(two)
    assert message_id_of(one).startswith("sha256:")
    assert message_id_of(incoming(b"x", message_id="given")) == "given"


def test_tenant_comes_from_the_header_then_the_routing_key_then_x_death() -> None:
    queue = "orchestrator.events"
    assert tenant_of(incoming(b"", headers={TENANT_HEADER: "acme"}), queue) == "acme"
    assert tenant_of(incoming(b"", routing_key="orchestrator.events.beta"), queue) == "beta"
    dead = incoming(
        b"",
        routing_key="ns.orchestrator.events",
        headers={"x-death": [{"routing-keys": ["orchestrator.events.gamma.retry.0"]}]},
    )
    assert tenant_of(dead, queue) == "gamma"
    assert tenant_of(incoming(b"", routing_key="elsewhere"), queue) == UNKNOWN_TENANT


def test_parked_message_of_a_broker_dead_lettered_delivery_explains_the_crash_loop() -> None:
    message = incoming(
        ENVELOPE.encode(),
        message_id=ENVELOPE.message_id,
        headers={"x-death": [{"reason": "delivery_limit", "time": NOW}]},
    )
    parked = parked_message("orchestrator.events", message)
    assert "without an acknowledgement" in parked.reason
    assert parked.parked_at == NOW
    assert parked.envelope == ENVELOPE


def test_replayed_resets_the_attempt_and_drops_bookkeeping() -> None:
    parked = incoming(
        ENVELOPE.with_attempt(5).encode(),
        message_id=ENVELOPE.message_id,
        headers={
            TENANT_HEADER: "acme",
            REASON_HEADER: "r",
            HISTORY_HEADER: "[]",
            FAILURES_HEADER: 4,
        },
    )
    copy = replayed(parked)
    assert Envelope.decode(copy.body).attempt == 1
    assert copy.message_id == ENVELOPE.message_id
    assert copy.headers == {TENANT_HEADER: "acme"}


def test_replayed_invalid_body_is_sent_unchanged() -> None:
    copy = replayed(incoming(b"{broken", message_id="m-2", headers={REASON_HEADER: "r"}))
    assert (copy.body, copy.message_id, copy.headers) == (b"{broken", "m-2", {})
