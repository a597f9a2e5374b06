"""Operating the connector, end to end in the distributed mode (issue 7): four `mlc serve`
processes on the real RabbitMQ and PostgreSQL, both simulators over HTTP, an order arriving
by webhook (HMAC-signed by the Walmart simulator) and a stock change going out.

Checked afterwards:

* every service answers ``/metrics`` with its own figures (flow lag and last success, queue
  and parking depths, agent status, Tally request latency and busy time, Walmart token
  refreshes, webhook accept counts) under the names the dashboard and alert rules use;
* every log line is a JSON object, and the lines about work carry tenant and correlation id;
* no configured secret (Walmart client secret, the access tokens Walmart issued, the webhook
  HMAC secret, the operator token, the Tally password, the database and broker passwords,
  the alert webhook URL and SMTP password) appears in any log (tests/integration/ops
  checks `mlc doctor`'s output the same way).
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest
from mlc_shared.metrics import METRIC_NAMES
from prometheus_client.parser import text_string_to_metric_families
from tally_sim import TallySimulator
from walmart_gateway.api.webhooks import DeliveryAuth, SubscriptionRequest
from walmart_gateway.gateway import WalmartGateway
from walmart_gateway.settings import WalmartSettings
from walmart_sim import WalmartSimulator

from tests.e2e.support import Processes, service_env, tally_vouchers, wait_until
from tests.e2e.test_skeleton import GODOWN, ITEM, MAPPING, NODE, SKU

SERVICES = ("tally-agent", "walmart-gateway", "webhook-receiver", "sync-orchestrator")
PO = "4000000000077"
MGMT = "http://127.0.0.1:15672/api"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _secret(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}"


@dataclass
class Secrets:
    walmart_client: str
    hmac: str
    operator: str
    tally_password: str
    db_password: str
    amqp_password: str
    alert_hook_path: str
    smtp_password: str

    def values(self) -> list[str]:
        return list(vars(self).values())


@pytest.fixture
async def broker_user(amqp_url: str) -> AsyncIterator[tuple[str, str]]:
    """A RabbitMQ user with a password no other test uses, for the services' AMQP URL."""
    name, password = f"mlc-logs-{uuid.uuid4().hex[:8]}", _secret("AmqpPw")
    admin = urlsplit(amqp_url)
    auth = (admin.username or "guest", admin.password or "guest")
    async with httpx.AsyncClient(timeout=10, auth=auth) as mgmt:
        (await mgmt.put(f"{MGMT}/users/{name}", json={"password": password, "tags": ""}))
        (
            await mgmt.put(
                f"{MGMT}/permissions/%2F/{name}",
                json={"configure": ".*", "write": ".*", "read": ".*"},
            )
        ).raise_for_status()
        try:
            host = f"{admin.hostname}:{admin.port or 5672}"
            yield f"amqp://{name}:{password}@{host}/", password
        finally:
            await mgmt.delete(f"{MGMT}/users/{name}")


async def _metrics(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with httpx.AsyncClient(timeout=10) as http:
        reply = await http.get(f"http://127.0.0.1:{port}/metrics")
        reply.raise_for_status()
    samples = {}
    for family in text_string_to_metric_families(reply.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    assert name in METRIC_NAMES, f"{name} is not a documented metric"
    return sum(
        v for (n, ls), v in samples.items() if n == name and labels.items() <= dict(ls).items()
    )


def _names(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> set[str]:
    return {n for n, _ in samples if n.startswith("mlc_")}


async def test_metrics_logs_and_secrets_in_a_distributed_run(
    tmp_path: Path, broker_user: tuple[str, str], fresh_postgres_url: str, bus_namespace: str
) -> None:
    amqp_url, amqp_password = broker_user
    secrets = Secrets(
        walmart_client=_secret("WmSecret"),
        hmac=_secret("HmacKey"),
        operator=_secret("OpToken"),
        tally_password=_secret("TallyPw"),
        db_password=_secret("DbPw"),
        amqp_password=amqp_password,
        alert_hook_path=_secret("hookpath"),
        smtp_password=_secret("SmtpPw"),
    )
    tally = TallySimulator(data="demo")
    walmart = WalmartSimulator(data="empty", time_scale=0.001, client_secret=secrets.walmart_client)
    await tally.start(host="127.0.0.1", port=0, admin_port=0)
    await walmart.start(host="127.0.0.1", port=0)
    ports = {service: _free_port() for service in SERVICES}
    receiver_url = f"http://127.0.0.1:{ports['webhook-receiver']}/webhooks/walmart/default"
    procs = Processes(tmp_path)
    try:
        company = tally.demo_company
        assert company is not None
        async with httpx.AsyncClient(timeout=10) as admin:
            (
                await admin.put(
                    f"{tally.admin_url}/companies/{quote(company)}/password",
                    json={"username": "operator", "password": secrets.tally_password},
                )
            ).raise_for_status()
            (
                await admin.post(
                    f"{walmart.url}/admin/catalog",
                    json={
                        "ship_nodes": [{"ship_node": NODE, "name": GODOWN}],
                        "items": [{"sku": SKU, "product_name": ITEM, "price": "25.90"}],
                    },
                )
            ).raise_for_status()
        gateway = WalmartGateway(
            WalmartSettings(
                walmart_base_url=walmart.url,
                walmart_client_id=walmart.client_id,
                walmart_client_secret=secrets.walmart_client,
            )
        )
        seller = await gateway.seller("default")
        await seller.webhooks.subscribe(
            SubscriptionRequest(
                event_type="PO_CREATED",
                resource_name="ORDER",
                event_url=receiver_url,
                auth=DeliveryAuth(method="HMAC", client_secret=secrets.hmac),
            )
        )
        await gateway.aclose()
        mapping = tmp_path / "mapping.toml"
        mapping.write_text(MAPPING)
        db = urlsplit(fresh_postgres_url)
        # Trust authentication here: the password is sent and never checked, which is all
        # a log scan needs.
        database_url = db._replace(
            netloc=f"{db.username}:{secrets.db_password}@{db.hostname}:{db.port or 5432}"
        ).geturl()
        env = {
            "MLC_AMQP_URL": amqp_url,
            "MLC_DATABASE_URL": database_url,
            "MLC_BUS_NAMESPACE": bus_namespace,
            "MLC_LOG_LEVEL": "DEBUG",
            "MLC_LOG_FORMAT": "json",
            "MLC_TALLY_URL": tally.url,
            "MLC_TALLY_COMPANY": company,
            "MLC_TALLY_USERNAME": "operator",
            "MLC_TALLY_PASSWORD": secrets.tally_password,
            "MLC_TALLY_STATUS_INTERVAL": "1",
            "MLC_WALMART_BASE_URL": walmart.url,
            "MLC_WALMART_CLIENT_ID": walmart.client_id,
            "MLC_WALMART_CLIENT_SECRET": secrets.walmart_client,
            "MLC_WEBHOOK_AUTH_METHOD": "hmac",
            "MLC_WEBHOOK_HMAC_SECRET": secrets.hmac,
            "MLC_WEBHOOK_PUBLIC_URL": receiver_url,
            "MLC_OPERATOR_TOKEN": secrets.operator,
            "MLC_MAPPING_FILE": str(mapping),
            "MLC_CATALOG_INTERVAL_S": "1",
            "MLC_ORDERS_INTERVAL_S": "30",
            "MLC_OUTBOX_POLL_S": "0.2",
            "MLC_ALERT_INTERVAL_S": "1",
            "MLC_ALERT_WEBHOOK_URL": f"http://127.0.0.1:9/{secrets.alert_hook_path}",
            "MLC_ALERT_SMTP_HOST": "127.0.0.1",
            "MLC_ALERT_SMTP_PORT": "9",
            "MLC_ALERT_SMTP_USERNAME": "alerts",
            "MLC_ALERT_SMTP_PASSWORD": secrets.smtp_password,
            "MLC_ALERT_SMTP_TO": "ops@seller.test",
        }
        for service in SERVICES:
            procs.start(
                service,
                ["serve", service],
                service_env({**env, "MLC_HTTP_PORT": str(ports[service])}),
            )
        await wait_until(
            lambda: _ready(ports.values()), within=60, what="every service ready", procs=procs
        )
        async with httpx.AsyncClient(timeout=10) as admin:
            (
                await admin.post(
                    f"{tally.admin_url}/companies/{quote(company)}/stock-adjustments",
                    json={"item": ITEM, "godown": GODOWN, "qty": 37},
                )
            ).raise_for_status()
            placed = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
            (
                await admin.post(
                    f"{walmart.url}/admin/orders",
                    json={
                        "purchase_order_id": PO,
                        "order_date": placed,
                        "ship_node": NODE,
                        "lines": [
                            {"sku": SKU, "quantity": 2, "unit_price": "25.90", "unit_tax": "1.81"}
                        ],
                    },
                )
            ).raise_for_status()
        # The order comes by webhook (orders are polled only every 30 s here).
        await wait_until(
            lambda: tally_vouchers(tally.admin_url, company, f"WM-{PO}"),
            within=90,
            what=f"Sales voucher WM-{PO} in Tally",
            procs=procs,
        )
        receiver = await _metrics(ports["webhook-receiver"])
        assert _value(receiver, "mlc_webhook_deliveries_total", outcome="accepted") >= 1
        orchestrator = await wait_until(
            lambda: _orchestrator_caught_up(ports["sync-orchestrator"]),
            within=60,
            what="the orchestrator's metrics to show both flows succeeded",
            procs=procs,
        )
        assert _value(orchestrator, "mlc_agent_up", tenant="default") == 1
        assert _value(orchestrator, "mlc_tally_company_open", tenant="default") == 1
        assert ("mlc_queue_parked_messages", (("queue", "walmart.commands"),)) in orchestrator
        assert ("mlc_queue_ready_messages", (("queue", "tally.default.commands"),)) in orchestrator
        assert _value(orchestrator, "mlc_metrics_source_up", source="sync-orchestrator") == 1
        agent = await _metrics(ports["tally-agent"])
        assert _value(agent, "mlc_tally_request_seconds_count", kind="stream", outcome="ok") > 0
        assert _value(agent, "mlc_tally_busy_seconds_total") > 0
        walmart_side = await _metrics(ports["walmart-gateway"])
        assert _value(walmart_side, "mlc_walmart_token_refreshes_total", outcome="issued") >= 1
        assert "mlc_walmart_throttle_wait_seconds_total" in METRIC_NAMES
        exported = set().union(*(_names(s) for s in (receiver, orchestrator, agent, walmart_side)))
        assert exported - METRIC_NAMES <= {n for n in exported if n.endswith("_created")}
    finally:
        codes = procs.stop()
        tokens = list(walmart.ctx.state.tokens)
        await walmart.stop()
        await tally.stop()
    # Clean exits are the skeleton test's subject; here the logs are, whatever the exit.
    assert set(codes) == set(SERVICES)
    assert tokens, "the Walmart simulator issued no token"
    logs = {service: (tmp_path / f"{service}.log").read_text() for service in SERVICES}
    work_lines = _assert_json_lines(logs)
    assert work_lines >= 3
    everything = "\n".join(logs.values())
    for secret in [*secrets.values(), *tokens]:
        assert secret not in everything, f"a secret ({secret[:6]}...) reached the logs"


async def _ready(ports: object) -> bool:
    async with httpx.AsyncClient(timeout=3) as http:
        for port in ports:  # type: ignore[attr-defined]
            try:
                if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code != 200:
                    return False
            except httpx.HTTPError:
                return False
    return True


async def _orchestrator_caught_up(
    port: int,
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float] | None:
    samples = await _metrics(port)
    flows = {
        flow: _value(
            samples, "mlc_flow_last_success_timestamp_seconds", tenant="default", flow=flow
        )
        for flow in ("catalog", "orders")
    }
    lag = _value(samples, "mlc_flow_lag_seconds", tenant="default", flow="catalog")
    heard = _value(samples, "mlc_agent_last_status_timestamp_seconds", tenant="default")
    return samples if all(flows.values()) and lag >= 0 and heard > 0 else None


def _assert_json_lines(logs: dict[str, str]) -> int:
    """Every line is one JSON object with a level and an event; returns how many lines about
    a message carry both tenant and correlation id."""
    with_context = 0
    for service, text in logs.items():
        for raw in text.splitlines():
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except json.JSONDecodeError:
                raise AssertionError(
                    f"{service} wrote a line that is not JSON: {raw[:200]}"
                ) from None
            assert isinstance(line, dict)
            assert {"event", "level", "timestamp"} <= line.keys(), raw[:200]
            if line.get("tenant") and line.get("correlation_id"):
                with_context += 1
    return with_context
