"""Reading `TALLYMESSAGE` children into typed import payloads (tally-xml.md §4).

Scalar fields stay as text until the importer knows what they mean (a missing field is
`None`, which matters for the merge semantics of §4.7). Attribute names are already
upper-cased, so `ACTION` and `Action` are one (§4.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tally_sim.model.values import (
    ZERO,
    Quantity,
    Rate,
    parse_decimal,
    parse_logical,
    parse_quantity,
    parse_rate,
    parse_yyyymmdd,
)
from tally_sim.model.vouchers import (
    BatchAllocation,
    BillAllocation,
    CategoryAllocation,
    CostCentreAllocation,
)
from tally_sim.wire.xmlin import Node

# Tags Tally owns on a voucher: ignored on import rather than kept as extras.
_OWNED = {
    "GUID", "MASTERID", "ALTERID", "VCHKEY", "VOUCHERKEY", "ISDELETED", "AMOUNT", "REMOTEID",
    "ALTEREDON", "ENTEREDBY", "ALTEREDBY", "ISINVOICE", "PERSISTEDVIEW", "OBJVIEW",
}  # fmt: skip
VOUCHER_FIELDS = {
    "VOUCHERTYPENAME", "DATE", "EFFECTIVEDATE", "VOUCHERNUMBER", "REFERENCE", "REFERENCEDATE",
    "NARRATION", "PARTYLEDGERNAME", "ISOPTIONAL", "ISCANCELLED",
}  # fmt: skip
_ENTRY_FIELDS = {"LEDGERNAME", "ISDEEMEDPOSITIVE", "AMOUNT", "ISPARTYLEDGER"}
_INVENTORY_FIELDS = {
    "STOCKITEMNAME", "ISDEEMEDPOSITIVE", "AMOUNT", "RATE", "ACTUALQTY", "BILLEDQTY",
}  # fmt: skip


def _scalars(node: Node) -> dict[str, str]:
    return {c.tag: c.text for c in node.children if not c.children and not c.tag.endswith(".LIST")}


@dataclass
class EntryPayload:
    ledger_name: str
    is_deemed_positive: bool | None
    amount: Decimal
    is_party: bool
    bills: list[BillAllocation] = field(default_factory=list)
    categories: list[CategoryAllocation] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class InventoryPayload:
    stock_item_name: str
    is_deemed_positive: bool | None
    actual_qty: Quantity | None
    billed_qty: Quantity | None
    rate: Rate | None
    amount: Decimal
    batches: list[BatchAllocation] = field(default_factory=list)
    accounting: list[EntryPayload] = field(default_factory=list)
    categories: list[CategoryAllocation] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class VoucherPayload:
    action: str
    attrs: dict[str, str]
    fields: dict[str, str]
    extra: dict[str, str]
    entries: list[EntryPayload] | None
    inventory: list[InventoryPayload] | None
    is_invoice: bool | None
    persisted_view: str | None

    @property
    def remote_id(self) -> str | None:
        value = self.attrs.get("REMOTEID", "").strip()
        return value or None

    @property
    def voucher_type(self) -> str | None:
        return (
            self.fields.get("VOUCHERTYPENAME") or self.attrs.get("VCHTYPE") or ""
        ).strip() or None

    @property
    def date_text(self) -> str | None:
        return self.fields.get("DATE") or self.attrs.get("DATE")

    def flag(self, tag: str) -> bool | None:
        return parse_logical(self.fields.get(tag))


def _categories(node: Node) -> list[CategoryAllocation]:
    result = []
    for category in node.all("CATEGORYALLOCATIONS.LIST"):
        result.append(
            CategoryAllocation(
                category=category.text_of("CATEGORY") or "Primary Cost Category",
                is_deemed_positive=bool(parse_logical(category.text_of("ISDEEMEDPOSITIVE"))),
                cost_centres=_cost_centres(category),
            )
        )
    direct = _cost_centres(node)
    if direct:
        # LOADER also reads cost centres sitting directly under the entry (§4.6).
        result.append(CategoryAllocation("Primary Cost Category", False, direct))
    return result


def _cost_centres(node: Node) -> list[CostCentreAllocation]:
    return [
        CostCentreAllocation(c.text_of("NAME") or "", parse_decimal(c.text_of("AMOUNT")) or ZERO)
        for c in node.all("COSTCENTREALLOCATIONS.LIST")
    ]


def parse_entry(node: Node) -> EntryPayload:
    scalars = _scalars(node)
    bills = [
        BillAllocation(
            name=b.text_of("NAME") or "",
            bill_type=(b.text_of("BILLTYPE") or "").strip(),
            amount=parse_decimal(b.text_of("AMOUNT")) or ZERO,
            bill_date=parse_yyyymmdd(b.text_of("BILLDATE")),
        )
        for b in node.all("BILLALLOCATIONS.LIST")
    ]
    return EntryPayload(
        ledger_name=(node.text_of("LEDGERNAME") or "").strip(),
        is_deemed_positive=parse_logical(node.text_of("ISDEEMEDPOSITIVE")),
        amount=parse_decimal(node.text_of("AMOUNT")) or ZERO,
        is_party=bool(parse_logical(node.text_of("ISPARTYLEDGER"))),
        bills=bills,
        categories=_categories(node),
        extra={k: v for k, v in scalars.items() if k not in _ENTRY_FIELDS},
    )


def _batch(node: Node, fallback_unit: str) -> BatchAllocation:
    actual = parse_quantity(node.text_of("ACTUALQTY")) or parse_quantity(node.text_of("BILLEDQTY"))
    billed = parse_quantity(node.text_of("BILLEDQTY")) or actual
    return BatchAllocation(
        godown=(node.text_of("GODOWNNAME") or "Main Location").strip(),
        batch=(node.text_of("BATCHNAME") or "Primary Batch").strip(),
        actual_qty=abs(actual.value) if actual else ZERO,
        billed_qty=abs(billed.value) if billed else ZERO,
        amount=parse_decimal(node.text_of("AMOUNT")) or ZERO,
        unit=(actual.unit if actual and actual.unit else fallback_unit),
        order_no=(node.text_of("ORDERNO") or "").strip(),
    )


def parse_inventory(node: Node) -> InventoryPayload:
    scalars = _scalars(node)
    actual = parse_quantity(node.text_of("ACTUALQTY"))
    billed = parse_quantity(node.text_of("BILLEDQTY"))
    unit = (actual or billed or Quantity(ZERO, "")).unit
    return InventoryPayload(
        stock_item_name=(node.text_of("STOCKITEMNAME") or "").strip(),
        is_deemed_positive=parse_logical(node.text_of("ISDEEMEDPOSITIVE")),
        actual_qty=actual or billed,
        billed_qty=billed or actual,
        rate=parse_rate(node.text_of("RATE")),
        amount=parse_decimal(node.text_of("AMOUNT")) or ZERO,
        batches=[_batch(b, unit) for b in node.all("BATCHALLOCATIONS.LIST")],
        accounting=[parse_entry(a) for a in node.all("ACCOUNTINGALLOCATIONS.LIST")],
        categories=_categories(node),
        extra={k: v for k, v in scalars.items() if k not in _INVENTORY_FIELDS},
    )


def parse_voucher(node: Node) -> VoucherPayload:
    scalars = _scalars(node)
    inventory_nodes = node.all("ALLINVENTORYENTRIES.LIST") + node.all("INVENTORYENTRIES.LIST")
    ledger_nodes = node.all("LEDGERENTRIES.LIST")
    all_ledger_nodes = node.all("ALLLEDGERENTRIES.LIST")
    # §3.5: invoices carry their party/tax legs in LEDGERENTRIES.LIST, accounting vouchers in
    # ALLLEDGERENTRIES.LIST; a re-imported export may carry both, so pick one list.
    if inventory_nodes:
        chosen = ledger_nodes or all_ledger_nodes
    else:
        chosen = all_ledger_nodes or ledger_nodes
    has_lists = bool(inventory_nodes or ledger_nodes or all_ledger_nodes)
    return VoucherPayload(
        action=(node.attrs.get("ACTION") or "Create").strip().casefold(),
        attrs=node.attrs,
        fields={k: v for k, v in scalars.items() if k in VOUCHER_FIELDS},
        extra={k: v for k, v in scalars.items() if k not in VOUCHER_FIELDS and k not in _OWNED},
        entries=[parse_entry(e) for e in chosen] if has_lists else None,
        inventory=[parse_inventory(i) for i in inventory_nodes] if has_lists else None,
        is_invoice=parse_logical(scalars.get("ISINVOICE")),
        persisted_view=scalars.get("PERSISTEDVIEW") or node.attrs.get("OBJVIEW"),
    )


@dataclass
class MasterPayload:
    kind: str  # the element tag: LEDGER, GROUP, STOCKITEM, ...
    action: str
    name_attr: str | None
    inner_name: str | None
    language_names: list[str]
    fields: dict[str, str]
    node: Node

    @property
    def lookup_name(self) -> str | None:
        """Which existing master the payload addresses: the NAME attribute (a rename keeps
        the old name there, §4.8), else the inner NAME."""
        first = self.language_names[0] if self.language_names else None
        return self.name_attr or self.inner_name or first

    @property
    def new_name(self) -> str | None:
        if self.language_names:
            return self.language_names[0]
        return self.inner_name or self.name_attr


def parse_master(node: Node) -> MasterPayload:
    names: list[str] = []
    for language in node.all("LANGUAGENAME.LIST"):
        for name_list in language.all("NAME.LIST"):
            names.extend(n.text for n in name_list.all("NAME") if n.text)
    inner = node.text_of("NAME")
    return MasterPayload(
        kind=node.tag,
        action=(node.attrs.get("ACTION") or "Create").strip().casefold(),
        name_attr=(node.attrs.get("NAME") or "").strip() or None,
        inner_name=inner.strip() if inner else None,
        language_names=names,
        fields=_scalars(node),
        node=node,
    )
