"""Returns and settlements flows through a real bus, store and both simulators (issue 6,
flows 3 and 4):

* on RabbitMQ and PostgreSQL: a RETURN_CREATED event starts the returns flow; a received
  return becomes a Credit Note (stock back, tax reversed) and is refunded on Walmart, one in
  transit waits for receipt; a settlement becomes a Journal and a Receipt that leave every
  settled order's bill at zero and the unshipped one owing; running again posts nothing;
* standalone: a WFS return is left to Walmart; a report that does not balance is parked
  with the difference; a report with an uncoded amount type is parked and, once the mapping
  codes it, replayed into the books.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS
from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.orchestrator import PostSettlement
from mlc_shared.messages.webhooks import EventReturnOrder, ReturnCreated, WebhookEventReceived
from sync_orchestrator.mapping import (
    Ledgers,
    ShipNodeMapping,
    SkuMapping,
    TenantMapping,
    save_mapping,
)
from sync_orchestrator.mapping_sections import AmountRule, ReturnsMapping, SettlementMapping

from tests.integration.orchestrator.support import GODOWN, NODE, Stack, eventually, stack

COOKER, PAN = ("SHK-CW-002", "Pressure Cooker 5L"), ("SHK-CW-003", "Non-Stick Fry Pan 24cm")
ITEMS = [
    {"sku": COOKER[0], "product_name": COOKER[1], "price": "25.90"},
    {"sku": PAN[0], "product_name": PAN[1], "price": "10.80"},
]
PARTY, BANK, TAX = "Walmart Marketplace", "HDFC Bank Current A/c", "Output IGST 12%"
LABEL = "Walmart Shipping Label Service Charge"
DEFAULT_RULES = (
    AmountRule(amount_type="Commission on Product", ledger="Marketplace Commission"),
    AmountRule(amount_type="Fee/Reimbursement", description=LABEL, ledger="Courier Charges"),
)


def mapping(
    rules: tuple[AmountRule, ...] = DEFAULT_RULES, *, defaults: bool = True
) -> TenantMapping:
    return TenantMapping(
        ledgers=Ledgers(party=PARTY, shipping="Shipping Charges Collected", tax=TAX),
        default_ship_node=NODE,
        ship_nodes={
            NODE: ShipNodeMapping(godowns=(GODOWN,), sales_ledger="Sales - Walmart Marketplace")
        },
        skus={sku: SkuMapping(stock_item=name) for sku, name in (COOKER, PAN)},
        match_by_name=False,
        returns=ReturnsMapping(sales_return_ledger="Sales Returns - Walmart"),
        settlements=SettlementMapping(
            bank_ledger=BANK, rules=rules, use_default_rules=defaults, cost_centre="Walmart US"
        ),
    )


async def place(s: Stack, po: str, sku: str, qty: int, price: str, **extra: Any) -> None:
    reply = await s.http.post(
        f"{s.walmart.url}/admin/orders",
        json={
            "purchase_order_id": po,
            "customer_order_id": f"9{po[1:]}",
            "order_date": (datetime.now(UTC) - timedelta(minutes=2)).isoformat(),
            "lines": [{"sku": sku, "quantity": qty, "unit_price": price, "unit_tax": "1.00"}],
            **extra,
        },
    )
    reply.raise_for_status()


async def ship(s: Stack, po: str, qty: int) -> None:
    status = {
        "status": "Shipped",
        "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(qty)},
        "trackingInfo": {
            "shipDateTime": int(datetime.now(UTC).timestamp() * 1000),
            "carrierName": {"carrier": "UPS"},
            "methodCode": "Standard",
            "trackingNumber": f"1Z{po}",
        },
    }
    line = {"lineNumber": "1", "orderLineStatuses": {"orderLineStatus": [status]}}
    body = {"orderShipment": {"orderLines": {"orderLine": [line]}}}
    await s.walmart_seller("POST", f"/v3/orders/{po}/shipping", body)


async def give_back(s: Stack, po: str, *, received: bool) -> str:
    made = await s.http.post(
        f"{s.walmart.url}/admin/returns",
        json={"purchase_order_id": po, "lines": [{"line_number": "1", "quantity": 1}]},
    )
    rid = str(made.raise_for_status().json()["returnOrderId"])
    if received:
        await deliver(s, rid)
    return rid


async def deliver(s: Stack, rid: str) -> None:
    (await s.http.post(f"{s.walmart.url}/admin/returns/{rid}/deliver")).raise_for_status()


async def refunded(s: Stack, rid: str) -> Decimal:
    found = await s.walmart_seller("GET", f"/v3/returns?returnOrderId={rid}")
    (ret,) = found["returnOrders"]
    return sum((Decimal(str(ln["refundedQty"])) for ln in ret["returnOrderLines"]), Decimal(0))


async def close(s: Stack, days_ahead: int) -> dict[str, Any]:
    day = (datetime.now(UTC) + timedelta(days=days_ahead)).date().isoformat()
    reply = await s.http.post(f"{s.walmart.url}/admin/settlements/close", json={"report_date": day})
    closed: dict[str, Any] = reply.raise_for_status().json()
    return closed


async def ours(s: Stack, voucher_type: str, marker: str) -> list[dict[str, Any]]:
    return [v for v in await s.vouchers(voucher_type) if marker in (v["narration"] or "")]


async def bill_balance(s: Stack, bill: str) -> Decimal:
    """The order's bill on the debtor across every voucher (debit negative, as Tally)."""
    total = Decimal(0)
    for kind in ("Sales", "Credit Note", "Journal", "Receipt"):
        for voucher in await s.vouchers(kind):
            for entry in voucher["entries"]:
                if entry["ledger"] == PARTY:
                    total += sum(
                        (Decimal(str(b["amount"])) for b in entry["bills"] if b["name"] == bill),
                        Decimal(0),
                    )
    return total


async def test_returns_refunds_and_a_settlement_on_rabbitmq_and_postgresql(
    tmp_path: Path, amqp_url: str, fresh_postgres_url: str, bus_namespace: str
) -> None:
    real = {
        "amqp_url": amqp_url,
        "database_url": fresh_postgres_url,
        "bus_namespace": bus_namespace,
    }
    async with stack(
        tmp_path, mapping(), walmart_items=ITEMS, returns_refund_policy="when_received", **real
    ) as s:
        await place(s, "4100000000001", COOKER[0], 2, "25.90", label_fee=True)
        await place(s, "4100000000002", PAN[0], 1, "10.80")
        await place(s, "4100000000003", PAN[0], 1, "10.80")  # never shipped: stays owed
        await s.run("orders")
        await ship(s, "4100000000001", 2)
        await ship(s, "4100000000002", 1)
        back = await give_back(s, "4100000000001", received=True)
        on_way = await give_back(s, "4100000000002", received=False)

        event = ReturnCreated(return_orders=(EventReturnOrder(return_order_id=on_way),))
        assert s.runtime.bus is not None
        await s.runtime.bus.publish(
            ORCHESTRATOR_EVENTS,
            Envelope.new(
                WebhookEventReceived(event_id="ev-1", received_at=datetime.now(UTC), event=event),
                tenant=s.tenant,
            ),
        )
        await eventually(lambda: ours(s, "Credit Note", f"[mlc:return:{back}]"), "a Credit Note")
        await s.orch.wait_idle(30)
        (note,) = await ours(s, "Credit Note", f"[mlc:return:{back}]")
        assert note["number"] == f"WMR-{back}"
        (item,) = note["inventory"]
        assert (item["item"], item["inward"], item["godowns"][0]["godown"]) == (
            COOKER[1],
            True,
            GODOWN,
        )
        legs = {e["ledger"]: Decimal(str(e["amount"])) for e in note["entries"]}
        assert legs == {PARTY: Decimal("26.90"), TAX: Decimal("-1.00")}  # tax reversed (Dr)
        assert await refunded(s, back) == 1
        assert await refunded(s, on_way) == 0
        assert not await ours(s, "Credit Note", f"[mlc:return:{on_way}]")
        assert "awaiting_receipt" in await s.statuses(on_way, "return")

        await deliver(s, on_way)
        await s.run("returns")
        assert await ours(s, "Credit Note", f"[mlc:return:{on_way}]")
        assert await refunded(s, on_way) == 1
        await s.run("returns")
        assert len(await s.vouchers("Credit Note")) == 1 + 2  # the demo company's own + ours
        assert len(await s.audit(record_kind="refund", status="requested")) == 2

        closed = await close(s, 2)
        await s.run("settlements")
        marker = f"[mlc:settlement:{closed['report_date']}"
        (receipt,) = await ours(s, "Receipt", marker)
        (journal,) = await ours(s, "Journal", marker)
        assert {e["ledger"]: Decimal(str(e["amount"])) for e in receipt["entries"]}[
            BANK
        ] == -Decimal(closed["total_payable"])
        charged = {e["ledger"] for e in journal["entries"]}
        assert {"Marketplace Commission", "Courier Charges", TAX, PARTY} <= charged
        assert await bill_balance(s, "9100000000001") == 0  # sold, partly returned, paid
        assert await bill_balance(s, "9100000000002") == 0  # sold, returned, paid
        assert await bill_balance(s, "9100000000003") == Decimal("-11.80")  # unshipped: owed

        await s.run("settlements")
        await s.run("returns")
        assert len(await ours(s, "Receipt", marker)) == 1
        assert len(await ours(s, "Journal", marker)) == 1


async def _parked(s: Stack, status: str) -> list[Any]:
    assert s.runtime.bus is not None
    return [
        p
        for p in await s.runtime.bus.parked(ORCHESTRATOR_EVENTS)
        if p.envelope is not None
        and isinstance(p.envelope.payload, PostSettlement)
        and status in p.reason
    ]


def _waiting(s: Stack, status: str) -> Callable[[], Any]:
    return lambda: _parked(s, status)


async def test_wfs_returns_unbalanced_and_uncoded_reports_standalone(tmp_path: Path) -> None:
    coded = (
        AmountRule(amount_type="Product Price", ledger="party"),
        AmountRule(amount_type="Product tax", ledger="party"),
        AmountRule(amount_type="Product tax withheld", ledger="tax"),
    )
    async with stack(
        tmp_path,
        mapping(coded, defaults=False),
        walmart_items=ITEMS,
        returns_refund_policy="when_received",
    ) as s:
        await place(s, "4200000000001", PAN[0], 1, "10.80", ship_node_type="WFSFulfilled")
        wfs = await give_back(s, "4200000000001", received=True)
        await s.run("returns")
        assert "skipped" in await s.statuses(wfs, "return")
        assert not await ours(s, "Credit Note", f"[mlc:return:{wfs}]")
        assert not await s.audit(record_kind="refund")  # WFS refunds are Walmart's (§7)

        first = await close(s, 2)
        settlement = s.walmart.state.settlements[first["report_date"]]
        settlement.rows[0]["Total Payable"] = str(settlement.total_payable + Decimal("1.00"))
        await s.orch.run_flow("settlements")
        (parked,) = await eventually(_waiting(s, "does not balance"), "the report parked")
        assert "difference -1.00" in parked.reason
        (audit,) = await s.audit(source_id=first["report_date"], status="unbalanced")
        assert audit.detail is not None
        assert audit.detail["difference"] == "-1.00"
        state = next(f for f in await s.store.list_flow_states() if f.flow == "settlements")
        assert state.last_error is not None
        assert "does not balance" in state.last_error  # the operator's alert

        await place(s, "4200000000002", COOKER[0], 1, "25.90")
        await ship(s, "4200000000002", 1)
        second = await close(s, 3)
        await s.orch.run_flow("settlements")
        (uncoded,) = await eventually(_waiting(s, "Commission on Product"), "uncoded parked")
        assert not await ours(s, "Receipt", f"[mlc:settlement:{second['report_date']}")

        async with s.store.transaction() as tx:
            fixed = (
                *coded,
                AmountRule(amount_type="Commission on Product", ledger="Marketplace Commission"),
            )
            await save_mapping(tx, s.tenant, mapping(fixed, defaults=False))
        await s.runtime.bus.replay(ORCHESTRATOR_EVENTS, uncoded.message_id)  # type: ignore[union-attr]
        (receipt,) = await eventually(
            lambda: ours(s, "Receipt", f"[mlc:settlement:{second['report_date']}"), "the replay"
        )
        bank = {e["ledger"]: Decimal(str(e["amount"])) for e in receipt["entries"]}[BANK]
        assert bank == -Decimal(second["total_payable"])
        assert not await ours(s, "Receipt", f"[mlc:settlement:{first['report_date']}")


async def test_a_refund_walmart_refuses_is_audited_with_walmarts_words(tmp_path: Path) -> None:
    # Misconfigured on purpose: no channel marks WFS lines, so the connector tries to refund
    # a WFS return, which Walmart refuses (§7).
    async with stack(
        tmp_path,
        mapping(),
        walmart_items=ITEMS,
        returns_refund_policy="when_received",
        returns_wfs_refund_channels=(),
    ) as s:
        await place(s, "4300000000001", PAN[0], 1, "10.80", ship_node_type="WFSFulfilled")
        wfs = await give_back(s, "4300000000001", received=True)
        await s.run("returns")
        (refused,) = await s.audit(source_id=wfs, record_kind="refund", status="refused")
        assert refused.detail is not None
        assert "WFS" in refused.detail["reason"]
        assert not any((await s.parked()).values())  # audited, not parked
        await s.run("returns")
        assert len(await s.audit(record_kind="refund", status="requested")) == 1
        assert await refunded(s, wfs) == 0
