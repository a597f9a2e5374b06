"""The embedded bus: the same delivery contract on the SQLite store (standalone mode)."""

from mlc_shared.bus.embedded.bus import EmbeddedBus

__all__ = ["EmbeddedBus"]
