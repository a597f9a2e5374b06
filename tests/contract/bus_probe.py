"""The message type the bus contract tests send (registered in the catalogue on import)."""

from __future__ import annotations

from mlc_shared.messages.envelope import Envelope, Payload

TENANT = "acme"


class Probe(Payload, message_type="test.bus_probe"):
    seq: int
    note: str = ""


def probe(seq: int, note: str = "", *, tenant: str = TENANT) -> Envelope:
    return Envelope.new(Probe(seq=seq, note=note), tenant=tenant)
