"""The alert engine with real parts: a parking queue on the embedded bus, agent statuses and
a settlement audit row in a real store, Walmart refusing a wrong secret (simulator over
HTTP); alerts delivered to a real HTTP receiver and a real SMTP server on loopback, once
per condition until it clears."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from mlc_shared.bus.base import Bus, Reject
from mlc_shared.bus.embedded import EmbeddedBus
from mlc_shared.bus.topology import WALMART_COMMANDS, Topology
from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.orchestrator import RunFlow
from mlc_shared.messages.tally import AgentStatus
from mlc_shared.store import AuditEntry, SqlStore, Store, open_store
from pydantic import SecretStr
from sync_orchestrator.agent_watch import AgentWatch
from walmart_gateway.errors import WalmartBadCredentials
from walmart_gateway.gateway import WalmartGateway
from walmart_gateway.settings import WalmartSettings
from walmart_sim import WalmartSimulator

from ml_connector.alerts.engine import AlertEngine
from ml_connector.alerts.notify import Notifier, channels_from
from ml_connector.alerts.rules import (
    AgentDown,
    ParkingGrowing,
    Rule,
    UnbalancedSettlements,
    walmart_auth_failures,
)
from ml_connector.alerts.settings import AlertSettings
from tests.integration.ops.receivers import http_receiver, smtp_server


@pytest.fixture
async def store(sqlite_url: str) -> AsyncIterator[Store]:
    store = open_store(sqlite_url)
    await store.migrate()
    yield store
    await store.close()


@pytest.fixture
async def bus(store: Store) -> AsyncIterator[Bus]:
    assert isinstance(store, SqlStore)
    bus = EmbeddedBus(store.engine, topology=Topology(namespace="alerts"))
    await bus.start()
    yield bus
    await bus.close()


async def park_one(bus: Bus, queue: str) -> None:
    async def refuse(_: Envelope) -> None:
        raise Reject("no rule can post this")

    before = (await bus.depth(queue)).parked
    subscription = await bus.consume(queue, refuse)
    await bus.publish(queue, Envelope.new(RunFlow(flow="catalog"), tenant="default"))
    for _ in range(200):
        if (await bus.depth(queue)).parked > before:
            break
        await asyncio.sleep(0.05)
    await subscription.cancel()
    assert (await bus.depth(queue)).parked == before + 1


async def test_parking_growth_is_posted_once_then_resolved(bus: Bus) -> None:
    with http_receiver() as (url, hook):
        settings = AlertSettings(alert_webhook_url=SecretStr(url))
        rule = ParkingGrowing(bus, lambda: [WALMART_COMMANDS], window_s=3600)
        engine = AlertEngine([rule], Notifier(channels_from(settings)), interval_s=60)
        assert await engine.evaluate() == []  # a baseline: nothing parked
        await park_one(bus, WALMART_COMMANDS)
        first = await engine.evaluate()
        assert [n.state for n in first] == ["firing"]
        await park_one(bus, WALMART_COMMANDS)
        assert await engine.evaluate() == []  # still the same condition: not repeated
        assert await bus.purge_parked(WALMART_COMMANDS) == 2
        last = await engine.evaluate()
        assert [n.state for n in last] == ["resolved"]
    assert [(b["alert"], b["state"]) for b in hook.bodies] == [
        ("parking_growing", "firing"),
        ("parking_growing", "resolved"),
    ]
    body = hook.bodies[0]
    assert body["labels"] == {"queue": WALMART_COMMANDS}
    assert "mlc dlq list" in body["action"]
    assert body["source"] == "ml-connector"


async def test_a_failed_post_is_sent_again_at_the_next_evaluation(bus: Bus) -> None:
    with http_receiver() as (url, hook):
        hook.statuses = [503]
        settings = AlertSettings(alert_webhook_url=SecretStr(url))
        rule = ParkingGrowing(bus, lambda: [WALMART_COMMANDS], window_s=3600)
        engine = AlertEngine([rule], Notifier(channels_from(settings)), interval_s=60)
        await engine.evaluate()
        await park_one(bus, WALMART_COMMANDS)
        await engine.evaluate()
        assert hook.bodies == []
        assert len(engine.notifier.backlog) == 1
        await engine.evaluate()
        assert [b["state"] for b in hook.bodies] == ["firing"]
        assert len(engine.notifier.backlog) == 0


async def put_status(store: Store, at: float, *, company_open: bool) -> None:
    async with store.transaction() as tx:
        await tx.put_agent_status(
            "default",
            AgentStatus(reachable=True, company_open=company_open, company="Acme Traders"),
            datetime.fromtimestamp(at, UTC),
        )


async def test_company_closed_and_unbalanced_settlement_by_email(store: Store) -> None:
    clock = [time.time()]
    await put_status(store, clock[0], company_open=False)
    async with store.transaction() as tx:
        await tx.add_audit(
            AuditEntry(
                tenant="default",
                flow="settlements",
                correlation_id="c1",
                record_kind="settlement",
                source_id="03152026",
                status="unbalanced",
                detail={"difference": "-12.50"},
            )
        )
    with smtp_server() as (port, inbox):
        settings = AlertSettings(
            alert_smtp_host="127.0.0.1",
            alert_smtp_port=port,
            alert_smtp_security="none",
            alert_smtp_from="connector@seller.test",
            alert_smtp_to="ops@seller.test, books@seller.test",
        )
        rules: list[Rule] = [
            AgentDown(AgentWatch(store, "default", clock=lambda: clock[0]), after_s=600),
            UnbalancedSettlements(store, "unbalanced"),
        ]
        engine = AlertEngine(
            rules, Notifier(channels_from(settings)), interval_s=60, clock=lambda: clock[0]
        )
        first = await engine.evaluate()
        assert [n.condition.alert for n in first] == ["settlement_unbalanced"]
        clock[0] += 660  # heartbeats keep coming; the company stays closed
        await put_status(store, clock[0] - 30, company_open=False)
        (closed,) = await engine.evaluate()
        assert closed.condition.alert == "company_closed"
        assert await engine.evaluate() == []
        clock[0] += 60
        await put_status(store, clock[0] - 5, company_open=True)
        async with store.transaction() as tx:
            await tx.add_audit(
                AuditEntry(
                    tenant="default",
                    flow="settlements",
                    correlation_id="c2",
                    record_kind="settlement",
                    source_id="03152026",
                    status="posted",
                )
            )
        cleared = await engine.evaluate()
        assert sorted((n.condition.alert, n.state) for n in cleared) == [
            ("company_closed", "resolved"),
            ("settlement_unbalanced", "resolved"),
        ]
        for _ in range(100):  # the SMTP server hands messages over from its own thread
            if len(inbox) >= 4:
                break
            await asyncio.sleep(0.05)
    subjects = sorted(str(m["Subject"]) for m in inbox)
    assert len(subjects) == 4
    assert any("FIRING" in s and "Acme Traders" in s for s in subjects)
    assert any("FIRING" in s and "03152026" in s and "-12.50" in s for s in subjects)
    assert sum("RESOLVED" in s for s in subjects) == 2
    assert all(m["To"] == "ops@seller.test, books@seller.test" for m in inbox)
    mail = next(m for m in inbox if "FIRING" in str(m["Subject"]) and "Acme" in str(m["Subject"]))
    assert "Open the company in TallyPrime" in str(mail.get_payload())


async def test_silent_agent_is_an_alert(store: Store) -> None:
    clock = [1_000_000.0]
    watch = AgentWatch(store, "default", clock=lambda: clock[0])
    engine = AlertEngine(
        [AgentDown(watch, after_s=600)], Notifier([]), interval_s=60, clock=lambda: clock[0]
    )
    assert await engine.evaluate() == []
    clock[0] += 601
    (fired,) = await engine.evaluate()
    assert fired.condition.alert == "agent_offline"
    assert "has not reported since start" in fired.condition.summary


async def test_repeated_walmart_credential_refusals() -> None:
    walmart = WalmartSimulator(data="empty", time_scale=0.001)
    await walmart.start(host="127.0.0.1", port=0)
    try:
        rule = walmart_auth_failures(threshold=3, window_s=3600)
        engine = AlertEngine([rule], Notifier([]), interval_s=60)
        assert await engine.evaluate() == []
        settings = WalmartSettings(
            walmart_base_url=walmart.url,
            walmart_client_id=walmart.client_id,
            walmart_client_secret="not-the-secret",
            walmart_retry_attempts=1,
        )
        gateway = WalmartGateway(settings)
        try:
            seller = await gateway.seller("default")
            for attempt in range(3):
                with pytest.raises(WalmartBadCredentials):
                    await seller.token_detail()
                if attempt < 2:
                    assert await engine.evaluate() == []
        finally:
            await gateway.aclose()
        (fired,) = await engine.evaluate()
        assert fired.condition.alert == "walmart_auth_failures"
        assert "MLC_WALMART_CLIENT_SECRET" in fired.condition.action
    finally:
        await walmart.stop()
