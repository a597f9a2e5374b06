"""Master records of one company: groups, ledgers, cost centres, godowns, units, stock items,
voucher types and the base currency.

Every master carries Tally's identity triple (GUID, MASTERID, ALTERID; tally-xml.md §3.6),
an optional reserved name for TallyPrime's predefined masters (§3.2), aliases (exported as
`LANGUAGENAME.LIST`, §4.8) and `extra`: scalar tags an import sent that we do not model, kept
verbatim so a later import that omits them merges rather than loses them (§4.7, §4.8).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from tally_sim.model.values import ZERO


@dataclass(slots=True, eq=False)
class Master:
    name: str
    guid: str = ""
    master_id: int = 0
    alter_id: int = 0
    reserved_name: str = ""
    aliases: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class Group(Master):
    parent: str | None = None  # None: a primary group (`&#4; Primary`)
    nature: str = "Assets"  # Assets | Liabilities | Income | Expenses (of the primary ancestor)
    affects_gross_profit: bool = False
    sort_position: int = 0


@dataclass(slots=True, eq=False)
class Ledger(Master):
    parent: str = ""
    opening_balance: Decimal = ZERO  # signed: debit negative (tally-xml.md §4.2)
    is_bill_wise_on: bool = False
    is_cost_centres_on: bool = False
    mailing_name: str = ""
    address: list[str] = field(default_factory=list)
    state_name: str = ""
    country_name: str = ""
    pincode: str = ""
    email: str = ""
    mobile: str = ""
    gstin: str = ""
    gst_registration_type: str = ""
    tax_type: str = ""
    gst_duty_head: str = ""
    tax_rate: Decimal | None = None
    movement: Decimal = ZERO  # sum of posted voucher amounts, kept by model.books


@dataclass(slots=True, eq=False)
class CostCategory(Master):
    allocate_revenue: bool = True
    allocate_non_revenue: bool = False


@dataclass(slots=True, eq=False)
class CostCentre(Master):
    parent: str | None = None
    category: str = "Primary Cost Category"


@dataclass(slots=True, eq=False)
class Godown(Master):
    parent: str | None = None
    address: list[str] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Unit(Master):
    formal_name: str = ""
    is_simple: bool = True
    decimal_places: int = 0
    base_units: str = ""
    additional_units: str = ""
    conversion: Decimal | None = None


@dataclass(slots=True, eq=False)
class StockGroup(Master):
    parent: str | None = None


@dataclass(slots=True, eq=False)
class PriceEntry:
    """One row of `STANDARDPRICELIST.LIST` / `STANDARDCOSTLIST.LIST` (tally-xml.md §3.3)."""

    applicable_from: date
    rate: Decimal


@dataclass(slots=True, eq=False)
class GodownOpening:
    """An opening balance held in one godown (the stock item's `BATCHALLOCATIONS.LIST`)."""

    godown: str
    quantity: Decimal
    rate: Decimal | None
    value: Decimal
    batch: str = "Primary Batch"


@dataclass(slots=True, eq=False)
class StockItem(Master):
    parent: str | None = None  # stock group; None prints as `&#4; Primary` (tally-xml.md §3.3)
    base_units: str = ""
    description: str = ""
    part_number: str = ""
    hsn_code: str = ""
    hsn_description: str = ""
    hsn_applicable_from: date | None = None
    gst_rate: Decimal | None = None
    taxability: str = "Taxable"
    costing_method: str = "Avg. Cost"
    openings: list[GodownOpening] = field(default_factory=list)
    standard_prices: list[PriceEntry] = field(default_factory=list)
    standard_costs: list[PriceEntry] = field(default_factory=list)
    # Movement from posted vouchers, kept by model.books: godown name key -> (name, quantity).
    godown_movement: dict[str, tuple[str, Decimal]] = field(default_factory=dict)
    inward_quantity: Decimal = ZERO
    inward_value: Decimal = ZERO


@dataclass(slots=True, eq=False)
class VoucherType(Master):
    parent: str = ""  # the predefined base type (Sales, Receipt, ...)
    numbering_method: str = "Automatic"  # Automatic | Manual (tally-xml.md §4.7)
    prevent_duplicates: bool = False
    is_active: bool = True
    abbreviation: str = ""
    next_number: int = 1


@dataclass(slots=True, eq=False)
class Currency(Master):
    formal_name: str = "Indian Rupees"
    # tally-xml.md §1.1(c)/§7.2: the base currency symbol set in the UI exports as `?`.
    original_name: str = "?"
    decimal_places: int = 2
