"""Forex amounts on import: the simulator books the base-currency part after `=`, sign
included (tally-xml.md §7.3: `-$100.00 @ ₹ 83.00/$ = -₹ 8300.00`, LOADER keeps the part
after `=`), and checks debits against credits in that currency."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from tally_sim import TallySimulator

from tests.sandbox.tally_sim.support import company, counters, entry, legacy_import, post, voucher


@pytest.mark.parametrize(
    ("bank", "party"),
    [
        # the export form of §7.3, base symbol and all
        ("-$100.00 @ ₹ 83.00/$ = -₹ 8300.00", "$100.00 @ ₹ 83.00/$ = ₹ 8300.00"),
        # the same without the base currency's symbol
        ("-$100.00 @ 83.00/$ = -8300.00", "$100.00 @ 83.00/$ = 8300.00"),
    ],
)
async def test_a_forex_receipt_books_the_base_amounts(
    books: TallySimulator, client: httpx.AsyncClient, bank: str, party: str
) -> None:
    forex = voucher("Receipt", "20250415", entry("HDFC Bank", bank) + entry("Ram & Sons", party))
    result = counters(await post(client, books.url, legacy_import(forex, "Acme Traders")))
    assert (result["created"], result["exceptions"], result["lineerror"]) == (1, 0, None)
    (posted,) = company(books, "Acme Traders").vouchers_in_order()
    assert [(e.ledger_name, e.is_deemed_positive, e.amount) for e in posted.ledger_entries] == [
        ("HDFC Bank", True, Decimal("-8300.00")),
        ("Ram & Sons", False, Decimal("8300.00")),
    ]


async def test_forex_legs_that_book_unequal_base_amounts_are_refused(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    lopsided = voucher(
        "Receipt",
        "20250415",
        entry("HDFC Bank", "-$100.00 @ ₹ 83.00/$ = -₹ 8300.00")
        + entry("Ram & Sons", "$100.00 @ ₹ 83.00/$ = ₹ 8300.01"),
    )
    result = counters(await post(client, books.url, legacy_import(lopsided, "Acme Traders")))
    assert (result["created"], result["exceptions"], result["lineerror"]) == (
        0,
        1,
        "Voucher totals do not match!",
    )
