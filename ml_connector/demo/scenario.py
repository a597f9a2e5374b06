"""The demo scenario: seed, sync, change stock, take orders, sync again, read the books back.

Each step waits until the connector is idle (nothing outstanding, outbox empty), then the
books are read back the way a seller would check them: Tally through the agent, Walmart
through the gateway. Nothing here reaches into a service's internals.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from mlc_shared.domain.tally import PostedVoucher
from sync_orchestrator.mapping import save_mapping
from sync_orchestrator.service import OrchestratorService
from tally_agent.factory import client_for, reader_for
from tally_agent.protocol import filters
from tally_agent.settings import TallyAgentSettings
from tally_sim import TallySimulator
from walmart_sim import WalmartSimulator

from ml_connector.demo import dataset
from ml_connector.runtime import Runtime

STEP_TIMEOUT_S = 40.0
CHANGED_QTY = 37


@dataclass
class Check:
    label: str
    expected: str
    actual: str

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


@dataclass
class DemoResult:
    counts: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


class DemoFailed(RuntimeError):
    pass


async def run_demo(order_count: int, workdir: Path, say: Callable[[str], None]) -> DemoResult:
    started = time.monotonic()
    result = DemoResult()
    tally = TallySimulator(data="demo")
    walmart = WalmartSimulator(data="empty", time_scale=0.001)
    await tally.start(host="127.0.0.1", port=0, admin_port=0)
    await walmart.start(host="127.0.0.1", port=0)
    try:
        company = tally.demo_company
        assert company is not None
        say(f"TallyPrime simulator at {tally.url} with company {company!r}")
        say(f"Walmart Marketplace simulator at {walmart.url}")
        async with httpx.AsyncClient(timeout=30) as admin:
            stock_url = f"{tally.admin_url}/companies/{quote(company)}/stock"
            listed = dataset.products((await admin.get(stock_url)).raise_for_status().json())
            await _seed_walmart(admin, walmart.url, listed)
            overrides = _settings(workdir, tally, company, walmart)
            async with Runtime(**overrides) as runtime:
                orch: OrchestratorService = runtime.service("sync-orchestrator")
                assert runtime.store is not None
                async with runtime.store.transaction() as tx:
                    await save_mapping(tx, orch.settings.tenant, dataset.mapping(listed))

                say("1/4 catalog: Tally stock -> Walmart inventory")
                await _run(orch, "catalog")
                result.counts["stock_items_synced"] = await _synced_items(runtime, listed)

                changed = listed[0]
                say(
                    f"2/4 stock change in Tally: {changed.stock_item!r} in Chennai -> {CHANGED_QTY}"
                )
                await admin.post(
                    f"{tally.admin_url}/companies/{quote(company)}/stock-adjustments",
                    json={
                        "item": changed.stock_item,
                        "godown": dataset.NODES[dataset.CHENNAI_NODE],
                        "qty": CHANGED_QTY,
                    },
                )
                await _run(orch, "catalog")
                seen = await _walmart_qty(runtime, changed.sku, dataset.CHENNAI_NODE)
                result.checks.append(
                    Check(
                        f"Walmart inventory of {changed.sku} at node {dataset.CHENNAI_NODE}",
                        str(CHANGED_QTY),
                        str(seen),
                    )
                )

                orders = dataset.orders(listed, order_count, datetime.now(UTC))
                say(f"3/4 orders: {len(orders)} Walmart orders -> Sales vouchers in Tally")
                for order in orders:
                    (
                        await admin.post(
                            f"{walmart.url}/admin/orders", json=dataset.order_body(order)
                        )
                    ).raise_for_status()
                await _run(orch, "orders")

                say("4/4 running every flow again: nothing may be posted twice")
                await _run(orch, "orders")
                await _run(orch, "catalog")
                await _read_back(runtime, orders, listed, company, tally, admin, result)
    finally:
        await walmart.stop()
        await tally.stop()
    result.seconds = round(time.monotonic() - started, 1)
    return result


def _settings(
    workdir: Path, tally: TallySimulator, company: str, walmart: WalmartSimulator
) -> dict[str, Any]:
    return {
        "database_url": f"sqlite:///{workdir / 'mlc.db'}",
        "amqp_url": None,
        "tally_url": tally.url,
        "tally_company": company,
        "walmart_base_url": walmart.url,
        "walmart_client_id": walmart.client_id,
        "walmart_client_secret": walmart.client_secret,
        "catalog_interval_s": 0,
        "orders_interval_s": 0,
        "webhook_port": 0,
        "outbox_poll_s": 0.2,
    }


async def _seed_walmart(admin: httpx.AsyncClient, url: str, listed: list[dataset.Product]) -> None:
    body = {
        "ship_nodes": [{"ship_node": node, "name": name} for node, name in dataset.NODES.items()],
        "items": [
            {"sku": p.sku, "product_name": p.stock_item, "price": str(p.price_usd)} for p in listed
        ],
    }
    (await admin.post(f"{url}/admin/catalog", json=body)).raise_for_status()


async def _run(orch: OrchestratorService, flow: str) -> None:
    await orch.run_flow(flow)
    if not await orch.wait_idle(STEP_TIMEOUT_S):
        raise DemoFailed(
            f"the {flow} flow did not finish within {STEP_TIMEOUT_S:.0f} s; "
            "see `mlc dlq list` for parked messages"
        )


async def _walmart_qty(runtime: Runtime, sku: str, node: str) -> int | None:
    gateway: Any = runtime.service("walmart-gateway")
    seller = await gateway.gateway.seller(gateway.settings.tenant)
    for level in await seller.inventory.levels(sku):
        if level.ship_node == node:
            return level.input_qty  # type: ignore[no-any-return]
    return None


async def _synced_items(runtime: Runtime, listed: list[dataset.Product]) -> int:
    synced = 0
    for product in listed:
        if await _walmart_qty(runtime, product.sku, dataset.CHENNAI_NODE) is not None:
            synced += 1
    return synced


async def _tally_sales(runtime: Runtime) -> list[PostedVoucher]:
    settings: TallyAgentSettings = runtime.service("tally-agent").settings
    client = client_for(settings)
    try:
        reader = reader_for(settings, client)
        company = await reader.open_company()
        async with reader.vouchers(company, [filters.voucher_type_is("Sales")]) as rows:
            return [v async for v in rows]
    finally:
        await client.aclose()


async def _read_back(
    runtime: Runtime,
    orders: list[dataset.DemoOrder],
    listed: list[dataset.Product],
    company: str,
    tally: TallySimulator,
    admin: httpx.AsyncClient,
    result: DemoResult,
) -> None:
    expected = {f"WM-{o.purchase_order_id}" for o in orders if o.open_lines}
    numbers = Counter(
        v.number for v in await _tally_sales(runtime) if v.number.startswith("WM-17962770")
    )
    created = set(numbers) & expected
    gateway: Any = runtime.service("walmart-gateway")
    seller = await gateway.gateway.seller(gateway.settings.tenant)
    acknowledged = 0
    for order in orders:
        if order.open_lines:
            placed = await seller.orders.get(order.purchase_order_id)
            open_statuses = (
                {line.status for line in placed.lines if line.status != "Cancelled"}
                if placed
                else set()
            )
            acknowledged += open_statuses == {"Acknowledged"}
    stock = (await admin.get(f"{tally.admin_url}/companies/{quote(company)}/stock")).json()
    tally_qty = {
        s["part_number"]: {g["godown"]: g["qty"] for g in s.get("godowns", [])}
        for s in stock
        if s.get("part_number")
    }
    mismatches = 0
    for product in listed:
        for node, godown in dataset.NODES.items():
            want = max(int(float(tally_qty.get(product.sku, {}).get(godown, 0))), 0)
            mismatches += (await _walmart_qty(runtime, product.sku, node)) != want
    result.counts.update(
        {
            "orders_seen": len(orders),
            "orders_with_open_lines": len(expected),
            "sales_vouchers_created": len(created),
            "orders_acknowledged": acknowledged,
            "duplicate_vouchers": sum(n - 1 for n in numbers.values() if n > 1),
            "inventory_mismatches": mismatches,
        }
    )
    result.checks += [
        Check(
            "Sales vouchers in Tally for orders with open lines",
            str(len(expected)),
            str(len(created)),
        ),
        Check("Vouchers posted twice", "0", str(result.counts["duplicate_vouchers"])),
        Check(
            "Orders acknowledged on Walmart after posting", str(len(expected)), str(acknowledged)
        ),
        Check("Walmart quantities that differ from Tally godowns", "0", str(mismatches)),
    ]
