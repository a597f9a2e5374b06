"""Setting an item's closing quantity in one godown, the way a person at TallyPrime would.

* `stock_journal` (default): a Stock Journal voucher with one inventory line in that godown,
  inward or outward by the difference, valued at the item's current average cost. Like any
  voucher it takes the next ALTERID and moves the company's ALTVCHID; the stock item's own
  ALTERID does **not** change (vouchers never alter masters), so a connector that watches only
  `$AlterID` of stock items will not see the new balance.
* `opening`: the item's opening balance in that godown is altered instead (a master
  alteration): the item takes the next ALTERID and ALTMSTID moves.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from tally_sim.importer.result import ImportResult
from tally_sim.model.books import closing_rate, godown_balances
from tally_sim.model.company import Company
from tally_sim.model.masters import GodownOpening
from tally_sim.model.state import SimState
from tally_sim.model.values import ZERO, money, name_key
from tally_sim.seed_import import seed_vouchers
from tally_sim.seeds import InventorySeed, VoucherSeed


class StockAdjustment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str
    godown: str = "Main Location"
    qty: Decimal
    date: dt.date | None = None
    rate: Decimal | None = None
    mode: Literal["stock_journal", "opening"] = "stock_journal"


class AdjustmentRefused(ValueError):
    pass


def adjust_stock(state: SimState, company: Company, request: StockAdjustment) -> dict[str, Any]:
    item = company.stock_items.get(request.item)
    if item is None:
        raise AdjustmentRefused(f"Stock Item '{request.item}' does not exist!")
    godown = company.godowns.get(request.godown)
    if godown is None:
        raise AdjustmentRefused(f"Godown '{request.godown}' does not exist!")
    current = next(
        (
            b.closing_quantity
            for b in godown_balances(item)
            if name_key(b.godown) == name_key(godown.name)
        ),
        ZERO,
    )
    delta = request.qty - current
    if delta == 0:
        return {"changed": False, "mode": request.mode}
    rate = request.rate if request.rate is not None else money(closing_rate(item) or ZERO)
    if request.mode == "opening":
        _alter_opening(item.openings, godown.name, delta, rate)
        item.alter_id = company.ids.next_alter_id("master")
        return {"changed": True, "mode": "opening", "alter_id": item.alter_id}
    inward = delta > 0
    amount = money(abs(delta) * rate)
    when = request.date or company.last_voucher_date() or company.books_from
    seed = VoucherSeed(
        type="Stock Journal",
        date=when,
        narration=f"Stock adjustment: {item.name} in {godown.name} set to {request.qty}",
        inventory=[
            InventorySeed(
                item=item.name,
                qty=abs(delta),
                rate=rate,
                amount=-amount if inward else amount,
                direction="in" if inward else "out",
                godown=godown.name,
            )
        ],
    )
    result: ImportResult = seed_vouchers(state, company, [seed])
    if result.created != 1:
        raise AdjustmentRefused(result.line_error or "the stock journal was refused")
    return {"changed": True, "mode": "stock_journal", "voucher_master_id": result.lastvchid}


def _alter_opening(
    openings: list[GodownOpening], godown: str, delta: Decimal, rate: Decimal
) -> None:
    for opening in openings:
        if name_key(opening.godown) == name_key(godown):
            opening.quantity += delta
            opening.value = money(opening.quantity * (opening.rate or rate))
            return
    openings.append(
        GodownOpening(godown=godown, quantity=delta, rate=rate, value=money(delta * rate))
    )
