"""`mlc sync <flow> [--tenant T] [--since DATE] [--dry-run]`: run a flow now.

* Standalone (no ``MLC_AMQP_URL``): the agent, the gateway and the orchestrator run in this
  process on the SQLite store, without schedules, until the run is done. Stop ``mlc run``
  first, or pass ``--via-service`` to hand the run to it instead.
* Distributed (``MLC_AMQP_URL`` set) or ``--via-service``: a ``RunFlow`` message asks the
  running orchestrator; progress is followed through the run's audit rows.
* ``--dry-run``: nothing is sent and nothing is written; prints the exact Tally XML and
  Walmart requests the run would send (reads Tally and Walmart from this machine).

``--since`` backfills: the run reads from that date (the seller's time zone) instead of its
cursor. Exit status 0 when the run finished with nothing rejected.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Annotated

import typer
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS
from mlc_shared.messages.envelope import Envelope, new_id
from mlc_shared.messages.orchestrator import RunFlow
from mlc_shared.store.base import Store
from mlc_shared.store.records import AuditRow
from rich.console import Console
from sync_orchestrator.audit_terms import AuditTerms, every_row
from sync_orchestrator.dead_letters import connector_queues
from sync_orchestrator.dispatch import FLOWS
from sync_orchestrator.service import OrchestratorService
from sync_orchestrator.settings import OrchestratorSettings

from ml_connector.cli.context import (
    TenantOption,
    fail,
    opened_bus,
    opened_store,
    parse_moment,
    run,
    settings,
)
from ml_connector.cli.sync_view import IN_PROGRESS, RunProgress, print_dry_run, summary

QUIET_S = 5.0
"""Distributed: a run counts as done once its flow finished and no audit row came for this
long; or, when every record it queued has an outcome, for ``SETTLED_S``."""
SETTLED_S = 1.0


def sync(
    flow: Annotated[str, typer.Argument(help=f"one of: {', '.join(FLOWS)}")],
    tenant: Annotated[str | None, TenantOption] = None,
    since: Annotated[
        str | None, typer.Option(help="backfill from this date (or date-time)")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show what would be sent")] = False,
    via_service: Annotated[
        bool, typer.Option(help="standalone: hand the run to the running `mlc run`")
    ] = False,
    wait: Annotated[float, typer.Option(help="give up following after this many seconds")] = 600,
) -> None:
    if flow not in FLOWS:
        fail(f"unknown flow {flow!r}; flows are: {', '.join(FLOWS)}", 2)
    config = settings()
    name = tenant or config.tenant
    start = parse_moment(since, config.seller_timezone)
    console = Console(stderr=dry_run)
    if dry_run:
        run(_dry_run(config, flow, name, start, Console()))
        return
    if config.amqp_url is not None or via_service:
        ok = run(_via_service(config, flow, name, start, wait, console))
    else:
        ok = run(_in_process(config, flow, name, start, wait, console))
    raise typer.Exit(0 if ok else 1)


async def _dry_run(
    config: OrchestratorSettings, flow: str, tenant: str, since: datetime | None, console: Console
) -> None:
    from sync_orchestrator.dry_run import dry_run

    from ml_connector.dry_run_edges import DryRunEdges
    from ml_connector.edges import edges_for

    async with opened_store(config) as store:
        record = await store.find_tenant(tenant)
        async with edges_for(tenant, record) as edges:
            renderer = DryRunEdges(edges)
            report = await dry_run(store, config, renderer, flow, tenant=tenant, since=since)
    print_dry_run(report, renderer.skipped, console)


def _all_resolved(rows: list[AuditRow]) -> bool:
    """Every record the run queued has reached an outcome (posted, rejected, ...)."""
    latest: dict[tuple[str, str], str] = {}
    for row in sorted(rows, key=lambda r: r.id):
        latest[(row.record_kind, row.source_id)] = row.status
    return bool(latest) and not (set(latest.values()) & IN_PROGRESS)


async def _rows(store: Store, correlation_id: str) -> list[AuditRow]:
    return [row async for row in every_row(store, AuditTerms(correlation_id=correlation_id))]


async def _settled(orch: OrchestratorService, tenant: str) -> bool:
    """Nothing left to wait for: every command answered, or parked (an operator's turn)."""
    if await orch.idle():
        return True
    if await orch.relay.pending():
        return False
    parked: set[str] = set()
    for queue in connector_queues([tenant]):
        parked.update(p.message_id for p in await orch.bus.parked(queue, 1000))
    return orch.tracker.outstanding_ids() <= parked


async def _in_process(
    config: OrchestratorSettings,
    flow: str,
    tenant: str,
    since: datetime | None,
    wait: float,
    console: Console,
) -> bool:
    from ml_connector.runtime import Runtime

    quiet = {f.interval_setting: 0 for f in FLOWS.values() if f.interval_setting}
    services = ("tally-agent", "walmart-gateway", "sync-orchestrator")
    correlation_id = new_id()
    async with Runtime(services, http_port=None, operator_port=None, **quiet) as runtime:
        orch: OrchestratorService = runtime.service("sync-orchestrator")
        assert runtime.store is not None
        if not await orch.run_flow(flow, tenant=tenant, since=since, correlation_id=correlation_id):
            fail(f"flow {flow!r} of {tenant!r} is paused (mlc flows resume {flow})")
        deadline = time.monotonic() + wait
        finished = False
        with RunProgress(flow, console) as bar:
            while time.monotonic() < deadline and not finished:
                bar.update(await _rows(runtime.store, correlation_id))
                if await _settled(orch, tenant):
                    await asyncio.sleep(0.3)
                    finished = await _settled(orch, tenant)
                await asyncio.sleep(0.3)
            rows = await _rows(runtime.store, correlation_id)
            bar.update(rows)
    ok = summary(rows, flow, correlation_id)
    if not finished:
        console.print(
            f"still running after {wait:g} s; follow it: mlc audit search --run {correlation_id}"
        )
    return ok and finished


async def _via_service(
    config: OrchestratorSettings,
    flow: str,
    tenant: str,
    since: datetime | None,
    wait: float,
    console: Console,
) -> bool:
    correlation_id = new_id()
    async with opened_store(config) as store:
        async with store.transaction() as tx:
            before = await tx.get_flow_state(tenant, flow)
        if before.paused:
            fail(f"flow {flow!r} of {tenant!r} is paused (mlc flows resume {flow})")
        asked = datetime.now(UTC)
        async with opened_bus(config, store) as bus:
            message = Envelope.new(
                RunFlow(flow=flow, since=since), tenant=tenant, correlation_id=correlation_id
            )
            await bus.publish(ORCHESTRATOR_EVENTS, message)
        console.print(f"asked the orchestrator to run {flow!r} (run {correlation_id})")
        deadline = time.monotonic() + wait
        finished = False
        rows: list[AuditRow] = []
        state = before
        last_count, last_change = -1, time.monotonic()
        with RunProgress(flow, console) as bar:
            while time.monotonic() < deadline:
                rows = await _rows(store, correlation_id)
                bar.update(rows)
                if len(rows) != last_count:
                    last_count, last_change = len(rows), time.monotonic()
                states = {s.flow: s for s in await store.list_flow_states(tenant)}
                state = states.get(flow, before)
                succeeded = (state.last_success_at or asked) > asked
                failed = state.last_error not in (None, before.last_error)
                quiet = time.monotonic() - last_change
                if (succeeded or failed) and (
                    quiet >= QUIET_S or (quiet >= SETTLED_S and _all_resolved(rows))
                ):
                    finished = True
                    break
                await asyncio.sleep(1.0)
        if state.last_error and state.last_error != before.last_error:
            console.print(f"[red]the flow reported:[/red] {state.last_error}")
    ok = summary(rows, flow, correlation_id)
    if not finished:
        console.print(
            f"still running after {wait:g} s; follow it: mlc audit search --run {correlation_id}"
        )
    return ok and finished
