"""The sync-orchestrator service: consumes ``orchestrator.events``, runs flow steps inside one
store transaction each (inbox + cursor + audit + outbox), relays the outbox, and schedules.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from mlc_shared.bus.base import Bus, Reject, Subscription
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS
from mlc_shared.logging import get_logger
from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.orchestrator import RunFlow
from mlc_shared.messages.tally import AgentStatus
from mlc_shared.messages.webhooks import WebhookEventReceived, WebhookEventUnhandled
from mlc_shared.store.base import Store
from mlc_shared.store.records import FlowState

from sync_orchestrator.dispatch import FLOWS, STEPS
from sync_orchestrator.flows.context import FlowContext
from sync_orchestrator.flows.orders import ORDERS
from sync_orchestrator.mapping import load_mapping, mapping_from_file, save_mapping
from sync_orchestrator.outbox import OutboxRelay
from sync_orchestrator.settings import OrchestratorSettings
from sync_orchestrator.tracker import Tracker
from sync_orchestrator.vouchers import MappingGap

log = get_logger(__name__)
CONSUMER = "sync-orchestrator"


class UnknownFlow(ValueError):
    pass


class OrchestratorService:
    def __init__(self, settings: OrchestratorSettings, bus: Bus, store: Store) -> None:
        self.settings = settings
        self.bus = bus
        self.store = store
        self.tracker = Tracker()
        self.relay = OutboxRelay(store, bus, poll_s=settings.outbox_poll_s)
        self._subscription: Subscription | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.agent_status: dict[str, AgentStatus] = {}

    async def start(self) -> None:
        if self.settings.mapping_file is not None:
            mapping = mapping_from_file(self.settings.mapping_file)
            async with self.store.transaction() as tx:
                await save_mapping(tx, self.settings.tenant, mapping)
        self.relay.start()
        self._subscription = await self.bus.consume(ORCHESTRATOR_EVENTS, self.handle)
        for flow in FLOWS.values():
            interval = float(getattr(self.settings, flow.interval_setting, 0) or 0)
            if interval > 0:
                self._tasks.append(
                    asyncio.create_task(
                        self._every(flow.name, interval), name=f"schedule-{flow.name}"
                    )
                )

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._subscription:
            await self._subscription.cancel()
        await self.relay.stop()

    # -- flows ---------------------------------------------------------------------------
    async def run_flow(
        self, flow: str, *, tenant: str | None = None, since: datetime | None = None
    ) -> bool:
        """Start ``flow`` now; False when a run is in flight (it is re-run once that ends)."""
        if flow not in FLOWS:
            raise UnknownFlow(f"unknown flow {flow!r}; flows are: {', '.join(FLOWS)}")
        tenant = tenant or self.settings.tenant
        if self.tracker.is_running(tenant, flow):
            self.tracker.request_rerun(tenant, flow)
            return False
        async with self.store.transaction() as tx:
            state = await tx.get_flow_state(tenant, flow)
            if state.paused:
                log.info("flow paused; not started", tenant=tenant, flow=flow)
                return False
            ctx = FlowContext(
                tenant=tenant, settings=self.settings, tx=tx, mapping=await load_mapping(tx, tenant)
            )
            await FLOWS[flow].start(ctx, since)
            now = datetime.now(UTC)
            await tx.put_flow_state(state.model_copy(update={"last_run_at": now}))
        self._after_commit(ctx.sent)
        if ctx.sent:
            self.tracker.begin_run(tenant, flow, ctx.sent[0].message_id)
        return True

    async def _every(self, flow: str, interval: float) -> None:
        while True:
            try:
                await self.run_flow(flow)
            except Exception as exc:  # the database may be away; the next tick tries again
                log.warning("scheduled flow could not start", flow=flow, error=str(exc))
            await asyncio.sleep(interval)

    def _after_commit(self, sent: list[Envelope]) -> None:
        self.tracker.sent(sent)
        if sent:
            self.relay.wake()

    # -- events --------------------------------------------------------------------------
    async def handle(self, message: Envelope) -> None:
        payload = message.payload
        if isinstance(payload, AgentStatus):
            self.agent_status[message.tenant] = payload
            return
        if isinstance(payload, WebhookEventReceived | WebhookEventUnhandled):
            await self._on_webhook(message)
            return
        if isinstance(payload, RunFlow):
            await self.run_flow(payload.flow, tenant=message.tenant, since=payload.since)
            self.tracker.handled(message)
            return
        steps = STEPS.get(type(payload))
        if not steps:
            raise Reject(f"the orchestrator does not handle {message.type} messages")
        # A paged answer ends its run with the last page only.
        final = bool(getattr(payload, "last_page", True))
        ending = [flow.name for flow, step in steps if step.ends_run and final]
        try:
            async with self.store.transaction() as tx:
                if not await tx.mark_processed(CONSUMER, message.message_id):
                    log.info("duplicate delivery ignored", message_id=message.message_id)
                    self.tracker.handled(message)
                    return
                ctx = FlowContext(
                    tenant=message.tenant,
                    settings=self.settings,
                    tx=tx,
                    mapping=await load_mapping(tx, message.tenant),
                    cause=message,
                )
                for _flow, step in steps:
                    await step.handle(ctx, payload)
                for name in ending:
                    state = await tx.get_flow_state(message.tenant, name)
                    await tx.put_flow_state(
                        state.model_copy(
                            update={"last_success_at": datetime.now(UTC), "last_error": None}
                        )
                    )
        except MappingGap as gap:
            await self._record_error(message.tenant, steps[0][0].name, gap.reason)
            raise Reject(gap.reason) from None
        self._after_commit(ctx.sent)
        if final:
            self.tracker.handled(message)
        for name in ending:
            if self.tracker.take_rerun(message.tenant, name):
                await self.run_flow(name, tenant=message.tenant)

    async def _on_webhook(self, message: Envelope) -> None:
        """Events are lightweight (walmart-api.md §9.5): an order or return event only starts
        the flow that re-reads it through the gateway. Coalesced: a burst of events becomes
        one poll plus one re-run, never one fetch per event."""
        payload = message.payload
        if isinstance(payload, WebhookEventReceived) and (
            payload.purchase_order_ids or payload.return_order_ids
        ):
            await self.run_flow(ORDERS, tenant=message.tenant)
        elif isinstance(payload, WebhookEventUnhandled):
            log.warning(
                "Walmart event kept for operators (stored in webhook_events)",
                tenant=message.tenant,
                reason=payload.reason,
            )

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
