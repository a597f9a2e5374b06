"""Order -> Sales voucher: the accounting decision, row by row."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from mlc_shared.domain.walmart import Order, OrderCharge, OrderLine, OrderLineStatus, ShipNode
from sync_orchestrator.mapping import Ledgers, ShipNodeMapping, SkuMapping, TenantMapping
from sync_orchestrator.vouchers import MappingGap, order_version, sales_voucher

IST = ZoneInfo("Asia/Kolkata")
MAPPING = TenantMapping(
    ledgers=Ledgers(party="Walmart Marketplace", shipping="Shipping Income", tax="Output Tax"),
    ship_nodes={
        "default": ShipNodeMapping(godowns=("Main Location",), sales_ledger="Walmart Sales"),
        "NODE-2": ShipNodeMapping(
            godowns=("Bengaluru WH",), sales_ledger="Walmart Sales South", cost_centre="South"
        ),
    },
    skus={
        "MUG-1": SkuMapping(stock_item="Blue Mug", unit="Nos"),
        "TEA-1": SkuMapping(stock_item="Tea & Co Pack"),
    },
)


def line(
    n: str,
    sku: str,
    qty: str,
    price: str,
    *,
    tax: str | None = None,
    ship: str | None = None,
    status: str = "Created",
    statuses: tuple[OrderLineStatus, ...] = (),
) -> OrderLine:
    charges = [
        OrderCharge(
            charge_type="PRODUCT",
            charge_name="ItemPrice",
            amount=Decimal(price),
            tax_amount=Decimal(tax) if tax else None,
        )
    ]
    if ship:
        charges.append(
            OrderCharge(charge_type="SHIPPING", charge_name="Shipping", amount=Decimal(ship))
        )
    return OrderLine(
        line_number=n,
        sku=sku,
        quantity=Decimal(qty),
        status=status,
        statuses=statuses,
        charges=tuple(charges),
    )


def order(
    *lines: OrderLine,
    node: str | None = None,
    when: datetime = datetime(2026, 11, 26, 20, 0, tzinfo=UTC),
) -> Order:
    return Order(
        purchase_order_id="1796277083022",
        customer_order_id="5281956426648",
        order_date=when,
        ship_node=ShipNode(id=node),
        lines=lines,
    )


def build(o: Order):  # type: ignore[no-untyped-def]
    return sales_voucher(
        o, MAPPING, tenant="default", timezone=IST, number_pattern="WM-{purchase_order_id}"
    )


def test_two_line_order_balances_and_uses_mapped_ledgers() -> None:
    v = build(
        order(
            line("1", "MUG-1", "2", "20.00", tax="1.60", ship="5.00"),
            line("2", "TEA-1", "1", "9.99", tax="0.80"),
        )
    )
    assert v is not None
    assert v.voucher_type == "Sales"
    assert v.number == "WM-1796277083022"
    assert v.reference == "5281956426648"
    assert [
        (e.stock_item, e.quantity, e.rate, e.amount, e.godown, e.ledger)
        for e in v.inventory_entries
    ] == [
        (
            "Blue Mug",
            Decimal(2),
            Decimal("10.00"),
            Decimal("20.00"),
            "Main Location",
            "Walmart Sales",
        ),
        (
            "Tea & Co Pack",
            Decimal(1),
            Decimal("9.99"),
            Decimal("9.99"),
            "Main Location",
            "Walmart Sales",
        ),
    ]
    party, shipping, tax = v.ledger_entries
    assert (party.ledger, party.side, party.amount, party.is_party) == (
        "Walmart Marketplace",
        "debit",
        Decimal("37.39"),
        True,
    )
    assert (shipping.ledger, shipping.side, shipping.amount) == (
        "Shipping Income",
        "credit",
        Decimal("5.00"),
    )
    assert (tax.ledger, tax.side, tax.amount) == ("Output Tax", "credit", Decimal("2.40"))
    credits = sum(e.amount for e in v.inventory_entries) + shipping.amount + tax.amount
    assert credits == party.amount


def test_voucher_is_dated_in_the_seller_time_zone() -> None:
    # 20:00 UTC on the 26th is 01:30 on the 27th in India.
    v = build(order(line("1", "MUG-1", "1", "10.00")))
    assert v is not None
    assert v.date == date(2026, 11, 27)


def test_cancelled_lines_are_left_out_and_all_cancelled_gives_no_voucher() -> None:
    v = build(
        order(line("1", "MUG-1", "1", "10.00"), line("2", "TEA-1", "1", "0.00", status="Cancelled"))
    )
    assert v is not None
    assert [e.stock_item for e in v.inventory_entries] == ["Blue Mug"]
    assert build(order(line("1", "MUG-1", "1", "0.00", status="Cancelled"))) is None


def test_partially_cancelled_line_posts_the_open_quantity() -> None:
    statuses = (
        OrderLineStatus(status="Created", quantity=Decimal(1)),
        OrderLineStatus(status="Cancelled", quantity=Decimal(2)),
    )
    v = build(order(line("1", "MUG-1", "3", "30.00", statuses=statuses)))
    assert v is not None
    (entry,) = v.inventory_entries
    assert (entry.quantity, entry.amount) == (Decimal(1), Decimal("10.00"))


def test_ship_node_decides_godown_sales_ledger_and_cost_centre() -> None:
    v = build(order(line("1", "MUG-1", "1", "10.00"), node="NODE-2"))
    assert v is not None
    (entry,) = v.inventory_entries
    assert (entry.godown, entry.ledger) == ("Bengaluru WH", "Walmart Sales South")
    assert [(c.cost_centre, c.amount) for c in entry.cost_centres] == [("South", Decimal("10.00"))]


def test_unmapped_sku_is_a_mapping_gap_naming_the_sku() -> None:
    with pytest.raises(MappingGap, match="'NOPE-9'"):
        build(order(line("1", "NOPE-9", "1", "10.00")))


def test_remote_id_and_narration_marker_are_deterministic() -> None:
    a = build(order(line("1", "MUG-1", "1", "10.00")))
    b = build(order(line("1", "MUG-1", "1", "10.00")))
    assert a is not None
    assert b is not None
    assert a.remote_id == b.remote_id == "mlc:default:order:1796277083022"
    assert "[mlc:1796277083022]" in (a.narration or "")


def test_order_version_changes_when_a_line_is_cancelled() -> None:
    before = order(line("1", "MUG-1", "1", "10.00"))
    after = order(line("1", "MUG-1", "1", "0.00", status="Cancelled"))
    assert order_version(before) != order_version(after)
    assert order_version(before) == order_version(order(line("1", "MUG-1", "1", "10.00")))
