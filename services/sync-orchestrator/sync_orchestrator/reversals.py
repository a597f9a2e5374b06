"""An order cancelled (in part) after its Sales voucher was posted -> a Credit Note reversing
the cancelled lines. Pure functions.

Why a Credit Note and not cancelling or altering the Sales voucher (tally-xml.md §4.7): a
new voucher with ``ACTION="Create"`` and its own REMOTEID is the one write whose behaviour
the fact sheet confirms on every edition; ``ACTION="Cancel"`` behaved differently on licensed
Silver (cancelled in place) and on EDU (created a new cancelled voucher), and altering under
the same REMOTEID is confirmed only on licensed 7.1 -- and the agent's duplicate check
answers "exists" for a voucher already posted, so an alteration would never reach Tally.
A Credit Note also leaves the invoice as issued (it may already be in a GST return), takes
partial cancellations line by line, and puts the goods back into the godown they left.

What an order booked is kept per line (``BookedOrder``): Walmart zeroes the charges of a
cancelled line (walmart-api.md §6.2), so the amounts to reverse must come from what was
posted, never from the order as it reads now.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from mlc_shared.domain.tally import CostCentreAllocation, InventoryEntry, LedgerEntry, Voucher
from mlc_shared.domain.walmart import Order

from sync_orchestrator.mapping import TenantMapping
from sync_orchestrator.state import BookedLine, BookedOrder
from sync_orchestrator.vouchers import line_amounts, money, open_quantity

REVERSAL = "order_reversal"


def reversal_remote_id(tenant: str, purchase_order_id: str, sequence: int) -> str:
    return f"mlc:{tenant}:{REVERSAL}:{purchase_order_id}:{sequence}"


def reversal_of(remote_id: str) -> str | None:
    """The purchase order a reversal's remote id names; None for other remote ids."""
    parts = remote_id.split(":", 3)
    if len(parts) == 4 and parts[0] == "mlc" and parts[2] == REVERSAL:
        return parts[3].rpartition(":")[0] or None
    return None


def booked_order(order: Order, voucher: Voucher, mapping: TenantMapping) -> BookedOrder:
    """What ``voucher`` (the order's Sales voucher) books, line by line, in Walmart's
    currency, and the rate it was converted at, if it was."""
    _, node = mapping.ship_node(order.ship_node.id)
    lines: dict[str, BookedLine] = {}
    for line in order.lines:
        quantity = open_quantity(line)
        sku = mapping.stock_item_for_sku(line.sku)
        if quantity <= 0 or sku is None:
            continue
        product, shipping, tax = line_amounts(line)
        lines[line.line_number] = BookedLine(
            sku=line.sku,
            stock_item=sku.stock_item,
            unit=sku.unit,
            quantity=quantity,
            product=product,
            shipping=shipping,
            tax=tax,
            godown=node.godowns[0],
            ledger=node.sales_ledger,
            cost_centre=node.cost_centre,
        )
    return BookedOrder(
        number=voucher.number,
        party=voucher.party_ledger or mapping.ledgers.party,
        customer_order_id=order.customer_order_id,
        lines=lines,
        rate=voucher.forex.rate if voucher.forex else None,
    )


def cancelled_quantities(booked: BookedOrder, order: Order) -> dict[str, Decimal]:
    """Units booked that the order no longer holds open, per line."""
    now = {line.line_number: open_quantity(line) for line in order.lines}
    return {
        number: line.quantity - now[number]
        for number, line in booked.lines.items()
        if number in now and now[number] < line.quantity
    }


def _date(order: Order, lines: set[str], timezone: ZoneInfo) -> datetime:
    stamps = [
        line.status_date for line in order.lines if line.line_number in lines and line.status_date
    ]
    return (max(stamps) if stamps else datetime.now(UTC)).astimezone(timezone)


def reversal_voucher(
    booked: BookedOrder,
    cancelled: dict[str, Decimal],
    order: Order,
    mapping: TenantMapping,
    *,
    tenant: str,
    timezone: ZoneInfo,
) -> tuple[Voucher, BookedOrder]:
    """The Credit Note for ``cancelled`` units, and what stays booked after it."""
    sequence = booked.sequence + 1
    remaining = dict(booked.lines)
    entries: list[InventoryEntry] = []
    shipping = tax = Decimal(0)
    for number, units in sorted(cancelled.items()):
        line = booked.lines[number]
        if units >= line.quantity:
            units, part = line.quantity, (line.product, line.shipping, line.tax)
            del remaining[number]
        else:
            share = units / line.quantity
            part = (
                money(line.product * share),
                money(line.shipping * share),
                money(line.tax * share),
            )
            remaining[number] = line.model_copy(
                update={
                    "quantity": line.quantity - units,
                    "product": line.product - part[0],
                    "shipping": line.shipping - part[1],
                    "tax": line.tax - part[2],
                }
            )
        product = part[0]
        shipping += part[1]
        tax += part[2]
        entries.append(
            InventoryEntry(
                stock_item=line.stock_item,
                side="debit",  # goods back in (tally-xml.md §4.2, Credit Note)
                quantity=units,
                unit=line.unit,
                rate=money(product / units) if units else Decimal(0),
                amount=product,
                ledger=mapping.reversal.sales_ledger or line.ledger,
                godown=line.godown,
                cost_centres=(
                    (CostCentreAllocation(cost_centre=line.cost_centre, amount=product),)
                    if line.cost_centre
                    else ()
                ),
            )
        )
    total = sum((e.amount for e in entries), Decimal(0)) + shipping + tax
    ledgers = [
        LedgerEntry(
            ledger=booked.party,
            side="credit",
            amount=total,
            is_party=True,
            bill_reference=booked.customer_order_id,  # Agst Ref: the sale's bill (§4.3)
        )
    ]
    if shipping:
        ledgers.append(LedgerEntry(ledger=mapping.ledgers.shipping, side="debit", amount=shipping))
    if tax:
        ledgers.append(LedgerEntry(ledger=mapping.ledgers.tax, side="debit", amount=tax))
    po = order.purchase_order_id
    voucher = Voucher(
        voucher_type="Credit Note",
        voucher_type_name=mapping.reversal.voucher_type_name,
        number=mapping.reversal.number_pattern.format(
            number=booked.number, purchase_order_id=po, sequence=sequence
        ),
        date=_date(order, set(cancelled), timezone).date(),
        remote_id=reversal_remote_id(tenant, po, sequence),
        party_ledger=booked.party,
        reference=booked.customer_order_id,
        narration=f"Walmart PO {po} cancelled after posting; reverses {booked.number} "
        f"[mlc:{po}:C{sequence}]",
        inventory_entries=tuple(entries),
        ledger_entries=tuple(ledgers),
    )
    return voucher, booked.model_copy(update={"sequence": sequence, "lines": remaining})
