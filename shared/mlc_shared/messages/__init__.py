"""Envelope and catalogue. Importing this package registers every message type."""

from mlc_shared.messages import orchestrator, tally, walmart, webhooks
from mlc_shared.messages.catalogue import message_types, payload_class
from mlc_shared.messages.envelope import Envelope, InvalidMessage, Payload

__all__ = [
    "Envelope",
    "InvalidMessage",
    "Payload",
    "message_types",
    "orchestrator",
    "payload_class",
    "tally",
    "walmart",
    "webhooks",
]
