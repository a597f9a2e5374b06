"""Which Walmart seller account serves which tenant.

The default tenant's credentials come from settings; a cloud deployment serving many sellers
fills a :class:`CredentialsProvider` (the orchestrator owns onboarding and can keep the map).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from mlc_shared.logging import register_secret
from pydantic import SecretStr

from walmart_gateway.settings import WalmartSettings


@dataclass(frozen=True)
class WalmartCredentials:
    client_id: str
    client_secret: SecretStr = field(repr=False)

    @property
    def account(self) -> str:
        """The key of everything held per seller account (token, throttle)."""
        return self.client_id


class CredentialsProvider(Protocol):
    async def for_tenant(self, tenant: str) -> WalmartCredentials | None: ...


class StaticCredentials:
    """A fixed tenant -> credentials map; :meth:`from_settings` holds the default tenant."""

    def __init__(self, accounts: dict[str, WalmartCredentials] | None = None) -> None:
        self._accounts = dict(accounts or {})

    @classmethod
    def from_settings(cls, settings: WalmartSettings) -> StaticCredentials:
        provider = cls()
        if settings.walmart_client_id and settings.walmart_client_secret is not None:
            provider.set(
                settings.tenant,
                WalmartCredentials(settings.walmart_client_id, settings.walmart_client_secret),
            )
        return provider

    def set(self, tenant: str, credentials: WalmartCredentials) -> None:
        register_secret(credentials.client_secret.get_secret_value())
        self._accounts[tenant] = credentials

    async def for_tenant(self, tenant: str) -> WalmartCredentials | None:
        return self._accounts.get(tenant)
