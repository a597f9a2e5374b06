"""Walmart records -> Tally vouchers. Pure functions: the whole accounting decision for an
order is here, testable without a broker, a database or Tally.

Amount convention: Walmart's PRODUCT ``chargeAmount`` is taken as the line total (walmart-api.md
§6.2 marks unit-vs-line UNCERTAIN; the live notes it cites treat it as the line total).
"""

from __future__ import annotations

import hashlib
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from mlc_shared.domain.tally import (
    CostCentreAllocation,
    InventoryEntry,
    LedgerEntry,
    Voucher,
)
from mlc_shared.domain.walmart import Order, OrderLine

from sync_orchestrator.mapping import TenantMapping

CENT = Decimal("0.01")


class MappingGap(Exception):
    """The order cannot become a voucher until the mapping is completed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def order_remote_id(tenant: str, purchase_order_id: str) -> str:
    return f"mlc:{tenant}:order:{purchase_order_id}"


def open_quantity(line: OrderLine) -> Decimal:
    """Units on the line that are not cancelled (a line can carry several statuses, §6.2)."""
    if line.statuses:
        return sum((s.quantity for s in line.statuses if s.status != "Cancelled"), Decimal(0))
    return Decimal(0) if line.is_cancelled else line.quantity


def line_amounts(line: OrderLine) -> tuple[Decimal, Decimal, Decimal]:
    """(product, shipping, tax) of the open part of ``line``, rounded as the voucher has them."""
    return _line_amounts(line)


def _line_amounts(line: OrderLine) -> tuple[Decimal, Decimal, Decimal]:
    """(product, shipping, tax) for the open part of the line."""
    product = shipping = tax = Decimal(0)
    for charge in line.charges:
        if charge.charge_type == "SHIPPING":
            shipping += charge.amount
        else:
            product += charge.amount
        tax += charge.tax_amount or Decimal(0)
    open_qty = open_quantity(line)
    if line.quantity and open_qty != line.quantity:
        share = open_qty / line.quantity
        product, shipping, tax = product * share, shipping * share, tax * share
    return money(product), money(shipping), money(tax)


def sales_voucher(
    order: Order,
    mapping: TenantMapping,
    *,
    tenant: str,
    timezone: ZoneInfo,
    number_pattern: str,
    party_ledger: str | None = None,
) -> Voucher | None:
    """The Sales voucher for ``order``; None when every line is cancelled. ``party_ledger``:
    the debtor chosen for this customer (parties.py); None: the marketplace debtor."""
    node_key, node = mapping.ship_node(order.ship_node.id)
    godown = node.godowns[0]
    entries: list[InventoryEntry] = []
    shipping_total = tax_total = Decimal(0)
    for line in order.lines:
        qty = open_quantity(line)
        if qty <= 0:
            continue
        sku = mapping.stock_item_for_sku(line.sku)
        if sku is None:
            raise MappingGap(
                f"SKU {line.sku!r} (PO {order.purchase_order_id} line "
                f"{line.line_number}) is not mapped to a Tally stock item"
            )
        product, shipping, tax = _line_amounts(line)
        shipping_total += shipping
        tax_total += tax
        centres = (
            (CostCentreAllocation(cost_centre=node.cost_centre, amount=product),)
            if node.cost_centre
            else ()
        )
        entries.append(
            InventoryEntry(
                stock_item=sku.stock_item,
                side="credit",
                quantity=qty,
                unit=sku.unit,
                rate=money(product / qty),
                amount=product,
                ledger=node.sales_ledger,
                godown=godown,
                cost_centres=centres,
            )
        )
    if not entries:
        return None
    total = sum((e.amount for e in entries), Decimal(0)) + shipping_total + tax_total
    party = party_ledger or mapping.ledgers.party
    ledgers = [
        LedgerEntry(
            ledger=party,
            side="debit",
            amount=total,
            is_party=True,
            bill_reference=order.customer_order_id,
        )
    ]
    if shipping_total:
        ledgers.append(
            LedgerEntry(ledger=mapping.ledgers.shipping, side="credit", amount=shipping_total)
        )
    if tax_total:
        ledgers.append(LedgerEntry(ledger=mapping.ledgers.tax, side="credit", amount=tax_total))
    po = order.purchase_order_id
    return Voucher(
        voucher_type="Sales",
        number=number_pattern.format(
            purchase_order_id=po, customer_order_id=order.customer_order_id
        ),
        date=order.order_date.astimezone(timezone).date(),
        remote_id=order_remote_id(tenant, po),
        party_ledger=party,
        reference=order.customer_order_id,
        # A marker Tally preserves: the durable way to find our voucher again (tally-xml.md §4.7).
        narration=f"Walmart PO {po}, ship node {node_key} [mlc:{po}]",
        inventory_entries=tuple(entries),
        ledger_entries=tuple(ledgers),
    )


MAX_VERSION_CHARS = 255
"""``record_versions.version`` is VARCHAR(255) (mlc_shared/store/tables.py)."""


def order_version(order: Order) -> str:
    """Changes whenever a line's status or open quantity changes (cancellations, shipping).

    Readable for the usual order; an order with many lines (about 20 and more) gets a
    digest of the same text instead, so that it fits the store's column: a longer value
    made PostgreSQL refuse the whole page of orders it arrived with (issue 8, scenario 8)."""
    parts = [f"{line.line_number}:{line.status}:{open_quantity(line)}" for line in order.lines]
    text = "|".join(parts)
    if len(text) <= MAX_VERSION_CHARS:
        return text
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
