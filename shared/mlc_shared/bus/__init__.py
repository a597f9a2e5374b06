"""The bus: one port (:class:`Bus`), two adapters (RabbitMQ and the embedded SQLite bus)."""

from mlc_shared.bus.base import (
    AttemptRecord,
    Bus,
    Handler,
    ParkedMessage,
    PublishFailed,
    QueueDepth,
    Reject,
    RetryLater,
    Subscription,
)
from mlc_shared.bus.factory import create_bus
from mlc_shared.bus.topology import QueuePolicy, Topology

__all__ = [
    "AttemptRecord",
    "Bus",
    "Handler",
    "ParkedMessage",
    "PublishFailed",
    "QueueDepth",
    "QueuePolicy",
    "Reject",
    "RetryLater",
    "Subscription",
    "Topology",
    "create_bus",
]
