"""Validating an imported voucher and building its model (tally-xml.md §4.2, §4.4, §4.7, §5).

Rejections and their texts:
* a missing ledger, stock item, godown, cost centre/category or voucher type:
  `Ledger '<name>' does not exist!` (§5.3) and the same pattern for the others (the pattern of
  `Stock Group 'Primary' does not exist!`, §4.8); counted in EXCEPTIONS (§5.2);
* a date that is not YYYYMMDD, before the books begin, or (educational profile) on a day
  other than 1, 2 or 31: the misleading `Voucher date is missing for: …` (§2.7, §5.3;
  BRIDGE §9.2 saw it for an out-of-range date);
* debits not equal to credits, inventory amounts included: `Voucher totals do not match!`;
* Manual numbering: no number -> ERRORS with `Voucher Number cannot be left BLANK!`; a duplicate
  under PREVENTDUPLICATES -> EXCEPTIONS with no LINEERROR (§4.7).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tally_sim.importer.parse import EntryPayload, InventoryPayload, VoucherPayload
from tally_sim.importer.rewrites import apply_rewrites
from tally_sim.model.books import posts_accounts_type
from tally_sim.model.company import Company
from tally_sim.model.masters import VoucherType
from tally_sim.model.values import ZERO, money, name_key, parse_yyyymmdd
from tally_sim.model.vouchers import (
    BatchAllocation,
    BillAllocation,
    CategoryAllocation,
    InventoryEntry,
    LedgerEntry,
    Voucher,
)
from tally_sim.settings import SimSettings

EDU_DAYS = (1, 2, 31)


class Rejected(Exception):
    def __init__(self, line_error: str | None, *, as_error: bool = False) -> None:
        super().__init__(line_error or "rejected")
        self.line_error = line_error
        self.as_error = as_error


def date_missing(voucher_type: str, label: str) -> str:
    return (
        f"Voucher date is missing for: '{voucher_type}' voucher {label}. "
        "Verify the data, resolve any errors, and retry Split."
    )


def is_manual(voucher_type: VoucherType) -> bool:
    return voucher_type.numbering_method.strip().casefold().startswith("manual")


@dataclass
class VoucherBuilder:
    company: Company
    settings: SimSettings

    def build(
        self,
        payload: VoucherPayload,
        base: Voucher | None,
        position: int,
        cancelled: bool = False,
    ) -> tuple[Voucher, VoucherType]:
        company = self.company
        type_name = payload.voucher_type or (base.voucher_type if base else None)
        voucher_type = company.voucher_types.get(type_name)
        if voucher_type is None:
            raise Rejected(f"Voucher Type '{type_name or ''}' does not exist!")
        number = self._number_text(payload)
        if number is None and cancelled and base is not None:
            number = base.number or None  # a cancelled voucher keeps its number
        label = number or str(position)
        voucher_date = parse_yyyymmdd(payload.date_text) if payload.date_text else None
        if voucher_date is None and payload.date_text is None and base is not None:
            voucher_date = base.date
        if (
            voucher_date is None
            or voucher_date < company.books_from
            or (self.settings.profile == "educational" and voucher_date.day not in EDU_DAYS)
        ):
            raise Rejected(date_missing(voucher_type.name, label))
        cancelled = cancelled or bool(payload.flag("ISCANCELLED"))
        fields = payload.fields
        voucher = Voucher(
            voucher_type=voucher_type.name,
            date=voucher_date,
            number=number or "",
            effective_date=parse_yyyymmdd(fields.get("EFFECTIVEDATE"))
            or (base.effective_date if base and "DATE" not in fields else None),
            reference=_merge(fields.get("REFERENCE"), base.reference if base else ""),
            reference_date=parse_yyyymmdd(fields.get("REFERENCEDATE"))
            or (base.reference_date if base else None),
            narration=_merge(fields.get("NARRATION"), base.narration if base else ""),
            party_ledger_name=_merge(
                fields.get("PARTYLEDGERNAME"), base.party_ledger_name if base else ""
            ),
            is_optional=_flag(payload.flag("ISOPTIONAL"), base.is_optional if base else False),
            is_cancelled=cancelled,
            extra={**(base.extra if base else {}), **payload.extra},
        )
        if voucher.party_ledger_name and company.ledgers.get(voucher.party_ledger_name) is None:
            raise Rejected(f"Ledger '{voucher.party_ledger_name}' does not exist!")
        if not cancelled:
            self._entries(payload, base, voucher)
            if posts_accounts_type(company, voucher_type.name):
                self._check_totals(voucher)
        voucher.is_invoice = (
            payload.is_invoice
            if payload.is_invoice is not None
            else bool(voucher.inventory_entries)
            or (base.is_invoice if base is not None and payload.inventory is None else False)
        )
        voucher.persisted_view = payload.persisted_view or (
            "Invoice Voucher View" if voucher.is_invoice else "Accounting Voucher View"
        )
        self._check_number(voucher_type, voucher, base, cancelled)
        apply_rewrites(company, voucher)
        return voucher, voucher_type

    def _number_text(self, payload: VoucherPayload) -> str | None:
        number = (payload.fields.get("VOUCHERNUMBER") or "").strip()
        tag = "".join((payload.attrs.get("TAGNAME") or "").split()).casefold()
        if not number and tag == "vouchernumber":
            number = (payload.attrs.get("TAGVALUE") or "").strip()
        return number or None

    def _entries(self, payload: VoucherPayload, base: Voucher | None, voucher: Voucher) -> None:
        if payload.entries is None and base is not None:
            # Omitted lists merge: the stored entries stay (§4.7 replace-with-merge).
            voucher.ledger_entries = base.ledger_entries
            voucher.inventory_entries = base.inventory_entries
            return
        voucher.ledger_entries = [self._ledger_entry(e) for e in payload.entries or []]
        voucher.inventory_entries = [self._inventory_entry(i) for i in payload.inventory or []]

    def _ledger_entry(self, entry: EntryPayload) -> LedgerEntry:
        ledger = self.company.ledgers.get(entry.ledger_name)
        if ledger is None:
            raise Rejected(f"Ledger '{entry.ledger_name}' does not exist!")
        return LedgerEntry(
            ledger_name=ledger.name,
            is_deemed_positive=_flag(entry.is_deemed_positive, entry.amount < 0),
            amount=money(entry.amount),
            is_party_ledger=entry.is_party,
            bill_allocations=[_money_bill(b) for b in entry.bills],
            category_allocations=self._categories(entry.categories),
            extra=entry.extra,
        )

    def _categories(self, categories: list[CategoryAllocation]) -> list[CategoryAllocation]:
        for category in categories:
            found = self.company.cost_categories.get(category.category)
            if found is None:
                raise Rejected(f"Cost Category '{category.category}' does not exist!")
            category.category = found.name
            for allocation in category.cost_centres:
                centre = self.company.cost_centres.get(allocation.name)
                if centre is None:
                    raise Rejected(f"Cost Centre '{allocation.name}' does not exist!")
                allocation.name = centre.name
                allocation.amount = money(allocation.amount)
        return categories

    def _inventory_entry(self, entry: InventoryPayload) -> InventoryEntry:
        item = self.company.stock_items.get(entry.stock_item_name)
        if item is None:
            raise Rejected(f"Stock Item '{entry.stock_item_name}' does not exist!")
        quantity = entry.actual_qty
        unit = (quantity.unit if quantity and quantity.unit else "") or item.base_units
        batches = [self._batch(b, unit) for b in entry.batches]
        return InventoryEntry(
            stock_item_name=item.name,
            is_deemed_positive=_flag(entry.is_deemed_positive, entry.amount < 0),
            actual_qty=abs(quantity.value) if quantity else ZERO,
            billed_qty=abs(entry.billed_qty.value) if entry.billed_qty else ZERO,
            unit=unit,
            rate=entry.rate.value if entry.rate else None,
            amount=money(entry.amount),
            batch_allocations=batches,
            accounting_allocations=[self._ledger_entry(a) for a in entry.accounting],
            category_allocations=self._categories(entry.categories),
            extra=entry.extra,
        )

    def _batch(self, batch: BatchAllocation, unit: str) -> BatchAllocation:
        godown = self.company.godowns.get(batch.godown)
        if godown is None:
            raise Rejected(f"Godown '{batch.godown}' does not exist!")
        batch.godown = godown.name
        batch.unit = batch.unit or unit
        return batch

    def _check_totals(self, voucher: Voucher) -> None:
        total: Decimal = sum((e.amount for e in voucher.ledger_entries), ZERO)
        total += sum((i.amount for i in voucher.inventory_entries), ZERO)
        if money(total) != 0:
            raise Rejected("Voucher totals do not match!")

    def _check_number(
        self, voucher_type: VoucherType, voucher: Voucher, base: Voucher | None, cancelled: bool
    ) -> None:
        if not is_manual(voucher_type):
            return
        if not voucher.number and not cancelled:
            raise Rejected("Voucher Number cannot be left BLANK!", as_error=True)
        if voucher_type.prevent_duplicates and voucher.number:
            wanted, kind = voucher.number.casefold(), name_key(voucher_type.name)
            for other in self.company.vouchers.values():
                if base is not None and other.master_id == base.master_id:
                    continue
                if name_key(other.voucher_type) == kind and other.number.casefold() == wanted:
                    raise Rejected(None)  # §4.7: refused, often without a LINEERROR


def _money_bill(bill: BillAllocation) -> BillAllocation:
    bill.amount = money(bill.amount)
    return bill


def _merge(value: str | None, previous: str) -> str:
    return previous if value is None else value


def _flag(value: bool | None, default: bool) -> bool:
    return default if value is None else value
