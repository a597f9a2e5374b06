"""Reconciliation CSV inside the zip: by header name, line-count row skipped, nothing lost."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from walmart_gateway.wire.recon import (
    NotAReconFile,
    ReconParseError,
    csv_from_zip,
    parse_csv,
    report_day,
)

HEADER = (
    "Period Start Date,Period End Date,Total Payable,Currency,Transaction Key,"
    "Transaction Posted Timestamp,Transaction Type,Transaction Description,"
    "Customer Order #,Customer Order line #,Purchase Order #,Purchase Order line #,Amount,"
    "Amount Type,Ship Qty,Commission Rate,Partner Item Id,Brand New Column"
)
CSV = "\n".join(
    [
        HEADER,
        "Number of Lines in file 3,,,,,,,,,,,,,,,,,",
        "4/1/2026,4/14/2026,25.37,USD,,4/16/2026,PaymentSummary,Deposited in account,,,,,,,,,,",
        ",,,USD,2026_04_30_1387066,4/30/2026,Sale,Purchase,6222001976751,1,1803550130406,1,"
        '"1,014.98",Product Price,1,15%,SKU-1,x',
        ",,,USD,2026_04_30_1387066,4/30/2026,Sale,Purchase,6222001976751,1,1803550130406,1,"
        "-152.25,Commission on Product,,15,SKU-1,",
        "",
    ]
)


def _zip(text: str, name: str = "100009_20260430.csv") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text.encode("utf-8-sig"))
    return buffer.getvalue()


def test_rows_by_header_name_and_the_line_count_row_skipped() -> None:
    rows, declared = parse_csv(csv_from_zip(_zip(CSV)))
    assert declared == 3
    summary, sale, commission = rows
    assert summary.transaction_type == "PaymentSummary"
    assert summary.total_payable == Decimal("25.37")
    assert summary.period_start_date == date(2026, 4, 1)
    assert sale.amount == Decimal("1014.98")
    assert sale.amount_type == "Product Price"
    assert sale.commission_rate == Decimal(15)
    assert sale.transaction_posted_date == date(2026, 4, 30)
    assert sale.partner_item_id == "SKU-1"
    assert sale.purchase_order_line == "1"
    assert sale.other_columns == (("Brand New Column", "x"),)
    assert commission.amount == Decimal("-152.25")
    assert commission.ship_qty is None


def test_columns_in_another_order_read_the_same() -> None:
    header = HEADER.split(",")
    order = list(reversed(range(len(header))))
    sale = [
        "",
        "",
        "",
        "USD",
        "K1",
        "4/30/2026",
        "Sale",
        "Purchase",
        "C1",
        "1",
        "P1",
        "1",
        "14.98",
        "Product Price",
        "1",
        "15",
        "SKU-1",
        "",
    ]
    text = "\n".join([",".join(header[i] for i in order), ",".join(sale[i] for i in order)])
    (row,), _ = parse_csv(text)
    assert (row.amount, row.purchase_order_id, row.partner_item_id) == (
        Decimal("14.98"),
        "P1",
        "SKU-1",
    )


def test_a_bad_value_names_its_line_and_column() -> None:
    bad = CSV.replace("-152.25", "lots")
    with pytest.raises(ReconParseError, match=r"CSV line 5: column 'Amount' value 'lots'"):
        parse_csv(bad)


@pytest.mark.parametrize(
    "body", [b'{"errors":{"error":[{"code":"INVALID_REPORT_DATE"}]}}', b"PK\x03\x04broken"]
)
def test_not_a_zip_is_told_apart(body: bytes) -> None:
    with pytest.raises(NotAReconFile):
        csv_from_zip(body)


def test_a_csv_without_a_v1_header_is_not_a_report() -> None:
    with pytest.raises(NotAReconFile):
        parse_csv("Walmart.com Order #,Walmart.com PO #\n1,2\n")


def test_report_day() -> None:
    assert report_day("07012018") == date(2018, 7, 1)
    with pytest.raises(ValueError, match="MMDDYYYY"):
        report_day("20201105x")
