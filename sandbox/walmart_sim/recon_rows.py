"""The rows of a v1 reconciliation report, generated from settled transactions.

Rules (walmart-api.md §8.3; listed in docs/walmart-simulator.md):

* Sale (``Purchase``): ``Product Price`` +, ``Product tax`` +, ``Product tax withheld`` (-)
  (Walmart is the marketplace facilitator, the two cancel), ``Commission on Product`` (-)
  (product amount times the category's commission rate, rounded half-up to the cent); with the
  ``recon_shipping_rows`` switch also ``Shipping Price`` +, ``Shipping tax`` +,
  ``Shipping tax withheld`` (-).
* Refund (``Return Refund`` for return refunds, ``Seller Initiated Returns`` for order-line
  refunds): the same amount types with opposite signs; the commission is given back at the
  same rate.
* Adjustment ``Fee/Reimbursement`` (``Walmart Shipping Label Service Charge``) (-).
* One ``PaymentSummary`` row first, without order numbers, carrying ``Total Payable`` (the
  exact sum of every ``Amount``) and the period dates.

All values are strings; blank columns are empty.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .context import SimContext
from .models import Item, Order, Transaction
from .wire import cents, money_text, to_date, us_date

COLUMNS: tuple[str, ...] = (
    "Period Start Date", "Period End Date", "Total Payable", "Currency", "Transaction Key",
    "Transaction Posted Timestamp", "Transaction Type", "Transaction Description",
    "Customer Order #", "Customer Order line #", "Purchase Order #", "Purchase Order line #",
    "Amount", "Amount Type", "Ship Qty", "Commission Rate", "Base Commission Rate",
    "Transaction Reason Description", "Partner Item Id", "Partner GTIN", "Partner Item Name",
    "Product Tax Code", "Ship to State", "Ship to City", "Ship to Zipcode", "Contract Category",
    "Product Type", "Commission Rule", "Shipping Method", "Fulfillment Type",
    "Fulfillment Details", "Original Commission", "Commission Incentive Program",
    "Commission Saving", "Customer Promo Type", "Total Walmart Funded Savings Program",
    "Campaign Id", "Item Condition",
)  # fmt: skip
"""v1 column order (walmart-api.md §8.2)."""

_SHIPPING_METHOD = {"Value": "Marketplace value", "Standard": "standard", "Express": "expedited"}


def commission_rate(ctx: SimContext, item: Item | None) -> Decimal:
    if item is not None and item.category in ctx.config.commission_rates_by_category:
        return ctx.config.commission_rates_by_category[item.category]
    return ctx.config.commission_rate_percent


def _rate_text(rate: Decimal) -> str:
    return format(rate.normalize(), "f")


def _order_columns(ctx: SimContext, txn: Transaction, order: Order | None) -> dict[str, str]:
    posted = to_date(txn.posted_ms)
    cols = {
        "Currency": "USD",
        "Transaction Key": f"{posted:%Y_%m_%d}_{txn.key_seq}",
        "Transaction Posted Timestamp": us_date(posted),
        "Transaction Description": txn.description,
        "Purchase Order #": txn.purchase_order_id,
    }
    if order is None:
        return cols
    line = order.line(txn.line_number) if txn.line_number else None
    cols.update(
        {
            "Customer Order #": order.customer_order_id,
            "Ship to State": order.address.get("state") or "",
            "Ship to City": order.address.get("city") or "",
            "Ship to Zipcode": order.address.get("postalCode") or "",
            "Shipping Method": _SHIPPING_METHOD.get(order.method_code, order.method_code.lower()),
            "Fulfillment Type": "Walmart-fulfilled(WFS)"
            if order.ship_node_type == "WFSFulfilled"
            else "Seller Fulfilled",
            "Fulfillment Details": "Delivery",
        }
    )
    if line is None:
        return cols
    item = ctx.state.items.get(line.sku)
    rate = _rate_text(commission_rate(ctx, item))
    cols.update(
        {
            "Customer Order line #": line.line_number,
            "Purchase Order line #": line.line_number,
            "Partner Item Id": line.sku,
            "Partner Item Name": line.product_name,
            "Commission Rate": rate,
            "Base Commission Rate": rate,
            "Item Condition": "New",
        }
    )
    if item is not None:
        cols.update(
            {
                "Partner GTIN": item.gtin,
                "Product Tax Code": item.product_tax_code,
                "Contract Category": item.category,
                "Product Type": item.product_type,
            }
        )
    if txn.kind == "sale":
        cols["Ship Qty"] = str(txn.quantity)
    return cols


def _amounts(ctx: SimContext, txn: Transaction, item: Item | None) -> list[tuple[str, Decimal]]:
    if txn.kind == "label_fee":
        return [("Fee/Reimbursement", txn.fee)]
    rate = commission_rate(ctx, item)
    commission = cents(abs(txn.product) * rate / 100)
    sign = Decimal(1) if txn.kind == "sale" else Decimal(-1)
    amounts = [("Product Price", txn.product)]
    if txn.product_tax:
        amounts += [("Product tax", txn.product_tax), ("Product tax withheld", -txn.product_tax)]
    if commission:
        amounts.append(("Commission on Product", -sign * commission))
    if ctx.config.recon_shipping_rows and txn.shipping:
        amounts.append(("Shipping Price", txn.shipping))
        if txn.shipping_tax:
            amounts += [
                ("Shipping tax", txn.shipping_tax),
                ("Shipping tax withheld", -txn.shipping_tax),
            ]
    return [(kind, cents(value)) for kind, value in amounts if value]


_TYPE = {
    "sale": "Sale",
    "order_refund": "Refund",
    "return_refund": "Refund",
    "label_fee": "Adjustment",
}


def build_rows(
    ctx: SimContext, txns: list[Transaction], start: date, end: date
) -> tuple[list[dict[str, str]], Decimal]:
    body: list[dict[str, str]] = []
    total = Decimal("0.00")
    for txn in sorted(txns, key=lambda t: (t.posted_ms, t.key_seq)):
        order = ctx.state.orders.get(txn.purchase_order_id)
        line = order.line(txn.line_number) if order and txn.line_number else None
        item = ctx.state.items.get(line.sku) if line else None
        base = _order_columns(ctx, txn, order)
        for amount_type, amount in _amounts(ctx, txn, item):
            row = dict.fromkeys(COLUMNS, "")
            row.update(base)
            row["Transaction Type"] = _TYPE[txn.kind]
            row["Amount Type"] = amount_type
            row["Amount"] = money_text(amount)
            body.append(row)
            total += amount
    summary = dict.fromkeys(COLUMNS, "")
    summary.update(
        {
            "Period Start Date": us_date(start),
            "Period End Date": us_date(end),
            "Total Payable": money_text(total),
            "Currency": "USD",
            "Transaction Type": "PaymentSummary",
            "Transaction Description": "Deposited in account",
            "Transaction Posted Timestamp": us_date(end),
        }
    )
    return [summary, *body], total
