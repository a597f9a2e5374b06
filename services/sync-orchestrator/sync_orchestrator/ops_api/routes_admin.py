"""Tenants (the registry) and their mappings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from sync_orchestrator import mapping_edit, registry
from sync_orchestrator.mapping import TenantMapping
from sync_orchestrator.ops_api.deps import BackendDep, StoreDep
from sync_orchestrator.registry import InvalidTenant, TenantInput, TenantView

router = APIRouter(prefix="/api/v1/tenants", tags=["tenants and mappings"])


def _name(tenant: str) -> str:
    try:
        return registry.valid_name(tenant)
    except InvalidTenant as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("", summary="Every registered tenant (secrets never shown)")
async def tenants(store: StoreDep) -> list[TenantView]:
    return await registry.views(store)


@router.get("/{tenant}", summary="One registered tenant")
async def tenant(tenant: str, store: StoreDep) -> TenantView:
    found = await registry.view(store, _name(tenant))
    if found is None:
        raise HTTPException(404, f"tenant {tenant!r} is not registered")
    return found


@router.put("/{tenant}", summary="Register a tenant or change it (secrets not given are kept)")
async def put_tenant(
    tenant: str, body: TenantInput, store: StoreDep, backend: BackendDep
) -> TenantView:
    stored = await registry.put(store, _name(tenant), body)
    backend.directory.forget()
    return stored


@router.get("/{tenant}/mapping", summary="The tenant's whole mapping")
async def mapping(tenant: str, store: StoreDep) -> TenantMapping:
    return await mapping_edit.read(store, _name(tenant))


@router.put("/{tenant}/mapping", summary="Replace the tenant's whole mapping")
async def replace_mapping(tenant: str, body: TenantMapping, store: StoreDep) -> TenantMapping:
    async with store.transaction() as tx:
        await mapping_edit.replace_mapping(tx, _name(tenant), body)
    return body


@router.patch(
    "/{tenant}/mapping",
    summary="Change part of the mapping: sections replace, table entries (skus, ship_nodes, "
    "stock_groups, customers) are added, replaced, or removed when set to null",
)
async def patch_mapping(tenant: str, body: dict[str, Any], store: StoreDep) -> TenantMapping:
    try:
        return await mapping_edit.change(store, _name(tenant), body)
    except mapping_edit.MappingRejected as exc:
        raise HTTPException(422, str(exc)) from None
