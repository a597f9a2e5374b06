"""Commands to the walmart-gateway (queue ``walmart.commands``) and its events.

Every command gets exactly one kind of answer on ``orchestrator.events`` (listed next to it),
or :class:`WalmartRequestRejected` when Walmart refuses the request as invalid. Lists that
span several Walmart pages arrive as one message per page, ``last_page`` on the final one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from mlc_shared.domain.walmart import (
    FeedStatus,
    InventoryUpdate,
    ItemSetup,
    Order,
    PriceUpdate,
    ReconReport,
    RefundLine,
    ReturnOrder,
    SkuOutcome,
)
from mlc_shared.messages.envelope import Payload


class UpdateInventory(Payload, message_type="walmart.update_inventory"):
    """Absolute quantities. Few updates go one by one; many go as an inventory feed."""

    updates: tuple[InventoryUpdate, ...]


class InventoryUpdated(Payload, message_type="walmart.inventory_updated"):
    """``results`` per SKU and node for single updates. When a feed carried the updates,
    ``feed_id`` is set and ``results`` holds only what was refused before submission; the
    per-SKU outcome follows from :class:`CheckFeed`."""

    results: tuple[SkuOutcome, ...]
    feed_id: str | None = None
    feed_ids: tuple[str, ...] = ()
    """Every feed submitted for this command (several when it exceeded one feed's limit)."""


class FetchOrders(Payload, message_type="walmart.fetch_orders"):
    created_since: datetime | None = None
    purchase_order_ids: tuple[str, ...] = ()
    """Read these orders one by one (``GET /v3/orders/{purchaseOrderId}``, walmart-api.md
    §6.3) instead of listing: the orders that Walmart events announced. The other fields are
    then ignored."""
    modified_since: datetime | None = None
    """``lastModifiedStartDate`` (walmart-api.md §6.1); not with ``released``."""
    created_until: datetime | None = None
    released: bool = False
    """``GET /v3/orders/released``: only lines released for fulfilment (status Created)."""
    status: str | None = None
    ship_node_type: str | None = None
    """SellerFulfilled (Walmart's default), WFSFulfilled or 3PLFulfilled."""

    @model_validator(mode="before")
    @classmethod
    def _one_id(cls, data: Any) -> Any:
        """Releases before 2026-11-27 wrote ``purchase_order_id`` (one id, or null); such a
        message still in a queue or parked reads as the same request."""
        if isinstance(data, dict) and "purchase_order_id" in data:
            data = dict(data)
            one = data.pop("purchase_order_id")
            if one:
                data.setdefault("purchase_order_ids", (one,))
        return data


class OrdersFetched(Payload, message_type="walmart.orders_fetched"):
    orders: tuple[Order, ...]
    page: int = 1
    last_page: bool = True
    requested: tuple[str, ...] = ()
    """The answer to a read by id: the ids asked for (one absent from ``orders`` was not
    found). Empty for a listing."""


class AcknowledgeOrder(Payload, message_type="walmart.acknowledge_order"):
    purchase_order_id: str


class OrderAcknowledged(Payload, message_type="walmart.order_acknowledged"):
    purchase_order_id: str
    already: bool = False
    """True when Walmart already showed the order acknowledged (a redelivered command)."""


class AcknowledgeOrders(Payload, message_type="walmart.acknowledge_orders"):
    """Every order of one Tally batch at once: Walmart has no bulk acknowledge (§6.3), but one
    command instead of one per order lets the gateway make the calls concurrently and keeps
    a burst of acknowledgements from queueing for seconds in front of the next order poll
    (bench/e2e_orders.py)."""

    purchase_order_ids: tuple[str, ...]


class AcknowledgeOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    purchase_order_id: str
    outcome: Literal["acknowledged", "already", "refused", "failed"]
    """``already``: Walmart showed it acknowledged before; ``refused``: Walmart refused it as
    invalid (resending cannot help); ``failed``: no answer that settles it (5xx, timeouts,
    an unreadable answer), so it is sent again alone as :class:`AcknowledgeOrder`."""
    reason: str | None = None
    codes: tuple[str, ...] = ()


class OrdersAcknowledged(Payload, message_type="walmart.orders_acknowledged"):
    results: tuple[AcknowledgeOutcome, ...]


class UpdatePrices(Payload, message_type="walmart.update_prices"):
    updates: tuple[PriceUpdate, ...]


class PricesUpdated(Payload, message_type="walmart.prices_updated"):
    """Same shape as :class:`InventoryUpdated`."""

    results: tuple[SkuOutcome, ...]
    feed_id: str | None = None
    feed_ids: tuple[str, ...] = ()


class SetupItems(Payload, message_type="walmart.setup_items"):
    items: tuple[ItemSetup, ...]


class ItemsSubmitted(Payload, message_type="walmart.items_submitted"):
    feed_ids: tuple[str, ...]
    skus: tuple[str, ...]


class FindItems(Payload, message_type="walmart.find_items"):
    """Which of these SKUs does Walmart's catalog hold? (before setting up new items, so an
    item already listed is never overwritten by an ``MP_ITEM`` feed, walmart-api.md §3.1)"""

    skus: tuple[str, ...]


class ItemsFound(Payload, message_type="walmart.items_found"):
    found: tuple[str, ...]
    missing: tuple[str, ...]


class CheckFeed(Payload, message_type="walmart.check_feed"):
    feed_id: str


class FeedChecked(Payload, message_type="walmart.feed_checked"):
    """``feed.complete`` False: ask again later (walmart-api.md §3.2 poll cadence)."""

    feed: FeedStatus


class FetchReturns(Payload, message_type="walmart.fetch_returns"):
    created_since: datetime | None = None
    created_until: datetime | None = None
    modified_since: datetime | None = None
    return_order_id: str | None = None
    status: str | None = None


class ReturnsFetched(Payload, message_type="walmart.returns_fetched"):
    returns: tuple[ReturnOrder, ...]
    page: int = 1
    last_page: bool = True


class IssueRefund(Payload, message_type="walmart.issue_refund"):
    return_order_id: str
    customer_order_id: str
    lines: tuple[RefundLine, ...]


class RefundIssued(Payload, message_type="walmart.refund_issued"):
    return_order_id: str
    customer_order_id: str
    lines: tuple[RefundLine, ...]
    already: bool = False
    """True when the return already showed the refund (nothing was sent again)."""


class ListReconDates(Payload, message_type="walmart.list_recon_dates"):
    pass


class ReconDatesListed(Payload, message_type="walmart.recon_dates_listed"):
    report_dates: tuple[str, ...]
    """MMDDYYYY exactly as Walmart lists them (walmart-api.md §8.1)."""


class FetchReconReport(Payload, message_type="walmart.fetch_recon_report"):
    report_date: str


class ReconReportFetched(Payload, message_type="walmart.recon_report_fetched"):
    report: ReconReport


class WalmartRequestRejected(Payload, message_type="walmart.request_rejected"):
    """Walmart refused a command's request as invalid; resending it unchanged cannot help."""

    command_type: str
    reason: str
    codes: tuple[str, ...] = ()
    subject: str | None = None
    """What the command was about (purchase order, return order, feed id)."""
