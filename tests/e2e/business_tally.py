"""Tally's books as they stand, read through the Tally simulator's inspection API (its admin
port, docs/tally-simulator.md), and the day's part of them in the shape of
tests/e2e/business_books.py: what Tally holds, not what the connector says it posted."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from tests.e2e.business_books import CENT, Books, Posting, StockKey, nonzero, sorted_stock


@dataclass(frozen=True)
class TallyState:
    vouchers: list[dict[str, Any]]
    ledgers: dict[str, Decimal]
    """Closing balances, debit positive (the simulator writes a debit negative, §3.2)."""
    stock: dict[StockKey, Decimal]

    @property
    def keys(self) -> set[tuple[str, int]]:
        """(guid, alter id) of every voucher: any new or altered voucher changes it."""
        return {(v["guid"], int(v["alter_id"])) for v in self.vouchers}


async def read_tally(http: httpx.AsyncClient, admin_url: str, company: str) -> TallyState:
    base = f"{admin_url}/companies/{quote(company)}"
    vouchers = (await http.get(f"{base}/vouchers")).raise_for_status().json()
    ledgers = (await http.get(f"{base}/ledgers")).raise_for_status().json()
    stock = (await http.get(f"{base}/stock")).raise_for_status().json()
    return TallyState(
        vouchers=list(vouchers),
        ledgers={row["name"]: -Decimal(str(row["closing_balance"] or 0)) for row in ledgers},
        stock={
            (item["name"], g["godown"]): Decimal(str(g["qty"] or 0))
            for item in stock
            for g in item.get("godowns", [])
        },
    )


def _posting(voucher: dict[str, Any], party: str) -> Posting:
    amount = sum(
        (-Decimal(e["amount"]) for e in voucher["entries"] if e["ledger"] == party), Decimal(0)
    )
    moves: defaultdict[StockKey, Decimal] = defaultdict(Decimal)
    for entry in voucher["inventory"]:
        sign = 1 if entry["inward"] else -1
        for godown in entry["godowns"]:
            moves[(entry["item"], godown["godown"])] += sign * Decimal(godown["qty"])
    return Posting(voucher["type"], amount.quantize(CENT), sorted_stock(moves))


def found_books(before: TallyState, after: TallyState, party: str, bill_names: set[str]) -> Books:
    """The day's books as Tally holds them: the vouchers added since ``before``, the change
    of every ledger and godown balance, what is still owed on ``bill_names``."""
    known = {v["guid"] for v in before.vouchers}
    added = [v for v in after.vouchers if v["guid"] not in known]
    books = Books(
        types=Counter(v["type"] + (" (cancelled)" if v["is_cancelled"] else "") for v in added)
    )
    for voucher in added:
        if voucher["type"] in ("Sales", "Credit Note") and not voucher["is_cancelled"]:
            if voucher["number"] in books.postings:
                books.twice.append(voucher["number"])
            books.postings[voucher["number"]] = _posting(voucher, party)
    names = after.ledgers.keys() | before.ledgers.keys()
    books.ledgers = nonzero(
        {n: after.ledgers.get(n, Decimal(0)) - before.ledgers.get(n, Decimal(0)) for n in names}
    )
    keys = after.stock.keys() | before.stock.keys()
    books.stock = {
        k: moved
        for k in keys
        if (moved := after.stock.get(k, Decimal(0)) - before.stock.get(k, Decimal(0)))
    }
    owed: defaultdict[str, Decimal] = defaultdict(Decimal)
    for voucher in added:
        for entry in voucher["entries"]:
            if entry["ledger"] != party:
                continue
            for bill in entry["bills"]:
                if bill["name"] in bill_names:
                    owed[bill["name"]] -= Decimal(bill["amount"])
    books.bills = nonzero(owed)
    books.cost_centres = nonzero(_cost_centres(added))
    return books


def _cost_centres(vouchers: list[dict[str, Any]]) -> defaultdict[str, Decimal]:
    """Allocations of ledger entries and of invoice lines' accounting, debit positive."""
    centres: defaultdict[str, Decimal] = defaultdict(Decimal)
    for voucher in vouchers:
        legs = [*voucher["entries"], *voucher["inventory"]]
        legs += [a for line in voucher["inventory"] for a in line["accounting"]]
        for leg in legs:
            for allocation in leg["cost_centres"]:
                centres[allocation["cost_centre"]] -= Decimal(allocation["amount"])
    return centres
