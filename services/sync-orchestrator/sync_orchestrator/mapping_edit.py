"""Changing a tenant's mapping: one SKU, one ship node, one ledger role or one customer at a
time, or the whole mapping (``mlc mapping set|unset|import``, the operator API).

Every change is validated as a whole :class:`TenantMapping` before it is written, so a
mapping in the store is always one the flows can load; and a whole mapping replaces the old
one in one transaction (rows of entries it no longer has are deleted with it).
"""

from __future__ import annotations

from typing import Any

from mlc_shared.store.base import Store, StoreTx
from pydantic import BaseModel, ValidationError

from sync_orchestrator.mapping import TenantMapping, load_mapping, save_mapping


class MappingRejected(ValueError):
    """The change would leave a mapping the flows cannot use; the message says why."""


def validated(raw: dict[str, Any]) -> TenantMapping:
    try:
        return TenantMapping.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in err['loc']) or 'mapping'}: {err['msg']}"
            for err in exc.errors()[:10]
        ]
        raise MappingRejected("; ".join(problems)) from None


async def replace_mapping(tx: StoreTx, tenant: str, mapping: TenantMapping) -> None:
    await tx.clear_mappings(tenant)
    await save_mapping(tx, tenant, mapping)


def as_document(mapping: TenantMapping) -> dict[str, Any]:
    """The mapping as plain JSON values (what ``export`` writes and ``import`` reads)."""
    return mapping.model_dump(mode="json")


async def read(store: Store, tenant: str) -> TenantMapping:
    async with store.transaction() as tx:
        return await load_mapping(tx, tenant)


async def change(store: Store, tenant: str, patch: dict[str, Any]) -> TenantMapping:
    """Merge ``patch`` (a partial mapping document: top-level sections replace or, for
    tables like ``skus``, add and replace entries; an entry set to None is removed)."""
    async with store.transaction() as tx:
        current = as_document(await load_mapping(tx, tenant))
        merged = merge(current, patch)
        mapping = validated(merged)
        await replace_mapping(tx, tenant, mapping)
    return mapping


async def replace(store: Store, tenant: str, document: dict[str, Any]) -> TenantMapping:
    mapping = validated(document)
    async with store.transaction() as tx:
        await replace_mapping(tx, tenant, mapping)
    return mapping


TABLES = ("skus", "ship_nodes", "stock_groups", "customers")
"""Sections keyed by a Walmart or Tally id: a patch edits their entries one by one."""


def merge(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in patch.items():
        if key in TABLES and isinstance(value, dict):
            table = dict(merged.get(key) or {})
            for entry, entry_value in value.items():
                if entry_value is None:
                    table.pop(entry, None)
                else:
                    table[entry] = entry_value
            merged[key] = table
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def entry(model: BaseModel | None) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(mode="json")
