"""``GET /v3/report/payment/statement``: the open settlement cycle, aggregated from the same
rows the next recon report will hold (walmart-api.md §8.1, S1/S2 example)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from .context import SimContext
from .recon_rows import build_rows
from .settlement import pending
from .wire import money_number, to_date

_SALE_FIELDS = {
    "Product Price": "productPrice",
    "Shipping Price": "shipping",
    "Product tax": "productTaxCollected",
    "Shipping tax": "shippingTaxCollected",
    "Product tax withheld": "productTaxWithheld",
    "Shipping tax withheld": "shippingTaxWithheld",
    "Commission on Product": "netComm",
}


def _aggregate(rows: list[dict[str, str]], transaction_type: str) -> dict[str, float]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["Transaction Type"] != transaction_type:
            continue
        field = _SALE_FIELDS.get(row["Amount Type"])
        if field:
            sums[field] += Decimal(row["Amount"])
        sums["netPayable"] += Decimal(row["Amount"])
    sums["netTaxCollected"] = sums["productTaxCollected"] + sums["shippingTaxCollected"]
    sums["netTaxWithheld"] = sums["productTaxWithheld"] + sums["shippingTaxWithheld"]
    sums["totalBaseCommission"] = sums["netComm"]
    names = [
        *_SALE_FIELDS.values(),
        "netTaxCollected",
        "netTaxWithheld",
        "totalBaseCommission",
        "netPayable",
    ]
    return {name: money_number(sums[name]) for name in names}


def statement(ctx: SimContext) -> dict[str, Any]:
    today = to_date(ctx.clock.now_ms())
    rows, total = build_rows(ctx, pending(ctx), today, today)
    body = rows[1:]
    adjustments = sum(
        (Decimal(r["Amount"]) for r in body if r["Transaction Type"] == "Adjustment"), Decimal(0)
    )
    sales = _aggregate(body, "Sale")
    refunds = _aggregate(body, "Refund")
    last_end = max(
        (s.period_end_ms for s in ctx.state.settlements.values()), default=ctx.clock.now_ms()
    )
    return {
        "statusCode": 200,
        "status": "OK",
        "error": "",
        "partnerId": ctx.config.partner_id,
        "payload": {
            "accountSummary": {
                "openingBalance": 0.0,
                "orderActivity": money_number(
                    Decimal(str(sales["netPayable"])) + Decimal(str(refunds["netPayable"]))
                ),
                "walmartFulfillmentServices": 0.0,
                "otherActivities": money_number(adjustments),
                "reserve": 0.0,
                "paidToYou": 0.0,
                "closingBalance": money_number(total),
                "scheduledSettlementDate": (to_date(last_end) + timedelta(days=14)).isoformat(),
                "settleCycle": "Bi-weekly",
                "lastUpdatedDate": today.isoformat(),
            },
            "transactionDetails": {
                "saleAggregate": sales,
                "refundDetails": refunds,
                "adjustmentAggregate": {
                    "netPayable": money_number(adjustments),
                    "fwdShippingServiceFee": money_number(adjustments),
                },
            },
        },
    }
