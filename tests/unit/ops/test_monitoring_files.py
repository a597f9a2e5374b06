"""The Grafana dashboard and the Prometheus alerting rules (deploy/grafana, deploy/prometheus)
use only metrics that exist, under their exact names, and are valid for their tools:
the dashboard is JSON Grafana can import, every PromQL expression parses (promtool), and
every alert fires on the series that should raise it (promtool test rules)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml
from mlc_shared.metrics import METRIC_NAMES

ROOT = Path(__file__).resolve().parents[3]
DASHBOARD = ROOT / "deploy" / "grafana" / "ml-connector.json"
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "alerts.test.yml"
SERIES = re.compile(r"\b(mlc_[a-z0-9_]+)\b")
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$tenant": ".*"}


def promtool() -> str:
    """Debian's promtool, unpacked into .tools by `make promtool` (never downloaded by a
    test), or one on PATH."""
    local = ROOT / ".tools" / "prometheus" / "usr" / "bin" / "promtool"
    found = str(local) if local.is_file() else shutil.which("promtool")
    assert found, "promtool is missing: run `make promtool` (unpacks Debian's package)"
    return found


def dashboard_expressions() -> list[tuple[str, str]]:
    board = json.loads(DASHBOARD.read_text())
    found = []
    for panel in board["panels"]:
        for target in panel.get("targets", []):
            found.append((panel["title"], target["expr"]))
    return found


def rule_expressions() -> list[tuple[str, str]]:
    rules = yaml.safe_load(RULES.read_text())
    return [(r["alert"], r["expr"]) for group in rules["groups"] for r in group["rules"]]


def test_dashboard_is_importable_json() -> None:
    board: dict[str, Any] = json.loads(DASHBOARD.read_text())
    assert board["uid"] == "ml-connector"
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    for panel in board["panels"]:
        assert {"type", "title", "gridPos"} <= panel.keys()
        for target in panel.get("targets", []):
            assert target["refId"]
            assert target["expr"].strip()
    variables = {v["name"] for v in board["templating"]["list"]}
    assert variables == {"datasource", "tenant"}


def test_every_expression_names_a_defined_metric() -> None:
    for where, expr in [*dashboard_expressions(), *rule_expressions()]:
        named = set(SERIES.findall(expr))
        assert named, f"{where}: no ml-connector metric in {expr!r}"
        unknown = named - METRIC_NAMES
        assert not unknown, f"{where}: {sorted(unknown)} are not defined in mlc_shared.metrics"


def test_dashboard_covers_what_operators_watch() -> None:
    used = {name for _, expr in dashboard_expressions() for name in SERIES.findall(expr)}
    for needed in (
        "mlc_flow_lag_seconds",
        "mlc_flow_last_success_timestamp_seconds",
        "mlc_queue_ready_messages",
        "mlc_queue_parked_messages",
        "mlc_tally_request_seconds_bucket",
        "mlc_tally_busy_seconds_total",
        "mlc_walmart_throttle_wait_seconds_total",
        "mlc_walmart_token_refreshes_total",
        "mlc_webhook_deliveries_total",
        "mlc_agent_up",
        "mlc_tally_company_open",
    ):
        assert needed in used, f"the dashboard shows no {needed}"


def test_dashboard_queries_parse(tmp_path: Path) -> None:
    rules = []
    for index, (_, expr) in enumerate(dashboard_expressions()):
        for variable, value in GRAFANA_VARIABLES.items():
            expr = expr.replace(variable, value)
        assert "$" not in expr, f"unknown Grafana variable in {expr!r}"
        rules.append({"record": f"mlc:dashboard_panel:{index}", "expr": expr})
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    run = subprocess.run(
        [promtool(), "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_alert_rules_are_valid() -> None:
    run = subprocess.run(
        [promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_alerts_fire_on_the_series_that_should_raise_them() -> None:
    run = subprocess.run(
        [promtool(), "test", "rules", RULE_TESTS.name],
        capture_output=True,
        text=True,
        check=False,
        cwd=RULE_TESTS.parent,
        env={**os.environ, "TZ": "UTC"},
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_rules_mirror_the_connectors_own_alerts() -> None:
    """Each condition the alert engine evaluates has a Prometheus counterpart."""
    alerts = {name for name, _ in rule_expressions()}
    assert {
        "MlcParkingQueueGrowing",
        "MlcAgentSilent",
        "MlcTallyUnreachable",
        "MlcTallyCompanyClosed",
        "MlcWalmartCredentialsRefused",
        "MlcWebhookAuthFailures",
        "MlcSettlementUnbalanced",
    } <= alerts
