"""Which commands still await their result, per tenant and flow.

Two uses: a flow triggered while its previous run is still in flight is coalesced into one
re-run after it (1,000 order webhooks become a few polls, not 1,000), and `mlc demo` /
`mlc sync` know when a run has finished. In memory on purpose: losing it on restart only
costs one extra poll.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.orchestrator import PostOrder, PostReturn, PostSettlement
from mlc_shared.messages.tally import ExportStockItems, ImportVouchers
from mlc_shared.messages.walmart import (
    AcknowledgeOrder,
    AcknowledgeOrders,
    CheckFeed,
    FetchOrders,
    FetchReconReport,
    FetchReturns,
    FindItems,
    IssueRefund,
    ListReconDates,
    SetupItems,
    UpdateInventory,
    UpdatePrices,
)

AWAITS_REPLY = (
    ExportStockItems,
    ImportVouchers,
    FetchOrders,
    UpdateInventory,
    AcknowledgeOrder,
    AcknowledgeOrders,
    FetchReturns,
    IssueRefund,
    ListReconDates,
    FetchReconReport,
    UpdatePrices,
    SetupItems,
    FindItems,
    CheckFeed,
)
SELF_SETTLING = (PostOrder, PostReturn, PostSettlement)


@dataclass
class Tracker:
    stale_after_s: float = 600.0
    _outstanding: dict[str, float] = field(default_factory=dict)
    _running: dict[tuple[str, str], str] = field(default_factory=dict)
    _rerun: set[tuple[str, str]] = field(default_factory=set)

    def sent(self, messages: list[Envelope]) -> None:
        now = time.monotonic()
        for message in messages:
            payload = message.payload
            if isinstance(payload, ImportVouchers) and payload.park_rejected:
                continue  # answered only if Tally takes it; otherwise parked for the operator
            if isinstance(payload, AWAITS_REPLY + SELF_SETTLING):
                self._outstanding[message.message_id] = now

    def handled(self, message: Envelope) -> None:
        self._outstanding.pop(message.message_id, None)
        if message.causation_id:
            self._outstanding.pop(message.causation_id, None)

    def begin_run(self, tenant: str, flow: str, command_id: str) -> None:
        self._running[(tenant, flow)] = command_id

    def is_running(self, tenant: str, flow: str) -> bool:
        command = self._running.get((tenant, flow))
        if command is None:
            return False
        started = self._outstanding.get(command)
        if started is None or time.monotonic() - started > self.stale_after_s:
            self._running.pop((tenant, flow), None)
            return False
        return True

    def request_rerun(self, tenant: str, flow: str) -> None:
        self._rerun.add((tenant, flow))

    def take_rerun(self, tenant: str, flow: str) -> bool:
        if (tenant, flow) in self._rerun and not self.is_running(tenant, flow):
            self._rerun.discard((tenant, flow))
            return True
        return False

    @property
    def outstanding(self) -> int:
        return len(self._outstanding)

    def outstanding_ids(self) -> set[str]:
        """Message ids of the commands still awaiting a result."""
        return set(self._outstanding)
