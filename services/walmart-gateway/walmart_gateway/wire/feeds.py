"""Feed submission and status JSON (walmart-api.md §3.1, §3.2) -> ``domain.walmart.FeedStatus``.

``ingestionErrors.ingestionError`` may be a list, one object or null (§3.2); a PROCESSED feed
can still hold failed items; SYSTEM_ERROR and TIMEOUT_ERROR items are retryable.
"""

from __future__ import annotations

from mlc_shared.domain.walmart import FeedStatus, SkuOutcome
from pydantic import field_validator
from walmart_gateway.wire.common import ListOf, Wire, instant

RETRYABLE_INGESTION = frozenset({"SYSTEM_ERROR", "TIMEOUT_ERROR"})


class FeedAccepted(Wire):
    feedId: str


class IngestionError(Wire):
    type: str | None = None
    code: str | None = None
    field: str | None = None
    description: str | None = None

    def __str__(self) -> str:
        text = self.code or self.type or "error"
        return f"{text}: {self.description}" if self.description else text


class IngestionErrors(Wire):
    ingestionError: ListOf[IngestionError] = []


class ItemIngestion(Wire):
    sku: str | None = None
    index: int | None = None
    ingestionStatus: str
    ingestionErrors: IngestionErrors | None = None
    shipNode: str | None = None

    def to_domain(self) -> SkuOutcome:
        errors = self.ingestionErrors.ingestionError if self.ingestionErrors else []
        ok = self.ingestionStatus == "SUCCESS"
        return SkuOutcome(
            sku=self.sku or f"#{self.index}",
            ship_node=self.shipNode,
            ok=ok,
            status=self.ingestionStatus,
            error=None if ok else ("; ".join(str(e) for e in errors) or self.ingestionStatus),
            retryable=self.ingestionStatus in RETRYABLE_INGESTION,
            error_codes=tuple(e.code for e in errors if e.code),
        )


class ItemDetails(Wire):
    itemIngestionStatus: ListOf[ItemIngestion] = []


class FeedDetail(Wire):
    """``GET /v3/feeds/{feedId}?includeDetails=true`` (§3.2)."""

    feedId: str
    feedType: str | None = None
    feedStatus: str
    feedSubmissionDate: int | str | None = None
    ingestionErrors: IngestionErrors | None = None
    itemsReceived: int = 0
    itemsSucceeded: int = 0
    itemsFailed: int = 0
    itemsProcessing: int = 0
    offset: int = 0
    limit: int = 50
    itemDetails: ItemDetails | None = None

    @field_validator(
        "itemsReceived", "itemsSucceeded", "itemsFailed", "itemsProcessing", mode="before"
    )
    @classmethod
    def _null_count(cls, value: object) -> object:
        return 0 if value is None else value

    @property
    def items(self) -> list[ItemIngestion]:
        return self.itemDetails.itemIngestionStatus if self.itemDetails else []

    def to_domain(self, results: tuple[SkuOutcome, ...]) -> FeedStatus:
        errors = self.ingestionErrors.ingestionError if self.ingestionErrors else []
        return FeedStatus(
            feed_id=self.feedId,
            feed_type=self.feedType,
            status=self.feedStatus,
            items_received=self.itemsReceived,
            items_succeeded=self.itemsSucceeded,
            items_failed=self.itemsFailed,
            items_processing=self.itemsProcessing,
            submitted_at=instant(self.feedSubmissionDate),
            results=results,
            errors=tuple(str(e) for e in errors),
        )


class FeedRecord(Wire):
    feedId: str
    feedType: str | None = None
    feedStatus: str | None = None
    itemsReceived: int | None = None
    feedDate: int | str | None = None
    fileName: str | None = None


class FeedRecords(Wire):
    feed: ListOf[FeedRecord] = []


class FeedList(Wire):
    """``GET /v3/feeds`` (§3.2)."""

    totalResults: int | None = None
    offset: int | None = None
    limit: int | None = None
    results: FeedRecords | None = None

    @property
    def feeds(self) -> list[FeedRecord]:
        return self.results.feed if self.results else []
