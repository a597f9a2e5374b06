"""Typed seeds for masters and vouchers, used by the admin API and the demo company.

Seeds are turned into the same `TALLYMESSAGE` objects an XML import carries and go through
the same import engine (`tally_sim.seed_import`), so seeded data gets MASTERIDs, ALTERIDs,
validation and balances exactly as imported data does. Amounts are signed the Tally way:
debit negative (tally-xml.md §4.2).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Seed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GroupSeed(_Seed):
    name: str
    parent: str | None = Field(None, description="None: a primary group")
    is_revenue: bool | None = None
    is_debit: bool | None = Field(None, description="ISDEEMEDPOSITIVE of a primary group")
    aliases: list[str] = []


class LedgerSeed(_Seed):
    name: str
    parent: str
    opening_balance: Decimal = Decimal(0)
    bill_wise: bool = False
    cost_centres_on: bool = False
    mailing_name: str = ""
    address: list[str] = []
    state: str = ""
    country: str = ""
    pincode: str = ""
    email: str = ""
    mobile: str = ""
    gstin: str = ""
    gst_registration_type: str = ""
    tax_type: str = ""
    gst_duty_head: str = ""
    tax_rate: Decimal | None = None
    aliases: list[str] = []


class CostCategorySeed(_Seed):
    name: str


class CostCentreSeed(_Seed):
    name: str
    parent: str | None = None
    category: str = "Primary Cost Category"


class GodownSeed(_Seed):
    name: str
    parent: str | None = None
    address: list[str] = []


class UnitSeed(_Seed):
    name: str
    formal_name: str = ""
    decimal_places: int = 0


class StockGroupSeed(_Seed):
    name: str
    parent: str | None = None


class GodownQuantity(_Seed):
    godown: str = "Main Location"
    qty: Decimal
    rate: Decimal | None = None


class PriceSeed(_Seed):
    date: dt.date
    rate: Decimal


class StockItemSeed(_Seed):
    name: str
    parent: str | None = None
    base_unit: str = ""
    description: str = ""
    part_number: str = ""
    hsn_code: str = ""
    hsn_description: str = ""
    gst_rate: Decimal | None = None
    aliases: list[str] = []
    godowns: list[GodownQuantity] = Field(default_factory=list, description="opening per godown")
    standard_prices: list[PriceSeed] = []
    standard_costs: list[PriceSeed] = []


class VoucherTypeSeed(_Seed):
    name: str
    parent: str
    numbering_method: Literal["Automatic", "Manual"] = "Automatic"
    prevent_duplicates: bool = False


class MastersSeed(_Seed):
    groups: list[GroupSeed] = []
    ledgers: list[LedgerSeed] = []
    cost_categories: list[CostCategorySeed] = []
    cost_centres: list[CostCentreSeed] = []
    godowns: list[GodownSeed] = []
    units: list[UnitSeed] = []
    stock_groups: list[StockGroupSeed] = []
    stock_items: list[StockItemSeed] = []
    voucher_types: list[VoucherTypeSeed] = []


class BillSeed(_Seed):
    name: str
    bill_type: str = "New Ref"
    amount: Decimal


class CostCentreShare(_Seed):
    cost_centre: str
    amount: Decimal
    category: str = "Primary Cost Category"


class EntrySeed(_Seed):
    ledger: str
    amount: Decimal = Field(description="signed: debit negative")
    party: bool = False
    bills: list[BillSeed] = []
    cost_centres: list[CostCentreShare] = []


class InventorySeed(_Seed):
    item: str
    qty: Decimal = Field(gt=0)
    rate: Decimal
    amount: Decimal = Field(description="signed: Sales items positive (credit)")
    direction: Literal["in", "out"]
    ledger: str | None = Field(
        None,
        description="the accounting allocation, e.g. the sales ledger (none in stock journals)",
    )
    godown: str = "Main Location"
    unit: str | None = None
    cost_centres: list[CostCentreShare] = []


class VoucherSeed(_Seed):
    type: str
    date: dt.date
    number: str | None = None
    remote_id: str | None = None
    action: Literal["Create", "Alter", "Delete", "Cancel"] = "Create"
    narration: str | None = None
    reference: str | None = None
    party_ledger: str | None = None
    optional: bool = False
    entries: list[EntrySeed] = []
    inventory: list[InventorySeed] = []
