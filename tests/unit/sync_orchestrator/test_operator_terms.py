"""The small decisions behind the operator surface: schedules per tenant, audit terms, how a
mapping change merges, flow lag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from mlc_shared.store.records import FlowState, TenantRecord
from pydantic import ValidationError
from sync_orchestrator.audit_terms import AuditTerms, as_csv_line, csv_header
from sync_orchestrator.mapping_edit import MappingRejected, merge, validated
from sync_orchestrator.registry import InvalidTenant, TenantInput, valid_name
from sync_orchestrator.status import flow_statuses
from sync_orchestrator.tenants import schedules_for

DEFAULTS = {"catalog": 900.0, "orders": 300.0}


def test_schedules_cover_the_configured_and_every_enabled_tenant() -> None:
    records = [
        TenantRecord(tenant="acme", schedules={"orders": 60.0, "unknown": 5.0}),
        TenantRecord(tenant="globex", enabled=False),
    ]
    assert schedules_for("default", DEFAULTS, records) == {
        "default": DEFAULTS,
        "acme": {"catalog": 900.0, "orders": 60.0},
    }
    # The configured tenant too can be switched off in the registry.
    off = [TenantRecord(tenant="default", enabled=False)]
    assert schedules_for("default", DEFAULTS, off) == {}


def test_audit_terms_map_onto_the_source_and_target_ids() -> None:
    query = AuditTerms(po="PO-1", voucher="WM-PO-1", status="posted").query()
    assert (query.source_id, query.target_id, query.status) == ("PO-1", "WM-PO-1", "posted")
    assert AuditTerms(return_id="R-9").query().source_id == "R-9"
    with pytest.raises(ValidationError, match="only one of"):
        AuditTerms(po="PO-1", sku="SKU-1")


def test_csv_export_quotes_what_needs_quoting() -> None:
    from mlc_shared.store.records import AuditRow

    at = datetime(2025, 4, 1, tzinfo=UTC)
    row = AuditRow(
        id=7, tenant="acme", flow="orders", correlation_id="c", record_kind="order",
        source_id="PO,1", status="rejected", detail={"reason": 'a "quoted" word'},
        created_at=at, updated_at=at,
    )  # fmt: skip
    assert csv_header().startswith("id,created_at,updated_at,tenant")
    line = as_csv_line(row)
    assert line.startswith('7,2025-04-01T00:00:00Z,2025-04-01T00:00:00Z,acme,orders,c,order,"PO,1"')
    assert '"{""reason"": ""a \\""quoted\\"" word""}"' in line


def test_a_mapping_patch_edits_table_entries_one_by_one() -> None:
    current = {
        "skus": {"A": {"stock_item": "a"}, "B": {"stock_item": "b"}},
        "ledgers": {"party": "P"},
    }
    merged = merge(
        current, {"skus": {"B": None, "C": {"stock_item": "c"}}, "ledgers": {"tax": "T"}}
    )
    assert merged == {
        "skus": {"A": {"stock_item": "a"}, "C": {"stock_item": "c"}},
        "ledgers": {"party": "P", "tax": "T"},
    }
    with pytest.raises(MappingRejected, match=r"skus\.A\.stock_item"):
        validated({"skus": {"A": {"unit": "Nos"}}})


def test_tenant_input_is_checked() -> None:
    with pytest.raises(ValidationError, match="unknown flow"):
        TenantInput(schedules={"nope": 5})
    with pytest.raises(ValidationError, match=r"webhook\.auth\.method"):
        TenantInput(webhook={"auth": {"method": "magic"}})
    with pytest.raises(InvalidTenant):
        valid_name("Acme Corp")
    assert valid_name("acme-2") == "acme-2"


def test_lag_is_the_age_of_the_last_finished_run() -> None:
    now = datetime(2025, 4, 1, 12, 0, tzinfo=UTC)
    states = [FlowState(tenant="acme", flow="orders", last_success_at=now - timedelta(minutes=7))]
    statuses = flow_statuses(states, ["acme", "default"], ["catalog", "orders"], now)
    assert [(s.tenant, s.flow, s.lag_seconds) for s in statuses] == [
        ("acme", "catalog", None),
        ("acme", "orders", 420.0),
        ("default", "catalog", None),
        ("default", "orders", None),
    ]
