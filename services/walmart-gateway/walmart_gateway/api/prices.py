"""Prices (walmart-api.md §4): single ``PUT /v3/price`` for a few SKUs (100/hour, §10.2),
a ``price`` feed (10/hour, up to 10,000 SKUs) above ``walmart_price_feed_threshold``.
A price is absolute, so repeating an update is harmless."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from mlc_shared.domain.walmart import PriceUpdate, SkuOutcome
from walmart_gateway.api.feeds import FeedsApi, SubmittedFeed, chunked, json_size
from walmart_gateway.api.inventory import PushResult
from walmart_gateway.apis import Api
from walmart_gateway.client import WalmartClient
from walmart_gateway.errors import WalmartNotFound, WalmartRejected
from walmart_gateway.settings import WalmartSettings
from walmart_gateway.transport import WalmartRequest, json_body
from walmart_gateway.wire.catalog import PriceAnswer, price_document, price_feed


class PricesApi:
    def __init__(
        self,
        client: WalmartClient,
        settings: WalmartSettings,
        feeds: FeedsApi,
        *,
        concurrency: int = 4,
    ) -> None:
        self._client = client
        self._settings = settings
        self._feeds = feeds
        self._concurrency = concurrency

    async def push(
        self, updates: Sequence[PriceUpdate], *, key: str, force_feed: bool | None = None
    ) -> PushResult:
        # §4: a SKU twice in one feed -> "one wins, unspecified"; keep the last, explicitly.
        batch = list({u.sku: u for u in updates}.values())
        use_feed = (
            len(batch) > self._settings.walmart_price_feed_threshold
            if force_feed is None
            else force_feed
        )
        if not use_feed:
            gate = asyncio.Semaphore(self._concurrency)

            async def one(update: PriceUpdate) -> SkuOutcome:
                async with gate:
                    return await self.put(update)

            return PushResult(tuple(await asyncio.gather(*(one(u) for u in batch))))
        return PushResult((), await self._submit_feeds(batch, key))

    async def put(self, update: PriceUpdate) -> SkuOutcome:
        request = WalmartRequest(
            "PUT", "/v3/price", Api.PRICE_UPDATE, body=json_body(price_document(update))
        )
        try:
            await self._client.fetch(request, PriceAnswer)
        except (WalmartRejected, WalmartNotFound) as exc:
            return SkuOutcome(
                sku=update.sku, ok=False, status="REJECTED", error=exc.reason, error_codes=exc.codes
            )
        return SkuOutcome(sku=update.sku, ok=True, status="SUCCESS")

    async def _submit_feeds(self, batch: list[PriceUpdate], key: str) -> tuple[SubmittedFeed, ...]:
        settings = self._settings
        chunks = chunked(
            batch,
            lambda u: json_size(price_document(u)),
            max_items=settings.walmart_feed_max_items,
            max_bytes=settings.walmart_feed_max_bytes,
        )
        return tuple(
            [
                await self._feeds.submit(
                    "price",
                    price_feed(chunk, settings.walmart_price_feed_version),
                    key=f"{key}-price-{index}",
                    api=Api.FEED_PRICE,
                )
                for index, chunk in enumerate(chunks)
            ]
        )
