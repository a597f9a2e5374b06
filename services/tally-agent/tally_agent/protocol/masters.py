"""Master specs -> the elements Tally imports under ``All Masters`` (tally-xml.md §4.8).

Masters are keyed by name: ``ACTION="Create"`` on an existing name overwrites it and comes
back as ALTERED (§4.8, BRIDGE §9.4). The inner ``<NAME>`` is always written (an attribute
alone makes the import throw, QUIRKS #14).
"""

from __future__ import annotations

from lxml import etree
from mlc_shared.domain.tally import (
    CostCentreSpec,
    GroupSpec,
    LedgerSpec,
    MasterSpec,
    StockItemSpec,
)

from tally_agent.protocol.decode import SYSTEM_MARK
from tally_agent.protocol.xmltext import unwritable

MASTER_TAGS = {
    "ledger": "LEDGER",
    "group": "GROUP",
    "cost_centre": "COSTCENTRE",
    "stock_item": "STOCKITEM",
}


class UnrenderableMaster(ValueError):
    pass


def _sub(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _check(spec: MasterSpec) -> None:
    for value in spec.model_dump().values():
        if not isinstance(value, str):
            continue
        if any(ord(ch) < 32 for ch in value):  # line breaks too: no master name has one
            raise UnrenderableMaster(f"{value!r} contains a control character XML cannot carry")
        problem = unwritable(value)
        if problem is not None:
            raise UnrenderableMaster(f"{value!r} contains {problem}")


def render_master(spec: MasterSpec) -> etree._Element:
    _check(spec)
    element = etree.Element(MASTER_TAGS[spec.kind], {"NAME": spec.name, "ACTION": "Create"})
    _sub(element, "NAME", spec.name)
    if isinstance(spec, LedgerSpec):
        _sub(element, "PARENT", spec.parent)
        _sub(element, "ISBILLWISEON", "Yes" if spec.is_bill_wise else "No")
        if spec.state:
            _sub(element, "LEDSTATENAME", spec.state)
        if spec.gstin:
            _sub(element, "PARTYGSTIN", spec.gstin)
    elif isinstance(spec, GroupSpec):
        # Top level: Tally's system value "&#4; Primary" (§3.2, §4.8).
        _sub(element, "PARENT", spec.parent or f"{SYSTEM_MARK}Primary")
    elif isinstance(spec, CostCentreSpec):
        _sub(element, "PARENT", spec.parent or f"{SYSTEM_MARK}Primary")
        _sub(element, "CATEGORY", spec.category)
    elif isinstance(spec, StockItemSpec):
        # Stock groups have no reserved "Primary": leave PARENT empty at top level (§4.8).
        if spec.parent:
            _sub(element, "PARENT", spec.parent)
        _sub(element, "BASEUNITS", spec.base_unit)
        if spec.part_number:
            _sub(element, "PARTNO", spec.part_number)
        if spec.hsn_code:
            # TallyPrime 3.0+ keeps HSN in HSNDETAILS.LIST (§3.3).
            hsn = etree.SubElement(element, "HSNDETAILS.LIST")
            _sub(hsn, "HSNCODE", spec.hsn_code)
    return element
