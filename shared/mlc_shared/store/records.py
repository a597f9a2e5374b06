"""Typed rows the store hands out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from mlc_shared.messages.envelope import TENANT_PATTERN, Envelope
from mlc_shared.messages.tally import AgentStatus


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True)


class OutboxRow(_Row):
    id: int
    queue: str
    envelope: Envelope
    created_at: datetime


class AuditEntry(_Row):
    """One polled or posted record. ``status`` e.g. seen, queued, posted, exists, rejected,
    acknowledged, failed, dry_run."""

    tenant: str
    flow: str
    correlation_id: str
    record_kind: str  # order | return | settlement | stock_item | voucher ...
    source_id: str
    status: str
    target_id: str | None = None
    request: str | None = None
    response: str | None = None
    detail: dict[str, Any] | None = None
    attempts: int = 0


class AuditRow(AuditEntry):
    id: int
    created_at: datetime
    updated_at: datetime


class AuditQuery(_Row):
    tenant: str | None = None
    flow: str | None = None
    record_kind: str | None = None
    source_id: str | None = None
    target_id: str | None = None
    status: str | None = None
    correlation_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None  # substring of source_id, target_id or detail
    limit: int = 100
    after_id: int | None = None
    """Only rows with a larger id (keyset paging through a long trail, with ``oldest_first``)."""
    oldest_first: bool = False
    """Order by id, oldest first, instead of newest first (exports page with ``after_id``)."""


class WebhookEvent(_Row):
    event_id: str
    tenant: str
    event_type: str
    event_time: datetime | None
    received_at: datetime
    body: str
    known_type: bool
    published_at: datetime | None = None


class FlowState(_Row):
    tenant: str
    flow: str
    paused: bool = False
    last_run_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None


class TenantRecord(_Row):
    """One seller in the tenant registry. Secrets are ``SecretStr``: never in a repr, a log
    line or a dump unless a caller asks for the value by name."""

    tenant: str = Field(pattern=TENANT_PATTERN)
    display_name: str | None = None
    tally_company: str | None = None
    walmart_client_id: str | None = None
    walmart_client_secret: SecretStr | None = None
    webhook_config: SecretStr | None = None
    """The webhook receiver's authentication for this tenant, as JSON text (it holds secrets)."""
    schedules: dict[str, float] = Field(default_factory=dict)
    """Flow name -> period in seconds (0: on demand only); a flow not named keeps the default."""
    enabled: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None


class AgentStatusRow(_Row):
    tenant: str
    status: AgentStatus
    received_at: datetime
