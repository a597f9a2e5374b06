"""Catalog decisions without I/O: stock-group rules, prices from each source, item content."""

from __future__ import annotations

from decimal import Decimal

import pytest
from mlc_shared.domain.tally import GodownQuantity, PriceLevelRate, StockItem
from pydantic import ValidationError
from sync_orchestrator.inventory import inventory_updates
from sync_orchestrator.listing import eligible, item_setup, valid_gtin
from sync_orchestrator.mapping import (
    Pricing,
    ShipNodeMapping,
    SkuMapping,
    StockGroupMapping,
    TenantMapping,
)
from sync_orchestrator.pricing import NoPrice, price_for

NODES = {"default": ShipNodeMapping(godowns=("Main Location",))}


def item(
    name: str,
    qty: str = "10",
    *,
    group: str | None = "Cookware",
    price: str | None = "899",
    aliases: tuple[str, ...] = (),
    levels: tuple[tuple[str, str], ...] = (),
) -> StockItem:
    return StockItem(
        name=name,
        guid=f"g-{name}",
        master_id=1,
        alter_id=1,
        parent=group,
        aliases=aliases,
        standard_price=Decimal(price) if price else None,
        godowns=(GodownQuantity(godown="Main Location", qty=Decimal(qty)),),
        price_levels=tuple(PriceLevelRate(price_level=n, rate=Decimal(r)) for n, r in levels),
    )


def test_group_buffer_and_cap_apply_unless_the_sku_sets_its_own() -> None:
    mapping = TenantMapping(
        ship_nodes=NODES,
        stock_groups={"Cookware": StockGroupMapping(buffer=2, cap=5)},
        skus={
            "PAN": SkuMapping(stock_item="Pan"),
            "POT": SkuMapping(stock_item="Pot", buffer=0, cap=8),
        },
    )
    updates, _ = inventory_updates(
        [item("Pan"), item("Pot"), item("Bowl", "3", group="Kitchenware")],
        mapping,
        pending_orders={("PAN", "default"): Decimal(4)},
    )
    # Pan: 10 - 4 held - 2 buffer = 4 (under the group cap 5); Pot: own rule, capped at 8;
    # Bowl (matched by name, another group): no rule.
    assert {(u.sku, u.quantity) for u in updates} == {("PAN", 4), ("POT", 8), ("Bowl", 3)}


def test_price_sources_markup_and_conversion_round_half_up_to_the_cent() -> None:
    inr_to_usd = Pricing(
        source="standard_price", markup_percent=Decimal(15), exchange_rate=Decimal("0.012")
    )
    mapping = TenantMapping(pricing=inr_to_usd)
    update = price_for(item("Pan", price="899"), "PAN", mapping)
    assert update is not None
    # 899 * 1.15 * 0.012 = 12.4062 -> 12.41 USD
    assert (update.amount, update.currency) == (Decimal("12.41"), "USD")

    by_level = TenantMapping(
        pricing=Pricing(source="price_level", price_level="Walmart US", exchange_rate=Decimal(1))
    )
    levelled = item("Pan", levels=(("Retail", "1000"), ("walmart us", "9.995")))
    assert price_for(levelled, "PAN", by_level).amount == Decimal("10.00")  # type: ignore[union-attr]
    with pytest.raises(NoPrice, match="price level 'Walmart US'"):
        price_for(item("Pan"), "PAN", by_level)

    fixed = TenantMapping(
        pricing=Pricing(source="fixed", exchange_rate=Decimal("0.012")),
        skus={"PAN": SkuMapping(stock_item="Pan", price=Decimal("19.99"))},
    )
    assert price_for(item("Pan"), "PAN", fixed).amount == Decimal("19.99")  # type: ignore[union-attr]
    with pytest.raises(NoPrice, match=r"skus\.POT\.price"):
        price_for(item("Pot"), "POT", fixed)
    with pytest.raises(NoPrice, match="no standard price"):
        price_for(item("Pan", price=None), "PAN", TenantMapping(pricing=inr_to_usd))
    assert price_for(item("Pan"), "PAN", TenantMapping()) is None  # not synced by default
    with pytest.raises(ValidationError, match="price_level"):
        Pricing(source="price_level")


def test_gtin_check_digit() -> None:
    assert valid_gtin("00012345678905")
    assert valid_gtin("012345678905")  # UPC-A
    assert not valid_gtin("00012345678906")
    assert not valid_gtin("ABC")


def test_item_content_layers_sku_then_group_then_tally_and_names_what_is_missing() -> None:
    group = StockGroupMapping(
        list_on_walmart=True,
        brand="Sundaram",
        category="Home Decor, Kitchen, & Other",
        sub_category="home_other",
        short_description="Kitchen essentials",
        main_image_url="https://img.example/pan.jpg",
        shipping_weight_lb=Decimal("2.5"),
        gtin_from_alias=True,
    )
    mapping = TenantMapping(
        stock_groups={"Cookware": group},
        skus={"POT": SkuMapping(stock_item="Pot", brand="Prestige", product_name="Pot 5L")},
        pricing=Pricing(source="standard_price", exchange_rate=Decimal("0.012")),
    )
    price = price_for(item("Pot"), "POT", mapping)
    # No GTIN anywhere yet: reported, not skipped.
    assert item_setup(item("Pot"), "POT", price, mapping) == ("gtin",)
    setup = item_setup(item("Pot", aliases=("Handi", "012345678905")), "POT", price, mapping)
    assert not isinstance(setup, tuple)
    assert (setup.product_name, setup.brand, setup.category, setup.product_id) == (
        "Pot 5L",
        "Prestige",
        "Home Decor, Kitchen, & Other",
        "00012345678905",
    )
    assert setup.price == Decimal("10.79")
    bare = TenantMapping(stock_groups={"Cookware": StockGroupMapping(list_on_walmart=True)})
    assert item_setup(item("Pan"), "PAN", None, bare) == (
        "gtin",
        "brand",
        "category",
        "sub_category",
        "short_description",
        "main_image_url",
        "shipping_weight_lb",
        "price",
    )
    assert eligible(item("Pan"), "PAN", bare)
    assert not eligible(item("Bowl", group="Storage"), "BOWL", bare)
