"""A small world for the ops tests: both simulators on loopback, the demo's Walmart listing
and mapping (they fit the Tally simulator's demo company), and the settings that point the
connector at them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
from sync_orchestrator.mapping import TenantMapping
from tally_sim import TallySimulator
from walmart_sim import WalmartSimulator

from ml_connector.demo import dataset

PUBLIC_URL = "http://127.0.0.1:9/webhooks/walmart/default"  # loopback; never delivered to


@dataclass
class World:
    tally: TallySimulator
    walmart: WalmartSimulator
    company: str
    mapping: TenantMapping
    env: dict[str, str] = field(default_factory=dict)


@asynccontextmanager
async def simulators() -> AsyncIterator[World]:
    tally = TallySimulator(data="demo")
    walmart = WalmartSimulator(data="empty", time_scale=0.001)
    await tally.start(host="127.0.0.1", port=0, admin_port=0)
    await walmart.start(host="127.0.0.1", port=0)
    try:
        company = tally.demo_company
        assert company is not None
        async with httpx.AsyncClient(timeout=10) as admin:
            # The demo's listing and mapping: they fit the simulator's demo company.
            stock = await admin.get(f"{tally.admin_url}/companies/{quote(company)}/stock")
            listed = dataset.products(stock.raise_for_status().json())
            reply = await admin.post(
                f"{walmart.url}/admin/catalog",
                json={
                    "ship_nodes": [
                        {"ship_node": node, "name": name} for node, name in dataset.NODES.items()
                    ],
                    "items": [
                        {"sku": p.sku, "product_name": p.stock_item, "price": str(p.price_usd)}
                        for p in listed
                    ],
                },
            )
            reply.raise_for_status()
        env = {
            "MLC_TALLY_URL": tally.url,
            "MLC_TALLY_COMPANY": company,
            "MLC_WALMART_BASE_URL": walmart.url,
            "MLC_WALMART_CLIENT_ID": walmart.client_id,
            "MLC_WALMART_CLIENT_SECRET": walmart.client_secret,
        }
        mapping = dataset.mapping(listed)
        # The demo company has the demo rules' ledgers, not those of Walmart's default
        # settlement rules: a complete mapping turns the defaults off.
        settlements = mapping.settlements.model_copy(update={"use_default_rules": False})
        mapping = mapping.model_copy(update={"settlements": settlements})
        yield World(tally, walmart, company, mapping, env)
    finally:
        await walmart.stop()
        await tally.stop()
