"""The bus: one port (:class:`Bus`), two adapters (RabbitMQ and the embedded SQLite bus)."""

from mlc_shared.bus.base import (
    Bus,
    Handler,
    ParkedMessage,
    QueueDepth,
    Reject,
    RetryLater,
    Subscription,
)
from mlc_shared.bus.topology import QueuePolicy, Topology

__all__ = [
    "Bus",
    "Handler",
    "ParkedMessage",
    "QueueDepth",
    "QueuePolicy",
    "Reject",
    "RetryLater",
    "Subscription",
    "Topology",
]
