"""The sync-orchestrator service: consumes ``orchestrator.events``, runs flow steps inside one
store transaction each (inbox + cursor + audit + outbox), relays the outbox, schedules every
tenant's flows, and serves the operator API.

On PostgreSQL only the elected replica (leader.py) consumes, schedules and relays; every
replica serves the operator API. On SQLite (standalone) the one process does everything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime

from mlc_shared.bus.base import Bus, Reject, Subscription
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS
from mlc_shared.logging import get_logger
from mlc_shared.messages.envelope import Envelope, new_id
from mlc_shared.messages.orchestrator import RunFlow
from mlc_shared.messages.tally import AgentStatus, ImportVouchers
from mlc_shared.messages.walmart import OrdersFetched
from mlc_shared.messages.webhooks import WebhookEventReceived, WebhookEventUnhandled
from mlc_shared.ops_http import ReadinessCheck
from mlc_shared.store.base import Store, StoreTx
from mlc_shared.store.records import FlowState

from sync_orchestrator.dispatch import FLOWS, STEPS
from sync_orchestrator.flows.context import FlowContext
from sync_orchestrator.flows.orders import LOOKUP_BATCH, ORDERS, look_up
from sync_orchestrator.leader import LeaderElection, is_postgres, lock_key
from sync_orchestrator.mapping import MappingCache, mapping_from_file, save_mapping
from sync_orchestrator.ops_api.server import OperatorServer
from sync_orchestrator.outbox import OutboxRelay
from sync_orchestrator.scheduler import Scheduler
from sync_orchestrator.settings import OrchestratorSettings
from sync_orchestrator.tenants import TenantDirectory
from sync_orchestrator.tracker import Tracker
from sync_orchestrator.vouchers import MappingGap

log = get_logger(__name__)
CONSUMER = "sync-orchestrator"
RETURNS = "returns"
LOOKUP = "orders:announced"
"""The tracker's run key for reads of announced orders, beside the orders flow's polls."""
LOOKUP_AWAITS_TALLY_S = 5.0
"""How long the next read of announced orders waits for Tally to answer the last one's."""


class UnknownFlow(ValueError):
    pass


class OrchestratorService:
    def __init__(
        self,
        settings: OrchestratorSettings,
        bus: Bus,
        store: Store,
        *,
        ops_checks: Mapping[str, ReadinessCheck] | None = None,
    ) -> None:
        """``ops_checks``: serve /healthz, /readyz and /metrics (with these readiness checks)
        on the operator API's port too, which is then MLC_HTTP_PORT (one port per service)."""
        self.settings = settings
        self.bus = bus
        self.store = store
        self.tracker = Tracker()
        self.relay = OutboxRelay(store, bus, poll_s=settings.outbox_poll_s)
        self.directory = TenantDirectory(store, settings, FLOWS)
        self.scheduler = Scheduler(self.directory, self._scheduled)
        self.agent_status: dict[str, AgentStatus] = {}
        self.mappings = MappingCache()
        self._subscription: Subscription | None = None
        self._ops_checks = ops_checks
        self._active = False
        self._active_lock = asyncio.Lock()
        self._rerun_ids: dict[tuple[str, str], str] = {}
        """Correlation id a coalesced re-run keeps, so whoever asked can follow it."""
        url = settings.database_url.get_secret_value()
        self.election: LeaderElection | None = (
            LeaderElection(
                url,
                on_elected=self._activate,
                on_deposed=self._deactivate,
                key=lock_key(settings.bus_namespace),
                retry_s=settings.leader_retry_s,
                check_s=settings.leader_check_s,
            )
            if is_postgres(url)
            else None
        )
        self.api = self._operator_server()

    def _operator_server(self) -> OperatorServer | None:
        """On MLC_HTTP_PORT beside the ops endpoints when this service owns that port (the
        composition root passes ``ops_checks`` then); otherwise on MLC_OPERATOR_PORT, if set."""
        if self._ops_checks is not None and self.settings.http_port is not None:
            return OperatorServer(
                self, self.settings.http_host, self.settings.http_port, self._ops_checks
            )
        if self.settings.operator_port is None:
            return None
        return OperatorServer(self, self.settings.operator_host, self.settings.operator_port)

    @property
    def is_leader(self) -> bool:
        return self._active

    async def start(self) -> None:
        if self.settings.mapping_file is not None:
            mapping = mapping_from_file(self.settings.mapping_file)
            async with self.store.transaction() as tx:
                await save_mapping(tx, self.settings.tenant, mapping)
        if self.election is not None:
            self.election.start()
        else:
            await self._activate()
        if self.api is not None:
            await self.api.start()

    async def stop(self) -> None:
        if self.api is not None:
            await self.api.stop()
        if self.election is not None:
            await self.election.stop()
        await self._deactivate()

    async def _activate(self) -> None:
        """Start what only one replica may run: consumer, relay, scheduler."""
        async with self._active_lock:
            if self._active:
                return
            self.relay.start()
            self._subscription = await self.bus.consume(ORCHESTRATOR_EVENTS, self.handle)
            self.scheduler.start()
            self._active = True
            log.info("orchestrator active: consuming, relaying and scheduling")

    async def _deactivate(self) -> None:
        async with self._active_lock:
            if not self._active:
                return
            self._active = False
            await self.scheduler.stop()
            if self._subscription is not None:
                try:
                    await self._subscription.cancel()
                except Exception as exc:  # the broker may be the reason we stop
                    log.warning("could not cancel the event subscription", error=str(exc))
                self._subscription = None
            await self.relay.stop()
            log.info("orchestrator standing by")

    # -- flows ---------------------------------------------------------------------------
    async def run_flow(
        self,
        flow: str,
        *,
        tenant: str | None = None,
        since: datetime | None = None,
        correlation_id: str | None = None,
    ) -> bool:
        """Start ``flow`` now; False when a run is in flight (it is re-run once that ends) or
        the flow is paused. ``correlation_id`` names the run in the audit trail."""
        if flow not in FLOWS:
            raise UnknownFlow(f"unknown flow {flow!r}; flows are: {', '.join(FLOWS)}")
        tenant = tenant or self.settings.tenant
        if self.tracker.is_running(tenant, flow):
            self.tracker.request_rerun(tenant, flow)
            if correlation_id:
                self._rerun_ids[(tenant, flow)] = correlation_id
            return False
        async with self.store.transaction() as tx:
            state = await tx.get_flow_state(tenant, flow)
            if state.paused:
                log.info("flow paused; not started", tenant=tenant, flow=flow)
                return False
            ctx = await self._context(tx, tenant)
            if correlation_id:
                ctx.correlation_id = correlation_id
            await FLOWS[flow].start(ctx, since)
            await ctx.flush()
            now = datetime.now(UTC)
            await tx.put_flow_state(state.model_copy(update={"last_run_at": now}))
        self._after_commit(ctx.sent)
        if ctx.sent:
            self.tracker.begin_run(tenant, flow, ctx.sent[0].message_id)
        return True

    async def request_run(
        self, flow: str, *, tenant: str | None = None, since: datetime | None = None
    ) -> tuple[bool, str]:
        """Run ``flow`` now from any replica: the leader starts it; a standby hands it to the
        leader as a ``RunFlow`` message. Returns (started here, correlation id of the run)."""
        if flow not in FLOWS:
            raise UnknownFlow(f"unknown flow {flow!r}; flows are: {', '.join(FLOWS)}")
        correlation_id = new_id()
        tenant = tenant or self.settings.tenant
        if self._active:
            started = await self.run_flow(
                flow, tenant=tenant, since=since, correlation_id=correlation_id
            )
            return started, correlation_id
        message = Envelope.new(
            RunFlow(flow=flow, since=since), tenant=tenant, correlation_id=correlation_id
        )
        await self.bus.publish(ORCHESTRATOR_EVENTS, message)
        return False, correlation_id

    async def _context(
        self, tx: StoreTx, tenant: str, *, cause: Envelope | None = None
    ) -> FlowContext:
        """A step's context: the tenant's mapping as stored now (cached per revision)."""
        return FlowContext(
            tenant=tenant,
            settings=self.settings,
            tx=tx,
            mapping=await self.mappings.load(tx, tenant),
            cause=cause,
        )

    async def _scheduled(self, flow: str, tenant: str) -> None:
        await self.run_flow(flow, tenant=tenant)

    def _after_commit(self, sent: list[Envelope]) -> None:
        self.tracker.sent(sent)
        if sent:
            self.relay.wake()

    # -- events --------------------------------------------------------------------------
    async def handle(self, message: Envelope) -> None:
        payload = message.payload
        if isinstance(payload, AgentStatus):
            await self._on_agent_status(message.tenant, payload)
            return
        if isinstance(payload, WebhookEventReceived | WebhookEventUnhandled):
            await self._on_webhook(message)
            return
        if isinstance(payload, RunFlow):
            if payload.flow not in FLOWS:
                raise Reject(f"unknown flow {payload.flow!r}; flows are: {', '.join(FLOWS)}")
            await self.run_flow(
                payload.flow,
                tenant=message.tenant,
                since=payload.since,
                correlation_id=message.correlation_id,
            )
            self.tracker.handled(message)
            return
        steps = STEPS.get(type(payload))
        if not steps:
            raise Reject(f"the orchestrator does not handle {message.type} messages")
        # A paged answer ends its run with the last page only; a read by id ends no run.
        final = bool(getattr(payload, "last_page", True))
        lookup = isinstance(payload, OrdersFetched) and bool(payload.requested)
        ending = [flow.name for flow, step in steps if step.ends_run and final and not lookup]
        try:
            async with self.store.transaction() as tx:
                if not await tx.mark_processed(CONSUMER, message.message_id):
                    log.info("duplicate delivery ignored", message_id=message.message_id)
                    self.tracker.handled(message)
                    return
                ctx = await self._context(tx, message.tenant, cause=message)
                for _flow, step in steps:
                    await step.handle(ctx, payload)
                await ctx.flush()
                for name in ending:
                    state = await tx.get_flow_state(message.tenant, name)
                    await tx.put_flow_state(
                        state.model_copy(
                            update={"last_success_at": datetime.now(UTC), "last_error": None}
                        )
                    )
        except MappingGap as gap:
            await self._record_error(message.tenant, steps[0][0].name, gap.reason)
            self.tracker.handled(message)  # parked: nothing more to wait for
            raise Reject(gap.reason) from None
        except Reject:
            self.tracker.handled(message)
            raise
        self._after_commit(ctx.sent)
        if final:
            self.tracker.handled(message)
        if lookup:
            self._lookups_await_tally(message.tenant, ctx.sent)
        for name in ending:
            if self.tracker.take_rerun(message.tenant, name):
                await self.run_flow(
                    name,
                    tenant=message.tenant,
                    correlation_id=self._rerun_ids.pop((message.tenant, name), None),
                )
        # After any answer, as a lookup may have ended in a rejection rather than its orders.
        await self._look_up_announced(message.tenant)

    async def _on_agent_status(self, tenant: str, status: AgentStatus) -> None:
        """Kept in memory (metrics, alerts) and in the store, so every replica's operator
        API shows it, not only the one that consumed it."""
        self.agent_status[tenant] = status
        async with self.store.transaction() as tx:
            await tx.put_agent_status(tenant, status, datetime.now(UTC))

    async def _on_webhook(self, message: Envelope) -> None:
        """Events are lightweight (walmart-api.md §9.5): the order or return an event names is
        re-read through the gateway before anything is posted. Coalesced: a burst of order
        events becomes a few reads by id, a burst of return events one poll and one re-run."""
        payload = message.payload
        if isinstance(payload, WebhookEventReceived):
            if payload.purchase_order_ids:
                self.tracker.announce(message.tenant, payload.purchase_order_ids)
                await self._look_up_announced(message.tenant)
            if payload.return_order_ids:
                await self.run_flow(RETURNS if RETURNS in FLOWS else ORDERS, tenant=message.tenant)
        elif isinstance(payload, WebhookEventUnhandled):
            log.warning(
                "Walmart event kept for operators (stored in webhook_events)",
                tenant=message.tenant,
                reason=payload.reason,
            )

    def _lookups_await_tally(self, tenant: str, sent: list[Envelope]) -> None:
        """The next read of announced orders waits for Tally's answer to this one's vouchers
        (up to LOOKUP_AWAITS_TALLY_S), so the orders announced meanwhile go to Tally as one
        batch: TallyPrime's cost is per request (tally-xml.md §5.2), and one import per
        order would saturate it at a few orders a second."""
        imports = [m for m in sent if isinstance(m.payload, ImportVouchers)]
        if imports:
            self.tracker.begin_run(
                tenant, LOOKUP, imports[-1].message_id, stale_after_s=LOOKUP_AWAITS_TALLY_S
            )

    async def _look_up_announced(self, tenant: str) -> None:
        """Read the announced orders nobody has read yet, one command at a time: ids announced
        meanwhile wait for the next. A paused flow reads none; its next poll finds them."""
        if self.tracker.is_running(tenant, LOOKUP):
            return
        ids = self.tracker.take_announced(tenant, LOOKUP_BATCH)
        if not ids:
            return
        try:
            async with self.store.transaction() as tx:
                if (await tx.get_flow_state(tenant, ORDERS)).paused:
                    return
                ctx = await self._context(tx, tenant)
                await look_up(ctx, ids)
        except BaseException:
            self.tracker.announce(tenant, ids)  # still unread
            raise
        self._after_commit(ctx.sent)
        if ctx.sent:
            self.tracker.begin_run(tenant, LOOKUP, ctx.sent[0].message_id)

    async def _record_error(self, tenant: str, flow: str, error: str) -> None:
        async with self.store.transaction() as tx:
            state = await tx.get_flow_state(tenant, flow)
            await tx.put_flow_state(FlowState(**{**state.model_dump(), "last_error": error}))

    # -- completion ----------------------------------------------------------------------
    async def idle(self) -> bool:
        return self.tracker.outstanding == 0 and await self.relay.pending() == 0

    async def wait_idle(self, within: float, *, settle: float = 0.3) -> bool:
        """True once nothing is outstanding (twice in a row, ``settle`` s apart)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            if await self.idle():
                await asyncio.sleep(settle)
                if await self.idle():
                    return True
            await asyncio.sleep(0.1)
        return False
