"""Walmart event notifications as typed models, and what the webhook-receiver publishes.

Walmart POSTs ``{"source": {"eventType", "eventTime", "eventId"}, "payload": {...}}``
(walmart-api.md §9.3). The receiver parses ``payload`` into the model for its event type
(:data:`EVENT_MODELS`) and publishes one message to ``orchestrator.events``:

* :class:`WebhookEventReceived` — a known event type whose payload is valid. Events are
  lightweight; the orchestrator re-reads the order, return or item through the gateway
  before acting (§9.5), using the identifiers carried here (``purchase_order_ids``,
  ``return_order_ids``).
* :class:`WebhookEventUnhandled` — an unknown event type, or a known type whose payload
  does not validate. It carries the raw body so an operator can act on it; the event is
  also kept in the ``webhook_events`` table. Never dropped (issue 5).

Payload models read Walmart's camelCase names and ignore fields they do not know (Walmart
adds fields without notice: the Buy Box payload grew in 2026, §9.3). On the bus they are
written with our snake_case field names, so one model reads both. Date fields stay ISO
strings as Walmart sends them: their exact formats are UNCERTAIN (§9.3).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, JsonValue, model_validator
from pydantic.alias_generators import to_camel

from mlc_shared.messages.envelope import Payload


class WalmartEventModel(BaseModel):
    """Base of the Walmart notification models: camelCase in, extra fields ignored.

    Each event model's ``event_type`` is ours (the discriminator on the bus), not read from
    Walmart's payload: the type is in ``source.eventType``, and the simulator's sample
    payloads also carry an ``eventType`` of their own.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="ignore",
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=True,
        allow_inf_nan=False,  # 1e400 in JSON is a float('inf'): invalid, not "null" on the bus
        coerce_numbers_to_str=True,  # quantities are strings per §9.3; a number is tolerated
    )


Text = Annotated[str, Field(min_length=1)]


# --- orders (§9.3 PO_CREATED; the PO_LINE_AUTOCANCELLED page has the same line shape) ---


class EventQuantity(WalmartEventModel):
    unit_of_measure: str | None = None
    measurement_value: str | None = None


class EventOrderLine(WalmartEventModel):
    line_number: str | None = None
    sku: str | None = None
    product_name: str | None = None
    quantity: EventQuantity | None = None
    status: str | None = None
    status_date: str | None = None
    shipping_program_type: str | None = None
    shipping_method: str | None = None
    ship_node_type: str | None = None
    cancellation_reason: str | None = None


class _OrderEventBody(WalmartEventModel):
    partner_id: str | None = None
    purchase_order_id: Text
    customer_order_id: str | None = None
    order_date: str | None = None
    estimated_delivery_date: str | None = None
    estimated_ship_date: str | None = None
    order_lines: tuple[EventOrderLine, ...] = ()


class PoCreated(_OrderEventBody):
    event_type: Literal["PO_CREATED"] = Field(default="PO_CREATED", alias="event_type")


class PoLineAutocancelled(_OrderEventBody):
    event_type: Literal["PO_LINE_AUTOCANCELLED"] = Field(
        default="PO_LINE_AUTOCANCELLED", alias="event_type"
    )


class OrderUpdateOrder(WalmartEventModel):
    purchase_order_id: str | None = None
    customer_order_id: str | None = None
    order_date: str | None = None
    order_lines: tuple[EventOrderLine, ...] = ()


class OrderUpdates(WalmartEventModel):
    """``ORDER_UPDATES``: one envelope for several order milestones, told apart by
    ``subEventType`` (PO_CREATED, PO_LINE_AUTOCANCELLED, INTENT_TO_CANCEL, FRAUD_CANCEL).

    The sheet puts ``subEventType`` on the payload and the order in ``payload.order``; the
    order-management page also mentions a ``meta`` container (§9.2, D-order-management-event).
    Both places are read; the purchase order id may be on the payload or in its ``order``.
    """

    event_type: Literal["ORDER_UPDATES"] = Field(default="ORDER_UPDATES", alias="event_type")
    partner_id: str | None = None
    sub_event_type: str | None = None
    purchase_order_id: str | None = None
    order: OrderUpdateOrder | None = None

    @model_validator(mode="before")
    @classmethod
    def _sub_event_from_meta(cls, data: Any) -> Any:
        if isinstance(data, dict) and "subEventType" not in data and "sub_event_type" not in data:
            meta = data.get("meta")
            if isinstance(meta, dict) and isinstance(meta.get("subEventType"), str):
                return {**data, "subEventType": meta["subEventType"]}
        return data

    @model_validator(mode="after")
    def _has_purchase_order(self) -> OrderUpdates:
        if not self.order_id:
            raise ValueError("no purchaseOrderId on the payload or in payload.order")
        return self

    @property
    def order_id(self) -> str | None:
        return self.purchase_order_id or (self.order.purchase_order_id if self.order else None)


# --- returns (§9.3 RETURN_CREATED) ---


class EventReturnOrder(WalmartEventModel):
    return_order_id: Text
    purchase_order_id: str | None = None
    customer_order_id: str | None = None
    product_name: str | None = None


class ReturnCreated(WalmartEventModel):
    event_type: Literal["RETURN_CREATED"] = Field(default="RETURN_CREATED", alias="event_type")
    partner_id: str | None = None
    partner_name: str | None = None
    return_orders: tuple[EventReturnOrder, ...] = Field(min_length=1)


# --- inventory and items (§9.3 INVENTORY_OOS, OFFER_PUBLISHED, OFFER_UNPUBLISHED) ---


class EventShipNode(WalmartEventModel):
    ship_node: str | None = None
    ship_node_name: str | None = None
    avail_to_sell_qty: Decimal | None = None


class InventoryOos(WalmartEventModel):
    event_type: Literal["INVENTORY_OOS"] = Field(default="INVENTORY_OOS", alias="event_type")
    partner_id: str | None = None
    item_id: str | None = None
    sku: Text
    product_name: str | None = None
    category: str | None = None
    ship_nodes: tuple[EventShipNode, ...] = ()


class _OfferEventBody(WalmartEventModel):
    partner_id: str | None = None
    item_id: str | None = None
    sku: Text
    publish_status: str | None = None
    lifecycle_status: str | None = None
    item_name: str | None = None
    category: str | None = None
    total_number_of_offers: int | None = None
    seller_offer_price: Decimal | None = None
    seller_shipping_price: Decimal | None = None


class OfferPublished(_OfferEventBody):
    event_type: Literal["OFFER_PUBLISHED"] = Field(default="OFFER_PUBLISHED", alias="event_type")


class OfferUnpublished(_OfferEventBody):
    event_type: Literal["OFFER_UNPUBLISHED"] = Field(
        default="OFFER_UNPUBLISHED", alias="event_type"
    )
    status_change_reasons: dict[str, JsonValue] | None = None
    reference_price: Decimal | None = None
    reference_price_url: str | None = Field(default=None, alias="referencePriceURL")


# --- prices (D-buy-box-changed-event: itemInfo, offer.currentOffer / winningOffer, offers[]) ---


class BuyBoxItemInfo(WalmartEventModel):
    item_id: str | None = None
    item_name: str | None = None
    category: str | None = None
    product_type: str | None = None
    brand: str | None = None
    sku: str | None = None
    # the US page says totalNumberOfOffers, the global page totalNumberOffers
    total_number_of_offers: int | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "totalNumberOfOffers", "totalNumberOffers", "total_number_of_offers"
        ),
    )


class BuyBoxOfferDetails(WalmartEventModel):
    seller_name: str | None = None
    seller_offer_price: Decimal | None = None
    seller_shipping_speed: str | None = None
    seller_shipping_price: Decimal | None = None
    pro_seller_badge: bool | None = None
    is_wfs: bool | None = Field(default=None, alias="isWFS")


class BuyBoxOffer(WalmartEventModel):
    current_offer: BuyBoxOfferDetails | None = None
    winning_offer: BuyBoxOfferDetails | None = None


class BuyBoxChanged(WalmartEventModel):
    event_type: Literal["BUY_BOX_CHANGED"] = Field(default="BUY_BOX_CHANGED", alias="event_type")
    partner_id: str | None = None
    item_info: BuyBoxItemInfo | None = None
    offer: BuyBoxOffer | None = None
    offers: tuple[BuyBoxOfferDetails, ...] = ()


# --- reports (D-report-status-notification) and performance (§9.2, asyncapi) ---


class ReportStatus(WalmartEventModel):
    event_type: Literal["REPORT_STATUS"] = Field(default="REPORT_STATUS", alias="event_type")
    partner_id: str | None = None
    request_id: Text
    request_status: Text
    request_submission_date: str | None = None
    report_generation_date: str | None = None
    report_type: str | None = None
    report_version: str | None = None
    error_description: str | None = None


class SellerPerformanceNotification(WalmartEventModel):
    """Routed by ``notificationType`` (ALARMS daily, REPORT weekly); the content stays an
    open object because Walmart does not publish its full schema (notifications-asyncapi)."""

    event_type: Literal["SELLER_PERFORMANCE_NOTIFICATIONS"] = Field(
        default="SELLER_PERFORMANCE_NOTIFICATIONS", alias="event_type"
    )
    partner_id: str | None = None
    notification_type: Text
    last_refresh_ts: str | None = None
    more_info_link: str | None = None
    en_notification: dict[str, JsonValue] | None = None
    supported_languages: tuple[str, ...] = ()


WalmartEvent = Annotated[
    PoCreated
    | PoLineAutocancelled
    | OrderUpdates
    | ReturnCreated
    | InventoryOos
    | OfferPublished
    | OfferUnpublished
    | BuyBoxChanged
    | ReportStatus
    | SellerPerformanceNotification,
    Field(discriminator="event_type"),
]

EVENT_MODELS: dict[str, type[WalmartEventModel]] = {
    str(model.model_fields["event_type"].default): model
    for model in (
        PoCreated,
        PoLineAutocancelled,
        OrderUpdates,
        ReturnCreated,
        InventoryOos,
        OfferPublished,
        OfferUnpublished,
        BuyBoxChanged,
        ReportStatus,
        SellerPerformanceNotification,
    )
}
"""Every event type the connector understands (§9.2), by ``source.eventType``."""


# --- what the receiver publishes to orchestrator.events ---


class WebhookEventReceived(Payload, message_type="webhook.event_received"):
    """A valid notification. ``message_id`` is derived from tenant and ``event_id``, so a
    re-publication after a crash is recognised by the orchestrator's inbox."""

    event_id: str
    event_time: datetime | None = None
    received_at: datetime
    event: WalmartEvent

    @property
    def event_type(self) -> str:
        return self.event.event_type

    @property
    def purchase_order_ids(self) -> tuple[str, ...]:
        """Orders to re-read through the gateway (§9.5: events are lightweight)."""
        event = self.event
        if isinstance(event, PoCreated | PoLineAutocancelled):
            return (event.purchase_order_id,)
        if isinstance(event, OrderUpdates):
            return (event.order_id,) if event.order_id else ()
        if isinstance(event, ReturnCreated):
            return tuple(
                dict.fromkeys(
                    r.purchase_order_id for r in event.return_orders if r.purchase_order_id
                )
            )
        return ()

    @property
    def return_order_ids(self) -> tuple[str, ...]:
        """Returns to re-read through the gateway."""
        if isinstance(self.event, ReturnCreated):
            return tuple(r.return_order_id for r in self.event.return_orders)
        return ()


class WebhookEventUnhandled(Payload, message_type="webhook.event_unhandled"):
    """A notification the connector cannot act on by itself; for an operator.

    ``problem`` says why: ``unknown_type`` (an event type not in :data:`EVENT_MODELS`) or
    ``invalid_payload`` (``reason`` lists what failed validation). ``body`` is the exact
    JSON Walmart sent.
    """

    event_id: str
    event_type: str
    event_time: datetime | None = None
    received_at: datetime
    problem: Literal["unknown_type", "invalid_payload"]
    reason: str
    body: str
