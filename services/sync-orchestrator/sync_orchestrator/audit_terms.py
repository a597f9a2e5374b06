"""The audit trail in an operator's words: a purchase order, a SKU, a return, a voucher number
(``mlc audit search``, the operator API), and its export as CSV or JSON lines.

Flows record each record under its own id (``source_id``: the PO, the SKU, the return order
id, the report date) and what it became in Tally or on Walmart (``target_id``: the voucher
number, a feed id). So ``--po``, ``--sku`` and ``--return`` all look at the source id and
``--voucher`` at the target id; ``--kind`` narrows to one record kind when ids collide.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime

from mlc_shared.store.base import Store
from mlc_shared.store.records import AuditQuery, AuditRow
from pydantic import BaseModel, ConfigDict, Field, model_validator

EXPORT_PAGE = 500
EXPORT_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "tenant",
    "flow",
    "correlation_id",
    "record_kind",
    "source_id",
    "target_id",
    "status",
    "attempts",
    "detail",
    "request",
    "response",
)


class AuditTerms(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant: str | None = None
    flow: str | None = None
    kind: str | None = Field(default=None, description="record kind: order, return, inventory...")
    po: str | None = Field(default=None, description="a Walmart purchase order id")
    sku: str | None = None
    return_id: str | None = Field(default=None, description="a Walmart return order id")
    voucher: str | None = Field(default=None, description="a Tally voucher number")
    status: str | None = None
    correlation_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = Field(default=None, description="substring of ids or detail")
    limit: int = Field(default=100, ge=1, le=10_000)

    @model_validator(mode="after")
    def _one_source(self) -> AuditTerms:
        given = [name for name in ("po", "sku", "return_id") if getattr(self, name)]
        if len(given) > 1:
            raise ValueError(f"give only one of --po, --sku, --return (got {', '.join(given)})")
        return self

    def query(self, **paging: object) -> AuditQuery:
        return AuditQuery.model_validate(
            {
                "tenant": self.tenant,
                "flow": self.flow,
                "record_kind": self.kind,
                "source_id": self.po or self.sku or self.return_id,
                "target_id": self.voucher,
                "status": self.status,
                "correlation_id": self.correlation_id,
                "since": self.since,
                "until": self.until,
                "text": self.text,
                "limit": self.limit,
                **paging,
            }
        )


async def search(store: Store, terms: AuditTerms) -> list[AuditRow]:
    return await store.search_audit(terms.query())


async def every_row(store: Store, terms: AuditTerms) -> AsyncIterator[AuditRow]:
    """Every matching row, oldest first, a page at a time (no limit: an export is whole)."""
    after: int | None = None
    while rows := await store.search_audit(
        terms.query(limit=EXPORT_PAGE, oldest_first=True, after_id=after)
    ):
        for row in rows:
            yield row
        after = rows[-1].id


def as_json_line(row: AuditRow) -> str:
    return row.model_dump_json() + "\n"


def csv_header() -> str:
    return _csv_line(EXPORT_COLUMNS)


def as_csv_line(row: AuditRow) -> str:
    values = row.model_dump(mode="json")
    cells = [
        json.dumps(values[c], ensure_ascii=False)
        if c == "detail" and values[c] is not None
        else ""
        if values[c] is None
        else str(values[c])
        for c in EXPORT_COLUMNS
    ]
    return _csv_line(cells)


def _csv_line(cells: Iterator[str] | tuple[str, ...] | list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(list(cells))
    return buffer.getvalue()
