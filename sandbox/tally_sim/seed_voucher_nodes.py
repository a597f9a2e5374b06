"""Voucher seeds as the `VOUCHER` objects an XML import would carry (tally-xml.md §4.2-§4.6)."""

from __future__ import annotations

from tally_sim.seed_nodes import leaf, xml_list
from tally_sim.seeds import CostCentreShare, EntrySeed, InventorySeed, VoucherSeed
from tally_sim.wire.xmlin import Node
from tally_sim.wire.xmlout import fmt_date, fmt_number_text


def _centres(shares: list[CostCentreShare], debit: bool) -> list[Node]:
    by_category: dict[str, list[CostCentreShare]] = {}
    for share in shares:
        by_category.setdefault(share.category, []).append(share)
    return [
        xml_list(
            "CATEGORYALLOCATIONS",
            leaf("CATEGORY", category),
            leaf("ISDEEMEDPOSITIVE", debit),
            *[
                xml_list(
                    "COSTCENTREALLOCATIONS", leaf("NAME", s.cost_centre), leaf("AMOUNT", s.amount)
                )
                for s in items
            ],
        )
        for category, items in by_category.items()
    ]


def _entry(tag: str, entry: EntrySeed) -> Node:
    debit = entry.amount < 0
    bills = [
        xml_list(
            "BILLALLOCATIONS",
            leaf("NAME", b.name),
            leaf("BILLTYPE", b.bill_type),
            leaf("AMOUNT", b.amount),
        )
        for b in entry.bills
    ]
    return xml_list(
        tag,
        leaf("LEDGERNAME", entry.ledger),
        leaf("ISDEEMEDPOSITIVE", debit),
        leaf("ISPARTYLEDGER", entry.party),
        leaf("AMOUNT", entry.amount),
        *bills,
        *_centres(entry.cost_centres, debit),
    )


def _inventory(line: InventorySeed) -> Node:
    inward = line.direction == "in"
    unit = line.unit or ""
    quantity = f"{fmt_number_text(line.qty)} {unit}".strip()
    return xml_list(
        "ALLINVENTORYENTRIES",
        leaf("STOCKITEMNAME", line.item),
        leaf("ISDEEMEDPOSITIVE", inward),
        leaf("RATE", f"{line.rate:.2f}/{unit}" if unit else f"{line.rate:.2f}"),
        leaf("AMOUNT", line.amount),
        leaf("ACTUALQTY", quantity),
        leaf("BILLEDQTY", quantity),
        xml_list(
            "BATCHALLOCATIONS",
            leaf("GODOWNNAME", line.godown),
            leaf("BATCHNAME", "Primary Batch"),
            leaf("AMOUNT", line.amount),
            leaf("ACTUALQTY", quantity),
            leaf("BILLEDQTY", quantity),
        ),
        *(
            [
                xml_list(
                    "ACCOUNTINGALLOCATIONS",
                    leaf("LEDGERNAME", line.ledger),
                    leaf("ISDEEMEDPOSITIVE", inward),
                    leaf("AMOUNT", line.amount),
                    *_centres(line.cost_centres, inward),
                )
            ]
            if line.ledger
            else []
        ),
    )


def voucher_node(seed: VoucherSeed) -> Node:
    attrs = {"VCHTYPE": seed.type, "ACTION": seed.action}
    if seed.remote_id:
        attrs["REMOTEID"] = seed.remote_id
    children = [leaf("DATE", fmt_date(seed.date)), leaf("VOUCHERTYPENAME", seed.type)]
    for tag, value in (
        ("VOUCHERNUMBER", seed.number),
        ("NARRATION", seed.narration),
        ("REFERENCE", seed.reference),
        ("PARTYLEDGERNAME", seed.party_ledger),
    ):
        if value is not None:
            children.append(leaf(tag, value))
    if seed.optional:
        children.append(leaf("ISOPTIONAL", True))
    invoice = bool(seed.inventory)
    children.append(leaf("ISINVOICE", invoice))
    entry_tag = "LEDGERENTRIES" if invoice else "ALLLEDGERENTRIES"
    children.extend(_entry(entry_tag, e) for e in seed.entries)
    children.extend(_inventory(i) for i in seed.inventory)
    return Node("VOUCHER", attrs, children=children)
