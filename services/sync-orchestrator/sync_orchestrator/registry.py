"""The tenant registry as operators use it (``mlc tenant add|list|show``, the operator API).

A tenant is one seller: a Tally company reached by its own agent on its own queue
(``tally.<tenant>.commands``), a Walmart seller account, the webhook authentication its
subscription uses, a mapping (mapping.py) and optional schedule overrides (tenants.py).

Secrets go in and never come out: a view says only whether one is set. Changing a tenant
without giving a secret keeps the one stored.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Literal

from mlc_shared.bus.topology import tally_commands
from mlc_shared.logging import register_secret
from mlc_shared.messages.envelope import TENANT_PATTERN
from mlc_shared.store.base import Store
from mlc_shared.store.records import TenantRecord
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from sync_orchestrator.dispatch import FLOWS

WEBHOOK_METHODS = ("basic", "hmac", "oauth")


class TenantInput(BaseModel):
    """What an operator sets; every field optional on a change (None: keep as it is)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    display_name: str | None = Field(default=None, max_length=255)
    tally_company: str | None = Field(default=None, max_length=255)
    walmart_client_id: str | None = Field(default=None, max_length=255)
    walmart_client_secret: SecretStr | None = None
    webhook: dict[str, Any] | None = Field(
        default=None,
        description="the webhook receiver's [tenants.<name>] table (docs/webhook-receiver.md): "
        "auth.method basic|hmac|oauth with its secrets",
    )
    schedules: dict[str, float] | None = Field(
        default=None, description="flow -> period in seconds (0: on demand only)"
    )
    enabled: bool | None = None

    @field_validator("schedules")
    @classmethod
    def _known_flows(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        for flow, period in (value or {}).items():
            if flow not in FLOWS:
                raise ValueError(f"unknown flow {flow!r}; flows are: {', '.join(FLOWS)}")
            if period < 0:
                raise ValueError(f"period of {flow!r} must be 0 or more seconds")
        return value

    @field_validator("webhook")
    @classmethod
    def _webhook_method(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        auth = value.get("auth")
        method = auth.get("method") if isinstance(auth, dict) else None
        if method not in WEBHOOK_METHODS:
            raise ValueError(f"webhook.auth.method must be one of {', '.join(WEBHOOK_METHODS)}")
        return value


class TenantView(BaseModel):
    """A tenant as shown: no secret, only whether one is stored."""

    model_config = ConfigDict(frozen=True)

    tenant: str
    display_name: str | None
    tally_company: str | None
    agent_queue: str
    walmart_client_id: str | None
    walmart_client_secret_set: bool
    webhook_method: Literal["basic", "hmac", "oauth"] | None
    schedules: dict[str, float]
    enabled: bool
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, record: TenantRecord) -> TenantView:
        method: Any = None
        if record.webhook_config is not None:
            document = json.loads(record.webhook_config.get_secret_value())
            method = document.get("auth", {}).get("method")
        return cls(
            tenant=record.tenant,
            display_name=record.display_name,
            tally_company=record.tally_company,
            agent_queue=tally_commands(record.tenant),
            walmart_client_id=record.walmart_client_id,
            walmart_client_secret_set=record.walmart_client_secret is not None,
            webhook_method=method,
            schedules=record.schedules,
            enabled=record.enabled,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


class InvalidTenant(ValueError):
    pass


def valid_name(tenant: str) -> str:
    if not re.fullmatch(TENANT_PATTERN, tenant):
        raise InvalidTenant(
            f"tenant name {tenant!r} must be 1-63 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return tenant


def merged(tenant: str, given: TenantInput, existing: TenantRecord | None) -> TenantRecord:
    base = existing or TenantRecord(tenant=tenant)
    changes: dict[str, Any] = {
        name: value
        for name in ("display_name", "tally_company", "walmart_client_id", "schedules", "enabled")
        if (value := getattr(given, name)) is not None
    }
    if given.walmart_client_secret is not None:
        changes["walmart_client_secret"] = given.walmart_client_secret
    if given.webhook is not None:
        changes["webhook_config"] = SecretStr(json.dumps(given.webhook, separators=(",", ":")))
    return TenantRecord.model_validate({**base.model_dump(), **changes, "tenant": tenant})


async def put(store: Store, tenant: str, given: TenantInput) -> TenantView:
    """Add ``tenant`` or change it; returns what is stored now."""
    valid_name(tenant)
    if given.walmart_client_secret is not None:
        register_secret(given.walmart_client_secret.get_secret_value())
    async with store.transaction() as tx:
        record = merged(tenant, given, await tx.get_tenant(tenant))
        await tx.put_tenant(record)
        stored = await tx.get_tenant(tenant)
    assert stored is not None
    return TenantView.of(stored)


async def views(store: Store) -> list[TenantView]:
    return [TenantView.of(record) for record in await store.list_tenants()]


async def view(store: Store, tenant: str) -> TenantView | None:
    record = await store.find_tenant(tenant)
    return None if record is None else TenantView.of(record)
