"""The operator console in headless Chromium (Debian's package, driven by Playwright):
log in with the operator token, find the voucher that could not be posted among the dead
letters, inspect it, replay it once the mapping is fixed, and see it posted in the audit
trail. The connector runs for real in standalone mode against both simulators.

Chromium comes from Debian (`make browser`, run by `make test`); Playwright's own browser
downloads are never used.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS
from playwright.async_api import Browser, Page, async_playwright, expect
from sync_orchestrator import mapping_edit
from sync_orchestrator.service import OrchestratorService

from ml_connector.demo import dataset
from ml_connector.runtime import Runtime
from tests.e2e.support import tally_vouchers, wait_until
from tests.integration.ops.world import World, simulators

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "console-operator-token-3b9f"
PO = "4000000000555"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert shutil.which(CHROMIUM), (
        "Debian's chromium is missing: `make browser` installs it (apt-get install chromium)"
    )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[tuple[World, Runtime, str]]:
    async with simulators() as world:
        overrides: dict[str, Any] = {
            "database_url": f"sqlite:///{tmp_path / 'mlc.db'}",
            "amqp_url": None,
            "catalog_interval_s": 0,
            "orders_interval_s": 0,
            "returns_interval_s": 0,
            "settlements_interval_s": 0,
            "webhook_port": 0,
            "outbox_poll_s": 0.2,
            "operator_token": TOKEN,
            "operator_port": 0,
            **{k.removeprefix("MLC_").lower(): v for k, v in world.env.items()},
        }
        async with Runtime(**overrides) as runtime:
            orchestrator: OrchestratorService = runtime.service("sync-orchestrator")
            assert orchestrator.api is not None
            assert orchestrator.api.port
            yield world, runtime, f"http://127.0.0.1:{orchestrator.api.port}/console"


async def _order_parked_for_an_unmapped_sku(world: World, runtime: Runtime) -> str:
    """The mapping lacks one SKU; an order for it cannot become a voucher and is parked."""
    assert runtime.store is not None
    assert runtime.bus is not None
    sku, entry = next(iter(world.mapping.skus.items()))
    partial = world.mapping.model_copy(
        update={"skus": {k: v for k, v in world.mapping.skus.items() if k != sku}}
    )
    async with runtime.store.transaction() as tx:
        await mapping_edit.replace_mapping(tx, "default", partial)
    async with httpx.AsyncClient(timeout=10) as admin:
        reply = await admin.post(
            f"{world.walmart.url}/admin/orders",
            json={
                "purchase_order_id": PO,
                "order_date": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
                "ship_node": dataset.CHENNAI_NODE,
                "lines": [{"sku": sku, "quantity": 1, "unit_price": "25.90", "unit_tax": "1.81"}],
            },
        )
        reply.raise_for_status()
    orchestrator: OrchestratorService = runtime.service("sync-orchestrator")
    await orchestrator.run_flow("orders")
    bus = runtime.bus

    async def parked() -> bool:
        return any(
            p.envelope and PO in p.body.decode() for p in await bus.parked(ORCHESTRATOR_EVENTS)
        )

    await wait_until(parked, within=60, what=f"order {PO} parked")
    # The operator completes the mapping; the replay below then posts the order.
    await mapping_edit.change(
        runtime.store, "default", {"skus": {sku: entry.model_dump(mode="json")}}
    )
    return sku


async def _log_in(page: Page, console: str, token: str) -> None:
    await page.goto(f"{console}/")
    await expect(page).to_have_url(f"{console}/login")
    await page.fill("#token", token)
    await page.click("button[type=submit]")


async def test_log_in_replay_a_failed_voucher_and_see_it_posted(
    browser: Browser, running: tuple[World, Runtime, str]
) -> None:
    world, runtime, console = running
    sku = await _order_parked_for_an_unmapped_sku(world, runtime)
    context = await browser.new_context()
    page = await context.new_page()

    await _log_in(page, console, "not-the-token")
    await expect(page.locator(".error")).to_contain_text("not valid")

    await _log_in(page, console, TOKEN)
    await expect(page.locator("h1").first).to_have_text("Flows")
    await expect(page.locator("#flows")).to_contain_text("orders")
    (cookie,) = [c for c in await context.cookies() if c["name"] == "mlc_console"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"

    await page.click("text=Mapping gaps")
    await expect(page.locator("#waiting")).to_contain_text(sku)
    await expect(page.locator("#failing-flows")).to_contain_text("orders")

    await page.click("text=Dead letters")
    row = page.locator("#dead-letters tr", has_text="orchestrator.post_order")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text(sku)
    await row.locator("text=inspect").click()
    await expect(page.locator("#payload")).to_contain_text(PO)
    await expect(page.locator("#reason")).to_contain_text(sku)

    await page.click("#replay")
    await expect(page.locator(".flash")).to_contain_text("replayed")
    await wait_until(
        lambda: tally_vouchers(world.tally.admin_url, world.company, f"WM-{PO}"),
        within=60,
        what=f"Sales voucher WM-{PO} in Tally after the replay",
    )
    await page.click("text=Audit")
    await page.fill("input[name=po]", PO)
    await page.click("text=Search")
    await expect(page.locator("#audit")).to_contain_text("unmapped")
    for _ in range(60):  # the audit row follows Tally's answer
        if await page.locator("#audit td.status", has_text="posted").count():
            break
        await asyncio.sleep(0.5)
        await page.reload()
    await expect(page.locator("#audit td.status", has_text="posted").first).to_be_visible()
    await page.click("text=Dead letters")
    await expect(page.locator("#no-dead-letters")).to_be_visible()
    await context.close()


async def test_posts_need_the_session_and_its_csrf_token(
    browser: Browser, running: tuple[World, Runtime, str]
) -> None:
    _, _, console = running
    context = await browser.new_context()
    page = await context.new_page()
    await _log_in(page, console, TOKEN)
    await expect(page.locator("#flows")).to_be_visible()
    cookies = {c["name"]: c["value"] for c in await context.cookies()}
    async with httpx.AsyncClient(cookies=cookies, timeout=10) as session:
        forged = await session.post(f"{console}/flows/orders/pause", data={"tenant": "default"})
        assert forged.status_code == 403
    async with httpx.AsyncClient(timeout=10) as http:
        anonymous = await http.post(f"{console}/flows/orders/pause", data={"tenant": "default"})
        assert anonymous.status_code == 303
        assert anonymous.headers["location"].endswith("/console/login")
    await page.locator("#flows tr[data-flow=orders] button", has_text="pause").click()
    await expect(page.locator(".flash")).to_contain_text("orders for default: paused")
    await expect(page.locator("#flows tr[data-flow=orders]")).to_contain_text("paused")
    headers = (await page.request.get(f"{console}/")).headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    await context.close()
