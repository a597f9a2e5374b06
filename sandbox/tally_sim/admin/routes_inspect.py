"""Admin API: read-only views of vouchers, stock and ledger balances."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException

from tally_sim.admin.routes_companies import company_or_404
from tally_sim.admin.views import ledger_view, stock_view, voucher_view
from tally_sim.model.values import name_key

if TYPE_CHECKING:
    from tally_sim.simulator import TallySimulator


def inspect_router(sim: TallySimulator) -> APIRouter:
    router = APIRouter(prefix="/companies/{name}", tags=["inspection"])

    @router.get("/vouchers")
    async def vouchers(
        name: str,
        type: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        number: str | None = None,
        include_cancelled: bool = True,
    ) -> list[dict[str, Any]]:
        company = company_or_404(sim, name)
        rows = []
        for voucher in company.vouchers_in_order():
            if type and name_key(voucher.voucher_type) != name_key(type):
                continue
            if (date_from and voucher.date < date_from) or (date_to and voucher.date > date_to):
                continue
            if number is not None and voucher.number != number:
                continue
            if voucher.is_cancelled and not include_cancelled:
                continue
            rows.append(voucher_view(voucher))
        return rows

    @router.get("/stock")
    async def stock(name: str) -> list[dict[str, Any]]:
        return [stock_view(i) for i in company_or_404(sim, name).stock_items.sorted()]

    @router.get("/stock/{item}")
    async def stock_item(name: str, item: str) -> dict[str, Any]:
        found = company_or_404(sim, name).stock_items.get(item)
        if found is None:
            raise HTTPException(404, f"no stock item named {item!r}")
        return stock_view(found)

    @router.get("/ledgers")
    async def ledgers(name: str) -> list[dict[str, Any]]:
        return ledger_view(company_or_404(sim, name))

    return router
