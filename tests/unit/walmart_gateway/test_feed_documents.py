"""Feed documents (shapes from walmart-api.md §3.1, §4, §5) and how batches split into feeds."""

from __future__ import annotations

import json
from decimal import Decimal

from mlc_shared.domain.walmart import InventoryUpdate, ItemSetup, PriceUpdate
from walmart_gateway.api.feeds import chunked, feed_file_name, json_size
from walmart_gateway.api.inventory import last_wins
from walmart_gateway.transport import json_body
from walmart_gateway.wire.catalog import (
    inventory_document,
    item_feed,
    multi_node_inventory_feed,
    price_feed,
)


def test_multi_node_feed_groups_nodes_under_their_sku() -> None:
    doc = multi_node_inventory_feed(
        [
            InventoryUpdate(sku="A", quantity=5, ship_node="N1"),
            InventoryUpdate(sku="B", quantity=0, ship_node="N1"),
            InventoryUpdate(sku="A", quantity=7, ship_node="N2"),
        ]
    )
    assert doc == {
        "inventoryHeader": {"version": "1.5"},
        "inventory": [
            {
                "sku": "A",
                "shipNodes": [
                    {"shipNode": "N1", "quantity": {"unit": "EACH", "amount": 5}},
                    {"shipNode": "N2", "quantity": {"unit": "EACH", "amount": 7}},
                ],
            },
            {
                "sku": "B",
                "shipNodes": [{"shipNode": "N1", "quantity": {"unit": "EACH", "amount": 0}}],
            },
        ],
    }


def test_amounts_leave_as_json_numbers_with_their_digits() -> None:
    doc = price_feed(
        [PriceUpdate(sku="S", amount=Decimal("19.99")), PriceUpdate(sku="T", amount=Decimal("3"))],
        "1.7",
    )
    text = json_body(doc).payload.decode()
    assert '"amount":19.99' in text
    assert '"amount":3}' in text
    assert json.loads(text)["PriceHeader"] == {"version": "1.7"}


def test_item_feed_header_and_entry() -> None:
    item = ItemSetup(
        sku="SKU-1",
        product_id="00012345678905",
        product_name="Blue Mug",
        brand="Acme",
        price=Decimal("12.99"),
        shipping_weight_lb=Decimal(1),
        category="Home Decor, Kitchen, & Other",
        sub_category="home_other",
        short_description="A mug",
        main_image_url="https://example.com/a.jpg",
        key_features=("Blue",),
    )
    doc = item_feed([item], "4.8")
    assert doc["MPItemFeedHeader"]["subCategory"] == "home_other"
    assert doc["MPItemFeedHeader"]["sellingChannel"] == "marketplace"
    (entry,) = doc["MPItem"]
    assert entry["Orderable"]["productIdentifiers"] == {
        "productIdType": "GTIN",
        "productId": "00012345678905",
    }
    assert entry["Visible"]["Home Decor, Kitchen, & Other"]["keyFeatures"] == ["Blue"]


def test_ten_thousand_skus_fit_one_feed() -> None:
    updates = [
        InventoryUpdate(sku=f"SKU-{n:05d}", quantity=n % 50, ship_node="N1") for n in range(10_000)
    ]
    chunks = list(
        chunked(
            updates,
            lambda u: json_size(inventory_document(u)) + 40,
            max_items=10_000,
            max_bytes=10_000_000,
        )
    )
    assert [len(c) for c in chunks] == [10_000]


def test_split_past_the_item_limit_and_past_the_size_limit() -> None:
    entries = list(range(25))
    assert [len(c) for c in chunked(entries, lambda _: 10, max_items=10, max_bytes=10**6)] == [
        10,
        10,
        5,
    ]
    # 512 bytes are kept for the header: 2,000 bytes hold 135 entries of 10 (+1) bytes
    assert [
        len(c) for c in chunked(list(range(300)), lambda _: 10, max_items=10_000, max_bytes=2_000)
    ] == [135, 135, 30]


def test_last_update_of_a_sku_and_node_wins() -> None:
    batch = last_wins(
        [
            InventoryUpdate(sku="A", quantity=1),
            InventoryUpdate(sku="A", quantity=2),
            InventoryUpdate(sku="A", quantity=3, ship_node="N"),
        ]
    )
    assert [(u.sku, u.ship_node, u.quantity) for u in batch] == [("A", None, 2), ("A", "N", 3)]


def test_feed_file_names_are_safe_and_stable() -> None:
    assert feed_file_name("3f1c/..//x y-MP_INVENTORY-0") == "mlc-3f1c_.._x_y-MP_INVENTORY-0.json"
