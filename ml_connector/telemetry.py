"""Metrics sources and the alert engine for the services one process runs (runtime.py
starts it after the services and stops it before them).

What each process watches follows what it holds: the orchestrator's state (flows, queues,
agents, the audit trail), the gateway's Walmart answers, the receiver's deliveries. In the
standalone mode one process holds all of them.
"""

from __future__ import annotations

from typing import Any

from mlc_shared.bus.base import Bus
from mlc_shared.config import load_settings
from mlc_shared.metrics import StateSource, add_source, remove_source
from mlc_shared.store.base import Store

from ml_connector.alerts.engine import AlertEngine
from ml_connector.alerts.notify import Notifier, channels_from
from ml_connector.alerts.rules import (
    Rule,
    walmart_auth_failures,
    webhook_auth_failures,
)
from ml_connector.alerts.settings import AlertSettings


class Telemetry:
    def __init__(
        self, services: dict[str, Any], bus: Bus, store: Store | None, overrides: dict[str, Any]
    ) -> None:
        self.settings = load_settings(AlertSettings, **overrides)
        self.sources: list[StateSource] = []
        rules: list[Rule] = []
        orchestrator = services.get("sync-orchestrator")
        if orchestrator is not None and store is not None:
            rules += self._orchestrator(orchestrator, bus, store)
        if "walmart-gateway" in services:
            rules.append(
                walmart_auth_failures(
                    self.settings.alert_walmart_auth_failures, self.settings.alert_auth_window_s
                )
            )
        if "webhook-receiver" in services:
            rules.append(
                webhook_auth_failures(
                    self.settings.alert_webhook_auth_failures, self.settings.alert_auth_window_s
                )
            )
        self.engine = (
            AlertEngine(
                rules,
                Notifier(channels_from(self.settings)),
                interval_s=self.settings.alert_interval_s,
            )
            if rules
            else None
        )
        if self.engine is not None:
            self.sources.append(self.engine)

    def _orchestrator(self, orchestrator: Any, bus: Bus, store: Store) -> list[Rule]:
        from sync_orchestrator.agent_watch import AgentWatch
        from sync_orchestrator.metrics import OrchestratorMetrics, queues_of

        from ml_connector.alerts.rules import AgentDown, ParkingGrowing, UnbalancedSettlements

        tenant: str = orchestrator.settings.tenant
        watch = AgentWatch(store, tenant)
        state = OrchestratorMetrics(store, bus, watch, tenant)
        self.sources.append(state)
        s = self.settings
        return [
            ParkingGrowing(bus, lambda: queues_of(state.tenants()), s.alert_parking_window_s),
            AgentDown(watch, s.alert_agent_down_after_s),
            UnbalancedSettlements(store, s.alert_unbalanced_status),
        ]

    def start(self) -> None:
        for source in self.sources:
            add_source(source)
        if self.engine is not None:
            self.engine.start()

    async def stop(self) -> None:
        if self.engine is not None:
            await self.engine.stop()
        for source in self.sources:
            remove_source(source)
