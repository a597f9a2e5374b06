"""Fixtures: a fresh simulator per test on an ephemeral loopback port, raw HTTP clients whose
every answer is schema-checked, the admin API, and a webhook receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from walmart_sim import WalmartSimulator

from .client import Admin, WalmartClient, http_client
from .receiver import Receiver

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret"
NODE_A, NODE_B = "1000000001", "1000000002"

SimFactory = Callable[..., Awaitable[WalmartSimulator]]


@pytest.fixture
async def make_sim() -> AsyncIterator[SimFactory]:
    started: list[WalmartSimulator] = []

    async def factory(**kwargs: Any) -> WalmartSimulator:
        options: dict[str, Any] = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "seed": 7,
            "time_scale": 0.001,
        }
        options.update(kwargs)
        sim = WalmartSimulator(**options)
        await sim.start(host="127.0.0.1", port=0)
        started.append(sim)
        return sim

    yield factory
    for sim in started:
        await sim.stop()


@pytest.fixture
async def sim(make_sim: SimFactory) -> WalmartSimulator:
    return await make_sim()


@pytest.fixture
async def http(sim: WalmartSimulator) -> AsyncIterator[httpx.AsyncClient]:
    async with http_client(sim.url) as client:
        yield client


@pytest.fixture
def wm(http: httpx.AsyncClient) -> WalmartClient:
    return WalmartClient(http, CLIENT_ID, CLIENT_SECRET)


@pytest.fixture
def admin(http: httpx.AsyncClient) -> Admin:
    return Admin(http)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    await rec.start()
    yield rec
    await rec.stop()


CATALOG: dict[str, Any] = {
    "ship_nodes": [
        {"ship_node": NODE_A, "name": "Node A", "address": {"city": "Edison", "state": "NJ"}},
        {"ship_node": NODE_B, "name": "Node B", "address": {"city": "Ontario", "state": "CA"}},
    ],
    "items": [
        {
            "sku": "SKU-1",
            "product_name": "Brass Diya",
            "price": "10.00",
            "category": "Home Decor, Kitchen, & Other",
            "inventory": {NODE_A: 10, NODE_B: 5},
        },
        {
            "sku": "SKU-2",
            "product_name": "Cotton Kurta",
            "price": "25.00",
            "category": "Apparel & Accessories",
            "inventory": {NODE_A: 3},
        },
        {
            "sku": "SKU/3 special",
            "product_name": "Assam Tea",
            "price": "7.50",
            "inventory": {NODE_A: 1},
        },
    ],
}


@pytest.fixture
async def catalog(admin: Admin) -> dict[str, Any]:
    await admin.post("/catalog", CATALOG)
    return CATALOG


def line(sku: str = "SKU-1", quantity: int = 1, **extra: Any) -> dict[str, Any]:
    return {"sku": sku, "quantity": quantity, "unit_tax": "0.80", **extra}


async def new_order(admin: Admin, *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {"lines": list(lines) or [line()], **extra}
    order: dict[str, Any] = (await admin.post("/orders", body))["order"]
    return order


def money(value: Any) -> Decimal:
    return Decimal(str(value))
