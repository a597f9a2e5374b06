"""Bulk, deterministic stock items for benchmarks (100,000 items; tally-xml.md §7.7, §7.8).

This is the one place data is created without going through the import engine: building and
importing 100,000 XML objects would make a benchmark's setup slower than the export it
measures. Items get the same identity (MASTERID/ALTERID/GUID), HSN, standard price and
godown-wise opening stock an import would give them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from tally_sim.model.company import Company
from tally_sim.model.defaults import MAIN_LOCATION, add_master
from tally_sim.model.masters import GodownOpening, PriceEntry, StockItem, Unit

_HSN = ("7323", "7615", "6302", "6911", "3924", "9405", "4419", "7013")
_GST = (
    Decimal(12),
    Decimal(12),
    Decimal(5),
    Decimal(12),
    Decimal(18),
    Decimal(18),
    Decimal(12),
    Decimal(18),
)


class GenerateItems(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(ge=1, le=1_000_000)
    prefix: str = "Item"
    unit: str = "Nos"
    godowns: list[str] = Field(default_factory=lambda: [MAIN_LOCATION])
    start: int = Field(1, ge=0)


def generate_stock_items(company: Company, request: GenerateItems) -> int:
    if company.units.get(request.unit) is None:
        add_master(company, company.units, Unit(name=request.unit, formal_name=request.unit))
    godowns = []
    for name in request.godowns:
        found = company.godowns.get(name)
        if found is None:
            raise ValueError(f"Godown '{name}' does not exist!")
        godowns.append(found.name)
    unit = company.units.get(request.unit)
    assert unit is not None
    created = 0
    for n in range(request.start, request.start + request.count):
        name = f"{request.prefix} {n:06d}"
        if company.stock_items.get(name) is not None:
            continue
        cost = Decimal(50 + n % 950)
        openings = [
            GodownOpening(
                godown=g,
                quantity=Decimal((n * 7 + i * 3) % 200),
                rate=cost,
                value=cost * ((n * 7 + i * 3) % 200),
            )
            for i, g in enumerate(godowns)
        ]
        item = StockItem(
            name=name,
            base_units=unit.name,
            part_number=f"P-{n:06d}",
            hsn_code=_HSN[n % len(_HSN)],
            gst_rate=_GST[n % len(_GST)],
            openings=[o for o in openings if o.quantity],
            standard_prices=[
                PriceEntry(company.books_from or date(2025, 4, 1), cost * Decimal("1.6"))
            ],
        )
        add_master(company, company.stock_items, item)
        created += 1
    return created
