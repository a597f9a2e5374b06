"""Typed rows the store hands out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from mlc_shared.messages.envelope import Envelope


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
