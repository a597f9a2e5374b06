"""What a flow step gets: the tenant, its mapping, one store transaction, and a way to send.

Sending only writes an outbox row in that same transaction (transactional outbox): the
command exists exactly when the cursor move and audit rows that caused it exist. The relay
publishes it after commit.

Audit rows are gathered and written together by :meth:`FlowContext.flush`, which whoever
runs a step calls before committing: a step that audits a page of orders writes one
statement, not one per order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mlc_shared.messages.envelope import Envelope, Payload, new_id
from mlc_shared.store.base import StoreTx
from mlc_shared.store.records import AuditEntry

from sync_orchestrator.mapping import TenantMapping
from sync_orchestrator.settings import OrchestratorSettings


@dataclass
class FlowContext:
    tenant: str
    settings: OrchestratorSettings
    tx: StoreTx
    mapping: TenantMapping
    cause: Envelope | None = None
    correlation_id: str = field(default_factory=new_id)
    sent: list[Envelope] = field(default_factory=list)
    audited: list[AuditEntry] = field(default_factory=list)
    """Audit rows not written yet (:meth:`flush`)."""

    def __post_init__(self) -> None:
        if self.cause is not None:
            self.correlation_id = self.cause.correlation_id

    async def send(
        self, queue: str, payload: Payload, *, message_id: str | None = None
    ) -> Envelope:
        message = Envelope.new(
            payload,
            tenant=self.tenant,
            correlation_id=self.correlation_id,
            cause=self.cause,
            message_id=message_id,
        )
        if await self.tx.add_outbox(queue, message):
            self.sent.append(message)
        return message

    async def audit(
        self,
        flow: str,
        kind: str,
        source_id: str,
        status: str,
        *,
        target_id: str | None = None,
        detail: dict[str, Any] | None = None,
        request: str | None = None,
        response: str | None = None,
    ) -> None:
        self.audited.append(
            AuditEntry(
                tenant=self.tenant,
                flow=flow,
                correlation_id=self.correlation_id,
                record_kind=kind,
                source_id=source_id,
                status=status,
                target_id=target_id,
                detail=detail,
                request=request,
                response=response,
            )
        )

    async def flush(self) -> None:
        """Write the audit rows gathered so far, in the order they were made."""
        entries, self.audited = self.audited, []
        if entries:
            await self.tx.add_audits(entries)
