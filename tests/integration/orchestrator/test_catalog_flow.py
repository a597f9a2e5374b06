"""Catalog flow through the real bus, store and both simulators (issue 6, flow 1): stock
group buffer and cap, prices converted from Tally's INR standard price, a new item set up on
Walmart once enough content is mapped (and one reported as needing content), all as feeds
whose outcomes are followed per SKU, a refused SKU sent again next cycle."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sync_orchestrator.mapping import (
    Pricing,
    ShipNodeMapping,
    SkuMapping,
    StockGroupMapping,
    TenantMapping,
)
from sync_orchestrator.state import OutgoingInventory, OutgoingPrice
from walmart_gateway import handlers

from tests.integration.orchestrator.support import GODOWN, NODE, Stack, eventually, stack

COOKER, PAN = ("SHK-CW-002", "Pressure Cooker 5L"), ("SHK-CW-003", "Non-Stick Fry Pan 24cm")
TAWA, DIYA = ("SHK-CW-004", "Cast Iron Tawa"), ("SHK-HD-014", "Brass Diya Pair")
TAWA_GTIN = "00012345678905"

MAPPING = TenantMapping(
    default_ship_node=NODE,
    ship_nodes={NODE: ShipNodeMapping(godowns=(GODOWN,))},
    skus={
        COOKER[0]: SkuMapping(stock_item=COOKER[1]),
        PAN[0]: SkuMapping(stock_item=PAN[1], buffer=0),
        TAWA[0]: SkuMapping(stock_item=TAWA[1], gtin=TAWA_GTIN),
        DIYA[0]: SkuMapping(stock_item=DIYA[1]),
    },
    match_by_name=False,
    stock_groups={
        "Cookware": StockGroupMapping(
            buffer=5,
            cap=50,
            list_on_walmart=True,
            brand="Sundaram",
            category="Home Decor, Kitchen, & Other",
            sub_category="home_other",
            short_description="Everyday Indian cookware",
            main_image_url="https://images.example.com/cookware.jpg",
            shipping_weight_lb=Decimal("3"),
        ),
        "Home Decor": StockGroupMapping(list_on_walmart=True, brand="Sundaram"),
    },
    pricing=Pricing(
        source="standard_price", markup_percent=Decimal(10), exchange_rate=Decimal("0.012")
    ),
)


AS_FEEDS = {"walmart_inventory_feed_threshold": 1, "walmart_price_feed_threshold": 1}
"""More than one update goes as a feed (followed per SKU); one SKU alone goes as a single
call (the gateway budgets feeds at 10 an hour, walmart-api.md §10.2)."""


async def _price(s: Stack, sku: str) -> Decimal | None:
    gateway = s.runtime.service("walmart-gateway")
    seller = await gateway.gateway.seller(s.tenant)
    item = await seller.items.get(sku)
    return None if item is None else item.price


async def _cycle_until(s: Stack, what: str, check: Callable[[], Awaitable[bool]]) -> None:
    """Catalog cycles until ``check`` holds (a feed's outcome is read on the next cycle)."""

    async def once() -> bool:
        await s.run("catalog")
        return await check()

    await eventually(once, what, within=60)


async def test_rules_prices_item_setup_and_feed_outcomes_per_sku(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Which SKUs Walmart lists is read from the whole catalog past this many (a few are
    # looked up one by one; items.get is the gateway's own tested call).
    monkeypatch.setattr(handlers, "FIND_ITEMS_SINGLE_LIMIT", 2)
    listed = [
        {"sku": COOKER[0], "product_name": COOKER[1], "price": "25.90"},
        {"sku": PAN[0], "product_name": PAN[1], "price": "10.80"},
    ]
    async with stack(
        tmp_path,
        MAPPING,
        walmart_items=listed,
        catalog_retry_limit=2,
        **AS_FEEDS,
    ) as s:
        await s.run("catalog")
        # Already on Walmart: never sent as a new item (that would replace its content).
        assert await s.statuses(COOKER[0], "item") == ["listed"]
        diya = await s.audit(source_id=DIYA[0], record_kind="item", status="needs_content")
        assert diya, "the item without content is reported, not skipped"
        assert diya[0].detail is not None
        assert set(diya[0].detail["missing"]) >= {"gtin", "category", "main_image_url"}

        # Cookware: 60 in Chennai - 5 buffer, capped at 50; the pan's own buffer 0 wins.
        await _cycle_until(
            s,
            "inventory from the followed feeds",
            lambda: _inputs_are(s, {COOKER[0]: 50, PAN[0]: 50}),
        )
        # 2150 INR + 10% at 0.012 USD/INR
        assert await _price(s, COOKER[0]) == Decimal("28.38")
        pushed = await s.audit(source_id=COOKER[0], record_kind="inventory", status="pushed")
        assert pushed[0].detail is not None
        assert pushed[0].detail["feed_id"]

        # The tawa was new to Walmart: set up from the mapped content, then stocked (45 - 5).
        await _cycle_until(
            s, "the new item set up and stocked", lambda: _inputs_are(s, {TAWA[0]: 40})
        )
        assert "listed" in await s.statuses(TAWA[0], "item")
        assert await _price(s, TAWA[0]) == Decimal("9.89")  # 749 INR + 10%

        # Walmart does not know the diya: its stock is refused per SKU, sent again next
        # cycle, and given up after catalog_retry_limit refusals.
        await _cycle_until(s, "the refused SKU given up", lambda: _gave_up(s, DIYA[0]))
        refused = await s.audit(source_id=DIYA[0], record_kind="inventory", status="failed")
        assert len(refused) == 2
        assert all(r.detail and "not set up" in r.detail["error"] for r in refused)
        assert len(await s.audit(source_id=DIYA[0], record_kind="inventory", status="queued")) == 2

        # A feed whose counts say every item succeeded is followed without its details
        # (the gateway skips them); each entry it carried is still audited as pushed.
        feeds = await s.audit(record_kind="feed", status="processed")
        clean = [f for f in feeds if f.detail and f.detail["failed"] == 0]
        assert clean, [f.detail for f in feeds]
        pushed_rows = await s.audit(status="pushed")
        for feed in clean:
            assert feed.detail is not None
            entries = [r for r in pushed_rows if r.detail and r.detail["feed_id"] == feed.source_id]
            assert len(entries) == feed.detail["received"] > 0


async def _inputs_are(s: Stack, expected: dict[str, int]) -> bool:
    return all([await s.walmart_input(sku) == qty for sku, qty in expected.items()])


async def _gave_up(s: Stack, sku: str) -> bool:
    return bool(await s.audit(source_id=sku, record_kind="inventory", status="gave_up"))


async def test_an_export_in_pages_sends_one_command_of_each_kind(tmp_path: Path) -> None:
    """Updates wait across an export's pages for a full command (Walmart allows 10 feeds of
    each kind an hour, walmart-api.md §10.2): one page per item still makes one feed each."""
    listed = [
        {"sku": sku, "product_name": name, "price": "9.00"}
        for sku, name in (COOKER, PAN, TAWA, DIYA)
    ]
    async with stack(
        tmp_path,
        MAPPING,
        walmart_items=listed,
        tally_export_page_size=1,
        **AS_FEEDS,
    ) as s:
        await s.run("catalog")
        feeds = [f.feed_type for f in s.walmart.state.feeds.values()]
        assert sorted(feeds) == ["MP_INVENTORY", "price"], feeds
        assert all(f.items_received == 4 for f in s.walmart.state.feeds.values())
        async with s.store.transaction() as tx:
            for kind in (OutgoingInventory.KIND, OutgoingPrice.KIND):
                assert await tx.list_records(s.tenant, kind) == {}
        assert len(await s.audit(record_kind="inventory", status="queued")) == 4
