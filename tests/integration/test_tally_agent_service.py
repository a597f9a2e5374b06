"""The tally-agent service through a real bus (RabbitMQ and the embedded SQLite bus) against
the TallyPrime simulator over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from mlc_shared.bus.base import Bus
from mlc_shared.bus.factory import create_bus
from mlc_shared.bus.topology import (
    ORCHESTRATOR_EVENTS,
    QueuePolicy,
    Topology,
    tally_commands,
)
from mlc_shared.domain.tally import LedgerSpec, VoucherKey
from mlc_shared.messages.envelope import Envelope, Payload
from mlc_shared.messages.tally import (
    AgentStatus,
    CreateMasters,
    ExportStockItems,
    ExportVouchers,
    FindVouchers,
    ImportVouchers,
    StockItemsExported,
    VouchersExported,
    VouchersFound,
    VouchersImported,
)
from tally_agent.service import TallyAgentService
from tally_agent.settings import TallyAgentSettings
from tally_sim import TallySimulator

from tests.unit.tally_agent.simulator import COMPANY, Admin, running_simulator
from tests.unit.tally_agent.vouchers_fixture import receipt, sales

TENANT = "acme"
WAIT = 60.0  # generous upper bound for a result to arrive; never asserted on


@dataclass
class Agent:
    sim: TallySimulator
    admin: Admin
    bus: Bus
    service: TallyAgentService
    events: asyncio.Queue[Envelope]

    async def send(self, payload: Payload, message_id: str | None = None) -> Envelope:
        command = Envelope.new(payload, tenant=TENANT, message_id=message_id)
        await self.bus.publish(tally_commands(TENANT), command)
        return command

    async def result(self, command: Envelope) -> Envelope:
        """The next event caused by ``command`` (status events are skipped)."""
        while True:
            event = await asyncio.wait_for(self.events.get(), WAIT)
            if event.causation_id == command.message_id:
                return event


@pytest.fixture(params=["amqp", "embedded"])
async def agent(
    request: pytest.FixtureRequest, bus_namespace: str, tmp_path: Path
) -> AsyncIterator[Agent]:
    adapter = request.param
    amqp_url = request.getfixturevalue("amqp_url") if adapter == "amqp" else None
    async with running_simulator() as (sim, admin):
        settings = TallyAgentSettings(
            tenant=TENANT,
            amqp_url=amqp_url,
            bus_namespace=bus_namespace,
            database_url=f"sqlite:///{tmp_path / 'mlc.db'}",
            tally_url=sim.url,
            tally_company=COMPANY,
            tally_status_interval=3600,
            tally_read_timeout=5,
            tally_liveness_wait=2,
            tally_liveness_interval=0.1,
        )
        # Short retry tiers and a small delivery limit: an outage that counted would park.
        topology = Topology(
            namespace=bus_namespace,
            tally_policy=QueuePolicy(
                delivery_limit=2, retry_delays=(0.2, 0.4), prefetch=1, single_active_consumer=True
            ),
        )
        bus = create_bus(settings, topology=topology)
        try:
            await asyncio.wait_for(bus.start(), WAIT)
        except TimeoutError:
            await bus.close()
            pytest.fail(
                f"the {adapter} bus did not start within {WAIT:g} s "
                "(is RabbitMQ answering AMQP, not just accepting TCP?)"
            )
        events: asyncio.Queue[Envelope] = asyncio.Queue()

        async def collect(event: Envelope) -> None:
            await events.put(event)

        subscription = await bus.consume(ORCHESTRATOR_EVENTS, collect)
        service = TallyAgentService(settings, bus)
        await service.start()
        try:
            yield Agent(sim, admin, bus, service, events)
        finally:
            await service.stop()
            await subscription.cancel()
            await bus.close()


async def test_status_event_on_start(agent: Agent) -> None:
    while True:
        event = await asyncio.wait_for(agent.events.get(), WAIT)
        if isinstance(event.payload, AgentStatus):
            break
    status = event.payload
    assert status.reachable
    assert status.company_open
    assert status.company == COMPANY
    assert event.tenant == TENANT


async def test_import_and_redelivery_create_nothing_new(agent: Agent) -> None:
    command = await agent.send(ImportVouchers(vouchers=(sales("WM-1"), sales("WM-2"), receipt())))
    first = await agent.result(command)
    assert isinstance(first.payload, VouchersImported)
    assert [r.outcome for r in first.payload.results] == ["created"] * 3
    assert first.correlation_id == command.correlation_id

    # The broker delivers the same command again (same message id).
    again = await agent.send(command.payload, message_id=command.message_id)
    second = await agent.result(again)
    assert isinstance(second.payload, VouchersImported)
    assert [r.outcome for r in second.payload.results] == ["exists"] * 3
    assert second.message_id == first.message_id  # the orchestrator's inbox sees a repeat
    company = await agent.admin.company(COMPANY)
    assert company["counts"]["vouchers"] == 3


async def test_export_pages_through_the_bus(agent: Agent) -> None:
    command = await agent.send(ExportStockItems(census=True))
    event = await agent.result(command)
    assert isinstance(event.payload, StockItemsExported)
    assert event.payload.last_page
    assert [i.name for i in event.payload.items] == ["Widget"]
    assert event.payload.census == (event.payload.items[0].guid,)
    cursor = event.payload.next_alter_id
    assert cursor is not None

    unchanged = await agent.result(await agent.send(ExportStockItems(since_alter_id=cursor)))
    assert isinstance(unchanged.payload, StockItemsExported)
    assert unchanged.payload.unchanged


async def test_tally_away_retries_without_parking(agent: Agent) -> None:
    await agent.admin.call("POST", "/faults/stop")  # Tally not running: connection refused
    command = await agent.send(ExportStockItems())
    # Far more failed deliveries than the delivery limit (2) happen meanwhile.
    await asyncio.sleep(2.5)
    assert await agent.bus.parked(tally_commands(TENANT)) == []
    await agent.admin.call("POST", "/faults/start")
    event = await agent.result(command)
    assert isinstance(event.payload, StockItemsExported)


async def test_closed_company_retries_without_parking(agent: Agent) -> None:
    await agent.admin.call("POST", f"/companies/{COMPANY}/unload")
    command = await agent.send(ImportVouchers(vouchers=(sales("WM-9"),)))
    await asyncio.sleep(2.5)
    assert await agent.bus.parked(tally_commands(TENANT)) == []
    assert (await agent.admin.company(COMPANY))["counts"]["vouchers"] == 0
    await agent.admin.call("POST", f"/companies/{COMPANY}/load")
    event = await agent.result(command)
    assert isinstance(event.payload, VouchersImported)
    assert [r.outcome for r in event.payload.results] == ["created"]


async def test_command_that_can_never_work_is_parked(agent: Agent) -> None:
    command = await agent.send(
        CreateMasters(masters=(LedgerSpec(name="New Party", parent="Sundry Debtors"),))
    )
    queue = tally_commands(TENANT)
    for _ in range(int(WAIT / 0.1)):
        parked = await agent.bus.parked(queue)
        if parked:
            break
        await asyncio.sleep(0.1)
    [message] = parked
    assert message.message_id == command.message_id
    assert "MLC_TALLY_ALLOW_MASTER_CREATE" in message.reason


async def test_status_when_tally_is_away(agent: Agent) -> None:
    while not isinstance((await asyncio.wait_for(agent.events.get(), WAIT)).payload, AgentStatus):
        pass  # the probe made at start-up has been published
    await agent.admin.call("POST", "/faults/stop")
    status = await agent.service.publish_status()
    assert not status.reachable
    assert not status.company_open
    assert status.detail is not None
    assert "F1 (Help) > Settings > Connectivity" in status.detail


async def test_find_and_export_vouchers(agent: Agent) -> None:
    posted = await agent.result(await agent.send(ImportVouchers(vouchers=(sales("WM-5"),))))
    assert isinstance(posted.payload, VouchersImported)
    key = VoucherKey(
        voucher_type="Sales",
        number="WM-5",
        date=sales("WM-5").date,
        narration=sales("WM-5").narration,
    )
    other = VoucherKey(voucher_type="Sales", number="WM-6", date=sales("WM-6").date)
    found = await agent.result(await agent.send(FindVouchers(keys=(key, other))))
    assert isinstance(found.payload, VouchersFound)
    assert [v.master_id for v in found.payload.found] == [posted.payload.results[0].master_id]
    assert found.payload.missing == (other,)

    exported = await agent.result(
        await agent.send(
            ExportVouchers(
                from_date=date(2025, 4, 1), to_date=date(2025, 4, 30), voucher_type="Sales"
            )
        )
    )
    assert isinstance(exported.payload, VouchersExported)
    assert exported.payload.last_page
    assert [v.narration for v in exported.payload.vouchers] == [sales("WM-5").narration]
