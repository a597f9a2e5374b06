"""`mlc mapping show|set|unset|import|export|check`: how Walmart maps onto Tally, per tenant.

``set``/``unset`` change one SKU, ship node, ledger role or customer; ``import`` replaces the
whole mapping with a TOML file (the same format as ``MLC_MAPPING_FILE``, which ``export``
writes); ``check`` compares the mapping with Tally's masters and Walmart's catalog and lists
every gap in plain words. Every change is validated as a whole mapping before it is stored.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

import tomli_w
import typer
from sync_orchestrator import mapping_edit
from sync_orchestrator.mapping import Ledgers, TenantMapping
from sync_orchestrator.mapping_edit import MappingRejected

from ml_connector.cli.context import (
    JsonOption,
    TenantOption,
    fail,
    opened_store,
    print_json,
    print_table,
    run,
    settings,
)
from ml_connector.cli.mapping_check import check

app = typer.Typer(help="Show, edit, import, export and check the mapping.", no_args_is_help=True)
set_app = typer.Typer(help="Set one entry of the mapping.", no_args_is_help=True)
unset_app = typer.Typer(help="Remove one entry of the mapping.", no_args_is_help=True)
app.add_typer(set_app, name="set")
app.add_typer(unset_app, name="unset")
app.command(help="List every gap between the mapping, Tally's masters and Walmart's catalog.")(
    check
)

Tenant = Annotated[str | None, TenantOption]


def _tenant(tenant: str | None) -> str:
    return tenant or settings().tenant


def _patch(tenant: str | None, patch: dict[str, Any]) -> TenantMapping:
    config = settings()

    async def write() -> TenantMapping:
        async with opened_store(config) as store:
            return await mapping_edit.change(store, tenant or config.tenant, patch)

    try:
        return run(write())
    except MappingRejected as exc:
        fail(f"mapping not changed: {exc}", 2)


def _without_nulls(value: Any) -> Any:
    """TOML has no null: a missing key means the default."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def as_toml(mapping: TenantMapping) -> str:
    return tomli_w.dumps(_without_nulls(mapping_edit.as_document(mapping)))


@app.command()
def show(tenant: Tenant = None, as_json: Annotated[bool, JsonOption] = False) -> None:
    """The tenant's mapping: ledgers, ship nodes and SKUs (``export`` gives all of it)."""
    config = settings()

    async def read() -> TenantMapping:
        async with opened_store(config) as store:
            return await mapping_edit.read(store, tenant or config.tenant)

    mapping = run(read())
    if as_json:
        print_json(mapping_edit.as_document(mapping))
        return
    print_table(
        "Ledgers",
        ("role", "ledger"),
        [(role, name) for role, name in mapping.ledgers.model_dump().items()],
    )
    print_table(
        f"Ship nodes (default: {mapping.default_ship_node})",
        ("ship node", "godowns", "sales ledger", "cost centre"),
        [
            (node, ", ".join(n.godowns), n.sales_ledger, n.cost_centre or "")
            for node, n in mapping.ship_nodes.items()
        ],
    )
    rule = (
        "; others match a stock item's name, alias or part number" if mapping.match_by_name else ""
    )
    print_table(
        f"SKUs ({len(mapping.skus)} mapped{rule})",
        ("SKU", "stock item", "unit", "buffer", "cap"),
        [(sku, s.stock_item, s.unit, s.buffer, s.cap) for sku, s in sorted(mapping.skus.items())],
    )


@set_app.command("sku")
def set_sku(
    sku: Annotated[str, typer.Argument(help="the Walmart SKU")],
    stock_item: Annotated[str, typer.Argument(help="the Tally stock item")],
    unit: Annotated[str | None, typer.Option(help="Tally unit (default Nos)")] = None,
    buffer: Annotated[int | None, typer.Option(min=0, help="units held back")] = None,
    cap: Annotated[int | None, typer.Option(min=0, help="never offer more")] = None,
    tenant: Tenant = None,
) -> None:
    """Map SKU to STOCK_ITEM (other fields of an existing entry are kept)."""
    current = run(_read_entry(tenant, "skus", sku)) or {}
    entry = {**current, "stock_item": stock_item}
    entry.update({k: v for k, v in (("unit", unit), ("buffer", buffer), ("cap", cap)) if v})
    _patch(tenant, {"skus": {sku: entry}})
    typer.echo(f"SKU {sku!r} -> stock item {stock_item!r}.")


@set_app.command("ship-node")
def set_ship_node(
    node: Annotated[str, typer.Argument(help="Walmart ship node id (or 'default')")],
    godown: Annotated[
        list[str] | None, typer.Option(help="Tally godown (repeat for several)")
    ] = None,
    sales_ledger: Annotated[str | None, typer.Option()] = None,
    cost_centre: Annotated[str | None, typer.Option()] = None,
    make_default: Annotated[
        bool, typer.Option("--default", help="orders of unknown nodes go here")
    ] = False,
    tenant: Tenant = None,
) -> None:
    """Set the godowns, sales ledger and cost centre of a ship node."""
    current = run(_read_entry(tenant, "ship_nodes", node)) or {}
    entry = dict(current)
    if godown:
        entry["godowns"] = list(godown)
    if sales_ledger:
        entry["sales_ledger"] = sales_ledger
    if cost_centre:
        entry["cost_centre"] = cost_centre
    patch: dict[str, Any] = {"ship_nodes": {node: entry}}
    if make_default:
        patch["default_ship_node"] = node
    _patch(tenant, patch)
    typer.echo(f"ship node {node!r} set.")


@set_app.command("ledger")
def set_ledger(
    role: Annotated[str, typer.Argument(help=f"one of: {', '.join(Ledgers.model_fields)}")],
    ledger: Annotated[str, typer.Argument(help="the Tally ledger")],
    tenant: Tenant = None,
) -> None:
    """Set the ledger of a role (party, shipping, tax, ...)."""
    if role not in Ledgers.model_fields:
        fail(f"unknown ledger role {role!r}; roles are: {', '.join(Ledgers.model_fields)}", 2)
    _patch(tenant, {"ledgers": {role: ledger}})
    typer.echo(f"{role} ledger -> {ledger!r}.")


@set_app.command("customer")
def set_customer(
    customer: Annotated[str, typer.Argument(help="Walmart customer e-mail id")],
    ledger: Annotated[str, typer.Argument(help="the Tally party ledger")],
    tenant: Tenant = None,
) -> None:
    """Post this customer's orders to LEDGER."""
    _patch(tenant, {"customers": {customer: ledger}})
    typer.echo(f"customer {customer!r} -> ledger {ledger!r}.")


@unset_app.command("sku")
def unset_sku(sku: Annotated[str, typer.Argument()], tenant: Tenant = None) -> None:
    """Remove the mapping of SKU."""
    _patch(tenant, {"skus": {sku: None}})
    typer.echo(f"SKU {sku!r} unmapped.")


@unset_app.command("ship-node")
def unset_ship_node(node: Annotated[str, typer.Argument()], tenant: Tenant = None) -> None:
    """Remove a ship node (not the default one)."""
    _patch(tenant, {"ship_nodes": {node: None}})
    typer.echo(f"ship node {node!r} removed.")


@unset_app.command("customer")
def unset_customer(customer: Annotated[str, typer.Argument()], tenant: Tenant = None) -> None:
    """Post this customer's orders to the default party ledger again."""
    _patch(tenant, {"customers": {customer: None}})
    typer.echo(f"customer {customer!r} unmapped.")


async def _read_entry(tenant: str | None, table: str, key: str) -> dict[str, Any] | None:
    config = settings()
    async with opened_store(config) as store:
        mapping = await mapping_edit.read(store, tenant or config.tenant)
    entry: dict[str, Any] | None = mapping_edit.as_document(mapping)[table].get(key)
    return entry


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a TOML mapping")],
    tenant: Tenant = None,
) -> None:
    """Replace the whole mapping with FILE (entries it does not name are removed)."""
    try:
        document = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        fail(f"{file}: {exc}", 2)
    config = settings()
    name = tenant or config.tenant

    async def write() -> TenantMapping:
        async with opened_store(config) as store:
            return await mapping_edit.replace(store, name, document)

    try:
        mapping = run(write())
    except MappingRejected as exc:
        fail(f"{file} is not a valid mapping, nothing changed: {exc}", 2)
    typer.echo(
        f"mapping of {name!r} replaced: {len(mapping.skus)} SKUs, "
        f"{len(mapping.ship_nodes)} ship nodes."
    )


@app.command()
def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write; default: stdout")
    ] = None,
    tenant: Tenant = None,
) -> None:
    """The whole mapping as TOML (what ``import`` and MLC_MAPPING_FILE read)."""
    config = settings()

    async def read() -> TenantMapping:
        async with opened_store(config) as store:
            return await mapping_edit.read(store, tenant or config.tenant)

    text = as_toml(run(read()))
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"mapping written to {output}", err=True)
