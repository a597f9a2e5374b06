"""THE list of places where the simulator knowingly departs from Walmart's OpenAPI schemas.

Every entry is a spot where Walmart's own examples (or live observations) contradict its
schema and the fact sheet (../shared/reference/walmart-api.md) tells us to follow the
examples; each names the sheet section that justifies it. The fidelity check
(``fidelity.py``) validates every response the test suite receives against the matching
schema and fails on any departure not listed here.

``operation`` and ``where`` are shell-style globs: ``operation`` is ``"METHOD /spec/path"``
(or ``"DELIVERY event"`` / ``"DELIVERY performance"`` for webhook deliveries, ``"ERROR"`` for
error envelopes); ``where`` is the dotted path inside the body (list indices are ``*``).

Kinds:
* ``null``     — an explicit ``null`` where the schema has no ``nullable``;
* ``extra``    — a property the schema does not declare (the check is strict: undeclared
  properties fail unless listed, which catches misspelt field names);
* ``type``     — a value of another JSON type than the schema says;
* ``required`` — a property the schema requires that the sheet says is absent;
* ``enum``     — a value outside the schema's enum;
* ``reshape``  — the body is reshaped (``reshape``) before validation because the sheet
  puts the same content under a different key or wrapper; the content is still checked;
* ``schema``   — the body is validated against another schema (``schema_ref``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SchemaException:
    operation: str
    where: str
    kind: str
    section: str
    why: str
    reshape: Callable[[Any], Any] | None = None
    schema_ref: tuple[str, str, str] | None = None
    """(file, path, method) of the schema to use, or ("local", name, "") for one below."""


ORDER_NULLS = (
    "*.postalAddress.address2",
    "*.charges.charge.*.tax",
    "*.orderLineStatus.*.cancellationReason",
    "*.orderLineStatus.*.trackingInfo",
    "*.trackingInfo.trackingURL",
    "*.carrierName.carrier",
    "*.orderLine.*.refund",
    "*.refund.refundComments",
    "*.refundCharge.*.charge.tax",
    "*.fulfillment.storeId",
    "*.fulfillment.pickUpBy",
    "*.fulfillment.shippingProgramType",
    "*.shipNode.name",
    "*.shipNode.id",
    "*originalCustomerOrderID",
)

SCHEMA_EXCEPTIONS: list[SchemaException] = [
    # --- error envelopes (§10.3) ------------------------------------------------------
    SchemaException(
        "ERROR",
        "errors.error.*.errorIdentifiers.entry",
        "type",
        "§10.3",
        'Service-level errors carry errorIdentifiers {"entry": []} (issues highsidelabs#29, '
        "partnerapi_sdk_dotnet#13); GatewayError types each identifier as an object.",
    ),
    SchemaException(
        "ERROR",
        "errors.error",
        "type",
        "§10.3",
        "errors.error may be a single object (XML-derived); the service_error_as_object switch.",
    ),
    # --- orders (§6.2, §6.3) ----------------------------------------------------------
    *[
        SchemaException(
            "* /v3/orders*",
            where,
            "null",
            "§6.2",
            "Absent values come back as explicit null (Ventmere order fixture); the schema "
            "has no nullable.",
        )
        for where in ORDER_NULLS
    ],
    SchemaException(
        "GET /v3/orders/{purchaseOrderId}",
        "",
        "schema",
        "§6.3",
        'Walmart\'s example and every client wrap the order as {"order": …} with epoch-ms '
        "orderDate, like the action endpoints; the GET schema is a bare order with an ISO "
        "orderDate. Validated against the acknowledge schema.",
        schema_ref=("orders.json", "/v3/orders/{purchaseOrderId}/acknowledge", "post"),
    ),
    # --- items (§3.3, §3.4) -----------------------------------------------------------
    SchemaException(
        "GET /v3/items/{id}",
        "",
        "schema",
        "§3.3",
        'The single-item call answers the same {"ItemResponse":[…],"totalItems":1} wrapper '
        'as GET /v3/items (S1 example); the schema says {"responseRecord": …}.',
        schema_ref=("items.json", "/v3/items", "get"),
    ),
    SchemaException(
        "GET /v3/items/count",
        "",
        "type",
        "§3.3",
        'Counts come as {"All": 682} / {"PUBLISHED": 99} (S1 examples); the schema says string.',
    ),
    SchemaException(
        "DELETE /v3/items/{SKU}",
        "additionalAttributes",
        "extra",
        "§3.4",
        "The retire answer carries additionalAttributes: null (S1 example).",
    ),
    SchemaException(
        "DELETE /v3/items/{SKU}",
        "errors",
        "extra",
        "§3.4",
        "The retire answer carries errors: null (S1 example).",
    ),
    # --- feeds (§3.2) -----------------------------------------------------------------
    *[
        SchemaException(
            "GET /v3/feeds",
            f"results.feed.*.{name}",
            "extra",
            "§3.2",
            "Feed list entries carry fileName and per-kind error counts (S1 example).",
        )
        for name in (
            "fileName",
            "itemDataErrorCount",
            "itemSystemErrorCount",
            "itemTimeoutErrorCount",
        )
    ],
    SchemaException(
        "GET /v3/feeds/{feedId}",
        "feedSubmissionDate",
        "extra",
        "§3.2",
        "Feed detail carries feedSubmissionDate (S1/S2 example).",
    ),
    SchemaException(
        "GET /v3/feeds/{feedId}",
        "itemDetails.itemIngestionStatus.*.itemid",
        "extra",
        "§3.2",
        "Per-item status carries itemid (S1/S2 example).",
    ),
    *[
        SchemaException(
            "GET /v3/feeds/{feedId}",
            f"itemDetails.itemIngestionStatus.*.{name}",
            "null",
            "§3.2",
            "A failed item has no wpid/itemid yet, and an entry without sku has none (S1 example "
            "shows wpid: null).",
        )
        for name in ("wpid", "itemid", "sku")
    ],
    SchemaException(
        "GET /v3/feeds/{feedId}",
        "*ingestionErrors.ingestionError",
        "null",
        "§3.2",
        "ingestionErrors.ingestionError is null when there is no error (S1 example, live).",
    ),
    SchemaException(
        "GET /v3/feeds/{feedId}",
        "*ingestionErrors.ingestionError",
        "type",
        "§3.2",
        "A single ingestion error arrives as an object, not a list (XML→JSON artefact seen "
        "live; ingestion_error_shape switch).",
    ),
    # --- prices (§4) ------------------------------------------------------------------
    SchemaException(
        "PUT /v3/price",
        "",
        "reshape",
        "§4",
        'Every example and client shows {"ItemPriceResponse": {mart, message, sku}}; the '
        "schema is the flat inner object. The inner object is validated.",
        reshape=lambda body: body["ItemPriceResponse"],
    ),
    SchemaException(
        "GET /v3/promo/sku/{sku}",
        "",
        "schema",
        "§4",
        "The promotion spec is not among the walmart-openapi copies; validated against the "
        "S1 promotion spec's GetPromotionalPrices200Response, transcribed in fidelity.py.",
        schema_ref=("local", "promo", ""),
    ),
    # --- returns (§7) -----------------------------------------------------------------
    SchemaException(
        "GET /v3/returns",
        "meta.nextCursor",
        "null",
        "§7",
        "The last page has no next cursor; the schema requires the key, so it is sent as null "
        "(explicit nulls as in §6.2; the sheet shows a cursor only when there is more).",
    ),
    # --- reconciliation (§8.1) --------------------------------------------------------
    SchemaException(
        "GET /v3/report/reconreport/reconFileJson",
        "reportData.*.*",
        "type",
        "§8.1",
        "Row values are strings keyed by CSV header (S2 example); the schema types each as object.",
    ),
    # --- webhooks (§9.1, §9.3, §9.4) ---------------------------------------------------
    SchemaException(
        "GET /v3/webhooks/eventTypes",
        "",
        "reshape",
        "§9.1",
        "The example's key is events; the schema's is eventTypes.",
        reshape=lambda body: {"eventTypes": body["events"]},
    ),
    SchemaException(
        "POST /v3/webhooks/subscriptions",
        "",
        "reshape",
        "§9.1",
        "The example's array key is events; the schema's is event.",
        reshape=lambda body: {"event": body["events"]},
    ),
    SchemaException(
        "GET /v3/webhooks/subscriptions",
        "",
        "reshape",
        "§9.1",
        "The example lists subscriptions flat under events; the schema nests events[].event[].",
        reshape=lambda body: {"events": [{"event": body["events"]}]},
    ),
    SchemaException(
        "PATCH /v3/webhooks/subscriptions/{subscriptionId}",
        "",
        "reshape",
        "§9.1",
        "The example answers the updated subscription object itself; the schema wraps it in event[].",
        reshape=lambda body: {"event": [body]},
    ),
    SchemaException(
        "* /v3/webhooks/subscriptions*",
        "*.headers.*",
        "extra",
        "§9.4",
        "Subscriptions carry any custom headers; the schema lists only content-type.",
    ),
    SchemaException(
        "DELIVERY event",
        "source.eventType",
        "enum",
        "§9.3",
        "The {source, payload} envelope is common to every event (Walmart's event pages); the "
        "AsyncAPI copy types it for the performance stream only.",
    ),
    SchemaException(
        "DELIVERY event",
        "payload.notificationType",
        "required",
        "§9.3",
        "Only performance events carry notificationType.",
    ),
    SchemaException(
        "DELIVERY event",
        "payload.*",
        "extra",
        "§9.3",
        "Per-event payload fields come from Walmart's event pages (PO_CREATED, INVENTORY_OOS, "
        "OFFER_*, RETURN_CREATED…), which the AsyncAPI copy leaves open.",
    ),
]
