"""Applying imported fields to inventory masters: godowns, units, stock groups and stock items
with their godown-wise openings, standard price/cost lists and HSN/GST details
(tally-xml.md §3.3, §4.8)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tally_sim.importer.master_rules import flag, text, top_or_name
from tally_sim.model.company import Company
from tally_sim.model.defaults import MAIN_LOCATION
from tally_sim.model.masters import Godown, GodownOpening, PriceEntry, StockGroup, StockItem, Unit
from tally_sim.model.values import (
    ZERO,
    is_system_value,
    parse_decimal,
    parse_quantity,
    parse_rate,
    parse_yyyymmdd,
)
from tally_sim.wire.xmlin import Node


def _godown(godown: Godown, fields: dict[str, str], node: Node, company: Company) -> None:
    given, parent = top_or_name(fields.get("PARENT"), True)
    if given:
        found = company.godowns.get(parent) if parent else None
        godown.parent = found.name if found else None
    addresses = [a.text for lst in node.all("ADDRESS.LIST") for a in lst.all("ADDRESS")]
    if addresses:
        godown.address = addresses


def _unit(unit: Unit, fields: dict[str, str], _n: Node, _c: Company) -> None:
    unit.formal_name = text(fields, "ORIGINALNAME") or unit.formal_name
    unit.is_simple = flag(fields, "ISSIMPLEUNIT", unit.is_simple)
    places = parse_decimal(fields.get("DECIMALPLACES"))
    unit.decimal_places = int(places) if places is not None else unit.decimal_places
    unit.base_units = text(fields, "BASEUNITS") or unit.base_units
    unit.additional_units = text(fields, "ADDITIONALUNITS") or unit.additional_units
    unit.conversion = parse_decimal(fields.get("CONVERSION")) or unit.conversion


def _stock_group(group: StockGroup, fields: dict[str, str], _n: Node, company: Company) -> None:
    given, parent = top_or_name(fields.get("PARENT"), False)
    if given:
        found = company.stock_groups.get(parent) if parent else None
        group.parent = found.name if found else None


def _prices(node: Node, tag: str) -> list[PriceEntry] | None:
    rows = node.all(tag)
    if not rows:
        return None
    entries = []
    for row in rows:
        when = parse_yyyymmdd(row.text_of("DATE"))
        rate = parse_rate(row.text_of("RATE"))
        if when is not None and rate is not None:
            entries.append(PriceEntry(when, rate.value))
    return sorted(entries, key=lambda p: p.applicable_from)


def _stock_item(item: StockItem, fields: dict[str, str], node: Node, company: Company) -> None:
    given, parent = top_or_name(fields.get("PARENT"), False)
    if given:
        found = company.stock_groups.get(parent) if parent else None
        item.parent = found.name if found else None
    units = fields.get("BASEUNITS")
    if units is not None:
        unit = company.units.get(units.strip()) if not is_system_value(units) else None
        item.base_units = unit.name if unit else ""
    item.description = text(fields, "DESCRIPTION") or item.description
    item.part_number = text(fields, "PARTNO") or item.part_number
    item.costing_method = text(fields, "COSTINGMETHOD") or item.costing_method
    _stock_item_tax(item, fields, node)
    prices = _prices(node, "STANDARDPRICELIST.LIST")
    item.standard_prices = prices if prices is not None else item.standard_prices
    costs = _prices(node, "STANDARDCOSTLIST.LIST")
    item.standard_costs = costs if costs is not None else item.standard_costs
    openings = _openings(node, fields, company)
    if openings is not None:
        item.openings = openings


def _stock_item_tax(item: StockItem, fields: dict[str, str], node: Node) -> None:
    for hsn in node.all("HSNDETAILS.LIST"):
        item.hsn_code = hsn.text_of("HSNCODE") or item.hsn_code
        item.hsn_description = hsn.text_of("HSN") or item.hsn_description
        item.hsn_applicable_from = (
            parse_yyyymmdd(hsn.text_of("APPLICABLEFROM")) or item.hsn_applicable_from
        )
    for gst in node.all("GSTDETAILS.LIST"):
        item.hsn_code = gst.text_of("HSNCODE") or item.hsn_code
        item.taxability = gst.text_of("TAXABILITY") or item.taxability
        for state in gst.all("STATEWISEDETAILS.LIST"):
            for rate in state.all("RATEDETAILS.LIST"):
                if (rate.text_of("GSTRATEDUTYHEAD") or "").strip().casefold() == "igst":
                    item.gst_rate = parse_decimal(rate.text_of("GSTRATE"))
    item.hsn_code = fields.get("HSNCODE") or item.hsn_code


def _openings(node: Node, fields: dict[str, str], company: Company) -> list[GodownOpening] | None:
    batches = node.all("BATCHALLOCATIONS.LIST")
    if batches:
        result = []
        for batch in batches:
            quantity = parse_quantity(batch.text_of("OPENINGBALANCE"))
            value = parse_decimal(batch.text_of("OPENINGVALUE"))
            rate = parse_rate(batch.text_of("OPENINGRATE"))
            godown = company.godowns.get((batch.text_of("GODOWNNAME") or MAIN_LOCATION).strip())
            result.append(_opening(godown.name if godown else MAIN_LOCATION, quantity, rate, value))
        return result
    if "OPENINGBALANCE" not in fields:
        return None
    quantity = parse_quantity(fields.get("OPENINGBALANCE"))
    if quantity is None or quantity.value == 0:
        return []
    return [
        _opening(
            MAIN_LOCATION,
            quantity,
            parse_rate(fields.get("OPENINGRATE")),
            parse_decimal(fields.get("OPENINGVALUE")),
        )
    ]


def _opening(godown: str, quantity: Any, rate: Any, value: Decimal | None) -> GodownOpening:
    qty = quantity.value if quantity is not None else ZERO
    rate_value = rate.value if rate is not None else None
    amount = (
        abs(value) if value is not None else (qty * rate_value if rate_value is not None else ZERO)
    )
    if rate_value is None and qty:
        rate_value = amount / qty
    return GodownOpening(godown=godown, quantity=qty, rate=rate_value, value=amount)


INVENTORY_APPLIERS: dict[str, Callable[[Any, dict[str, str], Node, Company], None]] = {
    "GODOWN": _godown,
    "UNIT": _unit,
    "STOCKGROUP": _stock_group,
    "STOCKITEM": _stock_item,
}
