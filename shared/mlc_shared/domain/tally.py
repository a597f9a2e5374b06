"""What the tally-agent reads from and writes to TallyPrime, as typed records.

Amounts are ``Decimal`` and always positive, with the side named explicitly: the agent
turns side + amount into Tally's ISDEEMEDPOSITIVE/sign pair (tally-xml.md §4.2), so
nothing else has to know that convention.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Side = Literal["debit", "credit"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Company(_Record):
    name: str
    guid: str | None = None
    books_from: date | None = None
    starting_from: date | None = None
    alt_mst_id: int = 0
    alt_vch_id: int = 0


class GodownQuantity(_Record):
    godown: str
    qty: Decimal


class StockItem(_Record):
    name: str
    guid: str
    master_id: int
    alter_id: int
    parent: str | None = None
    base_unit: str | None = None
    aliases: tuple[str, ...] = ()
    part_number: str | None = None
    closing_qty: Decimal | None = None
    closing_rate: Decimal | None = None
    closing_value: Decimal | None = None
    standard_price: Decimal | None = None
    hsn_code: str | None = None
    godowns: tuple[GodownQuantity, ...] = ()


class Ledger(_Record):
    name: str
    guid: str
    master_id: int
    alter_id: int
    parent: str | None = None
    closing_balance: Decimal | None = None


class CostCentreAllocation(_Record):
    cost_centre: str
    amount: Decimal = Field(ge=0)
    category: str = "Primary Cost Category"


class LedgerEntry(_Record):
    ledger: str
    side: Side
    amount: Decimal = Field(ge=0)
    is_party: bool = False
    cost_centres: tuple[CostCentreAllocation, ...] = ()
    bill_reference: str | None = None


class InventoryEntry(_Record):
    stock_item: str
    side: Side = Field(description="credit = goods out (Sales), debit = goods in (Credit Note)")
    quantity: Decimal = Field(ge=0)
    unit: str
    rate: Decimal = Field(ge=0)
    amount: Decimal = Field(ge=0)
    ledger: str = Field(description="the accounting allocation (sales or sales-return ledger)")
    godown: str = "Main Location"
    batch: str = "Primary Batch"
    cost_centres: tuple[CostCentreAllocation, ...] = ()


VoucherType = Literal["Sales", "Credit Note", "Receipt", "Payment", "Journal"]


class Voucher(_Record):
    voucher_type: VoucherType
    number: str
    date: date
    remote_id: str = Field(description="deterministic key from the source record; Tally upserts on it")
    party_ledger: str | None = None
    reference: str | None = None
    narration: str | None = None
    inventory_entries: tuple[InventoryEntry, ...] = ()
    ledger_entries: tuple[LedgerEntry, ...] = ()

    @property
    def is_invoice(self) -> bool:
        return bool(self.inventory_entries)


class PostedVoucher(_Record):
    """A voucher as read back from Tally."""

    guid: str
    master_id: int
    alter_id: int
    voucher_type: str
    number: str
    date: date
    party_ledger: str | None = None
    reference: str | None = None
    narration: str | None = None
    is_cancelled: bool = False
    amount: Decimal | None = None
