"""Which commands still await their result, per tenant and flow.

Two uses: a flow triggered while its previous run is still in flight is coalesced into one
re-run after it, and `mlc demo` / `mlc sync` know when a run has finished. It also holds the
orders that Walmart events announced and nobody has read yet, so a burst of 1,000 webhooks
becomes a few reads of up to ``LOOKUP_BATCH`` orders each. In memory on purpose: losing it on
restart costs one extra poll, and the scheduled poll reads any announced order lost with it.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable
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
    _running: dict[tuple[str, str], tuple[str, float | None]] = field(default_factory=dict)
    """The command a run awaits, and how long it may be awaited if not ``stale_after_s``."""
    _rerun: set[tuple[str, str]] = field(default_factory=set)
    _announced: dict[str, dict[str, None]] = field(default_factory=dict)
    """Per tenant, in the order they came (a dict is an ordered set)."""

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

    def begin_run(
        self, tenant: str, flow: str, command_id: str, *, stale_after_s: float | None = None
    ) -> None:
        self._running[(tenant, flow)] = (command_id, stale_after_s)

    def is_running(self, tenant: str, flow: str) -> bool:
        run = self._running.get((tenant, flow))
        if run is None:
            return False
        command, limit = run
        started = self._outstanding.get(command)
        if started is None or time.monotonic() - started > (limit or self.stale_after_s):
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

    def announce(self, tenant: str, ids: Iterable[str]) -> None:
        self._announced.setdefault(tenant, {}).update(dict.fromkeys(ids))

    def take_announced(self, tenant: str, limit: int) -> tuple[str, ...]:
        """Up to ``limit`` announced ids, oldest first, forgotten once taken."""
        waiting = self._announced.get(tenant)
        if not waiting:
            return ()
        taken = tuple(itertools.islice(waiting, limit))
        for key in taken:
            del waiting[key]
        return taken

    @property
    def outstanding(self) -> int:
        return len(self._outstanding)

    def outstanding_ids(self) -> set[str]:
        """Message ids of the commands still awaiting a result."""
        return set(self._outstanding)
