"""A typed :class:`Voucher` -> the ``<VOUCHER>`` element Tally imports (tally-xml.md §4).

Sides become Tally's sign convention here and nowhere else (§4.2): a debit leg is
``ISDEEMEDPOSITIVE=Yes`` with a **negative** ``AMOUNT``, a credit leg ``No`` with a positive
one, and the legs of a voucher sum to zero. Item invoices (Sales, Credit Note with items)
put the party and tax/shipping legs in ``LEDGERENTRIES.LIST`` and each item in
``ALLINVENTORYENTRIES.LIST`` with its godown/batch and accounting allocation (§3.5, §4.4);
the sales ledger is never repeated among the ledger entries (totals would double, §4.4).
Accounting vouchers (Receipt, Payment, Journal) use ``ALLLEDGERENTRIES.LIST`` (§4.3).

A voucher with ``forex`` writes its amounts and item rates in Tally's forex form
(:mod:`.forex`, whose text is a setting: the fact sheet documents only the export form).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lxml import etree
from mlc_shared.domain.tally import (
    BillType,
    CostCentreAllocation,
    Forex,
    InventoryEntry,
    LedgerEntry,
    Side,
    Voucher,
)

from tally_agent.protocol.forex import (
    DEFAULT_STYLE,
    ForexStyle,
    forex_amount_text,
    forex_rate_text,
    signed_base,
)
from tally_agent.protocol.forex import plain as money
from tally_agent.protocol.xmltext import unwritable

INVOICE_VIEW = "Invoice Voucher View"
ACCOUNTING_VIEW = "Accounting Voucher View"

_DEFAULT_BILL_TYPE: dict[str, BillType] = {
    "Sales": "New Ref",
    "Credit Note": "Agst Ref",
    "Receipt": "Agst Ref",
    "Payment": "Agst Ref",
    "Journal": "Agst Ref",
}


class UnrenderableVoucher(ValueError):
    """The voucher cannot be sent as it is; the reason is given back as its outcome."""


def signed(side: Side, amount: Decimal) -> tuple[str, str]:
    """(ISDEEMEDPOSITIVE, AMOUNT) for one leg (§4.2)."""
    if side == "debit":
        return "Yes", money(-amount) if amount else money(amount)
    return "No", money(amount)


@dataclass(frozen=True)
class _Amounts:
    """AMOUNT and RATE texts of one voucher: plain, or in the forex form when the voucher
    has ``forex`` and the amount its foreign face value."""

    forex: Forex | None
    style: ForexStyle

    def amount(
        self, side: Side, amount: Decimal, forex_amount: Decimal | None, *, allocation: bool
    ) -> str:
        if (
            self.forex is None
            or forex_amount is None
            or (allocation and self.style.allocations == "base")
        ):
            return signed(side, amount)[1]
        return forex_amount_text(signed_base(side, amount), forex_amount, self.forex, self.style)

    def rate(self, entry: InventoryEntry) -> str:
        if self.forex is None or entry.forex_rate is None:
            return f"{money(entry.rate)}/{entry.unit}"
        return forex_rate_text(entry.rate, entry.forex_rate, entry.unit, self.forex, self.style)


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _cost_centres(
    parent: etree._Element,
    side: Side,
    allocations: tuple[CostCentreAllocation, ...],
    amounts: _Amounts,
) -> None:
    """§4.6: CATEGORYALLOCATIONS.LIST per category, COSTCENTREALLOCATIONS.LIST inside,
    amounts signed like the leg they split."""
    by_category: dict[str, list[CostCentreAllocation]] = {}
    for allocation in allocations:
        by_category.setdefault(allocation.category, []).append(allocation)
    for category, members in by_category.items():
        deemed, _ = signed(side, Decimal(0))
        category_list = _sub(parent, "CATEGORYALLOCATIONS.LIST")
        _sub(category_list, "CATEGORY", category)
        _sub(category_list, "ISDEEMEDPOSITIVE", deemed)
        for member in members:
            centre = _sub(category_list, "COSTCENTREALLOCATIONS.LIST")
            _sub(centre, "NAME", member.cost_centre)
            text = amounts.amount(side, member.amount, member.forex_amount, allocation=True)
            _sub(centre, "AMOUNT", text)


def _ledger_entry(
    parent: etree._Element, tag: str, entry: LedgerEntry, voucher_type: str, amounts: _Amounts
) -> None:
    deemed, _ = signed(entry.side, entry.amount)
    amount = amounts.amount(entry.side, entry.amount, entry.forex_amount, allocation=False)
    element = _sub(parent, tag)
    _sub(element, "LEDGERNAME", entry.ledger)
    _sub(element, "ISDEEMEDPOSITIVE", deemed)
    if entry.is_party:
        _sub(element, "ISPARTYLEDGER", "Yes")
    _sub(element, "AMOUNT", amount)
    if entry.bill_reference:
        # Tag names per §4.3 (BILLALLOCATIONS.LIST: NAME, BILLTYPE, AMOUNT).
        bill = _sub(element, "BILLALLOCATIONS.LIST")
        _sub(bill, "NAME", entry.bill_reference)
        _sub(bill, "BILLTYPE", entry.bill_type or _DEFAULT_BILL_TYPE[voucher_type])
        text = amounts.amount(entry.side, entry.amount, entry.forex_amount, allocation=True)
        _sub(bill, "AMOUNT", text)
    for allocation in entry.bills:
        # Each allocation signed by its own side (a settlement leg pays some bills and takes
        # back others); §4.2 says not to tie bill polarity to the leg's.
        bill = _sub(element, "BILLALLOCATIONS.LIST")
        _sub(bill, "NAME", allocation.name)
        _sub(bill, "BILLTYPE", allocation.bill_type or _DEFAULT_BILL_TYPE[voucher_type])
        text = amounts.amount(
            allocation.side, allocation.amount, allocation.forex_amount, allocation=True
        )
        _sub(bill, "AMOUNT", text)
    _cost_centres(element, entry.side, entry.cost_centres, amounts)


def _quantity(value: Decimal, unit: str) -> str:
    return f"{money(value)} {unit}"


def _inventory_entry(parent: etree._Element, entry: InventoryEntry, amounts: _Amounts) -> None:
    """§4.4: RATE and AMOUNT both supplied (Tally does not back-calculate a rate, §4.4),
    quantities as ``10 Nos``, one batch allocation (godown + batch) and one accounting
    allocation to the sales (or return) ledger, signed like the item line."""
    deemed, _ = signed(entry.side, entry.amount)
    amount = amounts.amount(entry.side, entry.amount, entry.forex_amount, allocation=False)
    allocated = amounts.amount(entry.side, entry.amount, entry.forex_amount, allocation=True)
    qty = _quantity(entry.quantity, entry.unit)
    element = _sub(parent, "ALLINVENTORYENTRIES.LIST")
    _sub(element, "STOCKITEMNAME", entry.stock_item)
    _sub(element, "ISDEEMEDPOSITIVE", deemed)
    _sub(element, "RATE", amounts.rate(entry))
    _sub(element, "ACTUALQTY", qty)
    _sub(element, "BILLEDQTY", qty)
    _sub(element, "AMOUNT", amount)
    batch = _sub(element, "BATCHALLOCATIONS.LIST")
    _sub(batch, "GODOWNNAME", entry.godown)
    _sub(batch, "BATCHNAME", entry.batch)
    _sub(batch, "ACTUALQTY", qty)
    _sub(batch, "BILLEDQTY", qty)
    _sub(batch, "AMOUNT", allocated)
    accounting = _sub(element, "ACCOUNTINGALLOCATIONS.LIST")
    _sub(accounting, "LEDGERNAME", entry.ledger)
    _sub(accounting, "ISDEEMEDPOSITIVE", deemed)
    _sub(accounting, "AMOUNT", allocated)
    _cost_centres(accounting, entry.side, entry.cost_centres, amounts)


def check(voucher: Voucher) -> None:
    """Refuse, before Tally sees it, a voucher Tally would refuse anyway or that XML cannot
    carry: unbalanced legs ("Voucher totals do not match!", §5.3), no legs, or text with
    control characters (XML 1.0 cannot represent them; stripping would change the data)."""
    debit = credit = Decimal(0)
    legs: list[LedgerEntry | InventoryEntry] = [*voucher.ledger_entries, *voucher.inventory_entries]
    for leg in legs:
        if leg.side == "debit":
            debit += leg.amount
        else:
            credit += leg.amount
    if not voucher.ledger_entries and not voucher.inventory_entries:
        raise UnrenderableVoucher("the voucher has no entries")
    if debit != credit:
        raise UnrenderableVoucher(
            f"debits {money(debit)} and credits {money(credit)} differ; Tally would refuse it "
            "with 'Voucher totals do not match!'"
        )
    for entry in voucher.ledger_entries:
        _check_bills(entry)
    if voucher.forex is not None:
        _check_forex(legs)
    for text in _texts(voucher):
        problem = unwritable(text)
        if problem is not None:
            raise UnrenderableVoucher(f"text {text!r} contains {problem}")


def _signed_sum(pairs: list[tuple[Side, Decimal]]) -> Decimal:
    return sum((amount if side == "debit" else -amount for side, amount in pairs), Decimal(0))


def _check_bills(entry: LedgerEntry) -> None:
    """A leg's bills must add up to the leg, or the party's outstanding would drift from
    its balance."""
    if not entry.bills:
        return
    if entry.bill_reference:
        raise UnrenderableVoucher(
            f"ledger {entry.ledger!r} names both bill_reference and bills; use one"
        )
    bills = _signed_sum([(b.side, b.amount) for b in entry.bills])
    if bills != _signed_sum([(entry.side, entry.amount)]):
        raise UnrenderableVoucher(
            f"the bills of ledger {entry.ledger!r} add up to {money(abs(bills))}, "
            f"not to the leg's {money(entry.amount)}"
        )


def _check_forex(legs: list[LedgerEntry | InventoryEntry]) -> None:
    """Every leg of a forex voucher has its face value, and those balance too: Tally keeps
    the foreign amounts of a voucher as well as the booked ones (tally-xml.md §7.3)."""
    missing = [
        leg.ledger if isinstance(leg, LedgerEntry) else leg.stock_item
        for leg in legs
        if leg.forex_amount is None
    ]
    if missing:
        raise UnrenderableVoucher(
            f"a voucher in a foreign currency needs the foreign amount of every leg; "
            f"{', '.join(repr(m) for m in missing)} have none"
        )
    pairs = [(leg.side, leg.forex_amount or Decimal(0)) for leg in legs]
    difference = _signed_sum(pairs)
    if difference:
        raise UnrenderableVoucher(
            f"the foreign amounts of debits and credits differ by {money(abs(difference))}"
        )


def _texts(voucher: Voucher) -> list[str]:
    texts = [
        voucher.number,
        voucher.remote_id,
        voucher.tally_voucher_type,
        voucher.party_ledger or "",
        voucher.reference or "",
        voucher.narration or "",
        voucher.forex.currency if voucher.forex else "",
    ]
    for leg in voucher.ledger_entries:
        texts += [leg.ledger, leg.bill_reference or "", *(c.cost_centre for c in leg.cost_centres)]
        texts += [bill.name for bill in leg.bills]
        texts += [c.category for c in leg.cost_centres]
    for item in voucher.inventory_entries:
        texts += [
            item.stock_item,
            item.unit,
            item.ledger,
            item.godown,
            item.batch,
            *(c.cost_centre for c in item.cost_centres),
            *(c.category for c in item.cost_centres),
        ]
    return texts


def render_voucher(voucher: Voucher, forex: ForexStyle = DEFAULT_STYLE) -> etree._Element:
    """A fresh ``<VOUCHER ACTION="Create" REMOTEID=...>`` element (a new element each call,
    so a batch can be split and re-sent). ``REMOTEID`` makes a re-send an alteration of the
    same voucher on licensed TallyPrime (§4.7). ``forex``: how a voucher in a foreign
    currency writes its amounts (ignored for the others)."""
    check(voucher)
    amounts = _Amounts(voucher.forex, forex)
    view = INVOICE_VIEW if voucher.is_invoice else ACCOUNTING_VIEW
    element = etree.Element(
        "VOUCHER",
        {
            "REMOTEID": voucher.remote_id,
            "VCHTYPE": voucher.tally_voucher_type,
            "ACTION": "Create",
            "OBJVIEW": view,
        },
    )
    day = f"{voucher.date:%Y%m%d}"  # YYYYMMDD for imports (§2.7)
    _sub(element, "DATE", day)
    _sub(element, "EFFECTIVEDATE", day)
    _sub(element, "VOUCHERTYPENAME", voucher.tally_voucher_type)
    _sub(element, "VOUCHERNUMBER", voucher.number)
    if voucher.reference:
        _sub(element, "REFERENCE", voucher.reference)
    _sub(element, "PERSISTEDVIEW", view)
    _sub(element, "ISINVOICE", "Yes" if voucher.is_invoice else "No")
    if voucher.party_ledger:
        _sub(element, "PARTYLEDGERNAME", voucher.party_ledger)
    if voucher.narration:
        _sub(element, "NARRATION", voucher.narration)
    if not voucher.is_invoice:
        for entry in voucher.ledger_entries:
            _ledger_entry(element, "ALLLEDGERENTRIES.LIST", entry, voucher.voucher_type, amounts)
        return element
    # Invoice order as in §4.4: party leg, items, then tax/shipping legs.
    for entry in voucher.ledger_entries:
        if entry.is_party:
            _ledger_entry(element, "LEDGERENTRIES.LIST", entry, voucher.voucher_type, amounts)
    for item in voucher.inventory_entries:
        _inventory_entry(element, item, amounts)
    for entry in voucher.ledger_entries:
        if not entry.is_party:
            _ledger_entry(element, "LEDGERENTRIES.LIST", entry, voucher.voucher_type, amounts)
    return element
