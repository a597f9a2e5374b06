"""Prometheus metrics of the receiver, served at ``/metrics`` (mlc_shared.ops_http).

Labels stay bounded: the outcome and the event type as Walmart sent it only when it is one
we know (``other`` otherwise), never the tenant or anything else a caller can choose.
"""

from __future__ import annotations

from mlc_shared.messages.webhooks import EVENT_MODELS
from prometheus_client import Counter, Histogram

DELIVERIES = Counter(
    "mlc_webhook_deliveries",
    "Walmart deliveries by answer: accepted, duplicate, unauthorized, malformed, "
    "too_large, unavailable",
    ["outcome"],
)
EVENTS = Counter("mlc_webhook_events", "Accepted events by event type", ["event_type"])
SECONDS = Histogram(
    "mlc_webhook_seconds",
    "Time from the request to the answer, for accepted and duplicate deliveries",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def event_type_label(event_type: str) -> str:
    return event_type if event_type in EVENT_MODELS else "other"
