"""The sheet's example bodies parse into the typed records, field by field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from walmart_gateway.client import parse_body
from walmart_gateway.errors import WalmartResponseInvalid
from walmart_gateway.transport import WalmartResponse
from walmart_gateway.wire.catalog import ItemsPage, PriceAnswer, SingleInventory, SkuInventories
from walmart_gateway.wire.feeds import FeedAccepted, FeedDetail, FeedList
from walmart_gateway.wire.orders import OrdersPage, line_status
from walmart_gateway.wire.recon import AvailableReconFiles, ReconJsonPage, rows_from_json
from walmart_gateway.wire.returns import ReturnsPage
from walmart_gateway.wire.webhooks import EventTypes, Subscriptions, TokenDetailWire

from tests.unit.walmart_gateway import sheet_examples as ex


def _ok(body: bytes) -> WalmartResponse:
    return WalmartResponse(status=200, headers={}, body=body, correlation_id="c")


def test_order_list_example_becomes_an_order_with_exact_amounts() -> None:
    page = parse_body(_ok(ex.ORDERS), OrdersPage)
    assert page.next_cursor is not None
    assert page.next_cursor.startswith("?limit=10&hasMoreElements")
    (order,) = [o.to_domain() for o in page.orders]
    assert order.purchase_order_id == "1796277083022"
    assert order.customer_order_id == "5281956426648"
    assert order.order_date == datetime(2019, 9, 14, 13, 9, 31, tzinfo=UTC)
    assert order.ship_node.type == "SellerFulfilled"
    assert order.ship_to_state == "NY"
    assert order.method_code == "Value"
    (line,) = order.lines
    assert (line.line_number, line.sku, line.quantity, line.status) == (
        "1",
        "test1",
        Decimal(1),
        "Created",
    )
    product, shipping = line.charges
    assert (product.charge_type, product.amount, product.tax_amount) == (
        "PRODUCT",
        Decimal("10.00"),
        Decimal("0.80"),
    )
    assert str(product.amount) == "10.00"  # exactly as Walmart wrote it, not 10.0
    assert (shipping.charge_type, shipping.amount, shipping.tax_amount) == (
        "SHIPPING",
        Decimal("5.00"),
        None,
    )
    assert line.status_date == datetime(2019, 9, 14, 13, 10, 47, tzinfo=UTC)


def test_released_order_with_empty_ship_node_list_is_tolerated() -> None:
    body = ex.ORDERS.replace(
        b'"shipNode":{"type":"SellerFulfilled","name":null,"id":null}', b'"shipNode":[]'
    )
    (order,) = [o.to_domain() for o in parse_body(_ok(body), OrdersPage).orders]
    assert order.ship_node.type == "SellerFulfilled"


def test_single_object_where_a_list_is_expected_is_tolerated() -> None:
    body = ex.ORDERS.replace(b'"orderLine":[{', b'"orderLine":{').replace(
        b'"shippingProgramType":null}}]}', b'"shippingProgramType":null}}}'
    )
    (order,) = [o.to_domain() for o in parse_body(_ok(body), OrdersPage).orders]
    assert [line.sku for line in order.lines] == ["test1"]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((), "Created"),
        (("Created",), "Created"),
        (("Cancelled",), "Cancelled"),
        (("Cancelled", "Cancelled"), "Cancelled"),
        (("Shipped", "Cancelled"), "Shipped"),
        (("Acknowledged", "Shipped"), "Shipped"),
    ],
)
def test_line_status_of_mixed_statuses(statuses: tuple[str, ...], expected: str) -> None:
    assert line_status(statuses) == expected


def test_feed_examples() -> None:
    accepted = parse_body(_ok(ex.FEED_ACCEPTED), FeedAccepted)
    assert accepted.feedId.endswith("@AU8BAQA")
    listing = parse_body(_ok(ex.FEED_LIST), FeedList)
    assert [f.fileName for f in listing.feeds] == ["item.json"]
    detail = parse_body(_ok(ex.FEED_DETAIL), FeedDetail)
    status = detail.to_domain(tuple(i.to_domain() for i in detail.items))
    assert status.complete
    assert status.items_failed == 1
    ok, bad = status.results
    assert ok.ok
    assert ok.sku == "SKU-1"
    assert ok.status == "SUCCESS"
    assert not bad.ok
    assert bad.error_codes == ("ERR_PDI_0047",)
    assert not bad.retryable
    assert bad.error is not None
    assert "check-digit" in bad.error


def test_ingestion_error_as_single_object_and_retryable_status() -> None:
    body = (
        ex.FEED_DETAIL.replace(
            b'"ingestionStatus":"DATA_ERROR"', b'"ingestionStatus":"SYSTEM_ERROR"'
        )
        .replace(
            b'"ingestionError":[{"type":"DATA_ERROR"', b'"ingestionError":{"type":"DATA_ERROR"'
        )
        .replace(b'product ID"}]}}]}}', b'product ID"}}}]}}')
    )
    detail = parse_body(_ok(body), FeedDetail)
    bad = detail.items[1].to_domain()
    assert bad.retryable
    assert bad.error_codes == ("ERR_PDI_0047",)


def test_items_example() -> None:
    page = parse_body(_ok(ex.ITEMS), ItemsPage)
    (item,) = [i.to_domain() for i in page.ItemResponse]
    assert item.sku == "SKU-1"
    assert item.upc is None
    assert item.gtin == "06932096330348"
    assert item.price == Decimal(3)
    assert item.published_status == "PUBLISHED"
    assert item.unpublished_reasons == ("Reasonable price not satisfied",)
    assert page.nextCursor == "AoE/GjA0YmQ+xyz="


def test_price_and_inventory_examples() -> None:
    assert parse_body(_ok(ex.PRICE_ANSWER), PriceAnswer).ItemPriceResponse.sku == "SKU-1"
    assert parse_body(_ok(ex.INVENTORY), SingleInventory).quantity.amount == 10
    (level,) = parse_body(_ok(ex.INVENTORIES_SKU), SkuInventories).to_domain()
    assert (level.ship_node, level.input_qty, level.avail_to_sell_qty, level.reserved_qty) == (
        "100009",
        5,
        3,
        2,
    )


def test_returns_example() -> None:
    page = parse_body(_ok(ex.RETURNS), ReturnsPage)
    assert page.next_cursor == "?sellerId=151&limit=10&offset=10"
    (ret,) = [r.to_domain() for r in page.returnOrders]
    assert ret.return_order_id == "103738048909818825"
    assert ret.return_order_date == datetime(2019, 2, 21, 1, 1, 8, tzinfo=UTC)
    assert ret.total_refund_amount == Decimal("127.45")
    (line,) = ret.lines
    assert (line.sku, line.purchase_order_id, line.quantity, line.line_total) == (
        "ANTL-0700",
        "4790210558890",
        Decimal(1),
        Decimal("127.45"),
    )
    (charge,) = line.charges
    assert (charge.amount_per_unit, charge.tax_per_unit) == (Decimal("119.95"), Decimal("7.5"))


def test_recon_examples() -> None:
    dates = parse_body(_ok(ex.RECON_DATES), AvailableReconFiles)
    assert dates.availableApReportDates == ["07032018", "07012018"]
    page = parse_body(_ok(ex.RECON_JSON), ReconJsonPage)
    summary, sale = rows_from_json(page, 0)
    assert summary.transaction_type == "PaymentSummary"
    assert summary.total_payable == Decimal("0.74")
    assert summary.period_start_date == date(2025, 12, 11)
    assert sale.amount == Decimal("14.98")
    assert sale.purchase_order_id == "1803550130406"
    assert sale.period_start_date is None  # Walmart's "\"\"" for an empty cell
    assert sale.partner_item_id == "sku-123"
    assert page.nextOffset == 973


def test_webhook_and_token_examples() -> None:
    (sub,) = parse_body(_ok(ex.SUBSCRIPTIONS_CREATED), Subscriptions).events
    assert sub.to_domain().subscription_id == "620b45a0-b321-11ea-ac13-1f88d6025b7d"
    schema_named = ex.SUBSCRIPTIONS_CREATED.replace(b'"events"', b'"event"')
    assert parse_body(_ok(schema_named), Subscriptions).events[0].eventType == "PO_CREATED"
    assert parse_body(_ok(ex.EVENT_TYPES), EventTypes).events[0].eventType == "PO_CREATED"
    detail = parse_body(_ok(ex.TOKEN_DETAIL), TokenDetailWire)
    assert detail.scopes["price"] == "no_access"
    assert detail.is_valid
    assert detail.expires == datetime.fromtimestamp(1560973098, tz=UTC)


def test_a_body_of_another_shape_is_a_clear_error() -> None:
    with pytest.raises(WalmartResponseInvalid, match="OrdersPage"):
        parse_body(_ok(b'{"orders": []}'), OrdersPage)
    with pytest.raises(WalmartResponseInvalid, match="not JSON"):
        parse_body(_ok(b"<html>gateway</html>"), OrdersPage)
