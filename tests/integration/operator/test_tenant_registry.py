"""The tenant registry feeds the running services: a tenant registered while they run gets
its webhooks accepted by the receiver and its Walmart account used by the gateway; the
tenant of the services' own settings keeps working beside it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sync_orchestrator import registry
from sync_orchestrator.registry import TenantInput
from walmart_gateway.gateway import UnknownTenant
from walmart_gateway.service import WalmartGatewayService
from walmart_sim import WalmartSimulator
from webhook_receiver.service import WebhookReceiverService

from ml_connector.runtime import Runtime
from ml_connector.tenant_webhooks import RegistryWebhookConfigs

EVENT = json.dumps(
    {
        "source": {
            "eventType": "PO_CREATED",
            "eventTime": "2026-01-01T00:00:00Z",
            "eventId": "e-1",
        },
        "payload": {"purchaseOrderId": "PO-1", "orderLines": [{"lineNumber": "1", "sku": "S"}]},
    }
).encode()
BASIC = "Basic " + base64.b64encode(b"walmart:hook-password").decode()


async def test_a_registered_tenant_is_served_without_a_restart(tmp_path: Path) -> None:
    walmart = WalmartSimulator(data="empty", time_scale=0.001)
    await walmart.start(host="127.0.0.1", port=0)
    settings = {
        "database_url": f"sqlite:///{tmp_path / 'mlc.db'}",
        "amqp_url": None,
        "webhook_port": 0,
        "walmart_base_url": walmart.url,
        # the tenant of the settings: the simulator's own account
        "walmart_client_id": walmart.client_id,
        "walmart_client_secret": walmart.client_secret,
    }
    try:
        async with Runtime(("walmart-gateway", "webhook-receiver"), **settings) as runtime:
            gateway: WalmartGatewayService = runtime.service("walmart-gateway")
            receiver: WebhookReceiverService = runtime.service("webhook-receiver")
            url = f"{receiver.url}/webhooks/walmart/acme"
            headers = {"Authorization": BASIC, "Content-Type": "application/json"}
            async with httpx.AsyncClient(timeout=10) as http:
                assert (await http.post(url, content=EVENT, headers=headers)).status_code == 401
                with pytest.raises(UnknownTenant):
                    await gateway.gateway.seller("acme")

                assert runtime.store is not None
                await registry.put(
                    runtime.store,
                    "acme",
                    TenantInput(
                        walmart_client_id=walmart.client_id,
                        walmart_client_secret=SecretStr(walmart.client_secret),
                        webhook={
                            "auth": {
                                "method": "basic",
                                "username": "walmart",
                                "password": "hook-password",
                            }
                        },
                    ),
                )
                # The gateway reads the registry on the tenant's next command; the receiver
                # on its next refresh (every 30 s), taken here at once.
                seller = await gateway.gateway.seller("acme")
                detail = await seller.token_detail()
                assert detail is not None
                [source] = [h for h in runtime.helpers if isinstance(h, RegistryWebhookConfigs)]
                await source.refresh()
                accepted = await http.post(url, content=EVENT, headers=headers)
                assert accepted.status_code == 200, accepted.text
                # The settings' own tenant is still served.
                assert await gateway.gateway.seller("default") is not None
    finally:
        await walmart.stop()
