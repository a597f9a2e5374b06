"""Fixtures: a simulator started on ephemeral loopback ports, and an HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from tally_sim import TallySimulator

from tests.sandbox.tally_sim.support import ledger, legacy_import, post

SimFactory = Callable[..., Awaitable[TallySimulator]]


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=60) as http:
        yield http


@pytest.fixture
async def make_sim() -> AsyncIterator[SimFactory]:
    started: list[TallySimulator] = []

    async def factory(**kwargs: Any) -> TallySimulator:
        kwargs.setdefault("companies", ["Acme Traders"])
        sim = TallySimulator(**kwargs)
        await sim.start(host="127.0.0.1", port=0, admin_port=0)
        started.append(sim)
        return sim

    yield factory
    for sim in started:
        await sim.stop()


@pytest.fixture
async def sim(make_sim: SimFactory) -> TallySimulator:
    return await make_sim()


@pytest.fixture
async def books(sim: TallySimulator, client: httpx.AsyncClient) -> TallySimulator:
    """Acme Traders with a debtor, a bank, a sales ledger, a tax ledger, a unit and an item."""
    masters = (
        ledger("Ram & Sons", "Sundry Debtors", extra="<ISBILLWISEON>Yes</ISBILLWISEON>")
        + ledger("HDFC Bank", "Bank Accounts")
        + ledger("Sales", "Sales Accounts")
        + ledger("Output IGST 18%", "Duties & Taxes")
        + '<UNIT NAME="Nos" ACTION="Create"><NAME>Nos</NAME><ISSIMPLEUNIT>Yes</ISSIMPLEUNIT></UNIT>'
        + '<GODOWN NAME="Pune Depot" ACTION="Create"><NAME>Pune Depot</NAME></GODOWN>'
        + '<STOCKITEM NAME="Widget" ACTION="Create"><NAME>Widget</NAME><BASEUNITS>Nos</BASEUNITS>'
        "<OPENINGBALANCE>100 Nos</OPENINGBALANCE><OPENINGRATE>60.00/Nos</OPENINGRATE>"
        "<OPENINGVALUE>-6000.00</OPENINGVALUE></STOCKITEM>"
    )
    answer = await post(client, sim.url, legacy_import(masters, "Acme Traders", "All Masters"))
    assert "<CREATED>7</CREATED>" in answer, answer
    return sim
