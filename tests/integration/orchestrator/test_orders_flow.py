"""Orders flow through the real bus, store and both simulators (issue 6, flow 2):

* an order cancelled in part after its Sales voucher was posted gets a Credit Note reversing
  the cancelled line, and running the flow again posts nothing more;
* per-customer party ledgers are created through the agent when the mapping allows it;
* a voucher Tally refuses is parked with Tally's words, its units stay held back from the
  stock offered on Walmart, and replaying it after the ledger exists posts and acknowledges
  it;
* orders announced by events are read by id, posted once each, and leave the cursor alone;
  a paused flow reads none, and its next poll posts what was announced meanwhile.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, tally_commands
from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.webhooks import PoCreated, WebhookEventReceived
from sync_orchestrator.mapping import (
    Ledgers,
    PartyMapping,
    ShipNodeMapping,
    SkuMapping,
    TenantMapping,
)
from sync_orchestrator.status import set_paused

from tests.integration.orchestrator.support import GODOWN, NODE, Stack, eventually, stack

COOKER, PAN = ("SHK-CW-002", "Pressure Cooker 5L"), ("SHK-CW-003", "Non-Stick Fry Pan 24cm")
WALMART_ITEMS = [
    {"sku": COOKER[0], "product_name": COOKER[1], "price": "25.90"},
    {"sku": PAN[0], "product_name": PAN[1], "price": "10.80"},
]


def mapping(debtor: str = "Walmart Marketplace", **extra: Any) -> TenantMapping:
    return TenantMapping(
        ledgers=Ledgers(party=debtor, shipping="Shipping Charges Collected", tax="Output IGST 12%"),
        default_ship_node=NODE,
        ship_nodes={
            NODE: ShipNodeMapping(
                godowns=(GODOWN,),
                sales_ledger="Sales - Walmart Marketplace",
                cost_centre="Walmart US",
            )
        },
        skus={sku: SkuMapping(stock_item=name) for sku, name in (COOKER, PAN)},
        match_by_name=False,
        **extra,
    )


async def place(s: Stack, po: str, *lines: tuple[str, int, str]) -> dict[str, Any]:
    reply = await s.http.post(
        f"{s.walmart.url}/admin/orders",
        json={
            "purchase_order_id": po,
            "order_date": (datetime.now(UTC) - timedelta(minutes=2)).isoformat(),
            "ship_node": NODE,
            "lines": [
                {"sku": sku, "quantity": qty, "unit_price": price, "unit_tax": "1.00"}
                for sku, qty, price in lines
            ],
        },
    )
    order: dict[str, Any] = reply.raise_for_status().json()["order"]
    return order


async def godown_qty(s: Stack, item: str) -> Decimal:
    view = await s.tally_get(f"/stock/{item}")
    return next(Decimal(str(g["qty"])) for g in view["godowns"] if g["godown"] == GODOWN)


async def test_cancelled_after_posting_gets_a_credit_note_and_customers_get_ledgers(
    tmp_path: Path,
) -> None:
    per_customer = mapping(party=PartyMapping(mode="per_customer", create_ledgers=True))
    async with stack(
        tmp_path, per_customer, walmart_items=WALMART_ITEMS, tally_allow_master_create=True
    ) as s:
        pans_before = await godown_qty(s, PAN[1])
        order = await place(s, "5000000000001", (COOKER[0], 2, "25.90"), (PAN[0], 1, "10.80"))
        await s.run("orders")
        (sale,) = await s.vouchers("Sales", "WM-5000000000001")
        customer = "Walmart " + order["customerEmailId"].split("@")[0]
        assert sale["party_ledger"] == customer
        assert customer in {ledger["name"] for ledger in await s.tally_get("/ledgers")}
        assert await godown_qty(s, PAN[1]) == pans_before - 1
        await eventually(
            lambda: _has(s, "5000000000001", "acknowledged"), "the order acknowledged on Walmart"
        )

        pan_line = next(
            line["lineNumber"]
            for line in order["orderLines"]["orderLine"]
            if line["item"]["sku"] == PAN[0]
        )
        await s.walmart_seller(
            "POST",
            "/v3/orders/5000000000001/cancel",
            {
                "orderCancellation": {
                    "orderLines": {
                        "orderLine": [
                            {
                                "lineNumber": pan_line,
                                "orderLineStatuses": {
                                    "orderLineStatus": [
                                        {
                                            "status": "Cancelled",
                                            "cancellationReason": "SELLER_CANCEL_OUT_OF_STOCK",
                                            "statusQuantity": {
                                                "unitOfMeasurement": "EA",
                                                "amount": "1",
                                            },
                                        }
                                    ]
                                },
                            }
                        ]
                    }
                }
            },
        )
        await s.run("orders")
        (note,) = await s.vouchers("Credit Note", "WM-5000000000001-C1")
        assert note["party_ledger"] == customer
        (returned,) = note["inventory"]
        assert (returned["item"], returned["inward"], Decimal(str(returned["qty"]))) == (
            PAN[1],
            True,
            Decimal(1),
        )
        assert abs(Decimal(str(returned["amount"]))) == Decimal("10.80")  # Tally signs it
        assert await godown_qty(s, PAN[1]) == pans_before  # the pan is back on the shelf

        sales_before = len(await s.vouchers("Sales"))
        await s.run("orders")
        assert len(await s.vouchers("Sales")) == sales_before
        notes = [v["number"] for v in await s.vouchers("Credit Note")]
        assert [n for n in notes if "5000000000001" in n] == ["WM-5000000000001-C1"]
        assert (await s.statuses("5000000000001", "order")).count("reversal_queued") == 1


async def _has(s: Stack, source_id: str, status: str) -> bool:
    return status in await s.statuses(source_id)


async def _all_have(s: Stack, source_ids: list[str], status: str) -> bool:
    return all([await _has(s, source_id, status) for source_id in source_ids])


@pytest.fixture(params=["embedded", "rabbitmq"])
def backend(request: pytest.FixtureRequest) -> dict[str, str]:
    """Standalone (SQLite + the embedded bus) or distributed (RabbitMQ + PostgreSQL): the
    parking queue and its replay belong to the bus adapter, so the proof runs on both."""
    if request.param == "embedded":
        return {}
    return {
        "amqp_url": request.getfixturevalue("amqp_url"),
        "database_url": request.getfixturevalue("fresh_postgres_url"),
        "bus_namespace": request.getfixturevalue("bus_namespace"),
    }


async def test_rejected_voucher_is_parked_held_back_from_walmart_and_replayed(
    tmp_path: Path, backend: dict[str, str]
) -> None:
    missing = "Walmart Inc USA"
    async with stack(
        tmp_path, mapping(debtor=missing), walmart_items=WALMART_ITEMS, **backend
    ) as s:
        cookers = await godown_qty(s, COOKER[1])
        await place(s, "5000000000002", (COOKER[0], 3, "25.90"))
        await s.run("orders")
        queue = tally_commands(s.tenant)
        assert s.runtime.bus is not None
        bus = s.runtime.bus
        (parked,) = await eventually(lambda: bus.parked(queue), "the refused voucher parked")
        assert f"Ledger '{missing}' does not exist" in parked.reason
        assert "WM-5000000000002" in parked.reason
        statuses = await s.statuses("5000000000002", "order")
        assert "rejected" in statuses
        assert "acknowledged" not in statuses

        # Walmart already took the 3 cookers off what it sells; Tally still has them.
        await s.run("catalog")
        assert await s.walmart_input(COOKER[0]) == int(cookers) - 3

        (
            await s.http.post(
                f"{s.tally.admin_url}/companies/{s.company}/masters",
                json={
                    "ledgers": [{"name": missing, "parent": "Sundry Debtors", "bill_wise": True}]
                },
            )
        ).raise_for_status()
        assert await bus.replay(queue, parked.message_id) == 1
        await eventually(
            lambda: _has(s, "5000000000002", "acknowledged"), "the replayed order acknowledged"
        )
        (sale,) = await s.vouchers("Sales", "WM-5000000000002")
        assert sale["party_ledger"] == missing
        assert await godown_qty(s, COOKER[1]) == cookers - 3

        # Posted: Tally's stock went down and nothing is held any more -- the same figure.
        await s.run("catalog")
        assert await s.walmart_input(COOKER[0]) == int(cookers) - 3
        assert await bus.parked(queue) == []


async def test_announced_orders_are_read_by_id_and_never_move_the_cursor(
    tmp_path: Path, backend: dict[str, str]
) -> None:
    """PO_CREATED events make the orchestrator read the orders they name
    (GET /v3/orders/{id}, walmart-api.md §6.3), not list the overlap; an id Walmart does not
    know is audited; the poll cursor stays where the last listing left it."""
    async with stack(tmp_path, mapping(), walmart_items=WALMART_ITEMS, **backend) as s:
        await s.run("orders")  # the first listing sets the cursor
        async with s.store.transaction() as tx:
            cursor = await tx.get_cursor(s.tenant, "orders")
        placed = ["5000000000011", "5000000000012", "5000000000013"]
        for po in placed:
            await place(s, po, (COOKER[0], 1, "25.90"))
        (await s.http.delete(f"{s.walmart.url}/admin/requests")).raise_for_status()
        announced = [*placed, placed[0], "5000000000099"]  # one twice, one unknown
        assert s.runtime.bus is not None
        for n, po in enumerate(announced):
            event = WebhookEventReceived(
                event_id=f"ev-{n}",
                received_at=datetime.now(UTC),
                event=PoCreated(purchase_order_id=po),
            )
            await s.runtime.bus.publish(ORCHESTRATOR_EVENTS, Envelope.new(event, tenant=s.tenant))

        await eventually(lambda: _all_have(s, placed, "acknowledged"), "the orders acknowledged")
        await eventually(lambda: _has(s, "5000000000099", "not_found"), "the unknown id audited")
        assert await s.orch.wait_idle(30)
        for po in placed:
            assert len(await s.vouchers("Sales", f"WM-{po}")) == 1
        reads = await s.http.get(
            f"{s.walmart.url}/admin/requests", params={"path_prefix": "/v3/orders"}
        )
        gets = [e["path"] for e in reads.raise_for_status().json() if e["method"] == "GET"]
        assert "/v3/orders" not in gets  # no listing
        assert {p.rsplit("/", 1)[1] for p in gets} == {*placed, "5000000000099"}
        async with s.store.transaction() as tx:
            assert await tx.get_cursor(s.tenant, "orders") == cursor

        # Paused, the flow reads nothing an event announces; its next poll finds the order.
        await set_paused(s.store, s.tenant, "orders", True)
        await place(s, "5000000000014", (COOKER[0], 1, "25.90"))
        event = WebhookEventReceived(
            event_id="ev-paused",
            received_at=datetime.now(UTC),
            event=PoCreated(purchase_order_id="5000000000014"),
        )
        await s.runtime.bus.publish(ORCHESTRATOR_EVENTS, Envelope.new(event, tenant=s.tenant))
        await asyncio.sleep(1)
        assert await s.orch.wait_idle(30)
        assert await s.vouchers("Sales", "WM-5000000000014") == []
        await set_paused(s.store, s.tenant, "orders", False)
        await s.run("orders")
        assert len(await s.vouchers("Sales", "WM-5000000000014")) == 1
