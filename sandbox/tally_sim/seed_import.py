"""Seeds become import objects and go through the import engine (one way to create data)."""

from __future__ import annotations

from tally_sim.importer.engine import run_import
from tally_sim.importer.result import ImportResult
from tally_sim.model.company import Company
from tally_sim.model.state import SimState
from tally_sim.seed_nodes import master_nodes
from tally_sim.seed_voucher_nodes import voucher_node
from tally_sim.seeds import MastersSeed, VoucherSeed
from tally_sim.wire.requests import StaticVars


def seed_masters(state: SimState, company: Company, seed: MastersSeed) -> ImportResult:
    return run_import(state, company, master_nodes(seed), StaticVars())


def seed_vouchers(state: SimState, company: Company, seeds: list[VoucherSeed]) -> ImportResult:
    return run_import(state, company, [voucher_node(s) for s in seeds], StaticVars())
