"""Feeds (walmart-api.md §3.1, §3.2): submit once, find, read status with per-SKU results.

Submitting is not idempotent: a second copy is a second feed, spending the 10/hour budget
(§10.2) and, for item feeds, processing twice. So every submission is named: the multipart
file name carries the command's key (``mlc-<key>.json``), and before sending -- first
attempt, redelivery or after an ambiguous failure alike -- the recent feed list is searched
for that name (§3.2 lists ``fileName``). A feed found there is reused, never resent.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from mlc_shared.domain.walmart import FeedStatus, SkuOutcome
from mlc_shared.logging import get_logger
from walmart_gateway.apis import Api
from walmart_gateway.client import WalmartClient
from walmart_gateway.errors import WalmartOutcomeUnknown
from walmart_gateway.settings import WalmartSettings
from walmart_gateway.transport import FileBody, JsonBody, WalmartRequest, json_body
from walmart_gateway.wire.feeds import FeedAccepted, FeedDetail, FeedList, FeedRecord

log = get_logger(__name__)
T = TypeVar("T")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_HEADER_ALLOWANCE = 512
"""Bytes kept free in each chunk for the feed header and the JSON around the entries."""


@dataclass(frozen=True)
class SubmittedFeed:
    feed_id: str
    feed_type: str
    reused: bool = False
    """True when the feed had already been submitted (found by name) and was not resent."""


def feed_file_name(key: str) -> str:
    return f"mlc-{_UNSAFE.sub('_', key)[:100]}.json"


def chunked(
    entries: Sequence[T], size_of: Callable[[T], int], *, max_items: int, max_bytes: int
) -> Iterator[list[T]]:
    """Split feed entries so no feed exceeds Walmart's item or size limit (§3.1, §10.1)."""
    chunk: list[T] = []
    used = _HEADER_ALLOWANCE
    for entry in entries:
        size = size_of(entry) + 1
        if chunk and (len(chunk) >= max_items or used + size > max_bytes):
            yield chunk
            chunk, used = [], _HEADER_ALLOWANCE
        chunk.append(entry)
        used += size
    if chunk:
        yield chunk


def json_size(document: Any) -> int:
    return len(json_body(document).payload)


class FeedsApi:
    def __init__(self, client: WalmartClient, settings: WalmartSettings) -> None:
        self._client = client
        self._settings = settings

    async def submit(
        self,
        feed_type: str,
        document: dict[str, Any],
        *,
        key: str,
        api: Api,
        params: tuple[tuple[str, str], ...] = (),
    ) -> SubmittedFeed:
        """Submit once: reuse the feed already submitted under ``key`` if there is one."""
        file_name = feed_file_name(key)
        found = await self.find(file_name)
        if found is not None:
            log.info("walmart.feed_reused", feed_id=found.feedId, file_name=file_name)
            return SubmittedFeed(found.feedId, feed_type, reused=True)
        return await self.send(feed_type, document, file_name=file_name, api=api, params=params)

    async def send(
        self,
        feed_type: str,
        document: dict[str, Any],
        *,
        file_name: str,
        api: Api,
        params: tuple[tuple[str, str], ...] = (),
    ) -> SubmittedFeed:
        """POST the feed (no opening lookup: the caller has just looked). After an ambiguous
        failure it looks before sending again, and sends again at most once (§10.4)."""
        payload = json_body(document).payload
        body = (
            FileBody(file_name, payload)
            if self._settings.walmart_feed_upload == "multipart"
            else JsonBody(payload)
        )
        request = WalmartRequest(
            "POST",
            "/v3/feeds",
            api,
            params=(("feedType", feed_type), *params),
            body=body,
            idempotent=False,
        )
        try:
            accepted = await self._client.fetch(request, FeedAccepted)
        except WalmartOutcomeUnknown:
            found = await self.find(file_name)
            if found is not None:
                log.info(
                    "walmart.feed_landed_despite_error", feed_id=found.feedId, file_name=file_name
                )
                return SubmittedFeed(found.feedId, feed_type, reused=True)
            log.warning("walmart.feed_resubmitted", file_name=file_name, feed_type=feed_type)
            accepted = await self._client.fetch(request, FeedAccepted)
        log.info(
            "walmart.feed_submitted",
            feed_id=accepted.feedId,
            feed_type=feed_type,
            file_name=file_name,
            bytes=len(payload),
        )
        return SubmittedFeed(accepted.feedId, feed_type)

    async def find(self, file_name: str) -> FeedRecord | None:
        """A feed this gateway submitted under ``file_name``, among the recent ones."""
        if self._settings.walmart_feed_upload != "multipart":
            return None  # raw JSON uploads carry no file name to find them by
        limit = 50  # §3.2: "cannot be more than 50"
        for page in range(self._settings.walmart_feed_lookup_pages):
            listing = await self._client.fetch(
                WalmartRequest(
                    "GET",
                    "/v3/feeds",
                    Api.FEED_STATUS,
                    params=(("offset", str(page * limit)), ("limit", str(limit))),
                ),
                FeedList,
            )
            for record in listing.feeds:
                if record.fileName == file_name:
                    return record
            if len(listing.feeds) < limit:
                return None
        return None

    async def status(self, feed_id: str, *, details: bool = True) -> FeedStatus:
        """The feed and, with ``details``, every item's ingestion result (all pages)."""
        path = f"/v3/feeds/{quote(feed_id, safe='')}"  # §3.1: feed ids contain '@'
        limit = self._settings.walmart_feed_detail_page_size
        first: FeedDetail | None = None
        results: list[SkuOutcome] = []
        offset = 0
        while True:
            page = await self._client.fetch(
                WalmartRequest(
                    "GET",
                    path,
                    Api.FEED_STATUS,
                    params=(
                        ("includeDetails", "true" if details else "false"),
                        ("offset", str(offset)),
                        ("limit", str(limit)),
                    ),
                ),
                FeedDetail,
            )
            first = first or page
            results.extend(item.to_domain() for item in page.items)
            offset += len(page.items)  # Walmart may cap the page below the limit asked (§3.2)
            if not details or not page.items or offset >= page.itemsReceived:
                return first.to_domain(tuple(results))

    async def follow(
        self, feed_id: str, *, poll_interval: float | None = None, give_up_after: float = 3600.0
    ) -> FeedStatus:
        """Poll until the feed is PROCESSED or ERROR, then read its details; after
        ``give_up_after`` seconds, return the status as it stands."""
        interval = poll_interval or self._settings.walmart_feed_poll_interval
        deadline = time.monotonic() + give_up_after
        while True:
            summary = await self.status(feed_id, details=False)
            if summary.complete or time.monotonic() + interval > deadline:
                return await self.status(feed_id) if summary.complete else summary
            await asyncio.sleep(interval)
