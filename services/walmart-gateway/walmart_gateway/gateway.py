"""The composition of the gateway's parts: one transport (one connection pool) for the whole
process, one :class:`WalmartSeller` (token cache, throttle, resource APIs) per seller account.
The service, the CLI and the benchmarks all start here.
"""

from __future__ import annotations

from mlc_shared.config import ConfigError

from walmart_gateway.api.feeds import FeedsApi
from walmart_gateway.api.inventory import InventoryApi
from walmart_gateway.api.items import ItemsApi
from walmart_gateway.api.orders import OrdersApi
from walmart_gateway.api.prices import PricesApi
from walmart_gateway.api.recon import ReconApi
from walmart_gateway.api.returns import ReturnsApi
from walmart_gateway.api.webhooks import WebhooksApi
from walmart_gateway.apis import Api
from walmart_gateway.client import ClientPolicy, WalmartClient
from walmart_gateway.credentials import CredentialsProvider, StaticCredentials, WalmartCredentials
from walmart_gateway.settings import WalmartSettings
from walmart_gateway.transport import HttpxTransport, TransportConfig, WalmartPort, WalmartRequest
from walmart_gateway.wire.webhooks import TokenDetailWire


class UnknownTenant(ConfigError):
    """No Walmart credentials are configured for the tenant."""


def policy_from(settings: WalmartSettings) -> ClientPolicy:
    return ClientPolicy(
        refresh_margin=settings.walmart_token_refresh_margin,
        max_throttle_wait=settings.walmart_max_throttle_wait,
        max_429_retries=settings.walmart_max_429_retries,
        retry_attempts=settings.walmart_retry_attempts,
        retry_base_delay=settings.walmart_retry_base_delay,
        retry_max_delay=settings.walmart_retry_max_delay,
    )


def transport_from(settings: WalmartSettings) -> HttpxTransport:
    return HttpxTransport(
        TransportConfig(
            base_url=settings.walmart_base_url,
            svc_name=settings.walmart_svc_name,
            channel_type=settings.walmart_channel_type,
            connect_timeout=settings.walmart_connect_timeout,
            read_timeout=settings.walmart_read_timeout,
            max_connections=settings.walmart_max_connections,
        )
    )


class WalmartSeller:
    """Every Walmart API of one seller account."""

    def __init__(self, client: WalmartClient, settings: WalmartSettings) -> None:
        self.client = client
        self.feeds = FeedsApi(client, settings)
        self.inventory = InventoryApi(client, settings, self.feeds)
        self.prices = PricesApi(client, settings, self.feeds)
        self.items = ItemsApi(client, settings, self.feeds)
        self.orders = OrdersApi(client, settings)
        self.returns = ReturnsApi(client, settings)
        self.recon = ReconApi(client, settings)
        self.webhooks = WebhooksApi(client)

    async def token_detail(self) -> TokenDetailWire:
        """``GET /v3/token/detail`` (§2): validity and scopes of the current token."""
        return await self.client.fetch(
            WalmartRequest("GET", "/v3/token/detail", Api.TOKEN), TokenDetailWire
        )


class WalmartGateway:
    def __init__(
        self,
        settings: WalmartSettings,
        *,
        credentials: CredentialsProvider | None = None,
        transport: WalmartPort | None = None,
    ) -> None:
        self.settings = settings
        self.credentials = credentials or StaticCredentials.from_settings(settings)
        self._owned = transport is None
        self.transport: WalmartPort = transport or transport_from(settings)
        self._sellers: dict[str, tuple[WalmartCredentials, WalmartSeller]] = {}

    def seller_for(self, credentials: WalmartCredentials) -> WalmartSeller:
        held = self._sellers.get(credentials.account)
        if held is not None and held[0] == credentials:
            return held[1]
        # New account, or its secret was rotated: a fresh token cache (and throttle).
        client = WalmartClient(
            self.transport,
            credentials,
            budgets=self.settings.budgets(),
            policy=policy_from(self.settings),
        )
        seller = WalmartSeller(client, self.settings)
        self._sellers[credentials.account] = (credentials, seller)
        return seller

    async def seller(self, tenant: str) -> WalmartSeller:
        credentials = await self.credentials.for_tenant(tenant)
        if credentials is None:
            raise UnknownTenant(
                f"no Walmart credentials for tenant {tenant!r}: set MLC_WALMART_CLIENT_ID and "
                "MLC_WALMART_CLIENT_SECRET (default tenant) or register the tenant's account"
            )
        return self.seller_for(credentials)

    async def aclose(self) -> None:
        if self._owned and isinstance(self.transport, HttpxTransport):
            await self.transport.aclose()
