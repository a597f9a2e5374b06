"""The tally-agent service: consumes ``tally.<tenant>.commands`` and publishes results and a
periodic :class:`AgentStatus` to ``orchestrator.events``.

Connections are outbound only (the broker, and Tally's port on the LAN). The queue's policy
(prefetch 1, single active consumer: ``TALLY_POLICY``) is applied by the bus from the
topology, so one command is worked on at a time, by one agent.

Failures follow :data:`tally_agent.errors.ERROR_TABLE`: Tally away -> retry without counting
toward the delivery limit; a request Tally can never accept -> parked with Tally's words.
Result message ids of imports derive from the command's id, so a redelivered command whose
first result did get out is recognised by the orchestrator's inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from mlc_shared.bus.base import Bus, PublishFailed, Reject, RetryLater, Subscription
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, tally_commands
from mlc_shared.logging import bind_context, get_logger
from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.tally import AgentStatus, ImportVouchers

from tally_agent.commands import CommandRunner
from tally_agent.errors import TallyError, to_bus_exception
from tally_agent.factory import client_for, import_options, reader_for
from tally_agent.settings import TallyAgentSettings
from tally_agent.status import StatusProbe

log = get_logger(__name__)
RESULT_NAMESPACE = uuid.UUID("6f1d3c52-8c1e-4b47-9a55-1c8f0d7f3a10")


class TallyAgentService:
    def __init__(self, settings: TallyAgentSettings, bus: Bus) -> None:
        self.settings = settings
        self.bus = bus
        self.client = client_for(settings)
        self.reader = reader_for(settings, self.client)
        self.runner = CommandRunner(
            self.reader,
            import_options(settings),
            page_size=settings.tally_export_page_size,
            window=settings.tally_export_window,
            allow_master_create=settings.tally_allow_master_create,
            count_method=settings.tally_voucher_count,
            shared_alter_ids=settings.tally_shared_alter_ids,
        )
        self.status = StatusProbe(self.reader, probe_version=settings.tally_probe_version)
        self._subscription: Subscription | None = None
        self._status_task: asyncio.Task[None] | None = None

    @property
    def queue(self) -> str:
        return tally_commands(self.settings.tenant)

    async def start(self) -> None:
        await self.bus.start()  # idempotent: the composition root may have started it
        self._subscription = await self.bus.consume(self.queue, self.handle)
        self._status_task = asyncio.create_task(self._status_loop(), name="tally-agent-status")
        log.info("tally agent started", queue=self.queue, tally=self.settings.tally_base_url)

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.cancel()  # an in-flight command finishes first
            self._subscription = None
        if self._status_task is not None:
            self._status_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._status_task
            self._status_task = None
        await self.client.aclose()

    async def handle(self, command: Envelope) -> None:
        bind_context(
            tenant=command.tenant,
            correlation_id=command.correlation_id,
            message_id=command.message_id,
        )
        if command.tenant != self.settings.tenant:
            raise Reject(
                f"command for tenant {command.tenant!r} reached the agent of "
                f"{self.settings.tenant!r}"
            )
        deterministic = isinstance(command.payload, ImportVouchers)
        page = 0
        try:
            async for result in self.runner.run(command.payload):
                page += 1
                message_id = (
                    str(uuid.uuid5(RESULT_NAMESPACE, f"{command.message_id}:{page}"))
                    if deterministic
                    else None
                )
                await self.bus.publish(
                    ORCHESTRATOR_EVENTS,
                    Envelope.new(
                        result, tenant=command.tenant, cause=command, message_id=message_id
                    ),
                )
        except TallyError as exc:
            self.status.failed(exc)
            log.warning(
                "tally command failed",
                type=command.type,
                error=str(exc),
                error_class=type(exc).__name__,
            )
            raise to_bus_exception(exc) from exc
        except PublishFailed as exc:
            # The broker, not the message: retry without using up the message's attempts.
            raise RetryLater(f"could not publish the result: {exc}", counts=False) from exc
        self.status.succeeded()
        log.info("tally command done", type=command.type, results=page)

    async def publish_status(self) -> AgentStatus:
        status = await self.status.probe(self.settings.tally_company)
        await self.bus.publish(
            ORCHESTRATOR_EVENTS, Envelope.new(status, tenant=self.settings.tenant)
        )
        return status

    async def _status_loop(self) -> None:
        while True:
            try:
                await self.publish_status()
            except (PublishFailed, TallyError) as exc:
                log.warning("agent status not published", error=str(exc))
            except Exception:  # the heartbeat must outlive any one failure
                log.exception("agent status probe crashed")
            await asyncio.sleep(self.settings.tally_status_interval)
