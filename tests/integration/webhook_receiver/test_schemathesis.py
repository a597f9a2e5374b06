"""Property-based run of the receiver's own OpenAPI document: no input gives a 5xx (issue 5).

Schemathesis generates requests from ``/openapi.json`` (valid and invalid ones) and sends
them over HTTP to a receiver backed by real RabbitMQ and PostgreSQL. Deliveries are sent
twice: once as generated (mostly unknown tenants and missing credentials: 401s), once for a
configured tenant with good credentials, so generated envelopes reach validation, the store
and the broker. Hypothesis runs in a worker thread because its API is synchronous while the
receiver serves from this test's event loop.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from mlc_shared.bus.amqp import AmqpBus
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, Topology
from mlc_shared.store import open_store
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance
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
GOOD = {
    "receiveEvent": (
        "fuzz",
        {"Authorization": "Basic " + base64.b64encode(b"walmart:pw").decode()},
    ),
    "issueToken": ("fuzz-oauth", {"Authorization": base64.b64encode(b"c:s").decode()}),
}
EXAMPLES = 150


@pytest.fixture
async def receiver_url(amqp_url: str, postgres_url: str, bus_namespace: str) -> AsyncIterator[str]:
    store = open_store(postgres_url)
    await store.migrate()
    bus = AmqpBus(
        amqp_url, topology=Topology(namespace=bus_namespace), queues=[ORCHESTRATOR_EVENTS]
    )
    service = WebhookReceiverService(
        WebhookReceiverSettings(
            webhook_port=0, webhook_max_body_bytes=65536, webhook_sweep_interval=3600.0
        ),
        bus,
        store,
        TENANTS,
    )
    await service.start()
    yield service.url
    await service.stop()
    await bus.close()
    await store.close()


def fuzz(
    base_url: str, strategy: Any, label: str, failures: list[str], statuses: dict[int, int]
) -> None:
    """Send what ``strategy`` generates; collect every check that fails."""

    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=strategy)
    def check(case: Any) -> None:
        response = case.call(base_url=base_url, timeout=30)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )
        except Exception as exc:  # collected, reported together by the test
            failures.append(f"{label}: {exc}")

    check()


def run_schemathesis(base_url: str) -> list[str]:
    """Every operation, positive and negative data, as generated and with good credentials."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    statuses: dict[int, int] = {}
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        variants: list[dict[str, Any]] = [{}]
        modes = [GenerationMode.POSITIVE]
        if operation.definition.raw.get("operationId") in GOOD:
            tenant, headers = GOOD[operation.definition.raw["operationId"]]
            variants.append({"path_parameters": {"tenant": tenant}, "headers": headers})
            modes.append(GenerationMode.NEGATIVE)  # the health probes have no input to break
        for mode in modes:
            for overrides in variants:
                strategy = operation.as_strategy(generation_mode=mode, **overrides)
                label = (
                    f"{operation.label} [{mode.value}{', good credentials' if overrides else ''}]"
                )
                fuzz(base_url, strategy, label, failures, statuses)
    assert statuses.get(200, 0) > 0, f"no request got past authentication: {statuses}"
    return failures


async def test_no_generated_request_gives_a_server_error(receiver_url: str) -> None:
    failures = await asyncio.to_thread(run_schemathesis, receiver_url)
    assert failures == []
