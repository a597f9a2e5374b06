"""Event notifications: the catalogue, the payloads, and raising an event.

Envelope ``{"source":{eventType,eventTime,eventId},"payload":{…}}`` (walmart-api.md §9.3);
payload fields per event from the Walmart pages cited there. Raising an event records it in
``state.events`` and hands it to the dispatcher for every ACTIVE matching subscription.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .context import SimContext
from .models import Item, Order, OrderLine, ReturnOrder
from .webhook_dispatch import PERFORMANCE_EVENT, dispatch
from .wire import iso_ms, money_number


@dataclass(frozen=True)
class EventType:
    resource_name: str
    event_type: str
    description: str
    event_version: str = "V1"


# walmart-api.md §9.2; the first five descriptions are Walmart's own (S2 eventTypes example).
EVENT_TYPES: tuple[EventType, ...] = (
    EventType("ITEM", "OFFER_UNPUBLISHED", "Notification for unpublished offers"),
    EventType("PRICE", "BUY_BOX_CHANGED", "Notification for change in buy box"),
    EventType("ORDER", "PO_CREATED", "Notification for new purchase order created"),
    EventType("ORDER", "PO_LINE_AUTOCANCELLED", "Notification for purchase order line auto-cancelled"),
    EventType("REPORTS", "REPORT_STATUS", "Notification for report status"),
    EventType("ITEM", "OFFER_PUBLISHED", "Notification for published offers"),
    EventType("ORDER", "ORDER_UPDATES", "Notification for order management updates"),
    EventType("INVENTORY", "INVENTORY_OOS", "Notification for items out of stock"),
    EventType("RETURNS", "RETURN_CREATED", "Notification for return orders created"),
    EventType("FEEDS", "SELLER_PERFORMANCE_NOTIFICATIONS", "Notification for seller performance"),
)  # fmt: skip

EVENTS_BY_TYPE = {e.event_type: e for e in EVENT_TYPES}


def raise_event(ctx: SimContext, event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Record an event and deliver it to its subscribers. Returns the envelope."""
    envelope = {
        "source": {
            "eventType": event_type,
            "eventTime": iso_ms(ctx.clock.now_ms()),
            "eventId": ctx.ids.uuid(),
        },
        "payload": payload,
    }
    ctx.state.events.append(envelope)
    dispatch(ctx, envelope)
    return envelope


def _order_line(order: Order, line: OrderLine, status: str) -> dict[str, Any]:
    return {
        "lineNumber": line.line_number,
        "sku": line.sku,
        "productName": line.product_name,
        # Webhook quantities are unitOfMeasure/measurementValue strings, unlike the Orders
        # API (walmart-api.md §9.3).
        "quantity": {"unitOfMeasure": "EACH", "measurementValue": str(line.quantity)},
        "status": status,
        "statusDate": iso_ms(line.status_ms),
        "shippingProgramType": line.shipping_program_type,
        "shippingMethod": order.method_code,
        "shipNodeType": order.ship_node_type,
    }


def order_payload(
    ctx: SimContext, order: Order, lines: list[OrderLine], status: str
) -> dict[str, Any]:
    """PO_CREATED fields (walmart-api.md §9.3); reused for the other order events."""
    return {
        "partnerId": ctx.config.partner_id,
        "purchaseOrderId": order.purchase_order_id,
        "customerOrderId": order.customer_order_id,
        "orderDate": iso_ms(order.order_date_ms),
        "estimatedDeliveryDate": iso_ms(order.estimated_delivery_ms),
        "estimatedShipDate": iso_ms(order.estimated_ship_ms),
        "orderLines": [_order_line(order, ln, status) for ln in lines],
    }


def order_event(
    ctx: SimContext, sub_event: str, order: Order, lines: list[OrderLine], status: str
) -> None:
    """Raise the specific order event and its ORDER_UPDATES twin (``payload.subEventType``,
    walmart-api.md §9.2). INTENT_TO_CANCEL exists only as an ORDER_UPDATES sub-event."""
    payload = order_payload(ctx, order, lines, status)
    if sub_event in EVENTS_BY_TYPE:
        raise_event(ctx, sub_event, payload)
    raise_event(ctx, "ORDER_UPDATES", {"subEventType": sub_event, **payload})


def inventory_oos(ctx: SimContext, item: Item, node_rows: list[tuple[str, str, int]]) -> None:
    """INVENTORY_OOS (D-inventory-oos-event-copy)."""
    raise_event(
        ctx,
        "INVENTORY_OOS",
        {
            "partnerId": ctx.config.partner_id,
            "itemId": item.item_id,
            "sku": item.sku,
            "productName": item.product_name,
            "category": item.category,
            "shipNodes": [
                {"shipNode": node, "shipNodeName": name, "availToSellQty": qty}
                for node, name, qty in node_rows
            ],
        },
    )


def offer_event(ctx: SimContext, item: Item) -> None:
    """OFFER_PUBLISHED / OFFER_UNPUBLISHED (D-offer-published-event-copy,
    D-offer-unpublished-event-copy), chosen by the item's current published status."""
    published = item.published_status == "PUBLISHED"
    payload: dict[str, Any] = {
        "partnerId": ctx.config.partner_id,
        "itemId": item.item_id,
        "sku": item.sku,
        "publishStatus": item.published_status,
        "lifecycleStatus": item.lifecycle_status,
        "itemName": item.product_name,
        "category": item.category,
        "totalNumberOfOffers": 1,
        "sellerOfferPrice": money_number(item.price),
        "sellerShippingPrice": 0.0,
    }
    if not published:
        payload["statusChangeReasons"] = {
            f"reason{i + 1}": reason for i, reason in enumerate(item.unpublished_reasons)
        }
    raise_event(ctx, "OFFER_PUBLISHED" if published else "OFFER_UNPUBLISHED", payload)


def return_created(ctx: SimContext, ret: ReturnOrder) -> None:
    """RETURN_CREATED (D-return-notifications-copy)."""
    raise_event(
        ctx,
        "RETURN_CREATED",
        {
            "partnerId": ctx.config.partner_id,
            "partnerName": ctx.config.partner_name,
            "returnOrders": [
                {
                    "purchaseOrderId": line.purchase_order_id,
                    "productName": line.product_name,
                    "returnOrderId": ret.return_order_id,
                    "customerOrderId": ret.customer_order_id,
                    "sku": line.sku,
                    "returnReason": line.reason,
                }
                for line in ret.lines
            ],
        },
    )


def report_status_payload(ctx: SimContext) -> dict[str, Any]:
    """REPORT_STATUS announces an on-request report; fields of its status object
    (S2 on-request-reports ``getSingleRequestStatus``)."""
    return {
        "partnerId": ctx.config.partner_id,
        "requestId": ctx.ids.uuid(),
        "requestStatus": "READY",
        "requestSubmissionDate": iso_ms(ctx.clock.now_ms()),
        "reportType": "ITEM",
        "reportVersion": "v4",
    }


def performance_payload(ctx: SimContext) -> dict[str, Any]:
    """SELLER_PERFORMANCE_NOTIFICATIONS, ALARMS flavour (notifications-asyncapi example)."""
    now = iso_ms(ctx.clock.now_ms())
    return {
        "partnerId": ctx.config.partner_id,
        "lastRefreshTs": now,
        "notificationType": "ALARMS",
        "moreInfoLink": "https://seller.walmart.com/performance",
        "enNotification": {
            "alarms": [
                {
                    "alarmType": "LateOriginScan",
                    "orderCount": 1,
                    "description": "Orders without an origin scan within SLA.",
                    "action": "Confirm shipment and provide tracking.",
                    "poNumbers": [],
                }
            ]
        },
    }


def sample_payload(ctx: SimContext, event_type: str) -> dict[str, Any]:
    """A representative payload for ``POST /v3/webhooks/test`` and admin-raised events."""
    if event_type == PERFORMANCE_EVENT:
        return performance_payload(ctx)
    if event_type == "REPORT_STATUS":
        return report_status_payload(ctx)
    return {"partnerId": ctx.config.partner_id, "sample": True, "eventType": event_type}
