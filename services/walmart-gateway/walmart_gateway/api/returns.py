"""Returns and refunds (walmart-api.md §7).

Listing pages like orders: ``meta.nextCursor`` is a query string appended verbatim. Whether
an empty result is a 404 or an empty list is UNCERTAIN (§7): both end the listing.

Issuing a refund is not idempotent (§10.4): the return is read first, and lines whose
quantity is already refunded are not sent again -- on the first attempt, after a
redelivery, and after an ambiguous failure.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from mlc_shared.domain.walmart import RefundLine, ReturnOrder
from walmart_gateway.api.orders import walmart_time
from walmart_gateway.apis import Api
from walmart_gateway.client import WalmartClient
from walmart_gateway.errors import WalmartNotFound, WalmartOutcomeUnknown, WalmartResponseInvalid
from walmart_gateway.settings import WalmartSettings
from walmart_gateway.transport import WalmartRequest, json_body
from walmart_gateway.wire.returns import RefundEcho, ReturnsPage, refund_document

# §7: a fresh return already shows currentRefundStatus REFUND_INITIATED, so only an issued
# refund or the refunded quantity say the money went back.
_REFUNDED = frozenset({"REFUND_ISSUED"})


@dataclass(frozen=True)
class ReturnQuery:
    created_since: datetime | None = None
    created_until: datetime | None = None
    modified_since: datetime | None = None
    return_order_id: str | None = None
    status: str | None = None

    def params(self, limit: int) -> tuple[tuple[str, str], ...]:
        pairs: list[tuple[str, str]] = [("limit", str(limit))]
        if self.return_order_id:
            pairs.append(("returnOrderId", self.return_order_id))
        if self.created_since:
            pairs.append(("returnCreationStartDate", walmart_time(self.created_since)))
        if self.created_until:
            pairs.append(("returnCreationEndDate", walmart_time(self.created_until)))
        if self.modified_since:
            pairs.append(("returnLastModifiedStartDate", walmart_time(self.modified_since)))
        if self.status:
            pairs.append(("status", self.status))
        return tuple(pairs)


@dataclass(frozen=True)
class RefundResult:
    lines: tuple[RefundLine, ...]
    """The lines sent now (empty when every line was already refunded)."""
    already: bool


def pending_lines(ret: ReturnOrder, lines: tuple[RefundLine, ...]) -> tuple[RefundLine, ...]:
    by_number = {line.return_order_line_number: line for line in ret.lines}
    pending = []
    for wanted in lines:
        have = by_number.get(wanted.return_order_line_number)
        done = have is not None and (
            have.refunded_qty >= wanted.quantity or (have.current_refund_status or "") in _REFUNDED
        )
        if not done:
            pending.append(wanted)
    return tuple(pending)


class ReturnsApi:
    def __init__(self, client: WalmartClient, settings: WalmartSettings) -> None:
        self._client = client
        self._settings = settings

    async def pages(self, query: ReturnQuery) -> AsyncIterator[tuple[ReturnOrder, ...]]:
        request = WalmartRequest(
            "GET",
            "/v3/returns",
            Api.RETURNS_READ,
            params=query.params(self._settings.walmart_returns_page_size),
        )
        seen: set[str] = set()
        while True:
            try:
                page = await self._client.fetch(request, ReturnsPage)
            except WalmartNotFound:
                return
            returns = tuple(r.to_domain() for r in page.returnOrders)
            if returns:
                yield returns
            cursor = page.next_cursor
            if not cursor or not returns:
                return
            if cursor in seen:
                raise WalmartResponseInvalid(f"/v3/returns returned the cursor {cursor!r} twice")
            seen.add(cursor)
            request = WalmartRequest("GET", "/v3/returns", Api.RETURNS_READ, raw_query=cursor)

    async def get(self, return_order_id: str) -> ReturnOrder | None:
        async for page in self.pages(ReturnQuery(return_order_id=return_order_id)):
            for ret in page:
                if ret.return_order_id == return_order_id:
                    return ret
        return None

    async def refund(
        self, return_order_id: str, customer_order_id: str, lines: tuple[RefundLine, ...]
    ) -> RefundResult:
        current = await self.get(return_order_id)
        if current is None:
            raise WalmartNotFound(f"return order {return_order_id} does not exist")
        pending = pending_lines(current, lines)
        if not pending:
            return RefundResult((), already=True)
        request = WalmartRequest(
            "POST",
            f"/v3/returns/{quote(return_order_id, safe='')}/refund",
            Api.RETURNS_REFUND,
            body=json_body(refund_document(customer_order_id, pending)),
            idempotent=False,
        )
        try:
            await self._client.fetch(request, RefundEcho)
        except WalmartOutcomeUnknown:
            after = await self.get(return_order_id)
            if after is not None and not pending_lines(after, pending):
                return RefundResult(pending, already=False)
            raise
        return RefundResult(pending, already=False)
