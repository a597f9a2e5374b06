"""One import request: every object of every TALLYMESSAGE, in request order, into one
company, with counters aggregated over the request (tally-xml.md §5.2).

Vouchers are accepted under `ID` Vouchers or All Masters alike (§2.4). With
`SVIMPBEHAVIOUREXCP = Stop Import at First Exception` the import stops at the first
rejected object; otherwise it carries on (§2.4).
"""

from __future__ import annotations

from tally_sim.importer.masters import MasterImporter
from tally_sim.importer.parse import parse_master, parse_voucher
from tally_sim.importer.result import ImportResult
from tally_sim.importer.vouchers import VoucherImporter
from tally_sim.model.company import Company
from tally_sim.model.state import SimState
from tally_sim.wire.requests import StaticVars
from tally_sim.wire.xmlin import Node


def run_import(
    state: SimState, company: Company, objects: list[Node], static: StaticVars
) -> ImportResult:
    result = ImportResult()
    vouchers = VoucherImporter(company, state.settings, result)
    masters = MasterImporter(state, company, result, import_dups=static.get("IMPORTDUPS") or "")
    stop_at_first = "stop" in (static.get("SVIMPBEHAVIOUREXCP") or "").casefold()
    for node in objects:
        if node.tag == "VOUCHER":
            accepted = vouchers.apply(parse_voucher(node))
        else:
            accepted = masters.apply(parse_master(node))
        if not accepted and stop_at_first:
            break
    vouchers.finish()
    return result
