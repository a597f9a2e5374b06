"""Audit search (the same terms as ``mlc audit search``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from mlc_shared.store.records import AuditRow
from pydantic import ValidationError

from sync_orchestrator.audit_terms import AuditTerms, search
from sync_orchestrator.ops_api.deps import StoreDep

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit", summary="Search the audit trail, newest first")
async def audit(
    store: StoreDep,
    tenant: str | None = None,
    flow: str | None = None,
    kind: Annotated[str | None, Query(description="record kind: order, return, ...")] = None,
    po: Annotated[str | None, Query(description="Walmart purchase order id")] = None,
    sku: str | None = None,
    return_id: Annotated[str | None, Query(description="Walmart return order id")] = None,
    voucher: Annotated[str | None, Query(description="Tally voucher number")] = None,
    status: str | None = None,
    correlation_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    text: Annotated[str | None, Query(description="substring of ids or detail")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> list[AuditRow]:
    try:
        terms = AuditTerms(
            tenant=tenant,
            flow=flow,
            kind=kind,
            po=po,
            sku=sku,
            return_id=return_id,
            voucher=voucher,
            status=status,
            correlation_id=correlation_id,
            since=since,
            until=until,
            text=text,
            limit=limit,
        )
    except ValidationError as exc:
        raise HTTPException(422, exc.errors()[0]["msg"]) from None
    return await search(store, terms)
