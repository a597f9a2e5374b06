"""Bad input at the webhook receiver: generated bodies sent to ``POST /webhooks/walmart/{tenant}``
with good credentials, over HTTP, to a receiver on real RabbitMQ and PostgreSQL (issue 8).

tests/integration/webhook_receiver/test_schemathesis.py already drives every operation from
the receiver's OpenAPI document and checks "no 5xx" and schema conformance. What it cannot
generate, and what this adds: bodies that are not what the document describes at all --
random bytes, JSON in UTF-16 or behind a BOM, ``NaN`` and ``Infinity`` literals, integers of
thousands of digits, nesting deeper than the recursion limit, lone surrogate escapes,
oversized bodies -- and two checks the schema does not state: every refusal carries a
non-empty ``detail`` (the reason; 401 deliberately says only "unauthorized"), and every
accepted event of a type the connector does not know is kept in ``webhook_events``. Other
HTTP methods on the receiver's paths are refused, with or without credentials.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, Topology
from mlc_shared.messages.webhooks import EVENT_MODELS
from mlc_shared.store import SqlStore, open_store
from pydantic import SecretStr
from webhook_receiver.service import WebhookReceiverService
from webhook_receiver.settings import WebhookReceiverSettings
from webhook_receiver.tenants import BasicAuth, OAuthAuth, StaticTenantConfigs, TenantWebhookConfig

TENANTS = StaticTenantConfigs(
    {
        "fuzz": TenantWebhookConfig(auth=BasicAuth(username="walmart", password=SecretStr("pw"))),
        "fuzz-oauth": TenantWebhookConfig(
            auth=OAuthAuth(client_id="c", client_secret=SecretStr("s"))
        ),
    }
)
BASIC = {"Authorization": "Basic " + base64.b64encode(b"walmart:pw").decode()}
LIMIT = 16_384
EXAMPLES = 120
RUN = uuid.uuid4().hex[:8]  # event ids of this run cannot meet another run's rows
KNOWN = sorted(EVENT_MODELS)


@pytest.fixture
async def receiver(
    amqp_url: str, postgres_url: str, bus_namespace: str
) -> AsyncIterator[tuple[str, SqlStore]]:
    store = open_store(postgres_url)
    await store.migrate()
    assert isinstance(store, SqlStore)
    bus = AmqpBus(
        amqp_url, topology=Topology(namespace=bus_namespace), queues=[ORCHESTRATOR_EVENTS]
    )
    service = WebhookReceiverService(
        WebhookReceiverSettings(
            webhook_port=0, webhook_max_body_bytes=LIMIT, webhook_sweep_interval=3600.0
        ),
        bus,
        store,
        TENANTS,
    )
    await service.start()
    yield service.url, store
    await service.stop()
    await bus.close()
    await store.close()


# -- bodies ----------------------------------------------------------------------------------

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30, max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["\ud800", "\x00", "</x>", "PO-1", "2026-01-01T00:00:00Z"]),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
event_type = st.one_of(
    st.sampled_from(KNOWN),
    st.from_regex(r"[A-Z][A-Z0-9_]{0,20}", fullmatch=True),
    st.sampled_from(["", "x" * 65, "PO CREATED", "PO_CREATED\n", "ÉVÉNEMENT"]),
    json_value,
)
event_id = st.one_of(
    st.integers(0, 10**6).map(lambda n: f"{RUN}-{n}"),
    st.sampled_from(["", " ", "x" * 129, "a b", "é", "id\x00"]),
    json_value,
)
payload = st.one_of(
    json_value,
    st.fixed_dictionaries(
        {"purchaseOrderId": json_value, "orderLines": json_value, "returnOrders": json_value}
    ),
)


@st.composite
def envelopes(draw: st.DrawFn) -> Any:
    source: dict[str, Any] = {}
    if draw(st.integers(0, 9)):
        source["eventType"] = draw(event_type)
    if draw(st.integers(0, 9)):
        source["eventId"] = draw(event_id)
    if draw(st.booleans()):
        source["eventTime"] = draw(st.one_of(st.just("2026-01-01T00:00:00Z"), json_value))
    body: dict[str, Any] = {"source": source if draw(st.integers(0, 9)) else draw(json_value)}
    if draw(st.integers(0, 5)):
        body["payload"] = draw(payload)
    if draw(st.booleans()):
        body[draw(st.text(max_size=8))] = draw(json_value)
    return body


def _encoded(document: Any, encoding: str) -> bytes:
    text = json.dumps(document, allow_nan=True)  # NaN / Infinity literals, as Python writes them
    if encoding == "utf-8":
        return text.encode()
    if encoding == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    return text.encode(encoding)


SPECIAL = [
    b"",
    b"null",
    b"[]",
    b'"text"',
    b"{",
    b"{not json",
    b"1" * 5000,
    b"[" * 100_000,
    b'{"source": ' * 3000 + b"{}" + b"}" * 3000,
    b'{"source": {"eventType": "PO_CREATED", "eventId": "' + RUN.encode() + b'-x"}, '
    b'"payload": ' + b"9" * 5000 + b"}",
    b'{"source": {"eventType": "PO_CREATED", "eventId": "' + RUN.encode() + b'-y"}, '
    b'"payload": {"purchaseOrderId": "\\ud800"}}',
    b'{"source": {"eventType": "PO_CREATED", "eventId": "' + RUN.encode() + b'-z"}, '
    b'"payload": {"purchaseOrderId": NaN, "orderLines": Infinity}}',
    b'{"source": {"eventType": "NEW_THING", "eventId": "' + RUN.encode() + b'-n"}}',
    b"x" * (LIMIT + 1),
]
bodies = st.one_of(
    st.tuples(envelopes(), st.sampled_from(["utf-8", "utf-8", "bom", "utf-16", "utf-16-le"])).map(
        lambda pair: _encoded(*pair)
    ),
    st.binary(max_size=600),
    st.sampled_from(SPECIAL),
)
content_types = st.sampled_from(
    [None, "application/json", "text/plain", "application/json; charset=utf-16"]
)


def source_of(body: bytes) -> tuple[Any, Any]:
    """(eventType, eventId) as the receiver would read them, or (None, None)."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None, None
    source = document.get("source") if isinstance(document, dict) else None
    if not isinstance(source, dict):
        return None, None
    return source.get("eventType"), source.get("eventId")


def check_answer(
    response: httpx.Response, body: bytes, accepted: dict[str, bool], failures: list[str]
) -> None:
    def fail(why: str) -> None:
        failures.append(
            f"{why}: HTTP {response.status_code} {response.text[:200]!r} for {body[:120]!r}"
        )

    if response.status_code not in (200, 400, 413):
        return fail("unexpected status")
    try:
        answer = response.json()
    except ValueError:
        return fail("the answer is not JSON")
    if response.status_code != 200:
        detail = answer.get("detail") if isinstance(answer, dict) else None
        if not isinstance(detail, str) or not detail.strip():
            fail("a refusal without a reason")
        return None
    kind, identifier = source_of(body)
    if answer.get("status") not in ("accepted", "duplicate") or answer.get("eventId") != identifier:
        return fail("a 200 that does not name the event")
    # A repeated eventId is answered 'duplicate' and the first event's row stays as it was.
    accepted.setdefault(identifier, kind in EVENT_MODELS)
    return None


def fuzz(base_url: str) -> tuple[list[str], dict[str, bool], dict[int, int]]:
    failures: list[str] = []
    accepted: dict[str, bool] = {}
    statuses: dict[int, int] = {}

    with httpx.Client(base_url=base_url, timeout=30) as http:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,  # the same bodies every run: the coverage floors below hold
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(body=bodies, content_type=content_types)
        @example(body=SPECIAL[-2], content_type="application/json")
        def send(body: bytes, content_type: str | None) -> None:
            headers = dict(BASIC)
            if content_type:
                headers["Content-Type"] = content_type
            response = http.post("/webhooks/walmart/fuzz", content=body, headers=headers)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            check_answer(response, body, accepted, failures)

        send()
        for body in SPECIAL:  # every one of them, whatever hypothesis chose
            response = http.post("/webhooks/walmart/fuzz", content=body, headers=BASIC)
            check_answer(response, body, accepted, failures)
    return failures, accepted, statuses


async def test_generated_bodies_never_get_a_5xx_and_every_refusal_says_why(
    receiver: tuple[str, SqlStore],
) -> None:
    url, store = receiver
    failures, accepted, statuses = await asyncio.to_thread(fuzz, url)
    assert failures == [], "\n".join(failures[:20])
    assert statuses.get(200, 0) >= 10, statuses
    assert statuses.get(400, 0) >= 10, statuses
    assert statuses.get(413, 0) >= 1, statuses
    assert not all(accepted.values()), "no event of an unknown type was accepted"
    table = sa.table("webhook_events", sa.column("event_id"), sa.column("known_type"))
    async with store.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(table.c.event_id, table.c.known_type).where(
                table.c.event_id.in_(list(accepted))
            )
        )
        kept = {row.event_id: row.known_type for row in rows}
    assert kept == accepted  # each accepted event is stored, unknown types as unknown


async def test_other_methods_are_refused_with_or_without_credentials(
    receiver: tuple[str, SqlStore],
) -> None:
    url, _ = receiver
    paths = ("/webhooks/walmart/fuzz", "/webhooks/walmart/fuzz-oauth/oauth/token")
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for method in ("GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"):
            body = json.dumps(
                {"source": {"eventType": "PO_CREATED", "eventId": f"{RUN}-{method}"}, "payload": {}}
            )
            for path in paths:
                for headers in ({}, BASIC, {"Authorization": base64.b64encode(b"c:s").decode()}):
                    response = await http.request(method, path, content=body, headers=headers)
                    where = (method, path, headers, response.text)
                    assert response.status_code == 405, where
                    if method != "HEAD":
                        assert response.json()["detail"] == "Method Not Allowed", where
