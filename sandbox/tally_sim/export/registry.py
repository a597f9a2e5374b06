"""Object types a collection can list (`<TYPE>` of tally-xml.md §2.2, §4), their specs, rows,
name lookups and CMPINFO counter tags."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tally_sim.export.context import ExportContext
from tally_sim.export.spec import ObjectSpec
from tally_sim.export.specs_company import COMPANY
from tally_sim.export.specs_masters import (
    COST_CATEGORY,
    COST_CENTRE,
    CURRENCY,
    GODOWN,
    GROUP,
    LEDGER,
    STOCK_GROUP,
    UNIT,
    VOUCHER_TYPE,
)
from tally_sim.export.specs_stock import STOCK_ITEM
from tally_sim.export.specs_vouchers import INVENTORY_ENTRY, LEDGER_ENTRY, VOUCHER
from tally_sim.model.company import Company
from tally_sim.model.masters import (
    CostCategory,
    CostCentre,
    Currency,
    Godown,
    Group,
    Ledger,
    StockGroup,
    StockItem,
    Unit,
    VoucherType,
)
from tally_sim.model.vouchers import InventoryEntry, LedgerEntry, Voucher


@dataclass(frozen=True)
class ObjectType:
    name: str  # canonical upper-case type name, also the CMPINFO counter tag
    spec: ObjectSpec
    rows: Callable[[ExportContext], list[Any]]
    find: Callable[[ExportContext, str], Any | None]


def _table_rows(attribute: str) -> Callable[[ExportContext], list[Any]]:
    def rows(ctx: ExportContext) -> list[Any]:
        if ctx.company is None:
            return []
        rows_: list[Any] = getattr(ctx.company, attribute).sorted()
        return rows_

    return rows


def _table_find(attribute: str) -> Callable[[ExportContext, str], Any | None]:
    def find(ctx: ExportContext, name: str) -> Any | None:
        return getattr(ctx.company, attribute).get(name) if ctx.company else None

    return find


def _companies(ctx: ExportContext) -> list[Any]:
    # A Company collection ignores SVCURRENTCOMPANY and lists every loaded company (§1.7).
    return list(ctx.state.loaded())


def _find_company(ctx: ExportContext, name: str) -> Any | None:
    found = ctx.state.find(name)
    return found if found is not None and found.loaded else None


def _vouchers(ctx: ExportContext) -> list[Any]:
    return ctx.company.vouchers_in_order() if ctx.company else []


def _no_find(_ctx: ExportContext, _name: str) -> Any | None:
    return None


_TYPES = [
    ObjectType("COMPANY", COMPANY, _companies, _find_company),
    ObjectType("GROUP", GROUP, _table_rows("groups"), _table_find("groups")),
    ObjectType("LEDGER", LEDGER, _table_rows("ledgers"), _table_find("ledgers")),
    ObjectType(
        "COSTCATEGORY",
        COST_CATEGORY,
        _table_rows("cost_categories"),
        _table_find("cost_categories"),
    ),
    ObjectType("COSTCENTRE", COST_CENTRE, _table_rows("cost_centres"), _table_find("cost_centres")),
    ObjectType("GODOWN", GODOWN, _table_rows("godowns"), _table_find("godowns")),
    ObjectType("UNIT", UNIT, _table_rows("units"), _table_find("units")),
    ObjectType("STOCKGROUP", STOCK_GROUP, _table_rows("stock_groups"), _table_find("stock_groups")),
    ObjectType("STOCKITEM", STOCK_ITEM, _table_rows("stock_items"), _table_find("stock_items")),
    ObjectType(
        "VOUCHERTYPE", VOUCHER_TYPE, _table_rows("voucher_types"), _table_find("voucher_types")
    ),
    ObjectType("CURRENCY", CURRENCY, _table_rows("currencies"), _table_find("currencies")),
    ObjectType("VOUCHER", VOUCHER, _vouchers, _no_find),
]

TYPES: dict[str, ObjectType] = {t.name: t for t in _TYPES}

# Built-in collection IDs usable without an inline definition: the type names themselves
# and `List of Companies` (tally-xml.md §3.1).
BUILTIN_COLLECTIONS: dict[str, str] = {name: name for name in TYPES}
BUILTIN_COLLECTIONS["LISTOFCOMPANIES"] = "COMPANY"

SPEC_BY_CLASS: dict[type, ObjectSpec] = {
    Company: COMPANY,
    Group: GROUP,
    Ledger: LEDGER,
    CostCategory: COST_CATEGORY,
    CostCentre: COST_CENTRE,
    Godown: GODOWN,
    Unit: UNIT,
    StockGroup: STOCK_GROUP,
    StockItem: STOCK_ITEM,
    VoucherType: VOUCHER_TYPE,
    Currency: CURRENCY,
    Voucher: VOUCHER,
    LedgerEntry: LEDGER_ENTRY,
    InventoryEntry: INVENTORY_ENTRY,
}


def normalise(name: str) -> str:
    return "".join(name.split()).upper()


def resolve_type(name: str | None) -> ObjectType | None:
    return TYPES.get(normalise(name)) if name else None


def builtin_collection(collection_id: str) -> ObjectType | None:
    found = BUILTIN_COLLECTIONS.get(normalise(collection_id))
    return TYPES[found] if found else None
