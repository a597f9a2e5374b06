"""Reconciliation reports generated from the account's money movements (walmart-api.md §8)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from walmart_sim import WalmartSimulator

from .client import Admin, WalmartClient
from .conftest import line, new_order
from .test_order_actions import refund, shipment

OCTET = {"Accept": "application/octet-stream"}


def in_days(sim: WalmartSimulator, days: int) -> date:
    return (
        datetime.fromtimestamp(sim.ctx.clock.now_ms() / 1000, tz=UTC) + timedelta(days=days)
    ).date()


async def settle(admin: Admin, sim: WalmartSimulator) -> dict[str, Any]:
    closed: dict[str, Any] = await admin.post(
        "/settlements/close", {"report_date": in_days(sim, 3).isoformat()}
    )
    return closed


async def busy_period(wm: WalmartClient, admin: Admin) -> None:
    """Two shipped orders (one with a label fee and shipping), a partial order refund, a
    refunded return, and a cancelled line that must never appear."""
    first = (
        await new_order(
            admin, line("SKU-1", 2, unit_shipping="3.00", unit_shipping_tax="0.24"), label_fee=True
        )
    )["purchaseOrderId"]
    await wm.post(f"/v3/orders/{first}/shipping", json=shipment("1", 2))
    await wm.post(f"/v3/orders/{first}/refund", json=refund("1", -5.0, tax=-0.40))
    second = await new_order(
        admin, line("SKU-2", 1, status="Delivered"), line("SKU-1", 1, status="Cancelled")
    )
    ret = await admin.post(
        "/returns",
        {"purchase_order_id": second["purchaseOrderId"], "lines": [{"line_number": "1"}]},
    )
    body = {
        "customerOrderId": ret["customerOrderId"],
        "refundLines": [{"returnOrderLineNumber": 1}],
    }
    assert (
        await wm.post(f"/v3/returns/{ret['returnOrderId']}/refund", json=body)
    ).status_code == 200


def parse_zip(content: bytes) -> tuple[list[str], list[dict[str, str]], list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        (name,) = archive.namelist()
        text = archive.read(name).decode()
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    data = [dict(zip(header, r, strict=True)) for r in rows[1:] if len(r) == len(header)]
    return header, data, [r for r in rows[1:] if len(r) != len(header)]


async def test_available_dates_are_mmddyyyy(
    wm: WalmartClient, admin: Admin, sim: WalmartSimulator
) -> None:
    assert (
        await wm.get("/v3/report/reconreport/availableReconFiles", params={"reportVersion": "v1"})
    ).json() == {"availableApReportDates": []}
    closed = await settle(admin, sim)
    dates = (
        await wm.get("/v3/report/reconreport/availableReconFiles", params={"reportVersion": "v1"})
    ).json()["availableApReportDates"]
    assert dates == [closed["report_date"]] == [in_days(sim, 3).strftime("%m%d%Y")]
    assert (
        await wm.get("/v3/report/reconreport/availableReconFiles", params={"reportVersion": "v2"})
    ).status_code == 404


async def test_recon_zip_rows_sum_to_total_payable_and_match_the_orders(
    wm: WalmartClient, admin: Admin, catalog: object, sim: WalmartSimulator
) -> None:
    await busy_period(wm, admin)
    closed = await settle(admin, sim)
    response = await wm.get(
        "/v3/report/reconreport/reconFile",
        params={"reportDate": closed["report_date"], "reportVersion": "v1"},
        headers=OCTET,
    )
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert response.headers["content-disposition"].startswith("attachment; filename=10000012345_")
    header, rows, odd = parse_zip(response.content)
    assert header[:4] == ["Period Start Date", "Period End Date", "Total Payable", "Currency"]
    assert header[-1] == "Item Condition"
    assert len(header) == 38
    assert odd == [[f"Number of Lines in file {len(rows)}"]]
    summary = [r for r in rows if r["Transaction Type"] == "PaymentSummary"]
    assert len(summary) == 1
    assert summary[0]["Purchase Order #"] == ""
    total = sum(Decimal(r["Amount"]) for r in rows if r["Amount"])
    assert total == Decimal(summary[0]["Total Payable"]) == Decimal(closed["total_payable"])

    def amounts(kind: str, amount_type: str) -> list[Decimal]:
        return [
            Decimal(r["Amount"])
            for r in rows
            if r["Transaction Type"] == kind and r["Amount Type"] == amount_type
        ]

    assert sorted(amounts("Sale", "Product Price")) == [Decimal("20.00"), Decimal("25.00")]
    assert (
        sum(amounts("Sale", "Product tax"))
        == -sum(amounts("Sale", "Product tax withheld"))
        == Decimal("2.40")
    )
    assert sorted(amounts("Sale", "Commission on Product")) == [Decimal("-3.75"), Decimal("-3.00")]
    assert amounts("Sale", "Shipping Price") == [Decimal("6.00")]
    assert sorted(amounts("Refund", "Product Price")) == [Decimal("-25.00"), Decimal("-5.00")]
    assert sorted(amounts("Refund", "Commission on Product")) == [Decimal("0.75"), Decimal("3.75")]
    assert amounts("Adjustment", "Fee/Reimbursement") == [Decimal("-4.25")]
    expected = (
        Decimal("20")
        + Decimal("25")
        - Decimal("3.75")
        - Decimal("3.00")
        + Decimal("6")
        - Decimal("5")
        - Decimal("25")
        + Decimal("0.75")
        + Decimal("3.75")
        - Decimal("4.25")
    )
    assert total == expected
    sale = next(
        r
        for r in rows
        if r["Amount Type"] == "Product Price"
        and r["Partner Item Id"] == "SKU-1"
        and r["Transaction Type"] == "Sale"
    )
    assert (sale["Ship Qty"], sale["Commission Rate"], sale["Fulfillment Type"]) == (
        "2",
        "15",
        "Seller Fulfilled",
    )
    assert len(sale["Transaction Key"].split("_")) == 4
    assert datetime.strptime(sale["Transaction Posted Timestamp"], "%m/%d/%Y")
    keys = [(r["Transaction Key"], r["Amount Type"]) for r in rows if r["Transaction Key"]]
    assert len(keys) == len(set(keys))  # (reportDate, key, amount type) is unique (§8.3)


async def test_commission_rate_is_configurable_and_line_count_row_switchable(
    wm: WalmartClient, admin: Admin, catalog: object, sim: WalmartSimulator
) -> None:
    await admin.patch(
        "/config",
        {
            "commission_rates_by_category": {"Apparel & Accessories": "12"},
            "recon_line_count_row": False,
        },
    )
    await new_order(admin, line("SKU-2", 1, status="Shipped"))
    closed = await settle(admin, sim)
    response = await wm.get(
        "/v3/report/reconreport/reconFile",
        params={"reportDate": closed["report_date"], "reportVersion": "v1"},
        headers=OCTET,
    )
    _, rows, odd = parse_zip(response.content)
    assert odd == []
    commission = next(r for r in rows if r["Amount Type"] == "Commission on Product")
    assert (commission["Amount"], commission["Commission Rate"]) == ("-3.00", "12")


async def test_json_pages_follow_byte_offsets_to_minus_one(
    wm: WalmartClient, admin: Admin, catalog: object, sim: WalmartSimulator
) -> None:
    await busy_period(wm, admin)
    closed = await settle(admin, sim)
    csv_rows = parse_zip(
        (
            await wm.get(
                "/v3/report/reconreport/reconFile",
                params={"reportDate": closed["report_date"], "reportVersion": "v1"},
                headers=OCTET,
            )
        ).content
    )[1]
    offset, pages, rows = 0, 0, []
    while offset != -1:
        page = (
            await wm.get(
                "/v3/report/reconreport/reconFileJson",
                params={"reportDate": closed["report_date"], "offset": offset, "noOfRecords": 4},
            )
        ).json()
        assert page["totalRecords"] == len(page["reportData"]) <= 4
        assert page["description"].strip() == f"Number of Lines in file {len(csv_rows)}"
        assert all(isinstance(v, str) for row in page["reportData"] for v in row.values())
        rows += page["reportData"]
        assert page["nextOffset"] == -1 or page["nextOffset"] > offset
        offset = page["nextOffset"]
        pages += 1
    assert pages == -(-len(csv_rows) // 4)
    assert rows == [{k: v for k, v in r.items() if v} for r in csv_rows]
    missing = await wm.get(
        "/v3/report/reconreport/reconFileJson",
        params={"reportDate": closed["report_date"], "offset": 0},
    )
    assert missing.status_code == 400
    assert (
        await wm.get(
            "/v3/report/reconreport/reconFileJson",
            params={"reportDate": closed["report_date"], "offset": 7, "noOfRecords": 4},
        )
    ).status_code == 400
    assert (
        await wm.get(
            "/v3/report/reconreport/reconFileJson",
            params={"reportDate": closed["report_date"], "offset": 0, "noOfRecords": 1001},
        )
    ).status_code == 400


async def test_json_row_cap_switch_accepts_only_offset_zero(
    wm: WalmartClient, admin: Admin, catalog: object, sim: WalmartSimulator
) -> None:
    await busy_period(wm, admin)
    closed = await settle(admin, sim)
    await admin.patch("/config", {"recon_json_row_cap": True})
    page = (
        await wm.get(
            "/v3/report/reconreport/reconFileJson",
            params={"reportDate": closed["report_date"], "offset": 0, "noOfRecords": 3},
        )
    ).json()
    assert page["nextOffset"] == -1
    assert len(page["reportData"]) == 3
    refused = await wm.get(
        "/v3/report/reconreport/reconFileJson",
        params={"reportDate": closed["report_date"], "offset": 100, "noOfRecords": 3},
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["error"][0]["code"] == "INVALID_OFFSET"


async def test_recon_file_errors(wm: WalmartClient, admin: Admin, sim: WalmartSimulator) -> None:
    unknown = await wm.get(
        "/v3/report/reconreport/reconFile",
        params={"reportDate": "01012001", "reportVersion": "v1"},
        headers=OCTET,
    )
    assert unknown.status_code == 400
    assert unknown.text.startswith("<?xml")
    closed = await settle(admin, sim)
    as_csv = await wm.get(
        "/v3/report/reconreport/reconFile",
        params={"reportDate": closed["report_date"]},
        headers={"Accept": "text/csv"},
    )
    assert as_csv.status_code == 406
    await admin.patch("/config", {"recon_errors_as_200": True})
    soft = await wm.get(
        "/v3/report/reconreport/reconFile",
        params={"reportDate": "01012001", "reportVersion": "v1"},
        headers=OCTET,
    )
    assert soft.status_code == 200
    assert soft.content[:2] != b"PK"


async def test_payment_statement_aggregates_the_open_period(
    wm: WalmartClient, admin: Admin, catalog: object
) -> None:
    await busy_period(wm, admin)
    pending = await admin.get("/settlements/pending")
    body = (await wm.get("/v3/report/payment/statement")).json()
    assert body["status"] == "OK"
    summary = body["payload"]["accountSummary"]
    assert Decimal(str(summary["closingBalance"])) == Decimal(pending["total_payable"])
    assert body["payload"]["transactionDetails"]["saleAggregate"]["productPrice"] == 45.0
    assert body["payload"]["transactionDetails"]["adjustmentAggregate"]["netPayable"] == -4.25
