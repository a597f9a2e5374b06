"""Messages addressed to the sync-orchestrator itself."""

from __future__ import annotations

from datetime import datetime

from mlc_shared.domain.walmart import Order, ReconReport, ReturnOrder
from mlc_shared.messages.envelope import Payload


class RunFlow(Payload, message_type="orchestrator.run_flow"):
    flow: str
    since: datetime | None = None


class PostOrder(Payload, message_type="orchestrator.post_order"):
    """One order to turn into a voucher. Parked with the reason when it cannot be (an
    unmapped SKU): replaying it after the mapping is fixed posts it."""

    order: Order


class PostReturn(Payload, message_type="orchestrator.post_return"):
    """One return to turn into a Credit Note; parked with the reason when it cannot be (an
    unmapped SKU). Replaying it after the mapping is fixed posts it."""

    return_order: ReturnOrder


class PostSettlement(Payload, message_type="orchestrator.post_settlement"):
    """One reconciliation report to post; parked with the reason when it cannot be (rows
    that do not add up to Total Payable, with the difference, or an amount type no ledger
    is mapped to). Replaying it after the cause is fixed posts it."""

    report: ReconReport
