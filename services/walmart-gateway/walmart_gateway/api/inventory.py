"""Inventory (walmart-api.md §5): absolute quantities per SKU and ship node.

A few updates go as single ``PUT /v3/inventory`` calls (budget 200/min, §10.2), each answered
on its own; more than ``walmart_inventory_feed_threshold`` go as feeds (10/hour): updates for
a named ship node as one ``MP_INVENTORY`` (multi-node, spec 1.5), updates for Walmart's
default node as one ``inventory`` feed (spec 1.4) -- split only past a feed's item or size
limit. Quantities are absolute, so a repeated update is harmless.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from mlc_shared.domain.walmart import InventoryLevel, InventoryUpdate, SkuOutcome
from walmart_gateway.api.feeds import FeedsApi, SubmittedFeed, chunked, json_size
from walmart_gateway.apis import Api
from walmart_gateway.client import WalmartClient
from walmart_gateway.errors import WalmartNotFound, WalmartRejected
from walmart_gateway.settings import WalmartSettings
from walmart_gateway.transport import WalmartRequest, json_body
from walmart_gateway.wire.catalog import (
    SingleInventory,
    SkuInventories,
    inventory_document,
    inventory_feed,
    multi_node_inventory_feed,
)


@dataclass(frozen=True)
class PushResult:
    results: tuple[SkuOutcome, ...]
    """Per SKU (and node) for single updates; for feeds, only what was refused up front."""
    feeds: tuple[SubmittedFeed, ...] = ()


def last_wins(updates: Sequence[InventoryUpdate]) -> list[InventoryUpdate]:
    """One update per (SKU, node); a later one in the batch replaces an earlier one."""
    latest: dict[tuple[str, str | None], InventoryUpdate] = {}
    for update in updates:
        latest.pop((update.sku, update.ship_node), None)
        latest[(update.sku, update.ship_node)] = update
    return list(latest.values())


class InventoryApi:
    def __init__(
        self,
        client: WalmartClient,
        settings: WalmartSettings,
        feeds: FeedsApi,
        *,
        concurrency: int = 8,
    ) -> None:
        self._client = client
        self._settings = settings
        self._feeds = feeds
        self._concurrency = concurrency

    def _node(self, update: InventoryUpdate) -> InventoryUpdate:
        node = update.ship_node or self._settings.walmart_default_ship_node
        return update if node == update.ship_node else update.model_copy(update={"ship_node": node})

    async def push(
        self, updates: Sequence[InventoryUpdate], *, key: str, force_feed: bool | None = None
    ) -> PushResult:
        """``force_feed`` True/False overrides the threshold (benchmarks compare both ways)."""
        batch = [self._node(u) for u in last_wins(updates)]
        use_feed = (
            len(batch) > self._settings.walmart_inventory_feed_threshold
            if force_feed is None
            else force_feed
        )
        if not use_feed:
            return PushResult(await self._singles(batch))
        return PushResult((), await self._submit_feeds(batch, key))

    async def _singles(self, batch: list[InventoryUpdate]) -> tuple[SkuOutcome, ...]:
        gate = asyncio.Semaphore(self._concurrency)

        async def one(update: InventoryUpdate) -> SkuOutcome:
            async with gate:
                return await self.put(update)

        return tuple(await asyncio.gather(*(one(u) for u in batch)))

    async def put(self, update: InventoryUpdate) -> SkuOutcome:
        """``PUT /v3/inventory?sku=[&shipNode=]`` (§5). Refusals become an outcome; transient
        failures propagate (the whole command is retried; quantities are absolute)."""
        params: tuple[tuple[str, str], ...] = (("sku", update.sku),)
        if update.ship_node:
            params += (("shipNode", update.ship_node),)
        request = WalmartRequest(
            "PUT",
            "/v3/inventory",
            Api.INVENTORY_UPDATE,
            params=params,
            body=json_body(inventory_document(update)),
        )
        try:
            await self._client.fetch(request, SingleInventory)
        except (WalmartRejected, WalmartNotFound) as exc:
            return SkuOutcome(
                sku=update.sku,
                ship_node=update.ship_node,
                ok=False,
                status="REJECTED",
                error=exc.reason,
                error_codes=exc.codes,
            )
        return SkuOutcome(sku=update.sku, ship_node=update.ship_node, ok=True, status="SUCCESS")

    async def _submit_feeds(
        self, batch: list[InventoryUpdate], key: str
    ) -> tuple[SubmittedFeed, ...]:
        settings = self._settings
        submitted: list[SubmittedFeed] = []
        noded = [u for u in batch if u.ship_node]
        default = [u for u in batch if not u.ship_node]
        for feed_type, updates, render in (
            ("MP_INVENTORY", noded, multi_node_inventory_feed),
            ("inventory", default, inventory_feed),
        ):
            chunks = chunked(
                updates,
                lambda u: json_size(inventory_document(u)) + 40,
                max_items=settings.walmart_feed_max_items,
                max_bytes=settings.walmart_feed_max_bytes,
            )
            for index, chunk in enumerate(chunks):
                submitted.append(
                    await self._feeds.submit(
                        feed_type,
                        render(chunk),
                        key=f"{key}-{feed_type}-{index}",
                        api=Api.FEED_INVENTORY,
                    )
                )
        return tuple(submitted)

    async def levels(self, sku: str) -> list[InventoryLevel]:
        """Every node's quantities (``GET /v3/inventories/{sku}``), else the default node's
        (``GET /v3/inventory``); empty when Walmart knows no inventory for the SKU."""
        try:
            nodes = await self._client.fetch(
                WalmartRequest("GET", f"/v3/inventories/{quote(sku, safe='')}", Api.INVENTORY_READ),
                SkuInventories,
            )
            if nodes.nodes:
                return nodes.to_domain()
        except WalmartNotFound:
            pass
        try:
            single = await self._client.fetch(
                WalmartRequest("GET", "/v3/inventory", Api.INVENTORY_READ, params=(("sku", sku),)),
                SingleInventory,
            )
        except WalmartNotFound:
            return []
        return [InventoryLevel(sku=single.sku, input_qty=int(single.quantity.amount))]
