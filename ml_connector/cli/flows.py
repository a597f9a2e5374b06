"""`mlc flows status|pause|resume`: what each flow is doing, and stopping or letting it run.

Works on the database directly, in both modes: a paused flow starts no new run in any
orchestrator replica (scheduled, webhook-triggered or `mlc sync`); what is in flight finishes.
"""

from __future__ import annotations

from typing import Annotated

import typer
from sync_orchestrator.dispatch import FLOWS
from sync_orchestrator.status import FlowStatus, flow_statuses, set_paused
from sync_orchestrator.tenants import TenantDirectory

from ml_connector.cli.context import (
    JsonOption,
    TenantOption,
    fail,
    opened_store,
    print_json_list,
    print_table,
    run,
    settings,
    when,
)

app = typer.Typer(help="Flow status; pause and resume flows.", no_args_is_help=True)

FlowArgument = Annotated[str, typer.Argument(help=f"one of: {', '.join(FLOWS)}")]


def _known(flow: str) -> str:
    if flow not in FLOWS:
        fail(f"unknown flow {flow!r}; flows are: {', '.join(FLOWS)}", 2)
    return flow


def _lag(status: FlowStatus) -> str:
    if status.lag_seconds is None:
        return "never ran to the end"
    minutes, seconds = divmod(int(status.lag_seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{seconds:02d}s" if hours else f"{minutes}m{seconds:02d}s"


@app.command()
def status(
    tenant: Annotated[str | None, TenantOption] = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Every flow of every tenant: paused, last run, last success, lag, last error."""
    config = settings()

    async def read() -> list[FlowStatus]:
        async with opened_store(config) as store:
            tenants = [tenant] if tenant else await TenantDirectory(store, config, FLOWS).tenants()
            return flow_statuses(await store.list_flow_states(tenant), tenants, FLOWS)

    statuses = run(read())
    if as_json:
        print_json_list(statuses)
        return
    print_table(
        "Flows",
        ("tenant", "flow", "state", "last run", "last success", "lag", "last error"),
        [
            (
                s.tenant,
                s.flow,
                "paused" if s.paused else "active",
                when(s.last_run_at),
                when(s.last_success_at),
                _lag(s),
                s.last_error or "",
            )
            for s in statuses
        ],
    )


def _set(flow: str, tenant: str | None, paused: bool) -> None:
    config = settings()
    name = tenant or config.tenant
    _known(flow)

    async def write() -> None:
        async with opened_store(config) as store:
            await set_paused(store, name, flow, paused)

    run(write())
    word = "paused: it starts no new run" if paused else "resumed"
    typer.echo(f"flow {flow!r} of tenant {name!r} {word}.")


@app.command()
def pause(flow: FlowArgument, tenant: Annotated[str | None, TenantOption] = None) -> None:
    """Start no new run of FLOW (runs in flight finish)."""
    _set(flow, tenant, True)


@app.command()
def resume(flow: FlowArgument, tenant: Annotated[str | None, TenantOption] = None) -> None:
    """Let FLOW run again (its next scheduled run starts it)."""
    _set(flow, tenant, False)
