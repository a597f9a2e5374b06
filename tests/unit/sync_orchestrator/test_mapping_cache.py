"""The mapping cache (mapping.py): a step reads one revision row and reloads the tenant's
mapping only when a save (from any process) wrote a new one. Real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from mlc_shared.store import SqlStore, create_engine
from sync_orchestrator.mapping import Ledgers, MappingCache, TenantMapping, save_mapping
from sync_orchestrator.mapping_edit import change

TENANT = "default"


@pytest.fixture
async def store(sqlite_url: str) -> AsyncIterator[SqlStore]:
    engine = create_engine(sqlite_url)
    store = SqlStore(engine)
    await store.migrate()
    yield store
    await engine.dispose()


async def test_mapping_cache_sees_every_save(store: SqlStore) -> None:
    cache = MappingCache()
    async with store.transaction() as tx:
        await save_mapping(tx, TENANT, TenantMapping(ledgers=Ledgers(party="Walmart A")))
    async with store.transaction() as tx:
        first = await cache.load(tx, TENANT)
        assert await cache.load(tx, TENANT) is first  # held while the revision stands
    await change(store, TENANT, {"ledgers": {"party": "Walmart B"}})  # mlc mapping set
    async with store.transaction() as tx:
        assert (await cache.load(tx, TENANT)).ledgers.party == "Walmart B"
        assert (await cache.load(tx, "other")).ledgers.party != "Walmart B"  # per tenant
