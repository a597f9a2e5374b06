"""Orders (walmart-api.md §6): list (created or modified since, or released), one, acknowledge.

Paging: ``list.meta.nextCursor`` is a ready-made query string (``?limit=..&soIndex=..``) sent
back verbatim -- never decoded or re-encoded, or its dates break (§6.1, §11.2 #1). An empty
result is a 404 CONTENT_NOT_FOUND, not an empty list (§6.1).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from mlc_shared.domain.walmart import Order
from walmart_gateway.apis import Api
from walmart_gateway.client import WalmartClient
from walmart_gateway.errors import WalmartNotFound, WalmartRejected, WalmartResponseInvalid
from walmart_gateway.settings import WalmartSettings
from walmart_gateway.transport import WalmartRequest
from walmart_gateway.wire.orders import OrderEnvelope, OrdersPage

_DONE_OR_BEYOND = frozenset({"Acknowledged", "Shipped", "Delivered", "Refund"})


def walmart_time(moment: datetime) -> str:
    """``yyyy-MM-ddTHH:mm:ssZ`` in UTC (§6.1)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class OrderQuery:
    created_since: datetime | None = None
    created_until: datetime | None = None
    modified_since: datetime | None = None
    status: str | None = None
    ship_node_type: str | None = None
    released: bool = False
    sku: str | None = None

    def params(self, limit: int) -> tuple[tuple[str, str], ...]:
        pairs: list[tuple[str, str]] = [("limit", str(limit))]
        if self.created_since:
            pairs.append(("createdStartDate", walmart_time(self.created_since)))
        if self.created_until:
            pairs.append(("createdEndDate", walmart_time(self.created_until)))
        if self.modified_since and not self.released:  # §6.1: released has no lastModified*
            pairs.append(("lastModifiedStartDate", walmart_time(self.modified_since)))
        if self.status and not self.released:
            pairs.append(("status", self.status))
        if self.ship_node_type:
            pairs.append(("shipNodeType", self.ship_node_type))
        if self.sku:
            pairs.append(("sku", self.sku))
        return tuple(pairs)


@dataclass(frozen=True)
class Acknowledged:
    order: Order | None
    already: bool


def is_acknowledged(order: Order) -> bool:
    open_lines = [line for line in order.lines if not line.is_cancelled]
    return bool(open_lines) and all(line.status in _DONE_OR_BEYOND for line in open_lines)


class OrdersApi:
    def __init__(self, client: WalmartClient, settings: WalmartSettings) -> None:
        self._client = client
        self._settings = settings

    async def pages(self, query: OrderQuery) -> AsyncIterator[tuple[Order, ...]]:
        path = "/v3/orders/released" if query.released else "/v3/orders"
        request = WalmartRequest(
            "GET",
            path,
            Api.ORDERS_READ,
            params=query.params(self._settings.walmart_orders_page_size),
        )
        seen: set[str] = set()
        while True:
            try:
                page = await self._client.fetch(request, OrdersPage)
            except WalmartNotFound:
                return  # §6.1: no (more) results
            orders = tuple(o.to_domain() for o in page.orders)
            if orders:
                yield orders
            cursor = page.next_cursor
            if not cursor or not orders:
                return
            if cursor in seen:
                raise WalmartResponseInvalid(
                    f"{path} returned the cursor {cursor!r} twice; stopping instead of looping"
                )
            seen.add(cursor)
            if self._settings.walmart_orders_cursor_form == "query":
                request = WalmartRequest("GET", path, Api.ORDERS_READ, raw_query=cursor)
            else:
                request = WalmartRequest(
                    "GET", path, Api.ORDERS_READ, params=(("nextCursor", cursor),)
                )

    async def all(self, query: OrderQuery) -> list[Order]:
        return [order async for page in self.pages(query) for order in page]

    async def get(self, purchase_order_id: str) -> Order | None:
        request = WalmartRequest(
            "GET", f"/v3/orders/{quote(purchase_order_id, safe='')}", Api.ORDERS_READ
        )
        try:
            return (await self._client.fetch(request, OrderEnvelope)).order.to_domain()
        except WalmartNotFound:
            return None

    async def acknowledge(self, purchase_order_id: str) -> Acknowledged:
        """Acknowledge the whole PO (§6.3). Repeating it changes nothing, so a retried call is
        safe; when Walmart refuses it, the order is read back: already acknowledged (a
        redelivered command, or a retry after a lost answer) counts as done."""
        request = WalmartRequest(
            "POST",
            f"/v3/orders/{quote(purchase_order_id, safe='')}/acknowledge",
            Api.ORDERS_ACKNOWLEDGE,
        )
        try:
            answer = await self._client.fetch(request, OrderEnvelope)
        except WalmartRejected:
            order = await self.get(purchase_order_id)
            if order is not None and is_acknowledged(order):
                return Acknowledged(order, already=True)
            raise
        return Acknowledged(answer.order.to_domain(), already=False)
