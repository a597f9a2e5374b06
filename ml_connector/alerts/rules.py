"""The alert conditions. Each rule answers "what holds now?" with a list of
:class:`Condition`; the engine turns changes into notifications.

Rules read what the process already has: queue depths from the bus, the agent statuses the
orchestrator keeps, the audit trail in the store, and the counters of
:mod:`mlc_shared.metrics`. Each process evaluates the rules of the services it runs, so in
the distributed mode the gateway watches Walmart's answers, the receiver its deliveries and
the orchestrator everything kept in its state (deploy/prometheus/alerts.yml has the same
conditions for operators who use Alertmanager).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from mlc_shared.bus.base import Bus
from mlc_shared.metrics import sample_sum
from mlc_shared.store.base import Store
from mlc_shared.store.records import AuditQuery

from ml_connector.alerts.model import Condition

if TYPE_CHECKING:  # a gateway or receiver image has no orchestrator package
    from sync_orchestrator.agent_watch import AgentWatch


class Rule(Protocol):
    name: str

    async def evaluate(self, now: float) -> list[Condition]: ...


class _Window:
    """(time, value) samples over the last ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.samples: deque[tuple[float, float]] = deque()

    def add(self, now: float, value: float) -> None:
        self.samples.append((now, value))
        while self.samples and self.samples[0][0] < now - self.seconds:
            self.samples.popleft()

    def rise(self) -> float:
        """How far the newest value is above the lowest one in the window."""
        if not self.samples:
            return 0.0
        return self.samples[-1][1] - min(value for _, value in self.samples)


class ParkingGrowing:
    """A parking queue gained messages within the window: work is failing for good and
    waits for an operator (ARCHITECTURE.md "parking queue")."""

    name = "parking_growing"

    def __init__(self, bus: Bus, queues: Callable[[], Sequence[str]], window_s: float) -> None:
        self.bus = bus
        self.queues = queues
        self.window_s = window_s
        self._windows: dict[str, _Window] = {}

    async def evaluate(self, now: float) -> list[Condition]:
        found = []
        for queue in self.queues():
            parked = (await self.bus.depth(queue)).parked
            window = self._windows.setdefault(queue, _Window(self.window_s))
            window.add(now, float(parked))
            grew = int(window.rise())
            if grew > 0 and parked > 0:
                found.append(
                    Condition(
                        alert=self.name,
                        key=f"{self.name}:{queue}",
                        summary=f"{grew} more message(s) parked on {queue} in the last "
                        f"{self.window_s:.0f} s ({parked} parked in all)",
                        action=f"Inspect them (`mlc dlq list {queue}` or the operator console), "
                        "fix the cause, then replay them.",
                        labels={"queue": queue},
                    )
                )
        return found


class AgentDown:
    """The tenant's tally-agent is silent, cannot reach TallyPrime, or reports the company
    closed for longer than ``after_s``: nothing reaches or leaves the books meanwhile."""

    name = "agent_down"

    def __init__(self, watch: AgentWatch, after_s: float) -> None:
        self.watch = watch
        self.after_s = after_s

    async def evaluate(self, now: float) -> list[Condition]:
        found = []
        for tenant, view in (await self.watch.sample()).items():
            status = view.status
            silent = view.silent_for(now, self.watch.started)
            labels = {"tenant": tenant}
            detail = (status.detail or "").strip() if status else ""
            if silent > self.after_s:
                heard = "has not reported" if view.last_heard else "has not reported since start"
                found.append(
                    Condition(
                        alert="agent_offline",
                        key=f"agent_offline:{tenant}",
                        summary=f"the tally-agent of tenant {tenant} {heard} for {silent:.0f} s",
                        action="Check that the agent runs on the PC with TallyPrime and reaches "
                        "the broker (docs/windows-agent.md); its log says why it stopped.",
                        severity="critical",
                        labels=labels,
                    )
                )
            elif view.unreachable_since is not None and now - view.unreachable_since > self.after_s:
                found.append(
                    Condition(
                        alert="agent_offline",
                        key=f"agent_offline:{tenant}",
                        summary=f"TallyPrime has not answered the agent of tenant {tenant} for "
                        f"{now - view.unreachable_since:.0f} s",
                        action=detail
                        or "Start TallyPrime and enable its port (docs/tally-setup.md).",
                        severity="critical",
                        labels=labels,
                    )
                )
            elif view.closed_since is not None and now - view.closed_since > self.after_s:
                company = (status.company if status else None) or "the configured company"
                found.append(
                    Condition(
                        alert="company_closed",
                        key=f"company_closed:{tenant}",
                        summary=f"company {company!r} has not been open in TallyPrime for "
                        f"{now - view.closed_since:.0f} s (tenant {tenant})",
                        action="Open the company in TallyPrime (Alt+F3, Select Company) and "
                        "leave it open; work waits meanwhile and nothing is lost.",
                        severity="critical",
                        labels=labels,
                    )
                )
        return found


class AuthFailures:
    """A counter of refused authentications rose by ``threshold`` or more within the
    window: wrong or revoked credentials (Walmart) or a sender without the right secret
    (webhooks)."""

    def __init__(
        self,
        name: str,
        counters: Sequence[tuple[str, dict[str, str]]],
        *,
        threshold: int,
        window_s: float,
        summary: str,
        action: str,
    ) -> None:
        self.name = name
        self.counters = counters
        self.threshold = threshold
        self.window = _Window(window_s)
        self.summary = summary
        self.action = action

    async def evaluate(self, now: float) -> list[Condition]:
        total = sum(sample_sum(name, **labels) for name, labels in self.counters)
        self.window.add(now, total)
        rise = int(self.window.rise())
        if rise < self.threshold:
            return []
        return [
            Condition(
                alert=self.name,
                key=self.name,
                summary=self.summary.format(count=rise, window=self.window.seconds),
                action=self.action,
                severity="critical",
            )
        ]


def walmart_auth_failures(threshold: int, window_s: float) -> AuthFailures:
    return AuthFailures(
        "walmart_auth_failures",
        [
            ("mlc_walmart_token_refreshes_total", {"outcome": "refused"}),
            ("mlc_walmart_token_rejections_total", {}),
        ],
        threshold=threshold,
        window_s=window_s,
        summary="Walmart refused the connector's credentials or tokens {count} times in "
        "{window:.0f} s",
        action="Check MLC_WALMART_CLIENT_ID / MLC_WALMART_CLIENT_SECRET against Seller Center "
        "(API key may be rotated or revoked) and the delegated-access scopes; `mlc doctor` "
        "tells which.",
    )


def webhook_auth_failures(threshold: int, window_s: float) -> AuthFailures:
    return AuthFailures(
        "webhook_auth_failures",
        [("mlc_webhook_deliveries_total", {"outcome": "unauthorized"})],
        threshold=threshold,
        window_s=window_s,
        summary="the webhook receiver refused {count} deliveries as unauthorized in {window:.0f} s",
        action="Compare the subscription's authDetails in Walmart (`mlc walmart webhooks list`) "
        "with MLC_WEBHOOK_AUTH_* (docs/webhook-receiver.md); Walmart drops events it cannot "
        "deliver after its retries.",
    )


class UnbalancedSettlements:
    """A settlement report whose rows do not add up to the amount paid, as the settlements
    flow records it in the audit trail (status ``unbalanced``, ``detail.difference``;
    sync_orchestrator.recon): the books would not match the bank."""

    name = "settlement_unbalanced"

    def __init__(self, store: Store, status: str) -> None:
        self.store = store
        self.status = status

    async def evaluate(self, now: float) -> list[Condition]:
        rows = await self.store.search_audit(AuditQuery(status=self.status, limit=100))
        found = []
        seen: set[tuple[str, str, str]] = set()
        for row in rows:
            report = (row.tenant, row.record_kind, row.source_id)
            if report in seen:
                continue
            seen.add(report)
            # The trail is append-only: the report holds while its newest row says so (a
            # replay that posts it adds a newer row and clears the alert).
            (newest,) = await self.store.search_audit(
                AuditQuery(
                    tenant=row.tenant, record_kind=row.record_kind, source_id=row.source_id, limit=1
                )
            )
            if newest.status != self.status:
                continue
            difference = (row.detail or {}).get("difference")
            extra = f" (off by {difference})" if difference is not None else ""
            found.append(
                Condition(
                    alert=self.name,
                    key=f"{self.name}:{row.tenant}:{row.source_id}",
                    summary=f"settlement report {row.source_id} of tenant {row.tenant} does not "
                    f"balance{extra}",
                    action="Open it in the audit trail (operator console or `mlc audit`), map "
                    "the fee or charge type it misses, then replay the report.",
                    severity="critical",
                    labels={"tenant": row.tenant, "report": row.source_id},
                )
            )
        return found
