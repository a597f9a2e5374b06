"""Reconciliation reports (walmart-api.md §8) -> ``domain.walmart.ReconRow``.

Both sources use the CSV header names as keys (§8.1 JSON "keys are the CSV header names"),
so one mapping serves both, by name and never by position (§8.2: columns are appended over
time). The "Number of Lines in file N" row is skipped wherever it appears, and N kept.
"""

from __future__ import annotations

import csv
import io
import lzma
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from mlc_shared.domain.walmart import ReconRow
from walmart_gateway.wire.common import Wire, blank_to_none, decimal_or_none, us_date

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"  # an archive with no member: its end record comes first
MAX_CSV_BYTES = 256 * 1024 * 1024
"""The most the CSV inside the zip may unpack to. A two-week report of a busy seller is tens
of megabytes; a zip bomb (a few kilobytes that inflate to gigabytes) is refused at this size
instead of filling the gateway's memory."""
MAX_DECLARED_LINES = 10**9
_LINES_RE = re.compile(r"^\s*Number of Lines in file\s*(\d+)?", re.I)
# What zipfile raises on a damaged or hostile archive besides BadZipFile (tests/badinput
# fuzzes it): bad deflate/LZMA/BZIP2 data, a cut-off member, an unsupported method or
# version, an encrypted member, offsets pointing before the start, undecodable names.
_DAMAGED_ZIP = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)


class ReconParseError(ValueError):
    """A row or value of the report cannot be read (the file itself is a report)."""


class NotAReconFile(ReconParseError):
    """The body is not a report at all (no zip, a damaged zip, no v1 header)."""


def _pct(value: str | None) -> Decimal | None:
    return decimal_or_none(value.replace("%", "") if value else value)


_Conv = Callable[[str | None], Any]
# CSV header (§8.2 column list) -> (ReconRow field, converter).
COLUMNS: dict[str, tuple[str, _Conv]] = {
    "Period Start Date": ("period_start_date", us_date),
    "Period End Date": ("period_end_date", us_date),
    "Total Payable": ("total_payable", decimal_or_none),
    "Currency": ("currency", blank_to_none),
    "Transaction Key": ("transaction_key", blank_to_none),
    "Transaction Posted Timestamp": ("transaction_posted_date", us_date),
    "Transaction Type": ("transaction_type", blank_to_none),
    "Transaction Description": ("transaction_description", blank_to_none),
    "Customer Order #": ("customer_order_id", blank_to_none),
    "Customer Order line #": ("customer_order_line", blank_to_none),
    "Purchase Order #": ("purchase_order_id", blank_to_none),
    "Purchase Order line #": ("purchase_order_line", blank_to_none),
    "Amount": ("amount", decimal_or_none),
    "Amount Type": ("amount_type", blank_to_none),
    "Ship Qty": ("ship_qty", decimal_or_none),
    "Commission Rate": ("commission_rate", _pct),
    "Base Commission Rate": ("base_commission_rate", _pct),
    "Transaction Reason Description": ("transaction_reason_description", blank_to_none),
    "Partner Item Id": ("partner_item_id", blank_to_none),
    "Partner GTIN": ("partner_gtin", blank_to_none),
    "Partner Item Name": ("partner_item_name", blank_to_none),
    "Product Tax Code": ("product_tax_code", blank_to_none),
    "Ship to State": ("ship_to_state", blank_to_none),
    "Ship to City": ("ship_to_city", blank_to_none),
    "Ship to Zipcode": ("ship_to_zipcode", blank_to_none),
    "Contract Category": ("contract_category", blank_to_none),
    "Product Type": ("product_type", blank_to_none),
    "Commission Rule": ("commission_rule", blank_to_none),
    "Shipping Method": ("shipping_method", blank_to_none),
    "Fulfillment Type": ("fulfillment_type", blank_to_none),
    "Fulfillment Details": ("fulfillment_details", blank_to_none),
    "Original Commission": ("original_commission", decimal_or_none),
    "Commission Incentive Program": ("commission_incentive_program", blank_to_none),
    "Commission Saving": ("commission_saving", decimal_or_none),
    "Customer Promo Type": ("customer_promo_type", blank_to_none),
    "Total Walmart Funded Savings Program": ("total_walmart_funded_savings_program", blank_to_none),
    "Campaign Id": ("campaign_id", blank_to_none),
    "Item Condition": ("item_condition", blank_to_none),
    "Original charge": ("original_charge", decimal_or_none),
    "Charge Savings": ("charge_savings", decimal_or_none),
    "Incentive Program Name": ("incentive_program_name", blank_to_none),
    "Ship to country": ("ship_to_country", blank_to_none),
}


def _key(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).lower()


_BY_KEY = {_key(header): spec for header, spec in COLUMNS.items()}


def declared_lines(text: str | None) -> int | None:
    match = _LINES_RE.match(text or "")
    if not match or not match.group(1):
        return None
    digits = match.group(1).lstrip("0") or "0"
    if len(digits) > len(str(MAX_DECLARED_LINES)) or int(digits) > MAX_DECLARED_LINES:
        shown = digits if len(digits) <= 20 else f"{digits[:20]}... ({len(digits)} digits)"
        raise ReconParseError(f"'Number of Lines in file {shown}' is not a line count")
    return int(digits)


def is_line_count(cells: Iterable[str | None]) -> bool:
    first = next((c for c in cells if c and c.strip()), "")
    return bool(_LINES_RE.match(first))


def row_from_mapping(values: Mapping[str, str | None], where: str) -> ReconRow:
    fields: dict[str, Any] = {}
    other: list[tuple[str, str]] = []
    for header, raw in values.items():
        if header is None:
            continue
        spec = _BY_KEY.get(_key(header))
        if spec is None:
            if raw not in (None, "", '""'):
                other.append((header.strip(), str(raw)))
            continue
        name, convert = spec
        try:
            fields[name] = convert(None if raw is None else str(raw))
        except (ValueError, ArithmeticError) as exc:
            raise ReconParseError(
                f"{where}: column {header.strip()!r} value {raw!r}: {exc}"
            ) from None
    return ReconRow(**fields, other_columns=tuple(other))


def parse_csv(text: str) -> tuple[list[ReconRow], int | None]:
    """Rows of the v1 CSV and the N of its "Number of Lines in file N" row, if any."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if header is None:
            raise NotAReconFile("the CSV is empty: not even a header row")
        if not any(_key(h) in _BY_KEY for h in header):
            raise NotAReconFile(f"the first CSV row is not a v1 header: {header[:4]!r}")
        return _rows(reader, header)
    except csv.Error as exc:  # e.g. a cell over csv's field limit (128 KiB)
        raise ReconParseError(f"CSV line {reader.line_num}: {exc}") from None


def _rows(reader: Iterable[list[str]], header: list[str]) -> tuple[list[ReconRow], int | None]:
    rows: list[ReconRow] = []
    declared: int | None = None
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if is_line_count(cells):
            declared = declared_lines(next(c for c in cells if c.strip()))
            continue
        if len(cells) > len(header):
            raise ReconParseError(
                f"CSV line {number} has {len(cells)} cells for {len(header)} columns"
            )
        rows.append(row_from_mapping(dict(zip(header, cells, strict=False)), f"CSV line {number}"))
    return rows, declared


def csv_from_zip(body: bytes) -> str:
    """The one CSV inside ``reconFile``'s zip (§8.1), decoded."""
    if not body.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        raise NotAReconFile(
            "reconFile did not answer with a zip (an error body with HTTP 200 "
            "happens, §8.1): " + body[:120].decode("utf-8", "replace")
        )
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            members = [i for i in archive.infolist() if not i.filename.endswith("/")]
            csvs = [i for i in members if i.filename.lower().endswith(".csv")] or members
            if not csvs:
                raise NotAReconFile("the reconFile zip is empty")
            if len(csvs) > 1:
                names = ", ".join(repr(i.filename) for i in csvs[:5])
                raise NotAReconFile(
                    f"the reconFile zip holds {len(csvs)} files ({names}); §8.1 says one CSV"
                )
            raw = _unpacked(archive, csvs[0])
    except NotAReconFile:
        raise
    except _DAMAGED_ZIP as exc:
        raise NotAReconFile(
            f"the reconFile zip is damaged: {type(exc).__name__}: {exc or 'cut off'}"
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _unpacked(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """The member's bytes, read no further than :data:`MAX_CSV_BYTES` whatever its header
    claims."""
    too_big = NotAReconFile(
        f"the CSV in the reconFile zip unpacks to more than {MAX_CSV_BYTES // 2**20} MiB "
        f"({member.compress_size} bytes packed): refused as a zip bomb"
    )
    if member.file_size > MAX_CSV_BYTES:
        raise too_big
    with archive.open(member) as stream:
        raw = stream.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise too_big
    return raw


class ReconJsonPage(Wire):
    """``GET /v3/report/reconreport/reconFileJson`` (§8.1): all values are strings."""

    reportData: list[dict[str, Any]] = []
    nextOffset: int | None = None
    totalRecords: int | None = None
    description: str | None = None


def rows_from_json(page: ReconJsonPage, first_index: int) -> list[ReconRow]:
    rows = []
    for index, record in enumerate(page.reportData, start=first_index):
        if is_line_count(str(v) for v in record.values() if v is not None) and len(record) == 1:
            continue
        rows.append(
            row_from_mapping(
                {k: None if v is None else str(v) for k, v in record.items()},
                f"JSON record {index}",
            )
        )
    return rows


class AvailableReconFiles(Wire):
    """``availableReconFiles`` (§8.1): MMDDYYYY strings."""

    availableApReportDates: list[str] = []


def report_day(report_date: str) -> date:
    """MMDDYYYY -> date, for sorting and display (§8.1)."""
    text = report_date.strip()
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"{report_date!r} is not a MMDDYYYY report date")
    return date(int(text[4:]), int(text[:2]), int(text[2:4]))
