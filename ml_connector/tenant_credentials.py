"""The tenant registry (the store's ``tenants`` table) feeding the walmart-gateway.

The gateway asks a ``CredentialsProvider`` (walmart_gateway/credentials.py) for a tenant's
Walmart account. These adapters answer from the registry first and fall back to the
service's own settings (the one tenant configured by environment or file), so a one-seller
installation keeps working with no registry at all. They live in the composition root
because they join two packages that never import each other: the store (shared) and a
service's own types. What is read is cached for ``refresh_s`` seconds: a Walmart command
costs no database read, and a changed secret takes effect within that time.
"""

from __future__ import annotations

import time

from mlc_shared.bus.base import RetryLater
from mlc_shared.store.base import Store
from mlc_shared.store.errors import StoreError
from walmart_gateway.credentials import CredentialsProvider, WalmartCredentials

REFRESH_S = 30.0


class RegistryCredentials:
    """Walmart credentials of registered tenants, else the gateway's configured ones."""

    def __init__(
        self, store: Store, fallback: CredentialsProvider, *, refresh_s: float = REFRESH_S
    ) -> None:
        self._store = store
        self._fallback = fallback
        self._refresh_s = refresh_s
        self._cache: dict[str, tuple[float, WalmartCredentials]] = {}

    async def for_tenant(self, tenant: str) -> WalmartCredentials | None:
        try:
            found = await self._registered(tenant)
        except StoreError as exc:
            fallback = await self._fallback.for_tenant(tenant)
            if fallback is not None:
                return fallback
            # Not the command's fault: retry without counting, so an outage parks nothing.
            raise RetryLater(f"tenant registry unreadable: {exc}", counts=False) from None
        return found if found is not None else await self._fallback.for_tenant(tenant)

    async def _registered(self, tenant: str) -> WalmartCredentials | None:
        """Only found credentials are cached: a tenant registered a moment ago is served by
        its very next command (a tenant the registry lacks costs one key read per command)."""
        now = time.monotonic()
        cached = self._cache.get(tenant)
        if cached is not None and now - cached[0] < self._refresh_s:
            return cached[1]
        try:
            record = await self._store.find_tenant(tenant)
        except StoreError:
            if cached is not None:
                return cached[1]  # the last good answer while the database is away
            raise
        if (
            record is None
            or not record.enabled
            or not record.walmart_client_id
            or record.walmart_client_secret is None
        ):
            self._cache.pop(tenant, None)
            return None
        credentials = WalmartCredentials(record.walmart_client_id, record.walmart_client_secret)
        self._cache[tenant] = (now, credentials)
        return credentials
