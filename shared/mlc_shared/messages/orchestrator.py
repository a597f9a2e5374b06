"""Messages addressed to the sync-orchestrator itself."""

from __future__ import annotations

from datetime import datetime

from mlc_shared.domain.walmart import Order
from mlc_shared.messages.envelope import Payload


class RunFlow(Payload, message_type="orchestrator.run_flow"):
    flow: str
    since: datetime | None = None


class PostOrder(Payload, message_type="orchestrator.post_order"):
    """One order to turn into a voucher. Parked with the reason when it cannot be (an
    unmapped SKU): replaying it after the mapping is fixed posts it."""

    order: Order
