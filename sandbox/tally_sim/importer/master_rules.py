"""Which masters an import may address and the checks made before one is written
(tally-xml.md §4.8).

Parents must exist (`Group '<p>' does not exist!`, `Stock Group '<p>' does not exist!`, ...).
Account groups accept `Primary` / `&#4; Primary` / empty as the top level; stock groups have no
reserved Primary, so a literal `Primary` parent is `Stock Group 'Primary' does not exist!`
while empty (or the system value) means top level (§4.8, CS#53985439460).
"""

from __future__ import annotations

from typing import Any

from tally_sim.model.company import Company
from tally_sim.model.defaults import MAIN_LOCATION
from tally_sim.model.masters import (
    CostCategory,
    CostCentre,
    Currency,
    Godown,
    Group,
    Ledger,
    Master,
    StockGroup,
    StockItem,
    Unit,
    VoucherType,
)
from tally_sim.model.values import is_system_value, parse_logical, strip_system
from tally_sim.wire.xmlin import Node

# element tag -> (company attribute, class, label used in line errors)
KINDS: dict[str, tuple[str, type[Master], str]] = {
    "GROUP": ("groups", Group, "Group"),
    "LEDGER": ("ledgers", Ledger, "Ledger"),
    "COSTCATEGORY": ("cost_categories", CostCategory, "Cost Category"),
    "COSTCENTRE": ("cost_centres", CostCentre, "Cost Centre"),
    "GODOWN": ("godowns", Godown, "Godown"),
    "UNIT": ("units", Unit, "Unit"),
    "STOCKGROUP": ("stock_groups", StockGroup, "Stock Group"),
    "STOCKITEM": ("stock_items", StockItem, "Stock Item"),
    "VOUCHERTYPE": ("voucher_types", VoucherType, "Voucher Type"),
    "CURRENCY": ("currencies", Currency, "Currency"),
}

# Tags consumed by the typed fields below (or owned by Tally), never copied into `extra`.
HANDLED = {
    "NAME", "GUID", "MASTERID", "ALTERID", "RESERVEDNAME", "PARENT", "OBJECTUPDATEACTION",
    "OPENINGBALANCE", "CLOSINGBALANCE", "ISBILLWISEON", "ISCOSTCENTRESON", "MAILINGNAME",
    "LEDSTATENAME", "STATENAME", "COUNTRYNAME", "PINCODE", "EMAIL", "LEDGERMOBILE",
    "PARTYGSTIN", "GSTIN", "GSTREGISTRATIONTYPE", "TAXTYPE", "GSTDUTYHEAD",
    "RATEOFTAXCALCULATION", "ISREVENUE", "ISDEEMEDPOSITIVE", "AFFECTSGROSSPROFIT",
    "SORTPOSITION", "ISRESERVED", "ALLOCATEREVENUE", "ALLOCATENONREVENUE", "CATEGORY",
    "ORIGINALNAME", "ISSIMPLEUNIT", "DECIMALPLACES", "BASEUNITS", "ADDITIONALUNITS",
    "CONVERSION", "DESCRIPTION", "PARTNO", "HSNCODE", "COSTINGMETHOD", "OPENINGVALUE",
    "OPENINGRATE", "CLOSINGVALUE", "CLOSINGRATE", "NUMBERINGMETHOD", "PREVENTDUPLICATES",
    "ISACTIVE", "GSTAPPLICABLE", "GSTTYPEOFSUPPLY", "CURRENCYNAME",
}  # fmt: skip


def text(fields: dict[str, str], *tags: str) -> str | None:
    for tag in tags:
        if tag in fields:
            return fields[tag]
    return None


def top_or_name(text: str | None, reserved_primary: bool) -> tuple[bool, str | None]:
    """(given, parent): None parent = top level."""
    if text is None:
        return False, None
    if not text.strip() or is_system_value(text):
        return True, None
    if reserved_primary and text.strip().casefold() == "primary":
        return True, None
    return True, text.strip()


def validate(
    kind: str, fields: dict[str, str], node: Node, company: Company, creating: bool
) -> str | None:
    parent_text = fields.get("PARENT")
    if kind == "GROUP":
        _, parent = top_or_name(parent_text, True)
        if parent and company.groups.get(parent) is None:
            return f"Group '{parent}' does not exist!"
    elif kind == "LEDGER":
        if parent_text is None and creating:
            return "Group '' does not exist!"
        if parent_text is not None:
            name = strip_system(parent_text).strip()
            if company.groups.get(name) is None:
                return f"Group '{name}' does not exist!"
    elif kind in ("STOCKGROUP", "STOCKITEM"):
        _, parent = top_or_name(parent_text, False)
        if parent and company.stock_groups.get(parent) is None:
            return f"Stock Group '{parent}' does not exist!"
    elif kind in ("COSTCENTRE", "GODOWN"):
        _, parent = top_or_name(parent_text, True)
        table: Any = company.cost_centres if kind == "COSTCENTRE" else company.godowns
        if parent and table.get(parent) is None:
            return (
                f"{'Cost Centre' if kind == 'COSTCENTRE' else 'Godown'} '{parent}' does not exist!"
            )
        category = fields.get("CATEGORY")
        if kind == "COSTCENTRE" and category and company.cost_categories.get(category) is None:
            return f"Cost Category '{category}' does not exist!"
    elif kind == "VOUCHERTYPE":
        if parent_text is None and creating:
            return "Voucher Type '' does not exist!"
        if parent_text is not None and company.voucher_types.get(parent_text.strip()) is None:
            return f"Voucher Type '{parent_text.strip()}' does not exist!"
    if kind in ("STOCKITEM", "UNIT"):
        for tag in ("BASEUNITS", "ADDITIONALUNITS"):
            unit = fields.get(tag)
            if unit and not is_system_value(unit) and company.units.get(unit.strip()) is None:
                return f"Unit '{unit.strip()}' does not exist!"
    if kind == "STOCKITEM":
        for batch in node.all("BATCHALLOCATIONS.LIST"):
            godown = (batch.text_of("GODOWNNAME") or MAIN_LOCATION).strip()
            if company.godowns.get(godown) is None:
                return f"Godown '{godown}' does not exist!"
    return None


def flag(fields: dict[str, str], tag: str, current: bool) -> bool:
    value = parse_logical(fields.get(tag))
    return current if value is None else value
