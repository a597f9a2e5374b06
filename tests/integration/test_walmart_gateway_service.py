"""The walmart-gateway service end to end: commands on a real bus (RabbitMQ and the embedded
bus, each test once per adapter), Walmart calls to the simulator over HTTP, results read back
from ``orchestrator.events`` and the parking queue."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from mlc_shared.bus import Bus
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, WALMART_COMMANDS
from mlc_shared.domain.walmart import InventoryUpdate, RefundLine
from mlc_shared.messages.envelope import Envelope, Payload
from mlc_shared.messages.tally import ExportStockItems
from mlc_shared.messages.walmart import (
    AcknowledgeOrder,
    AcknowledgeOrders,
    CheckFeed,
    FeedChecked,
    FetchOrders,
    FetchReconReport,
    InventoryUpdated,
    IssueRefund,
    ListReconDates,
    OrderAcknowledged,
    OrdersAcknowledged,
    OrdersFetched,
    ReconDatesListed,
    ReconReportFetched,
    UpdateInventory,
    WalmartRequestRejected,
)
from pydantic import SecretStr
from walmart_gateway.credentials import StaticCredentials, WalmartCredentials
from walmart_gateway.service import WalmartGatewayService
from walmart_gateway.settings import WalmartSettings
from walmart_sim import WalmartSimulator
from walmart_sim.config import SimConfig

from tests.contract.bus_fixtures import harness
from tests.contract.bus_harness import Harness, Recorder, eventually
from tests.contract.bus_probe import TENANT

__all__ = ["harness"]

CLIENT_ID, SECRET = "service-client", "service-secret-0001"
NODE = "10000000101"


@pytest.fixture(scope="module")
async def sim() -> AsyncIterator[WalmartSimulator]:
    simulator = WalmartSimulator(
        client_id=CLIENT_ID, client_secret=SECRET, data="empty", seed=11, time_scale=0.001
    )
    await simulator.start(host="127.0.0.1", port=0)
    yield simulator
    await simulator.stop()


@pytest.fixture
async def admin(sim: WalmartSimulator) -> AsyncIterator[httpx.AsyncClient]:
    baseline = SimConfig(time_scale=0.001).model_dump(mode="json")
    async with httpx.AsyncClient(base_url=sim.url, timeout=60) as http:
        await http.post("/admin/reset", json={"data": "empty"})
        await http.delete("/admin/faults")
        await http.patch("/admin/config", json=baseline)
        yield http


class Running:
    def __init__(self, bus: Bus, service: WalmartGatewayService, events: Recorder) -> None:
        self.bus = bus
        self.service = service
        self.events = events

    async def send(
        self, payload: Payload, *, tenant: str = TENANT, message_id: str | None = None
    ) -> Envelope:
        command = Envelope.new(payload, tenant=tenant, message_id=message_id)
        await self.bus.publish(WALMART_COMMANDS, command)
        return command

    async def answers(self, command: Envelope, count: int = 1) -> list[Envelope]:
        def caused(seen: list[Envelope]) -> list[Envelope]:
            return [e for e in seen if e.causation_id == command.message_id]

        await self.events.wait_for(
            lambda seen: len(caused(seen)) >= count, f"{count} answers to {command.type}"
        )
        return caused(self.events.seen)


def _settings(sim: WalmartSimulator, **overrides: Any) -> WalmartSettings:
    values: dict[str, Any] = {
        "tenant": TENANT,
        "walmart_base_url": sim.url,
        "walmart_client_id": CLIENT_ID,
        "walmart_client_secret": SECRET,
        "walmart_retry_base_delay": 0.01,
        "walmart_retry_max_delay": 0.02,
        "walmart_retry_attempts": 2,
        **overrides,
    }
    return WalmartSettings(**values)


@pytest.fixture
async def running(
    harness: Harness, sim: WalmartSimulator, admin: httpx.AsyncClient
) -> AsyncIterator[Running]:
    bus = await harness.bus()
    service = WalmartGatewayService(_settings(sim, walmart_orders_page_size=2), bus)
    await service.start()
    events = Recorder()
    subscription = await bus.consume(ORCHESTRATOR_EVENTS, events)
    yield Running(bus, service, events)
    await subscription.cancel()
    await service.stop()


async def _catalog(admin: httpx.AsyncClient, *skus: str) -> None:
    response = await admin.post(
        "/admin/catalog",
        json={
            "ship_nodes": [{"ship_node": NODE, "name": "Main DC"}],
            "items": [
                {"sku": s, "product_name": s, "price": "10.00", "inventory": {NODE: 5}}
                for s in skus
            ],
        },
    )
    assert response.status_code == 200, response.text


async def _order(admin: httpx.AsyncClient, sku: str, **spec: Any) -> dict[str, Any]:
    response = await admin.post("/admin/orders", json={"lines": [{"sku": sku}], **spec})
    assert response.status_code == 200, response.text
    order: dict[str, Any] = response.json()["order"]
    return order


async def test_orders_arrive_page_by_page_and_are_acknowledged(
    running: Running, admin: httpx.AsyncClient
) -> None:
    await _catalog(admin, "SKU-1")
    placed = {(await _order(admin, "SKU-1"))["purchaseOrderId"] for _ in range(3)}
    command = await running.send(FetchOrders(created_since=datetime.now(UTC) - timedelta(days=2)))
    pages = await running.answers(command, 2)
    fetched = [p.payload for p in pages]
    assert all(isinstance(p, OrdersFetched) for p in fetched)
    assert [(p.page, p.last_page) for p in fetched if isinstance(p, OrdersFetched)] == [
        (1, False),
        (2, True),
    ]
    orders = [o for p in fetched if isinstance(p, OrdersFetched) for o in p.orders]
    assert {o.purchase_order_id for o in orders} == placed
    assert all(e.correlation_id == command.correlation_id for e in pages)
    first = sorted(placed)[0]
    ack = await running.send(AcknowledgeOrder(purchase_order_id=first))
    (answer,) = await running.answers(ack)
    assert answer.payload == OrderAcknowledged(purchase_order_id=first, already=False)


async def test_orders_read_by_id_answer_once_with_what_was_asked(
    running: Running, admin: httpx.AsyncClient
) -> None:
    """A read by id (the orders events announced): one answer carrying the ids asked for;
    an id Walmart does not know is simply absent; a failed call is retried with the rest."""
    await _catalog(admin, "SKU-1")
    placed = tuple(sorted([(await _order(admin, "SKU-1"))["purchaseOrderId"] for _ in range(3)]))
    await admin.post(
        "/admin/faults/next", json={"status": 503, "path_prefix": f"/v3/orders/{placed[0]}"}
    )
    asked = (*placed, "999999999")
    command = await running.send(FetchOrders(purchase_order_ids=asked))
    (answer,) = await running.answers(command)
    assert isinstance(answer.payload, OrdersFetched)
    assert answer.payload.requested == asked
    assert answer.payload.last_page
    assert {o.purchase_order_id for o in answer.payload.orders} == set(placed)


async def test_a_batch_of_acknowledgements_answers_each_order(
    running: Running, admin: httpx.AsyncClient
) -> None:
    """One command for many orders: each gets its own outcome; a refused one and one whose
    calls keep failing hold up none of the others."""
    await _catalog(admin, "SKU-1")
    placed = sorted([(await _order(admin, "SKU-1"))["purchaseOrderId"] for _ in range(5)])
    failing = placed[1]
    await admin.post(
        "/admin/faults/next",
        json={"status": 500, "path_prefix": f"/v3/orders/{failing}/acknowledge", "count": 2},
    )
    ack = await running.send(AcknowledgeOrders(purchase_order_ids=(*placed, "999999999")))
    (answer,) = await running.answers(ack)
    assert isinstance(answer.payload, OrdersAcknowledged)
    outcomes = {r.purchase_order_id: r.outcome for r in answer.payload.results}
    assert outcomes == {
        **dict.fromkeys(placed, "acknowledged"),
        failing: "failed",
        "999999999": "refused",
    }
    again = await running.send(AcknowledgeOrders(purchase_order_ids=tuple(placed)))
    (second,) = await running.answers(again)
    assert isinstance(second.payload, OrdersAcknowledged)
    again_outcomes = {r.purchase_order_id: r.outcome for r in second.payload.results}
    assert set(again_outcomes) == set(placed)
    assert set(again_outcomes.values()) <= {"acknowledged", "already"}


async def test_an_empty_listing_still_answers(running: Running) -> None:
    command = await running.send(FetchOrders(created_since=datetime.now(UTC) - timedelta(days=1)))
    (answer,) = await running.answers(command)
    assert answer.payload == OrdersFetched(orders=(), page=1, last_page=True)


async def _check_feed(running: Running, feed_id: str) -> FeedChecked:
    command = await running.send(CheckFeed(feed_id=feed_id))
    (reply,) = await running.answers(command)
    assert isinstance(reply.payload, FeedChecked)
    return reply.payload


async def test_inventory_single_and_feed_then_feed_outcomes(
    running: Running, admin: httpx.AsyncClient, sim: WalmartSimulator
) -> None:
    skus = [f"SKU-{n:03d}" for n in range(80)]
    await _catalog(admin, *skus)
    few = await running.send(
        UpdateInventory(
            updates=tuple(InventoryUpdate(sku=s, quantity=3, ship_node=NODE) for s in skus[:3])
        )
    )
    (answer,) = await running.answers(few)
    assert isinstance(answer.payload, InventoryUpdated)
    assert answer.payload.feed_id is None
    assert all(r.ok for r in answer.payload.results)
    many = [InventoryUpdate(sku=s, quantity=4, ship_node=NODE) for s in skus]
    bulk = await running.send(
        UpdateInventory(
            updates=(*many, InventoryUpdate(sku="UNKNOWN-SKU", quantity=1, ship_node=NODE))
        )
    )
    (answer,) = await running.answers(bulk)
    assert isinstance(answer.payload, InventoryUpdated)
    feed_id = answer.payload.feed_id
    assert feed_id is not None
    assert answer.payload.feed_ids == (feed_id,)

    check = functools.partial(_check_feed, running, feed_id)
    checked = await eventually(check, lambda c: c.feed.complete, "the feed to complete")
    assert checked.feed.items_received == 81
    assert [r.sku for r in checked.feed.results if not r.ok] == ["UNKNOWN-SKU"]


async def test_a_feed_where_every_item_succeeded_is_checked_without_its_details(
    running: Running, admin: httpx.AsyncClient
) -> None:
    """The per-item details (a call per 50 items, §3.2) are read only when a complete feed
    counts a failure; a clean one answers with its counts alone."""
    skus = [f"SKU-{n:03d}" for n in range(120)]
    await _catalog(admin, *skus)
    bulk = await running.send(
        UpdateInventory(
            updates=tuple(InventoryUpdate(sku=s, quantity=5, ship_node=NODE) for s in skus)
        )
    )
    (answer,) = await running.answers(bulk)
    assert isinstance(answer.payload, InventoryUpdated)
    feed_id = answer.payload.feed_id
    assert feed_id is not None

    check = functools.partial(_check_feed, running, feed_id)
    checked = await eventually(check, lambda c: c.feed.complete, "the feed to complete")
    assert checked.feed.all_succeeded
    assert (checked.feed.items_received, checked.feed.results) == (120, ())
    (await admin.delete("/admin/requests")).raise_for_status()
    await check()
    calls = (await admin.get("/admin/requests", params={"path_prefix": "/v3/feeds/"})).json()
    assert [c["query"] for c in calls] == ["includeDetails=false&offset=0&limit=50"]


async def test_a_redelivered_command_publishes_the_same_answer_and_one_feed(
    running: Running, admin: httpx.AsyncClient, sim: WalmartSimulator
) -> None:
    skus = [f"SKU-{n}" for n in range(60)]
    await _catalog(admin, *skus)
    payload = UpdateInventory(
        updates=tuple(InventoryUpdate(sku=s, quantity=2, ship_node=NODE) for s in skus)
    )
    first = await running.send(payload, message_id="cmd-0001-redelivered")
    (a,) = await running.answers(first)
    second = await running.send(payload, message_id="cmd-0001-redelivered")
    answers = await running.answers(second, 2)
    assert len({e.message_id for e in answers}) == 1 == len(sim.state.feeds)
    assert {e.payload.feed_id for e in answers if isinstance(e.payload, InventoryUpdated)} == {
        a.payload.feed_id if isinstance(a.payload, InventoryUpdated) else None
    }


async def test_walmart_refusal_becomes_an_event_with_the_reason(
    running: Running, admin: httpx.AsyncClient
) -> None:
    await _catalog(admin, "SKU-W")
    order = await _order(
        admin, "SKU-W", ship_node_type="WFSFulfilled", lines=[{"sku": "SKU-W", "status": "Shipped"}]
    )
    made = await admin.post(
        "/admin/returns",
        json={"purchase_order_id": order["purchaseOrderId"], "lines": [{"line_number": "1"}]},
    )
    ret = made.json()
    command = await running.send(
        IssueRefund(
            return_order_id=ret["returnOrderId"],
            customer_order_id=ret["customerOrderId"],
            lines=(RefundLine(return_order_line_number=1, quantity=Decimal(1)),),
        )
    )
    (answer,) = await running.answers(command)
    assert isinstance(answer.payload, WalmartRequestRejected)
    assert answer.payload.command_type == "walmart.issue_refund"
    assert answer.payload.subject == ret["returnOrderId"]
    assert "WFS" in answer.payload.reason
    assert answer.payload.codes


async def test_walmart_outage_is_retried_through_the_queue(
    running: Running, admin: httpx.AsyncClient
) -> None:
    # Two 503s exhaust the client's two tries; the bus redelivers and the third call works.
    await admin.post(
        "/admin/faults/next", json={"status": 503, "path_prefix": "/v3/report", "count": 2}
    )
    command = await running.send(ListReconDates())
    (answer,) = await running.answers(command)
    assert answer.payload == ReconDatesListed(report_dates=())
    calls = (await admin.get("/admin/requests?path_prefix=/v3/report")).json()
    assert [c["status"] for c in calls] == [503, 503, 200]


async def test_recon_report_travels_as_typed_rows(
    running: Running, admin: httpx.AsyncClient
) -> None:
    await _catalog(admin, "SKU-S")
    await _order(admin, "SKU-S", lines=[{"sku": "SKU-S", "quantity": 2, "status": "Shipped"}])
    closed = await admin.post(
        "/admin/settlements/close",
        json={"report_date": (datetime.now(UTC) + timedelta(days=3)).date().isoformat()},
    )
    report_date = closed.json()["report_date"]
    command = await running.send(FetchReconReport(report_date=report_date))
    (answer,) = await running.answers(command)
    assert isinstance(answer.payload, ReconReportFetched)
    report = answer.payload.report
    assert report.total_payable == sum((r.amount or Decimal(0)) for r in report.rows)


async def test_commands_that_cannot_work_are_parked_with_the_reason(
    running: Running, harness: Harness
) -> None:
    stranger = await running.send(ListReconDates(), tenant="nobody")
    foreign = await running.send(ExportStockItems())

    async def parked() -> dict[str, str]:
        return {p.message_id: p.reason for p in await running.bus.parked(WALMART_COMMANDS)}

    found = await eventually(parked, lambda p: len(p) >= 2, "two parked commands")
    assert "no Walmart credentials for tenant 'nobody'" in found[stranger.message_id]
    assert "not a walmart-gateway command" in found[foreign.message_id]


async def test_bad_credentials_retry_without_parking_until_fixed(
    harness: Harness, sim: WalmartSimulator, admin: httpx.AsyncClient
) -> None:
    bus = await harness.bus()
    accounts = StaticCredentials({TENANT: WalmartCredentials(CLIENT_ID, SecretStr("wrong"))})
    service = WalmartGatewayService(_settings(sim), bus, credentials=accounts)
    await service.start()
    events = Recorder()
    subscription = await bus.consume(ORCHESTRATOR_EVENTS, events)
    run = Running(bus, service, events)
    try:
        command = await run.send(ListReconDates())

        async def refusals() -> int:
            calls = (await admin.get("/admin/requests?path_prefix=/v3/token")).json()
            return sum(1 for c in calls if c["status"] == 400)

        # More refused attempts than the delivery limit (3), and still not parked.
        await eventually(refusals, lambda n: n > 3, "several refused token requests")
        assert await bus.parked(WALMART_COMMANDS) == []
        accounts.set(TENANT, WalmartCredentials(CLIENT_ID, SecretStr(SECRET)))
        (answer,) = await run.answers(command)
        assert isinstance(answer.payload, ReconDatesListed)
    finally:
        await subscription.cancel()
        await service.stop()


# ---------------------------------------------------------------- the command line


async def _mlc_walmart(sim: WalmartSimulator, *args: str, **env: str) -> tuple[int, str, str]:
    """``mlc walmart ARGS`` as its own process (the CLI runs its own event loop)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLC_")}
    environment.update(
        {
            "MLC_WALMART_BASE_URL": sim.url,
            "MLC_WALMART_CLIENT_ID": CLIENT_ID,
            "MLC_WALMART_CLIENT_SECRET": SECRET,
            **env,
        }
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from ml_connector.cli.walmart import app; app()",
        *args,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(120):
        out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


async def test_cli_orders_json_is_every_order_across_pages(
    sim: WalmartSimulator, admin: httpx.AsyncClient
) -> None:
    await _catalog(admin, "SKU-1", "SKU-2")
    placed = set()
    for n in range(5):
        order = await _order(
            admin,
            "SKU-1",
            lines=[{"sku": "SKU-1", "quantity": 2}, {"sku": "SKU-2", "status": "Cancelled"}]
            if n == 0
            else [{"sku": "SKU-1"}],
        )
        placed.add(order["purchaseOrderId"])
    since = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    code, out, err = await _mlc_walmart(
        sim, "orders", "--since", since, "--json", MLC_WALMART_ORDERS_PAGE_SIZE="2"
    )
    assert code == 0, err
    orders = json.loads(out)
    assert {o["purchase_order_id"] for o in orders} == placed
    for order in orders:
        assert order["customer_order_id"]
        assert datetime.fromisoformat(order["order_date"]).tzinfo is not None
        for line in order["lines"]:
            assert {"line_number", "sku", "quantity", "status", "charges"} <= line.keys()
            assert all({"charge_type", "amount"} <= c.keys() for c in line["charges"])
    two_lines = next(o for o in orders if len(o["lines"]) == 2)
    assert sorted(line["status"] for line in two_lines["lines"]) == ["Cancelled", "Created"]
    product = two_lines["lines"][0]["charges"][0]
    assert product["charge_type"] == "PRODUCT"
    assert Decimal(product["amount"]) == Decimal("20.00")  # 2 x 10.00, the line total


async def test_cli_ping_tells_bad_credentials_in_plain_words(sim: WalmartSimulator) -> None:
    code, out, err = await _mlc_walmart(sim, "ping", MLC_WALMART_CLIENT_SECRET="wrong-secret-99")
    assert code == 3
    assert "refused the client id and secret" in err
    assert "wrong-secret-99" not in out + err
    code, out, _ = await _mlc_walmart(sim, "ping")
    assert code == 0
    assert "accepted client service-client" in out
    assert SECRET not in out
