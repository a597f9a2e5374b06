"""One function per ``walmart.commands`` message: command in, result payloads out.

Each handler emits its results through ``emit`` as they are ready (a long order listing is
published page by page rather than held in memory), and raises the ``walmart_gateway.errors``
tree untouched: :mod:`walmart_gateway.service` maps it onto the bus's retry and park.
Feed keys are the command's message id, so a redelivered command finds the feed it already
submitted instead of submitting another (:mod:`walmart_gateway.api.feeds`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from mlc_shared.domain.walmart import Order
from mlc_shared.messages.envelope import Envelope, Payload
from mlc_shared.messages.walmart import (
    AcknowledgeOrder,
    AcknowledgeOrders,
    AcknowledgeOutcome,
    CheckFeed,
    FeedChecked,
    FetchOrders,
    FetchReconReport,
    FetchReturns,
    FindItems,
    InventoryUpdated,
    IssueRefund,
    ItemsFound,
    ItemsSubmitted,
    ListReconDates,
    OrderAcknowledged,
    OrdersAcknowledged,
    OrdersFetched,
    PricesUpdated,
    ReconDatesListed,
    ReconReportFetched,
    RefundIssued,
    ReturnsFetched,
    SetupItems,
    UpdateInventory,
    UpdatePrices,
)

from walmart_gateway.api.orders import OrderQuery
from walmart_gateway.api.returns import ReturnQuery
from walmart_gateway.errors import (
    WalmartNotFound,
    WalmartRejected,
    WalmartResponseInvalid,
    WalmartTransient,
)
from walmart_gateway.gateway import WalmartSeller

Emit = Callable[[Payload], Awaitable[None]]
Handler = Callable[[WalmartSeller, Envelope, Emit], Awaitable[None]]
T = TypeVar("T")
CALLS_IN_FLIGHT = 8
"""Calls in flight for one command made of single-record calls (acknowledging a batch,
reading announced orders, looking up SKUs). Walmart publishes no limit for these (§10.2)
and the client waits out any 429 it gets; 8 makes a batch of 100 about 13 round trips and
stays well inside ``walmart_max_connections``."""
FIND_ITEMS_SINGLE_LIMIT = 200
"""``FindItems`` past this many SKUs reads the whole catalog instead of one call per SKU."""


async def update_inventory(seller: WalmartSeller, envelope: Envelope, emit: Emit) -> None:
    command = _payload(envelope, UpdateInventory)
    pushed = await seller.inventory.push(command.updates, key=envelope.message_id)
    ids = tuple(f.feed_id for f in pushed.feeds)
    await emit(
        InventoryUpdated(results=pushed.results, feed_id=ids[0] if ids else None, feed_ids=ids)
    )


async def update_prices(seller: WalmartSeller, envelope: Envelope, emit: Emit) -> None:
    command = _payload(envelope, UpdatePrices)
    pushed = await seller.prices.push(command.updates, key=envelope.message_id)
    ids = tuple(f.feed_id for f in pushed.feeds)
    await emit(PricesUpdated(results=pushed.results, feed_id=ids[0] if ids else None, feed_ids=ids))


async def setup_items(seller: WalmartSeller, envelope: Envelope, emit: Emit) -> None:
    command = _payload(envelope, SetupItems)
    feeds = await seller.items.setup(command.items, key=envelope.message_id)
    await emit(
        ItemsSubmitted(
            feed_ids=tuple(f.feed_id for f in feeds),
            skus=tuple(dict.fromkeys(i.sku for i in command.items)),
        )
    )


async def find_items(seller: WalmartSeller, envelope: Envelope, emit: Emit) -> None:
    """A few SKUs are looked up one by one (``GET /v3/items/{sku}``, 900/min, §3.3); past
    ``FIND_ITEMS_SINGLE_LIMIT`` one read of the whole catalog with the cursor is cheaper
    (``GET /v3/items``, 300/min at up to 200 items a page)."""
    command = _payload(envelope, FindItems)
    wanted = tuple(dict.fromkeys(command.skus))
    if len(wanted) <= FIND_ITEMS_SINGLE_LIMIT:
        gate = asyncio.Semaphore(CALLS_IN_FLIGHT)

        async def known(sku: str) -> bool:
            async with gate:
                return await seller.items.get(sku) is not None

        hits = await asyncio.gather(*(known(sku) for sku in wanted))
        listed = {sku for sku, hit in zip(wanted, hits, strict=True) if hit}
    else:
        listed = set()
        async for page in seller.items.pages():
            listed.update(item.sku for item in page)
    await emit(
        ItemsFound(
            found=tuple(s for s in wanted if s in listed),
            missing=tuple(s for s in wanted if s not in listed),
        )
    )


async def check_feed(seller: WalmartSeller, envelope: Envelope, emit: Emit) -> None:
    command = _payload(envelope, CheckFeed)
    # The per-item details cost a call per walmart_feed_detail_page_size items (§3.2: 50);
    # they are read only when they can tell something: the feed is done and not all well.
    feed = await seller.feeds.status(command.feed_id, details=False)
    if feed.complete and not feed.all_succeeded:
        feed = await seller.feeds.status(command.feed_id)
    await emit(FeedChecked(feed=feed))


async def fetch_orders(seller: WalmartSeller, envelope: Envelope, emit: Emit) -> None:
    command = _payload(envelope, FetchOrders)
    if command.purchase_order_ids:
        slots = asyncio.Semaphore(CALLS_IN_FLIGHT)

        async def one(po: str) -> Order | None:
            async with slots:
                return await seller.orders.get(po)

        # Reads repeat safely, so one failed call retries the whole command.
        found = await asyncio.gather(*(one(po) for po in command.purchase_order_ids))
        orders = tuple(order for order in found if order is not None)
        await emit(OrdersFetched(orders=orders, requested=command.purchase_order_ids))
        return
    query = OrderQuery(
        created_since=command.created_since,
        created_until=command.created_until,
        modified_since=command.modified_since,
        status=command.status,
        ship_node_type=command.ship_node_type,
        released=command.released,
    )
    await _paged(
        seller.orders.pages(query),
        emit,
        lambda page, n, last: OrdersFetched(orders=page, page=n, last_page=last),
    )


async def acknowledge_order(seller: WalmartSeller, envelope: Envelope, emit: Emit) -> None:
    command = _payload(envelope, AcknowledgeOrder)
    done = await seller.orders.acknowledge(command.purchase_order_id)
    await emit(OrderAcknowledged(purchase_order_id=command.purchase_order_id, already=done.already))


async def acknowledge_orders(seller: WalmartSeller, envelope: Envelope, emit: Emit) -> None:
    """Each order's own outcome, the calls made concurrently. An order Walmart refuses, or
    whose call fails, does not hold up the others (the orchestrator sends a failed one again
    alone); when every call failed for a transient reason, the command is retried whole."""
    command = _payload(envelope, AcknowledgeOrders)
    slots = asyncio.Semaphore(CALLS_IN_FLIGHT)
    failures: list[Exception] = []

    async def one(po: str) -> AcknowledgeOutcome:
        async with slots:
            try:
                done = await seller.orders.acknowledge(po)
            except (WalmartRejected, WalmartNotFound) as exc:
                return AcknowledgeOutcome(
                    purchase_order_id=po, outcome="refused", reason=exc.reason, codes=exc.codes
                )
            except (WalmartTransient, WalmartResponseInvalid) as exc:
                failures.append(exc)
                return AcknowledgeOutcome(purchase_order_id=po, outcome="failed", reason=exc.reason)
        return AcknowledgeOutcome(
            purchase_order_id=po, outcome="already" if done.already else "acknowledged"
        )

    answers = await asyncio.gather(
        *(one(po) for po in command.purchase_order_ids), return_exceptions=True
    )
    for answer in answers:
        if isinstance(answer, BaseException):  # a configuration error: nothing can succeed
            raise answer
    results = tuple(a for a in answers if isinstance(a, AcknowledgeOutcome))
    if results and len(failures) == len(results):
        raise failures[0]
    await emit(OrdersAcknowledged(results=results))


async def fetch_returns(seller: WalmartSeller, envelope: Envelope, emit: Emit) -> None:
    command = _payload(envelope, FetchReturns)
    query = ReturnQuery(
        created_since=command.created_since,
        created_until=command.created_until,
        modified_since=command.modified_since,
        return_order_id=command.return_order_id,
        status=command.status,
    )
    await _paged(
        seller.returns.pages(query),
        emit,
        lambda page, n, last: ReturnsFetched(returns=page, page=n, last_page=last),
    )


async def issue_refund(seller: WalmartSeller, envelope: Envelope, emit: Emit) -> None:
    command = _payload(envelope, IssueRefund)
    result = await seller.returns.refund(
        command.return_order_id, command.customer_order_id, command.lines
    )
    await emit(
        RefundIssued(
            return_order_id=command.return_order_id,
            customer_order_id=command.customer_order_id,
            lines=result.lines if result.lines else command.lines,
            already=result.already,
        )
    )


async def list_recon_dates(seller: WalmartSeller, envelope: Envelope, emit: Emit) -> None:
    _payload(envelope, ListReconDates)
    await emit(ReconDatesListed(report_dates=tuple(await seller.recon.dates())))


async def fetch_recon_report(seller: WalmartSeller, envelope: Envelope, emit: Emit) -> None:
    command = _payload(envelope, FetchReconReport)
    await emit(ReconReportFetched(report=await seller.recon.report(command.report_date)))


HANDLERS: dict[type[Payload], Handler] = {
    UpdateInventory: update_inventory,
    UpdatePrices: update_prices,
    SetupItems: setup_items,
    FindItems: find_items,
    CheckFeed: check_feed,
    FetchOrders: fetch_orders,
    AcknowledgeOrder: acknowledge_order,
    AcknowledgeOrders: acknowledge_orders,
    FetchReturns: fetch_returns,
    IssueRefund: issue_refund,
    ListReconDates: list_recon_dates,
    FetchReconReport: fetch_recon_report,
}


def subject_of(payload: Payload) -> str | None:
    """What a rejected command was about, for the operator reading the rejection."""
    for name in ("purchase_order_id", "return_order_id", "feed_id", "report_date"):
        value = getattr(payload, name, None)
        if isinstance(value, str):
            return value
    return None


async def _paged(
    pages: AsyncIterator[tuple[T, ...]],
    emit: Emit,
    make: Callable[[tuple[T, ...], int, bool], Payload],
) -> None:
    """Publish page n once page n+1 exists, so the last one can say so; an empty listing is
    one empty, last page (the orchestrator learns the fetch finished)."""
    held: tuple[T, ...] | None = None
    number = 0
    async for page in pages:
        if held is not None:
            await emit(make(held, number, False))
        held, number = page, number + 1
    await emit(make(held or (), max(number, 1), True))


def _payload(envelope: Envelope, kind: type[T]) -> T:
    payload: Any = envelope.payload
    if not isinstance(payload, kind):  # HANDLERS dispatches on the type: a wiring mistake
        raise TypeError(f"{envelope.type} routed to the {kind.__name__} handler")
    return payload
