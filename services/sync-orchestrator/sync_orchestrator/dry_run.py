"""Run a flow without changing anything: show what it would send (``mlc sync --dry-run``).

The flow's own steps run, exactly as in the service, inside one store transaction that is
rolled back at the end: cursors, record versions, audit rows and outbox rows are written and
then discarded, so nothing is ever committed. What the steps send is not relayed; instead:

* a command that only reads (the agent's ``tally.export_*``/``tally.find_*``, the gateway's
  ``walmart.fetch_*``/``find_*``/``list_*``/``check_*``) is executed for real through the
  edges (reading changes nothing), and its results are fed back to the flow's steps, as the
  bus would deliver them;
* a message to the orchestrator itself (``orchestrator.*``, e.g. one order that travels
  alone) is handed straight to its step;
* every other command would change Tally or Walmart: it is rendered, never executed, into
  the exact request the agent or the gateway would send (the edges use their renderers).

A command of an unknown kind counts as a write: rendered, never executed.

The transaction holds locks while the dry run reads Tally and Walmart: on SQLite the
database's write lock (a running ``mlc run`` waits for it), on PostgreSQL the rows it wrote,
such as the flow's cursor (the real flow's step that moves it waits). Dry runs are short; run
them when that wait does not matter (docs/operator-guide.md).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, cast

from mlc_shared.bus.base import Reject
from mlc_shared.messages.envelope import Envelope, Payload
from mlc_shared.store.base import Store, StoreTx
from mlc_shared.store.records import AuditEntry

from sync_orchestrator.dispatch import FLOWS, STEPS
from sync_orchestrator.flows.context import FlowContext
from sync_orchestrator.mapping import load_mapping
from sync_orchestrator.settings import OrchestratorSettings
from sync_orchestrator.vouchers import MappingGap

READ_PREFIXES = (
    "tally.export_",
    "tally.find_",
    "walmart.fetch_",
    "walmart.find_",
    "walmart.list_",
    "walmart.check_",
)
MAX_MESSAGES = 100_000
"""A guard against a flow that keeps answering itself; far above any real run."""


def is_read(message_type: str) -> bool:
    return message_type.startswith(READ_PREFIXES)


@dataclass(frozen=True)
class Rendered:
    system: Literal["tally", "walmart", "orchestrator"]
    title: str
    """What it is, e.g. ``POST /v3/feeds?feedType=MP_INVENTORY`` or ``Import 12 vouchers``."""
    body: str
    """The exact request body (XML, JSON), secrets masked."""
    media_type: str


class DryRunEdges(Protocol):
    def read(self, message: Envelope) -> AsyncIterator[Payload]:
        """The results of a read command, as the agent or the gateway would publish them."""

    async def render(self, message: Envelope) -> list[Rendered]:
        """The requests a write command would cause."""


@dataclass
class DryRunReport:
    flow: str
    tenant: str
    rendered: list[Rendered] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    cursors: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Flow -> the cursor the run would leave behind."""
    parked: list[str] = field(default_factory=list)
    """Why messages would be parked (e.g. an order with an unmapped SKU)."""
    started: bool = True
    """False when the flow is paused (a real run would not start either)."""


class _Rollback(Exception):
    """Raised at the end of the block so the transaction rolls back."""


@asynccontextmanager
async def rolled_back(store: Store) -> AsyncIterator[StoreTx]:
    try:
        async with store.transaction() as tx:
            yield tx
            raise _Rollback
    except _Rollback:
        pass


class _Watching:
    """The flow's transaction with the writes a report needs recorded on the way through.
    Everything else passes to the real transaction untouched (``__getattr__``), so methods
    added to ``StoreTx`` later need nothing here."""

    def __init__(self, tx: StoreTx, report: DryRunReport) -> None:
        self._tx = tx
        self._report = report
        self.sent: deque[tuple[str, Envelope]] = deque()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    async def add_outbox(self, queue: str, message: Envelope) -> bool:
        added = await self._tx.add_outbox(queue, message)
        if added:
            self.sent.append((queue, message))
        return added

    async def add_audit(self, entry: AuditEntry) -> int:
        self._report.audit.append(entry)
        return await self._tx.add_audit(entry)

    async def add_audits(self, entries: Sequence[AuditEntry]) -> None:
        self._report.audit.extend(entries)
        await self._tx.add_audits(entries)

    async def set_cursor(self, tenant: str, flow: str, value: dict[str, Any]) -> None:
        self._report.cursors[flow] = value
        await self._tx.set_cursor(tenant, flow, value)


async def dry_run(
    store: Store,
    settings: OrchestratorSettings,
    edges: DryRunEdges,
    flow: str,
    *,
    tenant: str | None = None,
    since: datetime | None = None,
) -> DryRunReport:
    tenant = tenant or settings.tenant
    report = DryRunReport(flow=flow, tenant=tenant)
    async with rolled_back(store) as tx:
        if (await tx.get_flow_state(tenant, flow)).paused:
            report.started = False
            return report
        watching = _Watching(tx, report)
        view = cast(StoreTx, watching)
        mapping = await load_mapping(tx, tenant)

        def context(cause: Envelope | None = None) -> FlowContext:
            return FlowContext(
                tenant=tenant, settings=settings, tx=view, mapping=mapping, cause=cause
            )

        starting = context()
        await FLOWS[flow].start(starting, since)
        await starting.flush()
        handled = 0
        while watching.sent and handled < MAX_MESSAGES:
            _queue, message = watching.sent.popleft()
            handled += 1
            if message.type.startswith("orchestrator."):
                await _deliver(context(message), message, report)
            elif is_read(message.type):
                report.reads.append(message.type)
                async for result in edges.read(message):
                    event = Envelope.new(result, tenant=tenant, cause=message)
                    await _deliver(context(event), event, report)
            else:
                report.rendered.extend(await edges.render(message))
    return report


async def _deliver(ctx: FlowContext, message: Envelope, report: DryRunReport) -> None:
    for _flow, step in STEPS.get(type(message.payload), []):
        try:
            await step.handle(ctx, message.payload)
        except (MappingGap, Reject) as exc:
            report.parked.append(exc.reason)
    await ctx.flush()


def sections(report: DryRunReport) -> Iterator[tuple[str, list[Rendered]]]:
    """The rendered requests grouped by system, Tally first."""
    for system in ("tally", "walmart", "orchestrator"):
        chosen = [r for r in report.rendered if r.system == system]
        if chosen:
            yield system, chosen
