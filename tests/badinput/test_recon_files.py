"""Bad input from Walmart's reconciliation reports (walmart-api.md §8): property-based runs
over the gateway's zip/CSV reader and the reconFileJson pages (issue 8).

Whatever ``reconFile`` answers -- random bytes, an empty or damaged zip, two CSVs, a zip
bomb, a CSV cut off anywhere, wrong types, huge numbers, missing columns -- the reader
returns typed rows or raises :class:`ReconParseError` (``NotAReconFile`` when the body is not
a report at all, which sends the gateway to the JSON pages) with a message that says why.
"""

from __future__ import annotations

import csv
import io
import struct
import warnings
import zipfile
import zlib
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from mlc_shared.domain.walmart import ReconRow
from walmart_gateway.wire.recon import (
    COLUMNS,
    MAX_CSV_BYTES,
    NotAReconFile,
    ReconJsonPage,
    ReconParseError,
    csv_from_zip,
    declared_lines,
    parse_csv,
    rows_from_json,
)

from tests.unit.walmart_gateway.test_recon_parse import CSV

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HEADERS = list(COLUMNS)
DECIMAL_FIELDS = [n for n, f in ReconRow.model_fields.items() if f.annotation == Decimal | None]
METHODS = [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]


def report(body: bytes) -> tuple[list[ReconRow], int | None]:
    """What the gateway does with a ``reconFile`` body (api/recon.py ``_from_zip``)."""
    return parse_csv(csv_from_zip(body))


def assert_explained(error: BaseException) -> None:
    assert isinstance(error, ReconParseError), f"{type(error).__name__}: {error}"
    assert len(str(error).strip()) >= 10, repr(error)


def assert_sane(rows: list[ReconRow]) -> None:
    """Every amount that was read is a finite number a cent calculation can hold."""
    for row in rows:
        for name in DECIMAL_FIELDS:
            value = getattr(row, name)
            if value is not None:
                assert isinstance(value, Decimal)
                assert value.is_finite()
                assert value.adjusted() < 15


def zipped(members: list[tuple[str, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": hostile zips do that
        for name, data, method in members:
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


GOOD_ZIP = zipped([("100009_20260430.csv", CSV.encode("utf-8-sig"), zipfile.ZIP_DEFLATED)])


# -- whole bodies ----------------------------------------------------------------------------


@SETTINGS
@given(
    body=st.one_of(
        st.binary(max_size=3000),
        st.binary(max_size=3000).map(lambda tail: b"PK\x03\x04" + tail),
        st.binary(max_size=3000).map(lambda tail: b"PK\x05\x06" + tail),
    )
)
@example(body=b"")
@example(body=b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
@example(body=b'{"errors":{"error":[{"code":"INVALID_REPORT_DATE"}]}}')  # an error with HTTP 200
def test_any_body_is_a_report_or_a_reasoned_refusal(body: bytes) -> None:
    try:
        rows, _ = report(body)
    except Exception as exc:
        assert_explained(exc)
    else:
        assert_sane(rows)


@st.composite
def damaged_zip(draw: st.DrawFn) -> tuple[bytes, int | None]:
    """(a zip of a few members -- the report CSV, junk, nothing -- in any compression,
    possibly with bytes flipped or cut off; how many CSV members it was made with)."""
    members = []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(["report.csv", "REPORT.CSV", "notes.txt", "dir/", "x.csv", ""]))
        data = draw(
            st.sampled_from([CSV.encode("utf-8-sig"), b"", b"\x00\xff" * 50, CSV[:90].encode()])
        )
        members.append((name, data, draw(st.sampled_from(METHODS))))
    body = intact = zipped(members)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, max(0, len(body) - 1)))
        body = body[:at] + bytes([draw(st.integers(0, 255))]) + body[at + 1 :]
    if draw(st.booleans()):
        body = body[: draw(st.integers(0, len(body)))]
    if body != intact:
        return body, None  # a flipped byte may have renamed a member: no count to expect
    files = [m for m in members if not m[0].endswith("/")]
    return body, len([m for m in files if m[0].lower().endswith(".csv")] or files)


@SETTINGS
@given(damaged=damaged_zip())
def test_damaged_zips_are_read_or_refused_with_a_reason(damaged: tuple[bytes, int | None]) -> None:
    body, files = damaged
    try:
        rows, _ = report(body)
    except Exception as exc:
        assert_explained(exc)
    else:
        assert files in (1, None), "a zip without exactly one report file was read"
        assert_sane(rows)


def test_empty_files_and_zips_are_not_reports() -> None:
    cases: dict[str, bytes] = {
        "no body": b"",
        "an empty zip": zipped([]),
        "a zip of a directory": zipped([("reports/", b"", zipfile.ZIP_STORED)]),
        "a zip of an empty CSV": zipped([("r.csv", b"", zipfile.ZIP_DEFLATED)]),
        "a zip of a CSV holding a BOM": zipped([("r.csv", b"\xef\xbb\xbf", zipfile.ZIP_STORED)]),
    }
    reasons = {}
    for case, body in cases.items():
        with pytest.raises(NotAReconFile) as refused:
            report(body)
        reasons[case] = str(refused.value)
    assert "did not answer with a zip" in reasons["no body"]
    assert reasons["an empty zip"] == "the reconFile zip is empty"
    assert reasons["a zip of a directory"] == "the reconFile zip is empty"
    assert "the CSV is empty" in reasons["a zip of an empty CSV"]
    assert "the CSV is empty" in reasons["a zip of a CSV holding a BOM"]


def test_two_csvs_are_refused_naming_both() -> None:
    body = zipped(
        [
            ("a.csv", CSV.encode(), zipfile.ZIP_DEFLATED),
            ("b.csv", CSV.encode(), zipfile.ZIP_DEFLATED),
            ("readme.txt", b"x", zipfile.ZIP_STORED),
        ]
    )
    with pytest.raises(
        NotAReconFile, match=r"holds 2 files \('a\.csv', 'b\.csv'\); §8\.1 says one"
    ):
        report(body)


def test_a_zip_cut_off_at_any_offset_is_refused() -> None:
    assert len(report(GOOD_ZIP)[0]) == 3
    for cut in range(len(GOOD_ZIP)):
        with pytest.raises(NotAReconFile) as refused:
            report(GOOD_ZIP[:cut])
        assert_explained(refused.value)


def _deflated_zeros(size: int) -> tuple[bytes, int]:
    """``size`` zero digits, deflated (raw), and their CRC: a few hundred kilobytes."""
    block = b"0" * (1 << 22)
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    packed, crc = [], 0
    for _ in range(size // len(block)):
        packed.append(packer.compress(block))
        crc = zlib.crc32(block, crc)
    packed.append(packer.flush())
    return b"".join(packed), crc


def _zip_of_raw(name: bytes, packed: bytes, crc: int, size: int) -> bytes:
    """A one-member zip around already-deflated data, its sizes as given (honest or not)."""
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(packed), size, len(name), 0
    )
    central = struct.pack(
        "<4s6H3L5H2L",
        b"PK\x01\x02",
        20,
        20,
        0,
        8,
        0,
        0,
        crc,
        len(packed),
        size,
        len(name),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    directory = central + name
    offset = len(local) + len(name) + len(packed)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), offset, 0)
    return local + name + packed + directory + end


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    """300 MiB of zeros in a 1.3 MB zip (ratio over 200:1) is refused from its header; the same
    data under a header that claims 100 bytes is inflated no further than the claim and
    then fails its CRC. Either way nothing near 300 MiB is ever held."""
    size = 300 * 1024 * 1024
    assert size > MAX_CSV_BYTES
    packed, crc = _deflated_zeros(size)
    assert len(packed) * 200 < size
    with pytest.raises(NotAReconFile, match=r"unpacks to more than 256 MiB .* zip bomb"):
        report(_zip_of_raw(b"bomb.csv", packed, crc, size))
    with pytest.raises(NotAReconFile, match="damaged: BadZipFile: Bad CRC-32"):
        report(_zip_of_raw(b"bomb.csv", packed, crc, 100))


# -- the CSV inside ----------------------------------------------------------------------------

NASTY_CELLS = [
    "",
    '""',
    "-152.25",
    '"1,014.98"',
    "$12.00",
    "15%",
    "-0",
    "NaN",
    "sNaN",
    "Infinity",
    "-inf",
    "1e99999999",
    "9" * 30,
    "9" * 5000,
    "0." + "0" * 40 + "1",
    "4/31/2026",
    "13/1/2026",
    "1/1/99999",
    "2026-04-30",
    "4/30",
    "abc",
    "Number of Lines in file 3",
    "Number of Lines in file " + "9" * 5000,
    "x\x00y",
    '"quoted ""inner"" text"',
    '"multi\nline"',
    "\ufeff",
    "x" * 140_000,
]
cell = st.one_of(st.sampled_from(NASTY_CELLS), st.text(max_size=10))


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    """A v1 header (some known columns in any order, perhaps an unknown one) and rows of
    nasty cells, perhaps short or long, perhaps with a line-count row."""
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8, unique=True))
    if draw(st.booleans()):
        header.append("Brand New Column")
    lines = [",".join(header)]
    for _ in range(draw(st.integers(0, 5))):
        width = draw(st.sampled_from([len(header), len(header), 1, len(header) + 1]))
        cells = [draw(cell) for _ in range(width)]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(cells)
        lines.append(buffer.getvalue())
    return "\n".join(lines)


@SETTINGS
@given(text=csv_text())
@example(text="Amount\nNaN")
@example(text="Amount\n1e99999999")
@example(text="Amount,Ship Qty\n-5,-3")
@example(text="Amount\nNumber of Lines in file " + "9" * 5000)
@example(text="Amount\n" + "x" * 140_000)
def test_csv_cells_are_read_or_refused_naming_line_and_column(text: str) -> None:
    try:
        rows, declared = parse_csv(text)
    except Exception as exc:
        assert_explained(exc)
        message = str(exc)
        assert "CSV line" in message or "Number of Lines" in message, message
    else:
        assert_sane(rows)
        assert declared is None or 0 <= declared <= 10**9


def test_wrong_types_huge_numbers_and_negative_quantities() -> None:
    """Negative amounts and quantities are Walmart's own (refunds, commissions, returns):
    kept. What cannot be an amount is refused with the line, the column and why."""
    [row], _ = parse_csv("Amount,Ship Qty,Amount Type\n-152.25,-3,Commission on Product")
    assert (row.amount, row.ship_qty) == (Decimal("-152.25"), Decimal(-3))
    refusals = {
        "NaN": "is not a finite number",
        "Infinity": "is not a finite number",
        "1e99999999": "has more than 15 digits before the point",
        "9" * 16: "has more than 15 digits before the point",
        "twelve": "is not a number",
    }
    for value, words in refusals.items():
        with pytest.raises(ReconParseError) as refused:
            parse_csv(f"Amount,Ship Qty\n1,{value}")
        assert "CSV line 2: column 'Ship Qty' value" in str(refused.value)
        assert words in str(refused.value)
    with pytest.raises(ReconParseError, match=r"CSV line 2: field larger than field limit"):
        parse_csv("Amount,Partner Item Name\n1," + "x" * 140_000)
    with pytest.raises(
        ReconParseError, match=r"Number of Lines in file 9999.* is not a line count"
    ):
        parse_csv("Amount\nNumber of Lines in file " + "9" * 5000)


def test_a_csv_cut_off_at_any_offset_keeps_every_whole_row() -> None:
    """A CSV cut short is read as far as it goes, or refused with a reason: the rows before
    the cut are the file's own (the last may be partial: the orchestrator's line count and
    Total Payable checks, sync_orchestrator/recon.py, refuse such a report)."""
    whole, _ = parse_csv(CSV)
    for cut in range(len(CSV)):
        try:
            rows, _ = parse_csv(CSV[:cut])
        except Exception as exc:
            assert_explained(exc)
            continue
        assert rows[:-1] == whole[: max(len(rows) - 1, 0)]


# -- the JSON pages ----------------------------------------------------------------------------

json_value: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**20, max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(NASTY_CELLS[:24]),
    st.text(max_size=10),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@SETTINGS
@given(
    records=st.lists(
        st.dictionaries(
            st.one_of(st.sampled_from(HEADERS), st.text(max_size=8)), json_value, max_size=6
        ),
        max_size=4,
    ),
    description=st.one_of(st.none(), st.sampled_from(NASTY_CELLS[19:23]), st.text(max_size=30)),
)
@example(records=[{"Amount": float("inf")}], description=None)
@example(records=[{"Ship Qty": 10**30}], description="Number of Lines in file " + "9" * 5000)
def test_json_pages_are_read_or_refused_naming_record_and_column(
    records: list[dict[str, Any]], description: str | None
) -> None:
    page = ReconJsonPage.model_validate(
        {"reportData": records, "nextOffset": -1, "description": description}
    )
    try:
        rows = rows_from_json(page, 0)
        declared_lines(page.description)
    except Exception as exc:
        assert_explained(exc)
        message = str(exc)
        assert "JSON record" in message or "Number of Lines" in message, message
    else:
        assert_sane(rows)
