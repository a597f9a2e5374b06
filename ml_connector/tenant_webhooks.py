"""The tenant registry (the store's ``tenants`` table) feeding the webhook-receiver.

The receiver asks a ``TenantConfigSource`` (webhook_receiver/tenants.py) how a tenant's
subscription authenticates. These adapters answer from the registry first and fall back to
the service's own settings (the one tenant configured by environment or file), so a
one-seller installation keeps working with no registry at all. They live in the composition
root because they join two packages that never import each other: the store (shared) and a
service's own types. What is read is cached for ``refresh_s`` seconds: a webhook delivery
costs no database read, and a changed secret takes effect within that time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from mlc_shared.logging import get_logger
from mlc_shared.store.base import Store
from mlc_shared.store.errors import StoreError
from pydantic import ValidationError
from webhook_receiver.tenants import StaticTenantConfigs, TenantWebhookConfig

log = get_logger(__name__)

REFRESH_S = 30.0


class RegistryWebhookConfigs:
    """Webhook authentication of registered tenants, else the receiver's file/environment.

    The receiver looks tenants up synchronously on every delivery, so the registry is read
    into memory in the background (``start``), every ``refresh_s``."""

    def __init__(
        self, store: Store, fallback: StaticTenantConfigs, *, refresh_s: float = REFRESH_S
    ) -> None:
        self._store = store
        self._fallback = fallback
        self._refresh_s = refresh_s
        self._configs: dict[str, TenantWebhookConfig] = {}
        self._task: asyncio.Task[None] | None = None

    def webhook_config(self, tenant: str) -> TenantWebhookConfig | None:
        return self._configs.get(tenant) or self._fallback.webhook_config(tenant)

    async def refresh(self) -> None:
        configs: dict[str, TenantWebhookConfig] = {}
        for record in await self._store.list_tenants():
            if not record.enabled or record.webhook_config is None:
                continue
            try:
                document = json.loads(record.webhook_config.get_secret_value())
                config = TenantWebhookConfig.model_validate(document)
            except (ValueError, ValidationError) as exc:
                # Say which tenant and why, never the document (it holds secrets).
                log.warning(
                    "tenant webhook configuration is invalid; deliveries for it are refused",
                    tenant=record.tenant,
                    error=type(exc).__name__,
                )
                continue
            configs[record.tenant] = config
        # Register every secret with the log redactor (StaticTenantConfigs does it on build).
        StaticTenantConfigs(configs)
        self._configs = configs

    async def start(self) -> None:
        try:
            await self.refresh()
        except StoreError as exc:
            log.warning("tenant registry unreadable; will retry", error=str(exc))
        self._task = asyncio.create_task(self._loop(), name="webhook-tenant-registry")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_s)
            try:
                await self.refresh()
            except StoreError as exc:  # keep the last good configuration
                log.warning("tenant registry unreadable; keeping the last one", error=str(exc))
