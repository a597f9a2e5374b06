"""What the tally-agent reads from and writes to TallyPrime, as typed records.

Amounts are ``Decimal`` and always positive, with the side named explicitly: the agent
turns side + amount into Tally's ISDEEMEDPOSITIVE/sign pair (tally-xml.md §4.2), so
nothing else has to know that convention.

``amount`` is always what Tally books, in the company's base currency. A voucher in a
foreign currency (``Voucher.forex``) also carries, per amount, the foreign face value
(``forex_amount``); the agent writes both in Tally's forex amount form (tally-xml.md §7.3).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

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
    ending_at: date | None = None
    last_voucher_date: date | None = None
    company_number: str | None = None


class Group(_Record):
    """An account group. ``parent`` None = top level (Tally's ``&#4; Primary``, §3.2)."""

    name: str
    guid: str
    master_id: int
    alter_id: int
    parent: str | None = None
    is_revenue: bool | None = None
    is_deemed_positive: bool | None = None


class CostCentre(_Record):
    name: str
    guid: str
    master_id: int
    alter_id: int
    parent: str | None = None
    category: str | None = None


class Godown(_Record):
    name: str
    guid: str
    master_id: int
    alter_id: int
    parent: str | None = None


class MasterStamp(_Record):
    """GUID and ALTERID of one master or voucher: one row of a deletion census (§3.6)."""

    guid: str
    alter_id: int


class GodownQuantity(_Record):
    godown: str
    qty: Decimal


class PriceLevelRate(_Record):
    """A stock item's rate under one named price level (Tally's price lists)."""

    price_level: str
    rate: Decimal


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
    closing_value: Decimal | None = Field(
        default=None,
        description="value of the stock on hand (positive); None = Tally left it empty",
    )
    standard_price: Decimal | None = None
    hsn_code: str | None = None
    godowns: tuple[GodownQuantity, ...] = ()
    price_levels: tuple[PriceLevelRate, ...] = Field(
        default=(),
        description="rates per named price level; the agent does not read them yet: the fact "
        "sheet documents only STANDARDPRICELIST (tally-xml.md §3.3), so the tags are UNCERTAIN",
    )


class Ledger(_Record):
    name: str
    guid: str
    master_id: int
    alter_id: int
    parent: str | None = None
    closing_balance: Decimal | None = Field(
        default=None,
        description="signed as Tally exports it: negative = debit (§3.2); None = empty",
    )
    opening_balance: Decimal | None = None
    gstin: str | None = None
    state: str | None = None


_FOREX_AMOUNT = "the same amount in the voucher's foreign currency (Voucher.forex); None: none"


class CostCentreAllocation(_Record):
    cost_centre: str
    amount: Decimal = Field(ge=0)
    category: str = "Primary Cost Category"
    forex_amount: Decimal | None = Field(default=None, ge=0, description=_FOREX_AMOUNT)


BillType = Literal["New Ref", "Agst Ref", "Advance", "On Account"]


class BillAllocation(_Record):
    """One bill a party leg settles or raises (BILLALLOCATIONS.LIST, tally-xml.md §4.3).

    A settlement pays many orders in one leg, some of them net negative (a refund larger
    than what the period paid for that order), so each allocation names its own side."""

    name: str
    amount: Decimal = Field(ge=0)
    side: Side
    bill_type: BillType | None = Field(
        default=None, description="None: the voucher type's default, as for bill_reference"
    )
    forex_amount: Decimal | None = Field(default=None, ge=0, description=_FOREX_AMOUNT)


class LedgerEntry(_Record):
    ledger: str
    side: Side
    amount: Decimal = Field(ge=0)
    is_party: bool = False
    cost_centres: tuple[CostCentreAllocation, ...] = ()
    bill_reference: str | None = None
    bill_type: BillType | None = Field(
        default=None,
        description="None: New Ref on Sales, Agst Ref on Credit Note/Receipt/Payment (§4.3, §4.9)",
    )
    bills: tuple[BillAllocation, ...] = Field(
        default=(),
        description="several bills in one leg (instead of bill_reference); their signed sum "
        "is the leg's signed amount",
    )
    forex_amount: Decimal | None = Field(default=None, ge=0, description=_FOREX_AMOUNT)


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
    forex_amount: Decimal | None = Field(default=None, ge=0, description=_FOREX_AMOUNT)
    forex_rate: Decimal | None = Field(
        default=None, ge=0, description="the unit price in the voucher's foreign currency"
    )


VoucherType = Literal["Sales", "Credit Note", "Receipt", "Payment", "Journal"]


class Forex(_Record):
    """The voucher is in a foreign currency, as Tally's own forex vouchers are: each amount
    is a face value in ``currency`` at ``rate``, and what it books in the company currency
    (tally-xml.md §7.3: ``-$100.00 @ ₹ 83.00/$ = -₹ 8300.00``)."""

    currency: str = Field(
        min_length=1, description="the foreign currency as named in the Tally company, e.g. '$'"
    )
    rate: Decimal = Field(gt=0, description="company currency per one unit of it (83.00)")


class Voucher(_Record):
    voucher_type: VoucherType
    number: str
    date: date
    remote_id: str = Field(
        description="deterministic key from the source record; Tally upserts on it"
    )
    party_ledger: str | None = None
    reference: str | None = None
    narration: str | None = None
    inventory_entries: tuple[InventoryEntry, ...] = ()
    ledger_entries: tuple[LedgerEntry, ...] = ()
    voucher_type_name: str | None = Field(
        default=None,
        description="the Tally voucher type to post under when it is not the predefined one, "
        "e.g. 'Walmart Sales' (a Sales type with manual numbering); voucher_type "
        "still decides the layout and signs",
    )
    forex: Forex | None = Field(
        default=None,
        description="None: amounts are in the company currency only (the company's own, or "
        "Walmart's when they are the same)",
    )

    @property
    def is_invoice(self) -> bool:
        return bool(self.inventory_entries)

    @property
    def tally_voucher_type(self) -> str:
        """The voucher type name Tally sees (VCHTYPE, VOUCHERTYPENAME)."""
        return self.voucher_type_name or self.voucher_type


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
    remote_id: str | None = Field(
        default=None, description="as read back: Tally's own key, not the client's (§3.6)"
    )
    is_optional: bool = False


class VoucherKey(_Record):
    """What the seller calls "the same voucher": its number and date (and type, see the
    agent's MLC_TALLY_DUPLICATE_MATCH_TYPE)."""

    voucher_type: str
    number: str
    date: date
    narration: str | None = Field(
        default=None,
        description="when given, a voucher of the same type and date with this exact narration "
        "also counts as the same (Automatic numbering replaces numbers, §4.7)",
    )


class LedgerSpec(_Record):
    """A ledger to create (or overwrite: masters are keyed by name, §4.8)."""

    kind: Literal["ledger"] = "ledger"
    name: str = Field(min_length=1)
    parent: str = Field(min_length=1)
    is_bill_wise: bool = False
    gstin: str | None = None
    state: str | None = None


class GroupSpec(_Record):
    kind: Literal["group"] = "group"
    name: str = Field(min_length=1)
    parent: str | None = Field(default=None, description="None = top level (Primary)")


class CostCentreSpec(_Record):
    kind: Literal["cost_centre"] = "cost_centre"
    name: str = Field(min_length=1)
    parent: str | None = None
    category: str = "Primary Cost Category"


class StockItemSpec(_Record):
    kind: Literal["stock_item"] = "stock_item"
    name: str = Field(min_length=1)
    base_unit: str = Field(min_length=1)
    parent: str | None = Field(default=None, description="stock group; None = top level (§4.8)")
    hsn_code: str | None = None
    part_number: str | None = None


MasterSpec = Annotated[
    LedgerSpec | GroupSpec | CostCentreSpec | StockItemSpec, Field(discriminator="kind")
]
