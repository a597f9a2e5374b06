"""Master seeds as the `TALLYMESSAGE` objects an XML import would carry."""

from __future__ import annotations

from decimal import Decimal

from tally_sim.model.values import PRIMARY
from tally_sim.seeds import (
    MastersSeed,
    StockItemSeed,
)
from tally_sim.wire.xmlin import Node
from tally_sim.wire.xmlout import fmt_date, fmt_number_text


def leaf(tag: str, value: str | Decimal | bool | None) -> Node:
    if isinstance(value, bool):
        text = "Yes" if value else "No"
    elif isinstance(value, Decimal):
        text = f"{value:f}"
    else:
        text = value or ""
    return Node(tag, text=text)


def _names(name: str, aliases: list[str]) -> Node:
    return Node(
        "LANGUAGENAME.LIST",
        children=[Node("NAME.LIST", children=[Node("NAME", text=n) for n in [name, *aliases]])],
    )


def _master(tag: str, name: str, aliases: list[str], *children: Node) -> Node:
    return Node(
        tag,
        {"NAME": name, "ACTION": "Create"},
        children=[leaf("NAME", name), *children, _names(name, aliases)],
    )


def xml_list(tag: str, *children: Node) -> Node:
    return Node(f"{tag}.LIST", children=list(children))


def master_nodes(seed: MastersSeed) -> list[Node]:
    nodes: list[Node] = []
    for unit in seed.units:
        nodes.append(
            _master(
                "UNIT",
                unit.name,
                [],
                leaf("ORIGINALNAME", unit.formal_name),
                leaf("ISSIMPLEUNIT", True),
                leaf("DECIMALPLACES", str(unit.decimal_places)),
            )
        )
    for group in seed.groups:
        children = [leaf("PARENT", group.parent or PRIMARY)]
        if group.is_revenue is not None:
            children.append(leaf("ISREVENUE", group.is_revenue))
        if group.is_debit is not None:
            children.append(leaf("ISDEEMEDPOSITIVE", group.is_debit))
        nodes.append(_master("GROUP", group.name, group.aliases, *children))
    for category in seed.cost_categories:
        nodes.append(_master("COSTCATEGORY", category.name, []))
    for centre in seed.cost_centres:
        nodes.append(
            _master(
                "COSTCENTRE",
                centre.name,
                [],
                leaf("PARENT", centre.parent or ""),
                leaf("CATEGORY", centre.category),
            )
        )
    for godown in seed.godowns:
        address = xml_list("ADDRESS", *[leaf("ADDRESS", a) for a in godown.address])
        nodes.append(
            _master("GODOWN", godown.name, [], leaf("PARENT", godown.parent or ""), address)
        )
    for voucher_type in seed.voucher_types:
        nodes.append(
            _master(
                "VOUCHERTYPE",
                voucher_type.name,
                [],
                leaf("PARENT", voucher_type.parent),
                leaf("NUMBERINGMETHOD", voucher_type.numbering_method),
                leaf("PREVENTDUPLICATES", voucher_type.prevent_duplicates),
            )
        )
    for ledger in seed.ledgers:
        nodes.append(
            _master(
                "LEDGER",
                ledger.name,
                ledger.aliases,
                *[
                    leaf("PARENT", ledger.parent),
                    leaf("OPENINGBALANCE", ledger.opening_balance),
                    leaf("ISBILLWISEON", ledger.bill_wise),
                    leaf("ISCOSTCENTRESON", ledger.cost_centres_on),
                    leaf("MAILINGNAME", ledger.mailing_name),
                    xml_list("ADDRESS", *[leaf("ADDRESS", a) for a in ledger.address]),
                    leaf("LEDSTATENAME", ledger.state),
                    leaf("COUNTRYNAME", ledger.country),
                    leaf("PINCODE", ledger.pincode),
                    leaf("EMAIL", ledger.email),
                    leaf("LEDGERMOBILE", ledger.mobile),
                    leaf("PARTYGSTIN", ledger.gstin),
                    leaf("GSTREGISTRATIONTYPE", ledger.gst_registration_type),
                    leaf("TAXTYPE", ledger.tax_type),
                    leaf("GSTDUTYHEAD", ledger.gst_duty_head),
                    *(
                        [leaf("RATEOFTAXCALCULATION", ledger.tax_rate)]
                        if ledger.tax_rate is not None
                        else []
                    ),
                ],
            )
        )
    for stock_group in seed.stock_groups:
        nodes.append(
            _master("STOCKGROUP", stock_group.name, [], leaf("PARENT", stock_group.parent or ""))
        )
    nodes.extend(stock_item_node(item) for item in seed.stock_items)
    return nodes


def stock_item_node(item: StockItemSeed) -> Node:
    children = [
        leaf("PARENT", item.parent or ""),
        leaf("BASEUNITS", item.base_unit),
        leaf("DESCRIPTION", item.description),
        leaf("PARTNO", item.part_number),
    ]
    if item.hsn_code or item.gst_rate is not None:
        rates = []
        if item.gst_rate is not None:
            rates = [
                xml_list(
                    "RATEDETAILS", leaf("GSTRATEDUTYHEAD", "IGST"), leaf("GSTRATE", item.gst_rate)
                )
            ]
        children.append(
            xml_list(
                "HSNDETAILS", leaf("HSNCODE", item.hsn_code), leaf("HSN", item.hsn_description)
            )
        )
        children.append(
            xml_list(
                "GSTDETAILS", leaf("HSNCODE", item.hsn_code), xml_list("STATEWISEDETAILS", *rates)
            )
        )
    for tag, prices in (
        ("STANDARDPRICELIST", item.standard_prices),
        ("STANDARDCOSTLIST", item.standard_costs),
    ):
        children.extend(
            xml_list(
                tag,
                leaf("DATE", fmt_date(p.date)),
                leaf("RATE", f"{p.rate:.2f}/{item.base_unit}"),
            )
            for p in prices
        )
    for held in item.godowns:
        rate = held.rate if held.rate is not None else Decimal(0)
        children.append(
            xml_list(
                "BATCHALLOCATIONS",
                leaf("GODOWNNAME", held.godown),
                leaf("BATCHNAME", "Primary Batch"),
                leaf("OPENINGBALANCE", f"{fmt_number_text(held.qty)} {item.base_unit}"),
                leaf("OPENINGRATE", f"{rate:.2f}/{item.base_unit}"),
                leaf("OPENINGVALUE", f"{-(held.qty * rate):.2f}"),
            )
        )
    return _master("STOCKITEM", item.name, item.aliases, *children)
