"""Voucher records: ledger entries, inventory entries and their allocations.

Amounts are stored signed the way Tally writes them (debit negative, tally-xml.md §4.2);
quantities are stored positive with the direction in `is_deemed_positive` (Yes = inward,
§4.2 and QUIRKS #18).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from tally_sim.model.values import ZERO


@dataclass(slots=True, eq=False)
class BillAllocation:
    name: str
    bill_type: str  # New Ref | Agst Ref | Advance | On Account (tally-xml.md §4.9)
    amount: Decimal
    bill_date: dt.date | None = None


@dataclass(slots=True, eq=False)
class CostCentreAllocation:
    name: str
    amount: Decimal


@dataclass(slots=True, eq=False)
class CategoryAllocation:
    category: str
    is_deemed_positive: bool
    cost_centres: list[CostCentreAllocation] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class LedgerEntry:
    ledger_name: str
    is_deemed_positive: bool
    amount: Decimal
    is_party_ledger: bool = False
    bill_allocations: list[BillAllocation] = field(default_factory=list)
    category_allocations: list[CategoryAllocation] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class BatchAllocation:
    godown: str
    batch: str
    actual_qty: Decimal
    billed_qty: Decimal
    amount: Decimal
    unit: str = ""
    order_no: str = ""


@dataclass(slots=True, eq=False)
class InventoryEntry:
    stock_item_name: str
    is_deemed_positive: bool
    actual_qty: Decimal
    billed_qty: Decimal
    unit: str
    rate: Decimal | None
    amount: Decimal
    batch_allocations: list[BatchAllocation] = field(default_factory=list)
    accounting_allocations: list[LedgerEntry] = field(default_factory=list)
    category_allocations: list[CategoryAllocation] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class Voucher:
    voucher_type: str
    date: dt.date
    guid: str = ""
    master_id: int = 0
    alter_id: int = 0
    vch_key: str = ""
    remote_id: str = ""  # the client's REMOTEID, used for upserts; never echoed (tally-xml.md §3.6)
    number: str = ""
    effective_date: dt.date | None = None
    reference: str = ""
    reference_date: dt.date | None = None
    narration: str = ""
    party_ledger_name: str = ""
    persisted_view: str = "Accounting Voucher View"
    is_invoice: bool = False
    is_optional: bool = False
    is_cancelled: bool = False
    # Accounting-mode vouchers list their legs in ALLLEDGERENTRIES.LIST, invoices in
    # LEDGERENTRIES.LIST beside ALLINVENTORYENTRIES.LIST (tally-xml.md §3.5).
    ledger_entries: list[LedgerEntry] = field(default_factory=list)
    inventory_entries: list[InventoryEntry] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    def debit_total(self) -> Decimal:
        """The voucher's `$Amount`: the total of its debit legs (negative, like Tally)."""
        legs = [e.amount for e in self.ledger_entries if e.amount < 0]
        legs += [i.amount for i in self.inventory_entries if i.amount < 0]
        return sum(legs, ZERO)
