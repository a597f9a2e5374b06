"""The admin API (FastAPI), served on its own port outside the Tally port. Every endpoint is
documented in docs/tally-simulator.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from tally_sim.admin.routes_companies import companies_router
from tally_sim.admin.routes_control import control_router
from tally_sim.admin.routes_inspect import inspect_router

if TYPE_CHECKING:
    from tally_sim.simulator import TallySimulator


def create_admin_app(sim: TallySimulator) -> FastAPI:
    app = FastAPI(
        title="TallyPrime simulator admin API",
        description="Seeding, inspection and fault knobs for the simulated TallyPrime port.",
    )
    app.include_router(control_router(sim))
    app.include_router(companies_router(sim))
    app.include_router(inspect_router(sim))
    return app
