"""`mlc mapping check`: the mapping against Tally's masters and Walmart's catalog.

Reads Tally through the agent's reader and Walmart through the gateway, from this machine
(ml_connector/edges.py), then lists every gap in plain words (sync_orchestrator.mapping_check).
With ``--create-missing`` the missing ledgers and cost centres are created through the
agent's own command, which refuses unless ``MLC_TALLY_ALLOW_MASTER_CREATE`` is true. Exit
status 0 when there is no gap (after creating), 1 otherwise.
"""

from __future__ import annotations

from typing import Annotated

import typer
from mlc_shared.bus.base import Reject
from mlc_shared.domain.tally import MasterSpec
from mlc_shared.messages.tally import MasterOutcome
from sync_orchestrator import mapping_edit
from sync_orchestrator.mapping_check import Gap, check_mapping

from ml_connector.cli.context import (
    JsonOption,
    TenantOption,
    fail,
    opened_store,
    print_json_list,
    print_table,
    run,
    settings,
)


class Unreachable(Exception):
    """Tally or Walmart could not be read; the message says which and why."""


async def _gaps(tenant: str | None, create: bool) -> tuple[list[Gap], list[MasterOutcome]]:
    from tally_agent.errors import TallyError
    from walmart_gateway.errors import WalmartError
    from walmart_gateway.gateway import UnknownTenant

    try:
        return await _read_and_compare(tenant, create)
    except TallyError as exc:
        raise Unreachable(f"Tally: {exc.hint} ({exc})") from None
    except (WalmartError, UnknownTenant) as exc:
        raise Unreachable(f"Walmart: {exc}") from None


async def _read_and_compare(
    tenant: str | None, create: bool
) -> tuple[list[Gap], list[MasterOutcome]]:
    from ml_connector.edges import create_masters, edges_for, tally_masters, walmart_skus

    config = settings()
    name = tenant or config.tenant
    async with opened_store(config) as store:
        mapping = await mapping_edit.read(store, name)
        record = await store.find_tenant(name)
    async with edges_for(name, record) as edges:
        gaps = check_mapping(mapping, await tally_masters(edges), await walmart_skus(edges))
        creatable: list[MasterSpec] = [g.create for g in gaps if g.create is not None]
        if not create or not creatable:
            return gaps, []
        outcomes = await create_masters(edges, creatable)
        created = {o.name for o in outcomes if o.outcome != "rejected"}
        return [g for g in gaps if g.create is None or g.subject not in created], outcomes


def check(
    tenant: Annotated[str | None, TenantOption] = None,
    create_missing: Annotated[
        bool,
        typer.Option(help="create missing ledgers and cost centres (the agent must allow it)"),
    ] = False,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    try:
        gaps, outcomes = run(_gaps(tenant, create_missing))
    except ImportError as exc:
        fail(f"this installation cannot reach Tally and Walmart directly ({exc.name})", 2)
    except Reject as exc:
        fail(f"nothing created: {exc.reason}", 1)
    except Unreachable as exc:
        fail(f"could not read {exc}", 3)
    for outcome in outcomes:
        word = outcome.outcome if outcome.outcome != "rejected" else f"refused ({outcome.reason})"
        typer.echo(f"{outcome.kind} {outcome.name!r}: {word}", err=as_json)
    if as_json:
        print_json_list(
            [{"kind": g.kind, "subject": g.subject, "message": g.message} for g in gaps]
        )
    elif not gaps:
        typer.echo("no gaps: every SKU, stock item, ledger, godown and cost centre lines up.")
    else:
        print_table(
            f"{len(gaps)} gap(s)",
            ("", "gap"),
            [("fixable" if g.create else "", g.message) for g in gaps],
        )
        if any(g.create for g in gaps) and not create_missing:
            typer.echo("fixable: --create-missing creates them (MLC_TALLY_ALLOW_MASTER_CREATE).")
    raise typer.Exit(1 if gaps else 0)
