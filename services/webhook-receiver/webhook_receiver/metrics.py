"""Prometheus metrics of the receiver, served at ``/metrics`` (mlc_shared.ops_http); defined
with every other metric in :mod:`mlc_shared.metrics`.

Labels stay bounded: the outcome and the event type as Walmart sent it only when it is one
we know (``other`` otherwise), never the tenant or anything else a caller can choose.
"""

from __future__ import annotations

from mlc_shared.messages.webhooks import EVENT_MODELS
from mlc_shared.metrics import WEBHOOK_DELIVERIES as DELIVERIES
from mlc_shared.metrics import WEBHOOK_EVENTS as EVENTS
from mlc_shared.metrics import WEBHOOK_SECONDS as SECONDS

__all__ = ["DELIVERIES", "EVENTS", "SECONDS", "event_type_label"]


def event_type_label(event_type: str) -> str:
    return event_type if event_type in EVENT_MODELS else "other"
