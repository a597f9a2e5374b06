"""docs/configuration.md names every setting of every service (and only real ones), so the
page cannot fall behind the settings classes. Kept with the orchestrator's tests because the
operator work introduced the page; it reads every service's settings class."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from mlc_shared.config import CommonSettings

DOC = Path(__file__).parents[3] / "docs" / "configuration.md"
CLASSES = (
    "mlc_shared.config:CommonSettings",
    "tally_agent.settings:TallyAgentSettings",
    "walmart_gateway.settings:WalmartSettings",
    "webhook_receiver.settings:WebhookReceiverSettings",
    "sync_orchestrator.settings:OrchestratorSettings",
    "sync_orchestrator.console.settings:ConsoleSettings",
    "ml_connector.alerts.settings:AlertSettings",
    "ml_connector.doctor.settings:DoctorSettings",
)
NOT_SETTINGS = {
    # read straight from the environment by commands and scripts, listed in their own table
    "MLC_CONFIG_FILE",
    "MLC_TENANT_WALMART_CLIENT_SECRET",
    "MLC_RABBITMQ_API_URL",
    "MLC_AGENT_AMQP_PASSWORD",
    "MLC_AMQP_PASSWORD_",
    "MLC_TEST_AMQP_URL",
    "MLC_TEST_DATABASE_URL",
    "MLC_TEST_AMQP_MANAGEMENT_URL",
}


def _settings() -> set[str]:
    names: set[str] = set()
    for spec in CLASSES:
        module, name = spec.split(":")
        cls: type[CommonSettings] = getattr(importlib.import_module(module), name)
        names.update(f"MLC_{field.upper()}" for field in cls.model_fields)
    return names


def _documented() -> set[str]:
    return set(re.findall(r"`(MLC_[A-Z0-9_]+)", DOC.read_text(encoding="utf-8")))


@pytest.mark.parametrize("spec", CLASSES)
def test_every_setting_has_a_line(spec: str) -> None:
    module, name = spec.split(":")
    cls: type[CommonSettings] = getattr(importlib.import_module(module), name)
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `(MLC_[A-Z0-9_]+)` \| ([^|]+) \|", DOC.read_text(), re.M)
    }
    missing = [f"MLC_{f.upper()}" for f in cls.model_fields if f"MLC_{f.upper()}" not in rows]
    assert missing == [], f"add these to docs/configuration.md: {missing}"


def test_no_line_names_a_setting_that_does_not_exist() -> None:
    unknown = _documented() - _settings() - NOT_SETTINGS
    assert unknown == set(), f"docs/configuration.md names settings nobody reads: {unknown}"
