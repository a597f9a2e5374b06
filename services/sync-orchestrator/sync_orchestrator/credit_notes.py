"""Walmart return -> Credit Note. Pure functions: the whole accounting decision for a return
is here, testable without a broker, a database or Tally.

Signs per tally-xml.md §4.2 "Credit Note": the party is credited with the total (against the
order's bill, Agst Ref §4.3), the goods come back as a debit (inward) item line whose
accounting allocation is the sales-return ledger, and the tax the Sales voucher raised is
reversed with a debit on the same tax ledger. The agent turns side + amount into the
ISDEEMEDPOSITIVE/sign pair.

Amounts per unit from the return's charges (walmart-api.md §7 ``chargePerUnit``,
``taxPerUnit``) times the returned quantity.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from mlc_shared.domain.tally import InventoryEntry, LedgerEntry, Voucher
from mlc_shared.domain.walmart import ReturnLine, ReturnOrder

from sync_orchestrator.mapping import TenantMapping
from sync_orchestrator.vouchers import MappingGap, money

# §7 status flow: INITIATED -> DELIVERED (at the return centre) -> COMPLETED (refunded).
RECEIVED = frozenset({"DELIVERED", "COMPLETED"})
_REFUNDED = "REFUND_ISSUED"


def return_remote_id(tenant: str, return_order_id: str) -> str:
    return f"mlc:{tenant}:return:{return_order_id}"


def return_of(remote_id: str, tenant: str) -> str | None:
    prefix = f"mlc:{tenant}:return:"
    return remote_id[len(prefix) :] if remote_id.startswith(prefix) else None


def return_version(ret: ReturnOrder) -> str:
    """Changes whenever a line moves on (received, refunded)."""
    return "|".join(
        f"{line.return_order_line_number}:{line.status}:{line.refunded_qty}" for line in ret.lines
    )


def is_received(line: ReturnLine) -> bool:
    """Back at the return centre, or already refunded (a refund without the goods, e.g. a
    keep-it return, still owes the customer a credit)."""
    return (
        (line.status or "").upper() in RECEIVED
        or line.refunded_qty > 0
        or (line.current_refund_status or "").upper() == _REFUNDED
    )


@dataclass(frozen=True)
class ReturnPlan:
    """A return's lines by what happens to them."""

    credit: tuple[ReturnLine, ...]
    """Seller-fulfilled lines: they make the Credit Note."""
    wfs: tuple[ReturnLine, ...]
    """Walmart-fulfilled (WFS) lines: Walmart settles them; skipped (§7: refunds view-only)."""
    awaiting: tuple[ReturnLine, ...]
    """Credit lines not received yet (only when the Credit Note waits for receipt)."""

    @property
    def ready(self) -> bool:
        return bool(self.credit) and not self.awaiting


def plan_return(
    ret: ReturnOrder, *, wfs_channels: Collection[str], wait_for_receipt: bool
) -> ReturnPlan:
    channels = {c.upper() for c in wfs_channels}
    wfs = tuple(ln for ln in ret.lines if (ln.refund_channel or "").upper() in channels)
    credit = tuple(ln for ln in ret.lines if ln not in wfs)
    awaiting = tuple(ln for ln in credit if not is_received(ln)) if wait_for_receipt else ()
    return ReturnPlan(credit=credit, wfs=wfs, awaiting=awaiting)


def refundable(line: ReturnLine) -> Decimal:
    """Units received at the return centre and not refunded yet (the "when received" policy
    refunds a DELIVERED line; COMPLETED ones are done)."""
    if (line.status or "").upper() != "DELIVERED":
        return Decimal(0)
    return max(line.quantity - line.refunded_qty, Decimal(0))


def _line_amounts(ret: ReturnOrder, line: ReturnLine) -> tuple[Decimal, Decimal, Decimal]:
    """(product, shipping, tax) for the returned quantity."""
    qty = line.quantity
    if not line.charges:
        if line.unit_price is None:
            raise MappingGap(
                f"return {ret.return_order_id} line {line.return_order_line_number} carries "
                "neither charges nor a unit price"
            )
        return money(line.unit_price * qty), Decimal(0), Decimal(0)
    product = shipping = tax = Decimal(0)
    for charge in line.charges:
        # Whether Walmart signs a discount is not documented (§7): a discount always reduces.
        amount = -abs(charge.amount_per_unit) if charge.is_discount else charge.amount_per_unit
        if charge.charge_category.upper() == "SHIPPING":
            shipping += amount
        else:
            product += amount
        tax += charge.tax_per_unit
    return money(product * qty), money(shipping * qty), money(tax * qty)


def credit_note(
    ret: ReturnOrder,
    lines: tuple[ReturnLine, ...],
    mapping: TenantMapping,
    *,
    tenant: str,
    timezone: ZoneInfo,
    number_pattern: str,
    today: date,
) -> Voucher:
    """The Credit Note for ``lines`` of ``ret``. Raises :class:`MappingGap` (an unmapped SKU)."""
    section = mapping.returns
    godown = section.godown or mapping.ship_node(None)[1].godowns[0]
    items: list[InventoryEntry] = []
    product_total = shipping_total = tax_total = Decimal(0)
    for line in lines:
        product, shipping, tax = _line_amounts(ret, line)
        product_total += product
        shipping_total += shipping
        tax_total += tax
        if not section.restock:
            continue
        sku = mapping.stock_item_for_sku(line.sku) if line.sku else None
        if sku is None:
            raise MappingGap(
                f"SKU {line.sku!r} (return {ret.return_order_id} line "
                f"{line.return_order_line_number}) is not mapped to a Tally stock item"
            )
        items.append(
            InventoryEntry(
                stock_item=sku.stock_item,
                side="debit",  # goods in (§4.2 Credit Note: items Yes / negative)
                quantity=line.quantity,
                unit=sku.unit,
                rate=money(product / line.quantity) if line.quantity else Decimal(0),
                amount=product,
                ledger=section.sales_return_ledger,
                godown=godown,
            )
        )
    total = product_total + shipping_total + tax_total
    party = mapping.ledgers.party
    legs = [
        LedgerEntry(
            ledger=party,
            side="credit",
            amount=total,
            is_party=True,
            bill_reference=ret.customer_order_id,  # the Sales voucher's bill (vouchers.py)
            bill_type="Agst Ref",
        )
    ]
    if not section.restock:
        legs.append(
            LedgerEntry(ledger=section.sales_return_ledger, side="debit", amount=product_total)
        )
    if shipping_total:
        legs.append(
            LedgerEntry(ledger=mapping.ledgers.shipping, side="debit", amount=shipping_total)
        )
    if tax_total:
        legs.append(LedgerEntry(ledger=mapping.ledgers.tax, side="debit", amount=tax_total))
    rid = ret.return_order_id
    day = ret.return_order_date.astimezone(timezone).date() if ret.return_order_date else today
    pos = sorted({ln.purchase_order_id for ln in lines if ln.purchase_order_id})
    return Voucher(
        voucher_type="Credit Note",
        voucher_type_name=section.voucher_type,
        number=number_pattern.format(return_order_id=rid, customer_order_id=ret.customer_order_id),
        date=day,
        remote_id=return_remote_id(tenant, rid),
        party_ledger=party,
        reference=ret.customer_order_id,
        narration=f"Walmart return {rid} of PO {', '.join(pos) or '-'} [mlc:return:{rid}]",
        inventory_entries=tuple(items),
        ledger_entries=tuple(legs),
    )
