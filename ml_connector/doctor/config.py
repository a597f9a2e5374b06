"""Configuration: every service's settings load (each refusal in its own words), and the
settings the other checks use."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from mlc_shared.config import CommonSettings, ConfigError, load_settings

from ml_connector.doctor.report import Result, fail, ok, warn
from ml_connector.doctor.settings import DoctorSettings

# (service, module, settings class); a package an image does not install is skipped.
SERVICES = (
    ("tally-agent", "tally_agent.settings", "TallyAgentSettings"),
    ("walmart-gateway", "walmart_gateway.settings", "WalmartSettings"),
    ("webhook-receiver", "webhook_receiver.settings", "WebhookReceiverSettings"),
    ("sync-orchestrator", "sync_orchestrator.settings", "OrchestratorSettings"),
    ("alerts", "ml_connector.alerts.settings", "AlertSettings"),
)


@dataclass
class Loaded:
    common: CommonSettings | None = None
    doctor: DoctorSettings | None = None
    services: dict[str, Any] = field(default_factory=dict)
    """Settings that loaded, by service."""
    missing: list[str] = field(default_factory=list)
    """Services whose package this installation lacks."""


def load_all(overrides: dict[str, Any]) -> tuple[Loaded, list[Result]]:
    loaded = Loaded()
    problems: list[Result] = []
    try:
        loaded.common = load_settings(CommonSettings, **overrides)
        loaded.doctor = load_settings(DoctorSettings, **overrides)
    except ConfigError as exc:
        problems.append(fail("config", str(exc), _FIX))
    for service, module, name in SERVICES:
        try:
            cls = getattr(importlib.import_module(module), name)
        except ModuleNotFoundError:
            loaded.missing.append(service)
            continue
        try:
            loaded.services[service] = load_settings(cls, **overrides)
        except ConfigError as exc:
            problems.append(fail(f"config.{service}", str(exc), _FIX))
    if problems:
        return loaded, problems
    summary = "settings load for " + ", ".join(sorted(loaded.services))
    results = [ok("config", summary)]
    if loaded.missing:
        results.append(
            warn(
                "config",
                "not installed here: " + ", ".join(loaded.missing),
                "run `mlc doctor` where those services run (an image holds one service)",
            )
        )
    alerts = loaded.services.get("alerts")
    if alerts is not None and alerts.channels == ["log"]:
        results.append(
            warn(
                "alerts",
                "alerts are only written to the log",
                "set MLC_ALERT_WEBHOOK_URL or MLC_ALERT_SMTP_HOST and MLC_ALERT_SMTP_TO",
            )
        )
    elif alerts is not None:
        results.append(ok("alerts", "sent to " + ", ".join(alerts.channels)))
    return loaded, results


_FIX = "correct that MLC_ setting (environment or the MLC_CONFIG_FILE TOML file)"
