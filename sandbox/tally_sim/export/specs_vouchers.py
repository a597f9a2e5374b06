"""Export spec of vouchers (tally-xml.md §3.5, §3.6, §4.2).

Attributes as read back from TallyPrime: `REMOTEID` carries Tally's own
`<company GUID>-<MASTERID>` value, never the client's key (§3.6, BRIDGE §9.13), then
`VCHKEY`, `VCHTYPE` and `OBJVIEW` (`ACTION="Create"` too in data-interchange exports).
`DATE`, `GUID` and `ALTERID` are always written: fetching ALTERID alone or GUID,ALTERID,DATE
gave identical envelopes (§3.2, BRIDGE §12a.8). Invoices list party and tax legs in
`LEDGERENTRIES.LIST`, items in `ALLINVENTORYENTRIES.LIST`, and everything (accounting
allocations included) in `ALLLEDGERENTRIES.LIST`; accounting vouchers use
`ALLLEDGERENTRIES.LIST` only (§3.5). Quantities are positive; `ISDEEMEDPOSITIVE` gives the
direction (§4.2).
"""

from __future__ import annotations

from typing import Any

from tally_sim.export.spec import ListField, ObjectSpec, Scalar
from tally_sim.model.values import Quantity, Rate
from tally_sim.model.vouchers import InventoryEntry, LedgerEntry, Voucher

COST_CENTRE_ROW = ObjectSpec(
    "COSTCENTREALLOCATIONS",
    [
        Scalar("NAME", "String", lambda a, _c: a.name),
        Scalar("AMOUNT", "Amount", lambda a, _c: a.amount),
    ],
)

CATEGORY_ROW = ObjectSpec(
    "CATEGORYALLOCATIONS",
    [
        Scalar("CATEGORY", "String", lambda a, _c: a.category),
        Scalar("ISDEEMEDPOSITIVE", "Logical", lambda a, _c: a.is_deemed_positive),
        ListField("COSTCENTREALLOCATIONS", lambda a, _c: a.cost_centres, spec=COST_CENTRE_ROW),
    ],
)

BILL_ROW = ObjectSpec(
    "BILLALLOCATIONS",
    [
        Scalar("NAME", "String", lambda b, _c: b.name),
        Scalar("BILLDATE", "Date", lambda b, _c: b.bill_date),
        Scalar("BILLTYPE", "String", lambda b, _c: b.bill_type),
        Scalar("AMOUNT", "Amount", lambda b, _c: b.amount),
    ],
)


def _entry_extras(obj: Any) -> dict[str, str]:
    extra: dict[str, str] = obj.extra
    return extra


LEDGER_ENTRY = ObjectSpec(
    "LEDGERENTRY",
    [
        Scalar("LEDGERNAME", "String", lambda e, _c: e.ledger_name),
        Scalar("ISDEEMEDPOSITIVE", "Logical", lambda e, _c: e.is_deemed_positive),
        Scalar("ISPARTYLEDGER", "Logical", lambda e, _c: e.is_party_ledger),
        Scalar("AMOUNT", "Amount", lambda e, _c: e.amount),
        ListField("BILLALLOCATIONS", lambda e, _c: e.bill_allocations, spec=BILL_ROW),
        ListField("CATEGORYALLOCATIONS", lambda e, _c: e.category_allocations, spec=CATEGORY_ROW),
    ],
    extras=_entry_extras,
)


def _quantity(value: Any, unit: str) -> Quantity:
    return Quantity(value, unit)


BATCH_ROW = ObjectSpec(
    "BATCHALLOCATIONS",
    [
        Scalar("GODOWNNAME", "String", lambda b, _c: b.godown),
        Scalar("BATCHNAME", "String", lambda b, _c: b.batch),
        Scalar("ORDERNO", "String", lambda b, _c: b.order_no),
        Scalar("AMOUNT", "Amount", lambda b, _c: b.amount),
        Scalar("ACTUALQTY", "Quantity", lambda b, _c: _quantity(b.actual_qty, b.unit)),
        Scalar("BILLEDQTY", "Quantity", lambda b, _c: _quantity(b.billed_qty, b.unit)),
    ],
)


def _rate(entry: InventoryEntry) -> Rate | None:
    return Rate(entry.rate, entry.unit) if entry.rate is not None else None


INVENTORY_ENTRY = ObjectSpec(
    "INVENTORYENTRY",
    [
        Scalar("STOCKITEMNAME", "String", lambda i, _c: i.stock_item_name),
        Scalar("ISDEEMEDPOSITIVE", "Logical", lambda i, _c: i.is_deemed_positive),
        Scalar("RATE", "Rate", lambda i, _c: _rate(i)),
        Scalar("AMOUNT", "Amount", lambda i, _c: i.amount),
        Scalar("ACTUALQTY", "Quantity", lambda i, _c: _quantity(i.actual_qty, i.unit)),
        Scalar("BILLEDQTY", "Quantity", lambda i, _c: _quantity(i.billed_qty, i.unit)),
        ListField("BATCHALLOCATIONS", lambda i, _c: i.batch_allocations, spec=BATCH_ROW),
        ListField(
            "ACCOUNTINGALLOCATIONS", lambda i, _c: i.accounting_allocations, spec=LEDGER_ENTRY
        ),
        ListField("CATEGORYALLOCATIONS", lambda i, _c: i.category_allocations, spec=CATEGORY_ROW),
    ],
    extras=_entry_extras,
)


def object_view(voucher: Voucher) -> str:
    return "Invoice Voucher View" if voucher.is_invoice else voucher.persisted_view


def _attrs(voucher: Voucher, _ctx: Any, interchange: bool) -> list[tuple[str, str]]:
    pairs = [
        ("REMOTEID", voucher.guid),
        ("VCHKEY", voucher.vch_key),
        ("VCHTYPE", voucher.voucher_type),
    ]
    if interchange:
        pairs.append(("ACTION", "Create"))
    pairs.append(("OBJVIEW", object_view(voucher)))
    return pairs


def all_ledger_entries(voucher: Voucher) -> list[LedgerEntry]:
    if not voucher.is_invoice:
        return voucher.ledger_entries
    allocations = [a for i in voucher.inventory_entries for a in i.accounting_allocations]
    return [*voucher.ledger_entries, *allocations]


def _voucher_extras(obj: Any) -> dict[str, str]:
    extra: dict[str, str] = obj.extra
    return extra


VOUCHER = ObjectSpec(
    "VOUCHER",
    [
        Scalar("DATE", "Date", lambda v, _c: v.date, default=True),
        Scalar("GUID", "String", lambda v, _c: v.guid, default=True),
        Scalar("NARRATION", "String", lambda v, _c: v.narration),
        Scalar("VOUCHERTYPENAME", "String", lambda v, _c: v.voucher_type),
        Scalar("PARTYLEDGERNAME", "String", lambda v, _c: v.party_ledger_name),
        Scalar("VOUCHERNUMBER", "String", lambda v, _c: v.number),
        Scalar("REFERENCE", "String", lambda v, _c: v.reference),
        Scalar("REFERENCEDATE", "Date", lambda v, _c: v.reference_date),
        Scalar("PERSISTEDVIEW", "String", lambda v, _c: object_view(v)),
        Scalar("EFFECTIVEDATE", "Date", lambda v, _c: v.effective_date or v.date),
        Scalar("ISDELETED", "Logical", lambda _v, _c: False),
        Scalar("ISCANCELLED", "Logical", lambda v, _c: v.is_cancelled),
        Scalar("ISOPTIONAL", "Logical", lambda v, _c: v.is_optional),
        Scalar("ISINVOICE", "Logical", lambda v, _c: v.is_invoice),
        Scalar("ALTERID", "Number", lambda v, _c: v.alter_id, default=True),
        Scalar("MASTERID", "Number", lambda v, _c: v.master_id),
        Scalar("VCHKEY", "String", lambda v, _c: v.vch_key, render=False),
        Scalar("AMOUNT", "Amount", lambda v, _c: v.debit_total()),
        ListField(
            "LEDGERENTRIES",
            lambda v, _c: v.ledger_entries if v.is_invoice else [],
            spec=LEDGER_ENTRY,
        ),
        ListField("ALLINVENTORYENTRIES", lambda v, _c: v.inventory_entries, spec=INVENTORY_ENTRY),
        ListField("ALLLEDGERENTRIES", lambda v, _c: all_ledger_entries(v), spec=LEDGER_ENTRY),
    ],
    attrs=_attrs,
    extras=_voucher_extras,
)

# Data-interchange exports (Day Book, Voucher Register) are meant to re-import cleanly, so an
# invoice there carries LEDGERENTRIES and items but not the flattened ALLLEDGERENTRIES.
VOUCHER_INTERCHANGE = ObjectSpec(
    "VOUCHER",
    [
        *[f for f in VOUCHER.fields if f.tag != "ALLLEDGERENTRIES"],
        ListField(
            "ALLLEDGERENTRIES",
            lambda v, _c: [] if v.is_invoice else v.ledger_entries,
            spec=LEDGER_ENTRY,
        ),
    ],
    attrs=_attrs,
    extras=_voucher_extras,
)
