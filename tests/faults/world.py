"""The world a scenario runs in: both simulators on ephemeral loopback ports, a seller whose
Walmart SKUs map onto the Tally demo company's stock items, and Walmart orders to post.

The demo company prevents duplicate Sales numbers (docs/tally-simulator.md); the world
switches that off, so a voucher the connector posted twice would stand in the books twice
and be counted, instead of being hidden by Tally's refusal.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from tally_sim import TallySimulator
from walmart_sim import WalmartSimulator

from tests.faults.report import Result

NODE, GODOWN = "10001", "Chennai Warehouse"
ITEMS = {
    "SHK-KT-001": ("Steel Tiffin Box 3-Tier", "Pcs", "19.90"),
    "SHK-CW-002": ("Pressure Cooker 5L", "Nos", "25.90"),
    "SHK-CW-003": ("Non-Stick Fry Pan 24cm", "Nos", "14.50"),
    "SHK-KT-005": ("Copper Water Bottle 1L", "Nos", "12.00"),
    "SHK-ST-008": ("Glass Storage Jar 1L", "Nos", "6.75"),
    "SHK-BL-012": ("Bath Towel Set", "Set", "17.25"),
}
"""Walmart SKU -> (Tally stock item, unit, price in USD)."""

MAPPING_HEAD = f"""
default_ship_node = "{NODE}"
match_by_name = false

[ledgers]
party = "Walmart Marketplace"
shipping = "Shipping Charges Collected"
tax = "Output IGST 12%"

[ship_nodes."{NODE}"]
godowns = ["{GODOWN}"]
sales_ledger = "Sales - Walmart Marketplace"
cost_centre = "Walmart US"
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def purchase_orders(total: int, prefix: str = "5") -> list[str]:
    """The ids :meth:`World.place_orders` gives orders 0..total-1."""
    return [f"{prefix}{n:012d}" for n in range(total)]


def mapping_toml(skus: dict[str, tuple[str, str, str]]) -> str:
    entries = [
        f'\n[skus."{sku}"]\nstock_item = "{item}"\nunit = "{unit}"\n'
        for sku, (item, unit, _) in skus.items()
    ]
    return MAPPING_HEAD + "".join(entries)


@dataclass
class World:
    tally: TallySimulator
    walmart: WalmartSimulator
    company: str
    mapping_file: Path
    webhook_port: int
    http: httpx.AsyncClient

    def env(self, **extra: str) -> dict[str, str]:
        """Settings every service of a scenario shares (broker and database come on top)."""
        return {
            "MLC_TALLY_URL": self.tally.url,
            "MLC_TALLY_COMPANY": self.company,
            "MLC_TALLY_STATUS_INTERVAL": "3600",
            "MLC_WALMART_BASE_URL": self.walmart.url,
            "MLC_WALMART_CLIENT_ID": self.walmart.client_id,
            "MLC_WALMART_CLIENT_SECRET": self.walmart.client_secret,
            "MLC_MAPPING_FILE": str(self.mapping_file),
            "MLC_CATALOG_INTERVAL_S": "0",
            "MLC_ORDERS_INTERVAL_S": "2",
            "MLC_ORDERS_OVERLAP_S": "3600",
            "MLC_WEBHOOK_PORT": str(self.webhook_port),
            "MLC_OUTBOX_POLL_S": "0.2",
            **extra,
        }

    # -- Walmart -------------------------------------------------------------------------
    async def place_orders(
        self,
        count: int,
        *,
        first: int = 0,
        prefix: str = "5",
        lines: int = 1,
        skus: list[str] | None = None,
    ) -> list[str]:
        """``count`` seller-fulfilled orders at the mapped node; their purchase order ids."""
        chosen = skus or list(ITEMS)
        placed = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
        pos: list[str] = []
        for n in range(first, first + count):
            po = f"{prefix}{n:012d}"
            order_lines = [
                {
                    "sku": chosen[(n + k) % len(chosen)],
                    "quantity": 1 + (n + k) % 3,
                    "unit_price": ITEMS.get(chosen[(n + k) % len(chosen)], ("", "", "9.99"))[2],
                    "unit_tax": "0.80",
                }
                for k in range(lines)
            ]
            await self.admin_walmart(
                "POST",
                "/admin/orders",
                json={
                    "purchase_order_id": po,
                    "order_date": placed,
                    "ship_node": NODE,
                    "lines": order_lines,
                },
            )
            pos.append(po)
        return pos

    async def trickle_orders(
        self, total: int, *, waves: int, interval: float, prefix: str = "5", start: int = 0
    ) -> list[str]:
        """Place orders ``start``..``total``-1 in ``waves`` waves ``interval`` s apart, as a
        seller's day brings them (run it as a task while faults are injected)."""
        per_wave = -(-(total - start) // waves)
        placed: list[str] = []
        while start + len(placed) < total:
            placed += await self.place_orders(
                min(per_wave, total - start - len(placed)),
                first=start + len(placed),
                prefix=prefix,
            )
            if start + len(placed) < total:
                await asyncio.sleep(interval)
        return placed

    async def admin_walmart(self, method: str, path: str, **kwargs: Any) -> Any:
        reply = await self.http.request(method, f"{self.walmart.url}{path}", **kwargs)
        reply.raise_for_status()
        return reply.json() if reply.content else None

    # -- Tally ---------------------------------------------------------------------------
    async def admin_tally(self, method: str, path: str, **kwargs: Any) -> Any:
        reply = await self.http.request(method, f"{self.tally.admin_url}{path}", **kwargs)
        reply.raise_for_status()
        return reply.json() if reply.content else None

    @property
    def company_path(self) -> str:
        return f"/companies/{quote(self.company, safe='')}"


@asynccontextmanager
async def world(
    tmp_path: Path, *, walmart_time_scale: float = 0.001, walmart_secret: str | None = None
) -> AsyncIterator[World]:
    tally = TallySimulator(data="demo")
    credentials = {"client_secret": walmart_secret} if walmart_secret else {}
    walmart = WalmartSimulator(data="empty", time_scale=walmart_time_scale, seed=8, **credentials)
    await tally.start(host="127.0.0.1", port=0, admin_port=0)
    await walmart.start(host="127.0.0.1", port=0)
    company = tally.demo_company
    assert company is not None
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(mapping_toml(ITEMS))
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            made = World(tally, walmart, company, mapping, free_port(), http)
            await made.admin_walmart(
                "POST",
                "/admin/catalog",
                json={
                    "ship_nodes": [{"ship_node": NODE, "name": GODOWN}],
                    "items": [
                        {"sku": sku, "product_name": item, "price": price}
                        for sku, (item, _, price) in ITEMS.items()
                    ],
                },
            )
            # Webhook duplicates are scenario 7's business; elsewhere they only add noise.
            await made.admin_walmart(
                "PATCH", "/admin/config", json={"webhook_duplicate_probability": 0.0}
            )
            result = await made.admin_tally(
                "POST",
                f"{made.company_path}/masters",
                json={
                    "voucher_types": [
                        {
                            "name": "Sales",
                            "parent": "Sales",
                            "numbering_method": "Manual",
                            "prevent_duplicates": False,
                        }
                    ]
                },
            )
            assert result.get("altered") == 1, result
            yield made
    finally:
        await walmart.stop()
        await tally.stop()


@dataclass(frozen=True)
class Scene:
    """What every scenario runs in, whatever it injects: both simulators, a work directory,
    the result recorder, a fresh PostgreSQL database and a bus namespace of its own."""

    sims: World
    tmp_path: Path
    record: Callable[[Result], None]
    database_url: str
    namespace: str
