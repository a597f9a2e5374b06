"""Applying imported fields to account masters and voucher types (tally-xml.md §3.4, §4.8).
Scalar tags the simulator does not model are kept in `extra` and written back on export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tally_sim.importer.inventory_fields import INVENTORY_APPLIERS
from tally_sim.importer.master_rules import HANDLED, flag, text, top_or_name
from tally_sim.model.company import Company
from tally_sim.model.masters import CostCategory, CostCentre, Group, Ledger, Master, VoucherType
from tally_sim.model.values import parse_decimal, strip_system
from tally_sim.wire.xmlin import Node


def apply(kind: str, master: Master, fields: dict[str, str], node: Node, company: Company) -> None:
    appliers: dict[str, Callable[[Any, dict[str, str], Node, Company], None]] = {
        "GROUP": _group,
        "LEDGER": _ledger,
        "COSTCATEGORY": _cost_category,
        "COSTCENTRE": _cost_centre,
        "VOUCHERTYPE": _voucher_type,
        **INVENTORY_APPLIERS,
    }
    applier = appliers.get(kind)
    if applier is not None:
        applier(master, fields, node, company)
    master.extra.update({k: v for k, v in fields.items() if k not in HANDLED})


def _group(group: Group, fields: dict[str, str], _node: Node, company: Company) -> None:
    given, parent = top_or_name(fields.get("PARENT"), True)
    if given:
        found = company.groups.get(parent) if parent else None
        group.parent = found.name if found else None
    if group.parent is None:
        revenue = flag(fields, "ISREVENUE", group.nature in ("Income", "Expenses"))
        debit = flag(fields, "ISDEEMEDPOSITIVE", group.nature in ("Assets", "Expenses"))
        group.nature = {
            (True, True): "Expenses",
            (True, False): "Income",
            (False, True): "Assets",
            (False, False): "Liabilities",
        }[(revenue, debit)]
        group.affects_gross_profit = flag(fields, "AFFECTSGROSSPROFIT", group.affects_gross_profit)
    else:
        parent_group = company.groups.get(group.parent)
        group.nature = parent_group.nature if parent_group else group.nature


def _ledger(ledger: Ledger, fields: dict[str, str], node: Node, company: Company) -> None:
    if "PARENT" in fields:
        found = company.groups.get(strip_system(fields["PARENT"]).strip())
        ledger.parent = found.name if found else ledger.parent
    opening = parse_decimal(fields.get("OPENINGBALANCE"))
    if opening is not None:
        ledger.opening_balance = opening
    ledger.is_bill_wise_on = flag(fields, "ISBILLWISEON", ledger.is_bill_wise_on)
    ledger.is_cost_centres_on = flag(fields, "ISCOSTCENTRESON", ledger.is_cost_centres_on)
    ledger.mailing_name = text(fields, "MAILINGNAME") or ledger.mailing_name
    addresses = [a.text for lst in node.all("ADDRESS.LIST") for a in lst.all("ADDRESS")]
    if addresses:
        ledger.address = addresses
    ledger.state_name = text(fields, "LEDSTATENAME", "STATENAME") or ledger.state_name
    ledger.country_name = text(fields, "COUNTRYNAME") or ledger.country_name
    ledger.pincode = text(fields, "PINCODE") or ledger.pincode
    ledger.email = text(fields, "EMAIL") or ledger.email
    ledger.mobile = text(fields, "LEDGERMOBILE") or ledger.mobile
    ledger.gstin = text(fields, "PARTYGSTIN", "GSTIN") or ledger.gstin
    ledger.gst_registration_type = (
        text(fields, "GSTREGISTRATIONTYPE") or ledger.gst_registration_type
    )
    ledger.tax_type = text(fields, "TAXTYPE") or ledger.tax_type
    ledger.gst_duty_head = text(fields, "GSTDUTYHEAD") or ledger.gst_duty_head
    rate = parse_decimal(fields.get("RATEOFTAXCALCULATION"))
    ledger.tax_rate = rate if rate is not None else ledger.tax_rate


def _cost_category(category: CostCategory, fields: dict[str, str], _n: Node, _c: Company) -> None:
    category.allocate_revenue = flag(fields, "ALLOCATEREVENUE", category.allocate_revenue)
    category.allocate_non_revenue = flag(
        fields, "ALLOCATENONREVENUE", category.allocate_non_revenue
    )


def _cost_centre(centre: CostCentre, fields: dict[str, str], _n: Node, company: Company) -> None:
    given, parent = top_or_name(fields.get("PARENT"), True)
    if given:
        found = company.cost_centres.get(parent) if parent else None
        centre.parent = found.name if found else None
    category = company.cost_categories.get(fields.get("CATEGORY"))
    if category is not None:
        centre.category = category.name


def _voucher_type(
    voucher_type: VoucherType, fields: dict[str, str], _n: Node, company: Company
) -> None:
    parent = company.voucher_types.get(fields.get("PARENT"))
    if parent is not None:
        voucher_type.parent = parent.name
    voucher_type.numbering_method = text(fields, "NUMBERINGMETHOD") or voucher_type.numbering_method
    voucher_type.prevent_duplicates = flag(
        fields, "PREVENTDUPLICATES", voucher_type.prevent_duplicates
    )
    voucher_type.is_active = flag(fields, "ISACTIVE", voucher_type.is_active)
