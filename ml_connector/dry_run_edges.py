"""The edges of a dry run (sync_orchestrator/dry_run.py): reads executed with the agent's
command runner and the gateway's handlers, writes rendered with their own renderers into the
exact requests they would send.

Rendering follows the code that sends: ``tally_agent.importer.Importer`` (duplicate check
first, then batches of ``MLC_TALLY_IMPORT_BATCH_SIZE`` in date and type order, masters as
"All Masters"), ``walmart_gateway.api.inventory.InventoryApi.push`` and
``walmart_gateway.api.prices.PricesApi.push`` (single calls up to the feed threshold, feeds
above it, split at Walmart's limits), ``OrdersApi.acknowledge``. A write command with no
renderer here is shown as the command itself. Secrets registered with the log redactor
(a Tally password in ``SVPASSWORD``) are masked.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Literal
from urllib.parse import quote, urlencode

from mlc_shared.bus.base import Reject
from mlc_shared.domain.tally import Company, Voucher
from mlc_shared.domain.walmart import InventoryUpdate, PriceUpdate
from mlc_shared.logging import redact_text
from mlc_shared.messages.envelope import Envelope, Payload
from mlc_shared.messages.tally import CreateMasters, FindVouchers, ImportVouchers
from mlc_shared.messages.walmart import (
    AcknowledgeOrder,
    AcknowledgeOrders,
    UpdateInventory,
    UpdatePrices,
)
from sync_orchestrator.dry_run import Rendered
from tally_agent.importer import voucher_key
from tally_agent.lookup import key_of
from tally_agent.protocol.envelopes import RequestContext, import_data
from tally_agent.protocol.masters import render_master
from tally_agent.protocol.vouchers import UnrenderableVoucher, check, render_voucher
from walmart_gateway.api.feeds import chunked, feed_file_name, json_size
from walmart_gateway.api.inventory import last_wins
from walmart_gateway.handlers import HANDLERS
from walmart_gateway.transport import json_body
from walmart_gateway.wire.catalog import (
    inventory_document,
    inventory_feed,
    multi_node_inventory_feed,
    price_document,
    price_feed,
)

from ml_connector.edges import Edges

XML, JSON = "application/xml", "application/json"
Render = Callable[[Envelope], Awaitable[list[Rendered]]]


def _json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=str)


def _wire(document: Any) -> str:
    """The body exactly as the gateway sends it (``transport.json_body``)."""
    return json_body(document).payload.decode()


class DryRunEdges:
    def __init__(self, edges: Edges) -> None:
        self.edges = edges
        self._company: Company | None = None
        self.skipped: list[str] = []
        """Vouchers the agent's duplicate check would skip (already in Tally)."""
        self._renderers: dict[type[Payload], Render] = {
            ImportVouchers: self._import_vouchers,
            CreateMasters: self._create_masters,
            UpdateInventory: self._update_inventory,
            UpdatePrices: self._update_prices,
            AcknowledgeOrder: self._acknowledge,
            AcknowledgeOrders: self._acknowledge_all,
        }

    # -- reads -------------------------------------------------------------------------------

    async def read(self, message: Envelope) -> AsyncIterator[Payload]:
        if message.type.startswith("tally."):
            async for result in self.edges.runner.run(message.payload):
                yield result
            return
        handler = HANDLERS.get(type(message.payload))
        if handler is None:
            raise Reject(f"the gateway does not handle {message.type}")
        results: list[Payload] = []

        async def emit(result: Payload) -> None:
            results.append(result)

        await handler(await self.edges.seller(), message, emit)
        for result in results:
            yield result

    # -- writes ------------------------------------------------------------------------------

    async def render(self, message: Envelope) -> list[Rendered]:
        renderer = self._renderers.get(type(message.payload))
        if renderer is not None:
            return await renderer(message)
        system: Literal["tally", "walmart"] = (
            "tally" if message.type.startswith("tally.") else "walmart"
        )
        return [
            Rendered(
                system,
                f"command {message.type} (rendered by the {system} side when it runs)",
                redact_text(_json(message.payload.model_dump(mode="json"))),
                JSON,
            )
        ]

    async def _context(self) -> RequestContext:
        if self._company is None:
            self._company = await self.edges.reader.open_company()
        return self.edges.reader.for_company(self._company).ctx

    def _tally(self, title: str, xml: str) -> Rendered:
        return Rendered(
            "tally", f"POST {self.edges.tally.tally_base_url} {title}", redact_text(xml), XML
        )

    async def _import_vouchers(self, message: Envelope) -> list[Rendered]:
        command = message.payload
        assert isinstance(command, ImportVouchers)
        ctx = await self._context()
        rendered: list[Rendered] = []
        options = self.edges.runner.options
        if command.masters:
            objects = [render_master(spec) for spec in command.masters]
            rendered.append(
                self._tally(
                    f"create {len(objects)} masters",
                    import_data(ctx, "All Masters", objects, options.style),
                )
            )
        pending = await self._not_in_tally(command.vouchers)
        pending.sort(key=lambda v: (v.date, v.tally_voucher_type))
        size = options.batch_size
        for start in range(0, len(pending), size):
            batch = pending[start : start + size]
            xml = import_data(
                ctx,
                options.voucher_import_id,
                [render_voucher(v, options.forex) for v in batch],
                options.style,
            )
            numbers = ", ".join(v.number for v in batch[:5]) + (" ..." if len(batch) > 5 else "")
            rendered.append(self._tally(f"import {len(batch)} voucher(s): {numbers}", xml))
        return rendered

    async def _not_in_tally(self, vouchers: Sequence[Voucher]) -> list[Voucher]:
        """What the agent would send: vouchers Tally would refuse anyway, or that its
        duplicate check finds in Tally already, are left out (and said so)."""
        candidates: list[Voucher] = []
        for voucher in vouchers:
            try:
                check(voucher)
            except UnrenderableVoucher as exc:
                self.skipped.append(f"voucher {voucher.number}: refused before sending: {exc}")
                continue
            candidates.append(voucher)
        if not candidates:
            return []
        keys = tuple(voucher_key(v) for v in candidates)
        match_type = self.edges.runner.options.match_type
        missing: set[Any] = set()
        async for found in self.edges.runner.find_vouchers(FindVouchers(keys=keys)):
            missing.update(key_of(k, match_type) for k in found.missing)
        kept = [v for v in candidates if key_of(voucher_key(v), match_type) in missing]
        for voucher in candidates:
            if voucher not in kept:
                self.skipped.append(
                    f"voucher {voucher.number} of {voucher.date} is in Tally already"
                )
        return kept

    async def _create_masters(self, message: Envelope) -> list[Rendered]:
        command = message.payload
        assert isinstance(command, CreateMasters)
        ctx = await self._context()
        objects = [render_master(spec) for spec in command.masters]
        options = self.edges.runner.options
        return [
            self._tally(
                f"create {len(objects)} masters",
                import_data(ctx, "All Masters", objects, options.style),
            )
        ]

    def _walmart(
        self, method: str, path: str, params: Sequence[tuple[str, str]], body: Any
    ) -> Rendered:
        query = f"?{urlencode(list(params))}" if params else ""
        text = "" if body is None else _wire(body)
        return Rendered("walmart", f"{method} {path}{query}", text, JSON)

    def _feed(self, feed_type: str, document: dict[str, Any], key: str) -> Rendered:
        upload = self.edges.walmart.walmart_feed_upload
        how = f"multipart file {feed_file_name(key)}" if upload == "multipart" else "JSON body"
        title = f"POST /v3/feeds?feedType={feed_type} ({how})"
        return Rendered("walmart", title, _wire(document), JSON)

    async def _update_inventory(self, message: Envelope) -> list[Rendered]:
        command = message.payload
        assert isinstance(command, UpdateInventory)
        settings = self.edges.walmart
        default = settings.walmart_default_ship_node

        def noded(update: InventoryUpdate) -> InventoryUpdate:
            node = update.ship_node or default
            return (
                update
                if node == update.ship_node
                else update.model_copy(update={"ship_node": node})
            )

        batch = [noded(u) for u in last_wins(command.updates)]
        if len(batch) <= settings.walmart_inventory_feed_threshold:
            return [
                self._walmart(
                    "PUT",
                    "/v3/inventory",
                    [("sku", u.sku), *([("shipNode", u.ship_node)] if u.ship_node else [])],
                    inventory_document(u),
                )
                for u in batch
            ]
        rendered: list[Rendered] = []
        key = message.message_id
        for feed_type, updates, render in (
            ("MP_INVENTORY", [u for u in batch if u.ship_node], multi_node_inventory_feed),
            ("inventory", [u for u in batch if not u.ship_node], inventory_feed),
        ):
            chunks = chunked(
                updates,
                lambda u: json_size(inventory_document(u)) + 40,
                max_items=settings.walmart_feed_max_items,
                max_bytes=settings.walmart_feed_max_bytes,
            )
            for index, chunk in enumerate(chunks):
                rendered.append(self._feed(feed_type, render(chunk), f"{key}-{feed_type}-{index}"))
        return rendered

    async def _update_prices(self, message: Envelope) -> list[Rendered]:
        command = message.payload
        assert isinstance(command, UpdatePrices)
        settings = self.edges.walmart
        batch: list[PriceUpdate] = list({u.sku: u for u in command.updates}.values())
        if len(batch) <= settings.walmart_price_feed_threshold:
            return [self._walmart("PUT", "/v3/price", [], price_document(u)) for u in batch]
        chunks = chunked(
            batch,
            lambda u: json_size(price_document(u)),
            max_items=settings.walmart_feed_max_items,
            max_bytes=settings.walmart_feed_max_bytes,
        )
        return [
            self._feed(
                "price",
                price_feed(chunk, settings.walmart_price_feed_version),
                f"{message.message_id}-price-{index}",
            )
            for index, chunk in enumerate(chunks)
        ]

    async def _acknowledge(self, message: Envelope) -> list[Rendered]:
        command = message.payload
        assert isinstance(command, AcknowledgeOrder)
        path = f"/v3/orders/{quote(command.purchase_order_id, safe='')}/acknowledge"
        return [self._walmart("POST", path, [], None)]

    async def _acknowledge_all(self, message: Envelope) -> list[Rendered]:
        command = message.payload
        assert isinstance(command, AcknowledgeOrders)
        return [
            self._walmart("POST", f"/v3/orders/{quote(po, safe='')}/acknowledge", [], None)
            for po in command.purchase_order_ids
        ]
