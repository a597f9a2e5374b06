"""The composition root: builds the store, the bus and the services from settings.

Standalone (`mlc run`, `mlc demo`): all four services in one process, one SQLite file that
holds both the store and the embedded bus. Distributed (`mlc serve <service>`): one service
per process on RabbitMQ and PostgreSQL. Same classes either way (ARCHITECTURE.md "Two ways
to run, one code path").

Each service's modules are imported only when that service is built: a service image
installs only its own package (services/*/Dockerfile), so `mlc serve tally-agent` must not
import FastAPI or the orchestrator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mlc_shared.bus.base import Bus
from mlc_shared.bus.factory import create_bus
from mlc_shared.config import CommonSettings, load_settings
from mlc_shared.logging import get_logger
from mlc_shared.ops_http import OpsServer, ReadinessCheck
from mlc_shared.store import SqlStore, open_store
from mlc_shared.store.base import Store

from ml_connector.telemetry import Telemetry

log = get_logger(__name__)


class Service(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass
class Parts:
    """What a service is built from."""

    overrides: dict[str, Any]
    bus: Bus
    store: Store | None
    checks: dict[str, ReadinessCheck] | None = None
    """Set when the service being built serves the ops endpoints itself (one port each)."""
    helpers: list[Service] = field(default_factory=list)
    """Started before the service that needs them, stopped after it."""


def _tally_agent(parts: Parts) -> Service:
    from tally_agent.service import TallyAgentService
    from tally_agent.settings import TallyAgentSettings

    return TallyAgentService(load_settings(TallyAgentSettings, **parts.overrides), parts.bus)


def _walmart_gateway(parts: Parts) -> Service:
    from walmart_gateway.credentials import StaticCredentials
    from walmart_gateway.service import WalmartGatewayService
    from walmart_gateway.settings import WalmartSettings

    settings = load_settings(WalmartSettings, **parts.overrides)
    credentials = StaticCredentials.from_settings(settings)
    if parts.store is None:
        return WalmartGatewayService(settings, parts.bus, credentials=credentials)
    from ml_connector.tenant_credentials import RegistryCredentials

    registry = RegistryCredentials(parts.store, credentials)
    return WalmartGatewayService(settings, parts.bus, credentials=registry)


def _webhook_receiver(parts: Parts) -> Service:
    from webhook_receiver.service import WebhookReceiverService
    from webhook_receiver.settings import WebhookReceiverSettings

    from ml_connector.tenant_webhooks import RegistryWebhookConfigs

    assert parts.store is not None
    settings = load_settings(WebhookReceiverSettings, **parts.overrides)
    tenants = RegistryWebhookConfigs(parts.store, settings.tenant_configs())
    parts.helpers.append(tenants)
    return WebhookReceiverService(settings, parts.bus, parts.store, tenants)


def _sync_orchestrator(parts: Parts) -> Service:
    from sync_orchestrator.service import OrchestratorService
    from sync_orchestrator.settings import OrchestratorSettings

    assert parts.store is not None
    return OrchestratorService(
        load_settings(OrchestratorSettings, **parts.overrides),
        parts.bus,
        parts.store,
        ops_checks=parts.checks,
    )


BUILDERS: dict[str, Callable[[Parts], Service]] = {
    "tally-agent": _tally_agent,
    "walmart-gateway": _walmart_gateway,
    "webhook-receiver": _webhook_receiver,
    "sync-orchestrator": _sync_orchestrator,
}
SERVICES = tuple(BUILDERS)
NEEDS_STORE = {"webhook-receiver", "sync-orchestrator"}
REGISTRY_READERS = {"walmart-gateway"}
"""Services that read the tenant registry when given a PostgreSQL database (distributed
mode); without one they serve the tenant of their own settings."""


class Runtime:
    """Starts the named services on one bus/store and stops them in reverse order."""

    def __init__(self, services: tuple[str, ...] = SERVICES, **overrides: Any) -> None:
        unknown = [name for name in services if name not in BUILDERS]
        if unknown:
            raise ValueError(f"unknown service {unknown[0]!r}; services are: {', '.join(SERVICES)}")
        self.names = services
        self.overrides = overrides
        self.common = load_settings(CommonSettings, **overrides)
        self.store: Store | None = None
        self.bus: Bus | None = None
        self.services: dict[str, Service] = {}
        self.helpers: list[Service] = []
        self._ops: OpsServer | None = None
        self._telemetry: Telemetry | None = None

    async def start(self) -> None:
        common = self.common
        engine = None
        if common.uses_embedded_bus or NEEDS_STORE & set(self.names) or self._registry_wanted():
            self.store = open_store(common.database_url.get_secret_value())
            await self.store.migrate()
            if common.uses_embedded_bus and isinstance(self.store, SqlStore):
                engine = self.store.engine
        self.bus = create_bus(common, engine=engine)
        await self.bus.start()
        parts = Parts(overrides=self._service_overrides(), bus=self.bus, store=self.store)
        checks: dict[str, ReadinessCheck] = {"bus": self.bus.ping}
        if self.store is not None:
            checks["store"] = self.store.ping
        serves_ops = self._orchestrator_serves_ops()
        for name in self.names:
            parts.checks = checks if serves_ops and name == "sync-orchestrator" else None
            service = BUILDERS[name](parts)
            for helper in parts.helpers:
                await helper.start()
                self.helpers.append(helper)
            parts.helpers.clear()
            await service.start()
            self.services[name] = service
        # Metrics read at scrape time and the alert engine (docs/operator-guide.md).
        self._telemetry = Telemetry(self.services, self.bus, self.store, parts.overrides)
        self._telemetry.start()
        if common.http_port is not None and "webhook-receiver" not in self.names and not serves_ops:
            self._ops = OpsServer(common.http_host, common.http_port, checks)
            await self._ops.start()

    def _orchestrator_serves_ops(self) -> bool:
        """The orchestrator's operator API takes MLC_HTTP_PORT and serves the ops endpoints
        beside it, unless the receiver (which always does) runs in this process too; the API
        then needs its own MLC_OPERATOR_PORT (standalone, docs/operator-guide.md)."""
        return (
            self.common.http_port is not None
            and "sync-orchestrator" in self.names
            and "webhook-receiver" not in self.names
        )

    def _registry_wanted(self) -> bool:
        url = self.common.database_url.get_secret_value()
        return bool(REGISTRY_READERS & set(self.names)) and url.startswith(("postgres",))

    def _service_overrides(self) -> dict[str, Any]:
        overrides = dict(self.overrides)
        if self.common.http_port is not None and "webhook-receiver" in self.names:
            # The receiver's own app serves the ops endpoints too: one port per service
            # (deploy/: container probes, Services and the webhook Ingress use MLC_HTTP_PORT).
            overrides.setdefault("webhook_host", self.common.http_host)
            overrides.setdefault("webhook_port", self.common.http_port)
        return overrides

    def service(self, name: str) -> Any:
        return self.services[name]

    async def stop(self) -> None:
        if self._telemetry:
            await self._telemetry.stop()
            self._telemetry = None
        if self._ops:
            await self._ops.stop()
        for name in reversed(list(self.services)):
            try:
                await self.services[name].stop()
            except Exception as exc:  # keep stopping the others; say what went wrong
                log.warning("service did not stop cleanly", service=name, error=str(exc))
        self.services.clear()
        for helper in reversed(self.helpers):
            await helper.stop()
        self.helpers.clear()
        if self.bus:
            await self.bus.close()
        if self.store:
            await self.store.close()

    async def __aenter__(self) -> Runtime:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
