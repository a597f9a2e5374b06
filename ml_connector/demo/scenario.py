"""The demo scenario: one business day. Seed, sync stock, change stock, take orders, ship
them, take returns, get paid, run every flow again, read the books back.

Each step waits until the connector is idle (nothing outstanding, outbox empty), then the
books are read back the way a seller would check them: Tally through the agent, Walmart
through the gateway (books.py). What happens on Walmart's side that the connector does not
do -- shipping, customers' returns, Walmart closing a settlement -- is in marketplace.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from sync_orchestrator.mapping import save_mapping
from sync_orchestrator.service import OrchestratorService
from tally_sim import TallySimulator
from walmart_sim import WalmartSimulator

from ml_connector.demo import books, checks, dataset, marketplace
from ml_connector.demo.checks import Check, DemoResult
from ml_connector.runtime import Runtime

__all__ = ["Check", "DemoFailed", "DemoResult", "run_demo"]

STEP_TIMEOUT_S = 40.0
CHANGED_QTY = 37
FLOWS_AGAIN = ("orders", "returns", "settlements", "catalog")


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
            await seed_walmart(admin, walmart.url, listed)
            overrides = connector_settings(workdir, tally, company, walmart)
            async with Runtime(**overrides) as runtime:
                orch: OrchestratorService = runtime.service("sync-orchestrator")
                assert runtime.store is not None
                async with runtime.store.transaction() as tx:
                    await save_mapping(tx, orch.settings.tenant, dataset.mapping(listed))

                say("1/6 catalog: Tally stock -> Walmart inventory")
                await _run(orch, "catalog")
                result.counts["stock_items_synced"] = await _synced_items(runtime, listed)
                await _change_stock(runtime, orch, admin, tally, company, listed[0], result, say)
                opening = await books.debit_balances(runtime, [dataset.PARTY, dataset.BANK])

                orders = dataset.orders(listed, order_count, datetime.now(UTC))
                say(f"3/6 orders: {len(orders)} Walmart orders -> Sales vouchers in Tally")
                for order in orders:
                    (
                        await admin.post(
                            f"{walmart.url}/admin/orders", json=dataset.order_body(order)
                        )
                    ).raise_for_status()
                await _run(orch, "orders")
                acknowledged = await _acknowledged(runtime, orders)

                shipped = dataset.to_ship(orders)
                await marketplace.ship(admin, walmart, shipped)
                received, in_transit = await marketplace.take_returns(admin, walmart, shipped)
                say(
                    f"4/6 returns: {len(shipped)} orders shipped, {len(received) + len(in_transit)}"
                    f" returned ({len(received)} received) -> Credit Notes, refunds on Walmart"
                )
                await _run(orch, "returns")

                say("5/6 settlement: Walmart pays out -> Journal + Receipt in Tally")
                report_dates = (
                    [await marketplace.close_settlement(admin, walmart)] if shipped else []
                )
                await _run(orch, "settlements")

                say("6/6 running every flow again: nothing may be posted twice")
                for flow in FLOWS_AGAIN:
                    await _run(orch, flow)
                vouchers = await books.tally_vouchers(runtime)
                checks.orders_part(result, orders, vouchers, acknowledged)
                result.counts["inventory_mismatches"] = await _inventory_mismatches(
                    runtime, listed, company, tally, admin, result
                )
                checks.returns_part(
                    result,
                    vouchers,
                    await books.walmart_returns(runtime, [*received, *in_transit]),
                    received,
                    in_transit,
                )
                closing = await books.debit_balances(runtime, [dataset.PARTY, dataset.BANK])
                checks.settlement_part(
                    result,
                    vouchers,
                    [await books.walmart_report(runtime, d) for d in report_dates],
                    bank_received=closing[dataset.BANK] - opening[dataset.BANK],
                    debtor_change=closing[dataset.PARTY] - opening[dataset.PARTY],
                    unpaid=checks.sales_total(vouchers, [o for o in orders if o not in shipped]),
                )
                result.counts["duplicate_vouchers"] = checks.duplicates(vouchers)
                result.checks.append(
                    Check("Vouchers posted twice", "0", str(result.counts["duplicate_vouchers"]))
                )
    finally:
        await walmart.stop()
        await tally.stop()
    result.seconds = round(time.monotonic() - started, 1)
    return result


def connector_settings(
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
        "returns_interval_s": 0,
        "settlements_interval_s": 0,
        "returns_refund_policy": "when_received",
        "webhook_port": 0,
        "outbox_poll_s": 0.2,
    }


async def seed_walmart(admin: httpx.AsyncClient, url: str, listed: list[dataset.Product]) -> None:
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


async def _change_stock(
    runtime: Runtime,
    orch: OrchestratorService,
    admin: httpx.AsyncClient,
    tally: TallySimulator,
    company: str,
    changed: dataset.Product,
    result: DemoResult,
    say: Callable[[str], None],
) -> None:
    node = dataset.CHENNAI_NODE
    say(f"2/6 stock change in Tally: {changed.stock_item!r} in Chennai -> {CHANGED_QTY}")
    await admin.post(
        f"{tally.admin_url}/companies/{quote(company)}/stock-adjustments",
        json={"item": changed.stock_item, "godown": dataset.NODES[node], "qty": CHANGED_QTY},
    )
    await _run(orch, "catalog")
    seen = await books.walmart_qty(runtime, changed.sku, node)
    result.checks.append(
        Check(f"Walmart inventory of {changed.sku} at node {node}", str(CHANGED_QTY), str(seen))
    )


async def _synced_items(runtime: Runtime, listed: list[dataset.Product]) -> int:
    synced = 0
    for product in listed:
        if await books.walmart_qty(runtime, product.sku, dataset.CHENNAI_NODE) is not None:
            synced += 1
    return synced


async def _acknowledged(runtime: Runtime, orders: list[dataset.DemoOrder]) -> int:
    """Read before anything ships: shipped lines no longer say Acknowledged."""
    done = 0
    for order in orders:
        if order.open_lines:
            done += await books.walmart_open_statuses(runtime, order.purchase_order_id) == {
                "Acknowledged"
            }
    return done


async def _inventory_mismatches(
    runtime: Runtime,
    listed: list[dataset.Product],
    company: str,
    tally: TallySimulator,
    admin: httpx.AsyncClient,
    result: DemoResult,
) -> int:
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
            mismatches += (await books.walmart_qty(runtime, product.sku, node)) != want
    result.checks.append(
        Check("Walmart quantities that differ from Tally godowns", "0", str(mismatches))
    )
    return mismatches
