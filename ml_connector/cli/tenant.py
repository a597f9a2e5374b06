"""`mlc tenant add|list|show`: the sellers this connector serves (the tenant registry).

Each tenant has its Tally company and agent queue (``tally.<tenant>.commands``), its Walmart
account, its webhook authentication, its mapping (``mlc mapping ... --tenant``) and optional
schedules. Secrets are stored and never shown. Each agent gets a RabbitMQ user that reaches
only its own queue: ``add`` prints the definitions to add to deploy/rabbitmq/users.json, or,
given the management API (``--rabbitmq-api`` / ``MLC_RABBITMQ_API_URL``), creates the user.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer
from mlc_shared.bus.topology import Topology
from pydantic import SecretStr, ValidationError
from sync_orchestrator import registry
from sync_orchestrator.broker_users import (
    AgentUser,
    BrokerAdminError,
    agent_user,
    create_agent_user,
    new_password,
)
from sync_orchestrator.registry import InvalidTenant, TenantInput, TenantView

from ml_connector.cli.context import (
    EXIT_NOT_FOUND,
    JsonOption,
    fail,
    opened_store,
    print_json,
    print_json_list,
    print_table,
    run,
    settings,
    when,
)

app = typer.Typer(help="The tenants (sellers) this connector serves.", no_args_is_help=True)


def _webhook(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
        document = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as exc:
        fail(f"--webhook-file {path}: {exc}", 2)
    try:  # the receiver's own model, when this installation has the receiver
        from webhook_receiver.tenants import TenantWebhookConfig

        TenantWebhookConfig.model_validate(document)
    except ImportError:
        pass
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        fail(f"--webhook-file {path}: {problems}", 2)
    return dict(document)


def _schedules(values: list[str] | None) -> dict[str, float] | None:
    if not values:
        return None
    result: dict[str, float] = {}
    for value in values:
        flow, _, seconds = value.partition("=")
        try:
            result[flow.strip()] = float(seconds)
        except ValueError:
            fail(f"--schedule {value!r}: write FLOW=SECONDS, e.g. orders=120", 2)
    return result


def _secret(client_id: str | None, given: str | None) -> SecretStr | None:
    if given:
        return SecretStr(given)
    if client_id is None:
        return None
    if not sys.stdin.isatty():
        fail("give the Walmart client secret in MLC_TENANT_WALMART_CLIENT_SECRET", 2)
    return SecretStr(typer.prompt("Walmart client secret", hide_input=True))


@app.command()
def add(
    tenant: Annotated[str, typer.Argument(help="short name: lower-case letters, digits, - _")],
    display_name: Annotated[str | None, typer.Option(help="the seller's name")] = None,
    tally_company: Annotated[str | None, typer.Option(help="the company open in Tally")] = None,
    walmart_client_id: Annotated[str | None, typer.Option(help="Walmart API client id")] = None,
    walmart_client_secret: Annotated[
        str | None,
        typer.Option(
            envvar="MLC_TENANT_WALMART_CLIENT_SECRET",
            help="asked for when not in MLC_TENANT_WALMART_CLIENT_SECRET (never on the "
            "command line: shells keep a history)",
            hidden=True,
        ),
    ] = None,
    webhook_file: Annotated[
        Path | None,
        typer.Option(help="TOML/JSON with the webhook auth table (docs/webhook-receiver.md)"),
    ] = None,
    schedule: Annotated[
        list[str] | None, typer.Option(help="FLOW=SECONDS, e.g. orders=120 (repeatable)")
    ] = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="register, do not run")] = False,
    rabbitmq_api: Annotated[
        str | None,
        typer.Option(
            envvar="MLC_RABBITMQ_API_URL",
            help="management API, http://admin:password@host:15672: create the agent's user",
        ),
    ] = None,
    agent_password_file: Annotated[
        Path | None,
        typer.Option(help="write the agent's new broker password here instead of printing it"),
    ] = None,
) -> None:
    """Register TENANT (or change it: options not given keep their value)."""
    config = settings()
    try:
        given = TenantInput(
            display_name=display_name,
            tally_company=tally_company,
            walmart_client_id=walmart_client_id,
            walmart_client_secret=_secret(walmart_client_id, walmart_client_secret),
            webhook=_webhook(webhook_file),
            schedules=_schedules(schedule),
            enabled=False if disabled else None,
        )
        registry.valid_name(tenant)
    except (ValidationError, InvalidTenant) as exc:
        message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        fail(message.removeprefix("Value error, "), 2)

    async def write() -> TenantView:
        async with opened_store(config) as store:
            return await registry.put(store, tenant, given)

    stored = run(write())
    typer.echo(f"tenant {tenant!r} registered; its agent's queue is {stored.agent_queue}.")
    user = agent_user(tenant, Topology(namespace=config.bus_namespace))
    if rabbitmq_api is None:
        _print_definitions(user)
        return
    password = os.environ.get("MLC_AGENT_AMQP_PASSWORD") or new_password()
    try:
        run(create_agent_user(rabbitmq_api, user, password))
    except BrokerAdminError as exc:
        fail(str(exc))
    typer.echo(f"RabbitMQ user {user.name!r} created: it may read only {stored.agent_queue}.")
    if "MLC_AGENT_AMQP_PASSWORD" in os.environ:
        return
    if agent_password_file is not None:
        agent_password_file.touch(mode=0o600, exist_ok=True)
        agent_password_file.write_text(password + "\n", encoding="utf-8")
        typer.echo(f"its password is in {agent_password_file}.")
    else:
        typer.echo(f"its password (shown once; the agent's MLC_AMQP_URL needs it): {password}")


def _print_definitions(user: AgentUser) -> None:
    typer.echo(
        f"The agent's RabbitMQ user {user.name!r}: add these entries to "
        "deploy/rabbitmq/users.json (or pass --rabbitmq-api to create it now):"
    )
    typer.echo(json.dumps(user.definitions(), indent=2))


@app.command("list")
def list_command(as_json: Annotated[bool, JsonOption] = False) -> None:
    """Every registered tenant."""
    config = settings()

    async def read() -> list[TenantView]:
        async with opened_store(config) as store:
            return await registry.views(store)

    views = run(read())
    if as_json:
        print_json_list(views)
        return
    if not views:
        typer.echo(f"no tenants registered; the connector serves {config.tenant!r} (MLC_TENANT).")
        return
    print_table(
        "Tenants",
        ("tenant", "name", "Tally company", "Walmart client", "webhook", "enabled", "schedules"),
        [
            (
                v.tenant,
                v.display_name,
                v.tally_company,
                v.walmart_client_id,
                v.webhook_method or "",
                "yes" if v.enabled else "no",
                ", ".join(f"{k}={s:g}s" for k, s in v.schedules.items()),
            )
            for v in views
        ],
    )


@app.command()
def show(
    tenant: Annotated[str, typer.Argument()],
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """One tenant, with its agent's broker permissions (secrets are never shown)."""
    config = settings()

    async def read() -> TenantView | None:
        async with opened_store(config) as store:
            return await registry.view(store, tenant)

    found = run(read())
    if found is None:
        fail(f"tenant {tenant!r} is not registered", EXIT_NOT_FOUND)
    user = agent_user(tenant, Topology(namespace=config.bus_namespace))
    if as_json:
        print_json({**found.model_dump(mode="json"), "agent_user": user.definitions()})
        return
    rows = [
        ("tenant", found.tenant),
        ("name", found.display_name or ""),
        ("Tally company", found.tally_company or ""),
        ("agent queue", found.agent_queue),
        ("agent broker user", f"{user.name} (reads {user.read}, writes {user.topic_write})"),
        ("Walmart client id", found.walmart_client_id or ""),
        ("Walmart client secret", "set" if found.walmart_client_secret_set else "not set"),
        ("webhook auth", found.webhook_method or "not set"),
        ("enabled", "yes" if found.enabled else "no"),
        ("schedules", ", ".join(f"{k}={s:g}s" for k, s in found.schedules.items()) or "defaults"),
        ("registered", when(found.created_at)),
        ("changed", when(found.updated_at)),
    ]
    print_table(f"Tenant {tenant}", ("", ""), rows)
