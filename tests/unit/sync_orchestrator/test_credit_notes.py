"""Return -> Credit Note: signs (tally-xml.md §4.2 "Credit Note"), amounts, what waits, what
is skipped, and that the agent would render the result."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from mlc_shared.domain.tally import Voucher
from mlc_shared.domain.walmart import ReturnCharge, ReturnLine, ReturnOrder
from sync_orchestrator.credit_notes import (
    credit_note,
    is_received,
    plan_return,
    refundable,
    return_of,
    return_version,
)
from sync_orchestrator.mapping import Ledgers, ShipNodeMapping, SkuMapping, TenantMapping
from sync_orchestrator.mapping_sections import ReturnsMapping
from sync_orchestrator.vouchers import MappingGap
from tally_agent.protocol.vouchers import check

WFS = ("WALMART_SETTLED_REFUND",)
KOLKATA = ZoneInfo("Asia/Kolkata")


def _line(
    number: int,
    sku: str = "SKU-1",
    *,
    qty: str = "2",
    price: str = "10.00",
    tax: str = "0.70",
    status: str = "DELIVERED",
    channel: str = "SELLER_MANUAL_REFUND",
    refunded: str = "0",
) -> ReturnLine:
    return ReturnLine(
        return_order_line_number=number,
        purchase_order_id="PO-1",
        purchase_order_line_number=number,
        sku=sku,
        quantity=Decimal(qty),
        status=status,
        refund_channel=channel,
        refunded_qty=Decimal(refunded),
        unit_price=Decimal(price),
        charges=(
            ReturnCharge(
                charge_category="PRODUCT",
                amount_per_unit=Decimal(price),
                tax_per_unit=Decimal(tax),
            ),
        ),
    )


def _return(*lines: ReturnLine) -> ReturnOrder:
    return ReturnOrder(
        return_order_id="R-9",
        customer_order_id="CO-1",
        # 20:00 UTC is the next day in Kolkata: the voucher is dated in the seller's zone.
        return_order_date=datetime(2026, 3, 1, 20, 0, tzinfo=UTC),
        lines=lines,
    )


def _mapping(**returns: object) -> TenantMapping:
    return TenantMapping(
        ledgers=Ledgers(party="Walmart Marketplace", shipping="Shipping", tax="Output Tax"),
        default_ship_node="N1",
        ship_nodes={"N1": ShipNodeMapping(godowns=("Chennai",))},
        skus={"SKU-1": SkuMapping(stock_item="Widget"), "SKU-2": SkuMapping(stock_item="Gadget")},
        returns=ReturnsMapping(sales_return_ledger="Sales Returns", **returns),
    )


def _note(ret: ReturnOrder, mapping: TenantMapping) -> Voucher:
    plan = plan_return(ret, wfs_channels=WFS, wait_for_receipt=True)
    return credit_note(
        ret,
        plan.credit,
        mapping,
        tenant="t1",
        timezone=KOLKATA,
        number_pattern="WMR-{return_order_id}",
        today=date(2026, 1, 1),
    )


def test_item_credit_note_reverses_sale_tax_and_brings_stock_back() -> None:
    ret = _return(_line(1), _line(2, "SKU-2", qty="1", price="5.50", tax="0.39"))
    voucher = _note(ret, _mapping())
    check(voucher)  # balanced and renderable by the agent
    assert voucher.voucher_type == "Credit Note"
    assert voucher.number == "WMR-R-9"
    assert voucher.date == date(2026, 3, 2)
    assert voucher.remote_id == "mlc:t1:return:R-9"
    party, tax = voucher.ledger_entries
    assert (party.ledger, party.side, party.amount) == (
        "Walmart Marketplace",
        "credit",
        Decimal("27.29"),
    )
    assert (party.bill_reference, party.bill_type) == ("CO-1", "Agst Ref")
    assert (tax.ledger, tax.side, tax.amount) == ("Output Tax", "debit", Decimal("1.79"))
    widget, gadget = voucher.inventory_entries
    assert (widget.stock_item, widget.side, widget.quantity) == ("Widget", "debit", Decimal(2))
    assert (widget.amount, widget.rate, widget.godown) == (
        Decimal("20.00"),
        Decimal("10.00"),
        "Chennai",
    )
    assert widget.ledger == "Sales Returns"
    assert (gadget.stock_item, gadget.amount) == ("Gadget", Decimal("5.50"))


def test_without_restock_the_credit_note_is_accounting_only() -> None:
    voucher = _note(_return(_line(1)), _mapping(restock=False, godown="Returns Bay"))
    check(voucher)
    assert voucher.inventory_entries == ()
    legs = {(e.ledger, e.side): e.amount for e in voucher.ledger_entries}
    assert legs == {
        ("Walmart Marketplace", "credit"): Decimal("21.40"),
        ("Sales Returns", "debit"): Decimal("20.00"),
        ("Output Tax", "debit"): Decimal("1.40"),
    }


def test_returned_goods_go_to_the_configured_returns_godown() -> None:
    voucher = _note(_return(_line(1)), _mapping(godown="Returns Bay"))
    assert voucher.inventory_entries[0].godown == "Returns Bay"


def test_an_unmapped_sku_is_a_mapping_gap_naming_it() -> None:
    with pytest.raises(MappingGap, match="'SKU-X'"):
        _note(_return(_line(1, "SKU-X")), _mapping())


def test_wfs_lines_are_left_to_walmart() -> None:
    ret = _return(_line(1, channel="WALMART_SETTLED_REFUND"), _line(2, "SKU-2"))
    plan = plan_return(ret, wfs_channels=WFS, wait_for_receipt=True)
    assert [ln.return_order_line_number for ln in plan.wfs] == [1]
    assert [ln.return_order_line_number for ln in plan.credit] == [2]
    only_wfs = plan_return(
        _return(_line(1, channel="WALMART_SETTLED_REFUND")), wfs_channels=WFS, wait_for_receipt=True
    )
    assert not only_wfs.credit
    assert not only_wfs.ready


def test_the_credit_note_waits_until_every_line_is_back_or_refunded() -> None:
    in_transit = _return(_line(1, status="INITIATED"), _line(2, "SKU-2"))
    waiting = plan_return(in_transit, wfs_channels=WFS, wait_for_receipt=True)
    assert [ln.return_order_line_number for ln in waiting.awaiting] == [1]
    assert not waiting.ready
    assert plan_return(in_transit, wfs_channels=WFS, wait_for_receipt=False).ready
    # Refunded without coming back (a keep-it return) still owes the customer a credit.
    assert is_received(_line(1, status="INITIATED", refunded="2"))
    assert not is_received(_line(1, status="INITIATED"))


def test_only_received_unrefunded_units_are_refundable() -> None:
    assert refundable(_line(1, status="DELIVERED")) == Decimal(2)
    assert refundable(_line(1, status="DELIVERED", refunded="1")) == Decimal(1)
    assert refundable(_line(1, status="INITIATED")) == Decimal(0)
    assert refundable(_line(1, status="COMPLETED", refunded="2")) == Decimal(0)


def test_version_moves_with_status_and_refunds_and_remote_ids_round_trip() -> None:
    before = return_version(_return(_line(1, status="INITIATED")))
    assert before != return_version(_return(_line(1, status="DELIVERED")))
    assert return_version(_return(_line(1))) != return_version(_return(_line(1, refunded="2")))
    assert return_of("mlc:t1:return:R-9", "t1") == "R-9"
    assert return_of("mlc:t1:order:R-9", "t1") is None
    assert return_of("mlc:t2:return:R-9", "t1") is None
