"""Messages addressed to the sync-orchestrator itself."""

from __future__ import annotations

from datetime import datetime

from mlc_shared.messages.envelope import Payload


class RunFlow(Payload, message_type="orchestrator.run_flow"):
    flow: str
    since: datetime | None = None
