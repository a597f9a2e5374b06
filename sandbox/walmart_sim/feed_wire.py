"""Feed status in Walmart's JSON shape (walmart-api.md §3.2)."""

from __future__ import annotations

from typing import Any

from .context import SimContext
from .models import Feed, IngestionError


def ingestion_errors(ctx: SimContext, errors: list[IngestionError]) -> dict[str, Any]:
    """``{"ingestionError": null | {…} | [{…}]}``: null when empty; one error as an object
    under the ``auto`` shape switch (the XML→JSON artefact seen live)."""
    rendered = [{"type": e.type, "code": e.code, "description": e.description} for e in errors]
    if not rendered:
        return {"ingestionError": None}
    if len(rendered) == 1 and ctx.config.ingestion_error_shape == "auto":
        return {"ingestionError": rendered[0]}
    return {"ingestionError": rendered}


def _counts(feed: Feed) -> dict[str, int]:
    done = [r for r in feed.results if r.status != "INPROGRESS"]
    return {
        "itemsReceived": feed.items_received,
        "itemsSucceeded": sum(1 for r in done if r.status == "SUCCESS"),
        "itemsFailed": sum(1 for r in done if r.status != "SUCCESS"),
        "itemsProcessing": len(feed.results) - len(done),
    }


def feed_summary(ctx: SimContext, feed: Feed) -> dict[str, Any]:
    """One ``results.feed[]`` entry of ``GET /v3/feeds``."""
    counts = _counts(feed)
    failed = [r for r in feed.results if r.status not in ("SUCCESS", "INPROGRESS")]
    return {
        "feedId": feed.feed_id,
        "feedSource": "MARKETPLACE_PARTNER",
        "feedType": feed.feed_type,
        "partnerId": ctx.config.partner_id,
        **counts,
        "feedStatus": feed.status,
        "feedDate": feed.submitted_ms,
        "modifiedDtm": feed.modified_ms,
        "fileName": feed.file_name,
        "itemDataErrorCount": sum(1 for r in failed if r.status == "DATA_ERROR"),
        "itemSystemErrorCount": sum(1 for r in failed if r.status == "SYSTEM_ERROR"),
        "itemTimeoutErrorCount": sum(1 for r in failed if r.status == "TIMEOUT_ERROR"),
    }


def feed_detail(
    ctx: SimContext, feed: Feed, *, include_details: bool, offset: int, limit: int
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "feedId": feed.feed_id,
        "feedStatus": feed.status,
        "feedSubmissionDate": feed.submitted_ms,
        "ingestionErrors": ingestion_errors(ctx, feed.feed_errors),
        **_counts(feed),
        "offset": offset,
        "limit": limit,
    }
    if include_details:
        body["itemDetails"] = {
            "itemIngestionStatus": [
                {
                    "martId": 0,
                    "sku": r.sku,
                    "wpid": r.wpid,
                    "index": r.index,
                    "itemid": r.item_id,
                    "ingestionStatus": r.status,
                    "ingestionErrors": ingestion_errors(ctx, r.errors),
                }
                for r in feed.results[offset : offset + limit]
            ]
        }
    return body
