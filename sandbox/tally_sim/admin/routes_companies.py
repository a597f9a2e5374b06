"""Admin API: companies (create, load/unload, activate, password profile) and seeding."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict

from tally_sim.adjust import AdjustmentRefused, StockAdjustment, adjust_stock
from tally_sim.admin.views import company_view
from tally_sim.demo import DEMO_COMPANY, load_demo
from tally_sim.generate import GenerateItems, generate_stock_items
from tally_sim.importer.result import ImportResult
from tally_sim.model.company import Company, Credentials
from tally_sim.seed_import import seed_masters, seed_vouchers
from tally_sim.seeds import MastersSeed, VoucherSeed

if TYPE_CHECKING:
    from tally_sim.simulator import TallySimulator


class CompanyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    data: Literal["empty", "demo"] = "empty"
    books_from: date = date(2025, 4, 1)
    state: str = ""
    gstin: str = ""
    loaded: bool = True


class Password(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str
    password: str


def result_view(result: ImportResult) -> dict[str, Any]:
    return {**dict(result.counters()), "line_error": result.line_error}


def company_or_404(sim: TallySimulator, name: str) -> Company:
    company = sim.state.find(name)
    if company is None:
        raise HTTPException(404, f"no company named {name!r}")
    return company


def companies_router(sim: TallySimulator) -> APIRouter:
    router = APIRouter(prefix="/companies", tags=["companies"])
    state = sim.state

    @router.get("")
    async def list_companies() -> list[dict[str, Any]]:
        return [company_view(state, c) for c in state.companies]

    @router.post("", status_code=201)
    async def create_company(body: CompanyCreate) -> dict[str, Any]:
        name = body.name or (DEMO_COMPANY if body.data == "demo" else None)
        if not name:
            raise HTTPException(422, "name is required for an empty company")
        if state.find(name) is not None:
            raise HTTPException(409, f"company {name!r} already exists")
        if body.data == "demo":
            company = load_demo(state, name)
        else:
            company = state.create_company(
                name, books_from=body.books_from, state_name=body.state, gstin=body.gstin
            )
        company.loaded = body.loaded
        return company_view(state, company)

    @router.get("/{name}")
    async def get_company(name: str) -> dict[str, Any]:
        return company_view(state, company_or_404(sim, name))

    @router.delete("/{name}", status_code=204)
    async def delete_company(name: str) -> None:
        state.remove_company(company_or_404(sim, name))

    @router.post("/{name}/load")
    async def load(name: str) -> dict[str, Any]:
        company = company_or_404(sim, name)
        company.loaded = True
        return company_view(state, company)

    @router.post("/{name}/unload")
    async def unload(name: str) -> dict[str, Any]:
        company = company_or_404(sim, name)
        company.loaded = False
        return company_view(state, company)

    @router.post("/{name}/activate")
    async def activate(name: str) -> dict[str, Any]:
        company = company_or_404(sim, name)
        if not company.loaded:
            raise HTTPException(409, "load the company before making it active")
        state.set_active(company)
        return company_view(state, company)

    @router.put("/{name}/password")
    async def set_password(name: str, body: Password) -> dict[str, Any]:
        company = company_or_404(sim, name)
        company.credentials = Credentials(body.username, body.password)
        return company_view(state, company)

    @router.delete("/{name}/password")
    async def clear_password(name: str) -> dict[str, Any]:
        company = company_or_404(sim, name)
        company.credentials = None
        return company_view(state, company)

    @router.post("/{name}/masters")
    async def add_masters(name: str, body: MastersSeed) -> dict[str, Any]:
        return result_view(seed_masters(state, company_or_404(sim, name), body))

    @router.post("/{name}/vouchers")
    async def add_vouchers(name: str, body: list[VoucherSeed]) -> dict[str, Any]:
        return result_view(seed_vouchers(state, company_or_404(sim, name), body))

    @router.post("/{name}/stock-adjustments")
    async def set_stock(name: str, body: StockAdjustment) -> dict[str, Any]:
        try:
            return adjust_stock(state, company_or_404(sim, name), body)
        except AdjustmentRefused as refused:
            raise HTTPException(422, str(refused)) from refused

    @router.post("/{name}/stock-items/generate")
    async def generate(name: str, body: GenerateItems) -> dict[str, Any]:
        try:
            created = generate_stock_items(company_or_404(sim, name), body)
        except ValueError as error:
            raise HTTPException(422, str(error)) from error
        return {"created": created}

    return router
