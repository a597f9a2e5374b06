"""A settlement's report as Walmart serves it: a zip holding one CSV, or JSON pages.

walmart-api.md §8.1/§8.2: header row, then (switch) ``Number of Lines in file N``, then the
data rows. JSON pages carry the rows as header→string maps (blank columns omitted); the
offset is an opaque *byte* offset into that CSV, and the last page says ``nextOffset: -1``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime

from .models import Settlement
from .recon_rows import COLUMNS

JSON_ROW_CAP = 1000


def line_count_text(settlement: Settlement) -> str:
    # Walmart pads the text with spaces (S2 example: "Number of Lines in file 479             ").
    return f"Number of Lines in file {len(settlement.rows)}".ljust(40)


@dataclass(frozen=True)
class CsvLayout:
    data: bytes
    row_offsets: list[int]
    """Byte offset of each data row's first byte."""


def render_csv(settlement: Settlement, *, line_count_row: bool) -> CsvLayout:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    if line_count_row:
        writer.writerow([line_count_text(settlement).strip()])
    offsets: list[int] = []
    for row in settlement.rows:
        offsets.append(len(buffer.getvalue().encode()))
        writer.writerow([row[c] for c in COLUMNS])
    return CsvLayout(data=buffer.getvalue().encode(), row_offsets=offsets)


def _timestamp(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def zip_file(settlement: Settlement, partner_id: str, *, line_count_row: bool) -> tuple[bytes, str]:
    """The zip bytes and the ``Content-Disposition`` file name ``<partnerId>_<timestamp>.zip``."""
    stem = f"{partner_id}_{_timestamp(settlement.generated_ms)}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.csv", render_csv(settlement, line_count_row=line_count_row).data)
    return buffer.getvalue(), f"{stem}.zip"


@dataclass(frozen=True)
class JsonPage:
    rows: list[dict[str, str]]
    next_offset: int


def json_page(
    settlement: Settlement, *, offset: int, count: int, line_count_row: bool, row_cap: bool
) -> JsonPage | None:
    """The rows starting at byte ``offset`` (0 = the first data row); None if ``offset``
    does not start a row."""
    layout = render_csv(settlement, line_count_row=line_count_row)
    if offset == 0:
        start = 0
    elif offset in layout.row_offsets:
        start = layout.row_offsets.index(offset)
    else:
        return None
    if row_cap:
        count = min(count, JSON_ROW_CAP)
    end = min(start + count, len(settlement.rows))
    rows = [{k: v for k, v in row.items() if v != ""} for row in settlement.rows[start:end]]
    more = end < len(settlement.rows) and not row_cap
    return JsonPage(rows=rows, next_offset=layout.row_offsets[end] if more else -1)
