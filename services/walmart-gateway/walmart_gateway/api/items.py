"""Items (walmart-api.md §3): set up with ``MP_ITEM`` feeds, read all with the cursor.

Reading all items uses the cursor, never offsets (§3.3, S3: offset paging is unsafe): the
first request sends ``nextCursor=*`` (only then does Walmart return a cursor), each next one
the returned cursor with the same ``limit``; the end is a page without a cursor, an empty
page, or a 404 CONTENT_NOT_FOUND (which Walmart sends even after a full page).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from urllib.parse import quote

from mlc_shared.domain.walmart import Item, ItemSetup
from walmart_gateway.api.feeds import FeedsApi, SubmittedFeed, chunked, json_size
from walmart_gateway.apis import Api
from walmart_gateway.client import WalmartClient
from walmart_gateway.errors import WalmartNotFound, WalmartResponseInvalid
from walmart_gateway.settings import WalmartSettings
from walmart_gateway.transport import WalmartRequest
from walmart_gateway.wire.catalog import ItemsPage, item_feed


class ItemsApi:
    def __init__(self, client: WalmartClient, settings: WalmartSettings, feeds: FeedsApi) -> None:
        self._client = client
        self._settings = settings
        self._feeds = feeds

    async def setup(self, items: Sequence[ItemSetup], *, key: str) -> tuple[SubmittedFeed, ...]:
        """One ``MP_ITEM`` feed per sub-category (the feed header names one, §3.1), split only
        past 10,000 items or the size limit."""
        settings = self._settings
        groups: dict[str, list[ItemSetup]] = {}
        for item in {i.sku: i for i in items}.values():
            groups.setdefault(item.sub_category, []).append(item)
        submitted: list[SubmittedFeed] = []
        for sub_category, group in sorted(groups.items()):
            chunks = chunked(
                group,
                lambda i: json_size(item_feed([i], "x")["MPItem"][0]),
                max_items=settings.walmart_feed_max_items,
                max_bytes=settings.walmart_feed_max_bytes,
            )
            for index, chunk in enumerate(chunks):
                submitted.append(
                    await self._feeds.submit(
                        "MP_ITEM",
                        item_feed(chunk, settings.walmart_item_spec_version),
                        key=f"{key}-item-{sub_category}-{index}",
                        api=Api.FEED_ITEM,
                    )
                )
        return tuple(submitted)

    async def pages(self, *, limit: int | None = None) -> AsyncIterator[tuple[Item, ...]]:
        size = str(limit or self._settings.walmart_items_page_size)
        cursor = "*"
        seen: set[str] = set()
        while True:
            request = WalmartRequest(
                "GET", "/v3/items", Api.ITEMS_LIST, params=(("nextCursor", cursor), ("limit", size))
            )
            try:
                page = await self._client.fetch(request, ItemsPage)
            except WalmartNotFound:
                return
            if page.ItemResponse:
                yield tuple(item.to_domain() for item in page.ItemResponse)
            if not page.ItemResponse or not page.nextCursor:
                return
            if page.nextCursor in seen:
                raise WalmartResponseInvalid(
                    f"GET /v3/items returned cursor {page.nextCursor!r} "
                    "twice; stopping instead of looping"
                )
            seen.add(page.nextCursor)
            cursor = page.nextCursor

    async def get(self, sku: str) -> Item | None:
        """``GET /v3/items/{sku}?productIdType=SKU`` (§3.3); None when Walmart has no such item."""
        request = WalmartRequest(
            "GET",
            f"/v3/items/{quote(sku, safe='')}",
            Api.ITEM_GET,
            params=(("productIdType", "SKU"),),
        )
        try:
            page = await self._client.fetch(request, ItemsPage)
        except WalmartNotFound:
            return None
        return page.ItemResponse[0].to_domain() if page.ItemResponse else None
