"""The store contract (mlc_shared/store/base.py), run against PostgreSQL and SQLite alike.

Each test gets an empty, migrated database: a fresh PostgreSQL database or a new SQLite file.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.orchestrator import RunFlow
from mlc_shared.messages.tally import AgentStatus
from mlc_shared.store import (
    AuditEntry,
    AuditQuery,
    FlowState,
    NaiveTimestamp,
    RecordNotFound,
    SqlStore,
    Store,
    TenantRecord,
    UndecodableOutboxRow,
    WebhookEvent,
    create_engine,
    current_revision,
    head_revision,
    open_store,
    upgrade,
)
from mlc_shared.store import tables as t
from pydantic import SecretStr
from sqlalchemy.engine import Connection

IST = timezone(timedelta(hours=5, minutes=30))  # a zone far from UTC, as Tally users have


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty database of each kind (not migrated)."""
    fixture = "fresh_postgres_url" if request.param == "postgresql" else "sqlite_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    store = SqlStore(database_url)
    await store.migrate()
    yield store
    await store.close()


def envelope(n: int = 0, *, tenant: str = "acme", message_id: str | None = None) -> Envelope:
    return Envelope.new(RunFlow(flow=f"orders-{n}"), tenant=tenant, message_id=message_id)


def audit_entry(**overrides: object) -> AuditEntry:
    fields: dict[str, object] = {
        "tenant": "acme",
        "flow": "orders",
        "correlation_id": "run-1",
        "record_kind": "order",
        "source_id": "PO-1001",
        "status": "seen",
    }
    fields.update(overrides)
    return AuditEntry.model_validate(fields)


def webhook(event_id: str, received_at: datetime, **overrides: object) -> WebhookEvent:
    fields: dict[str, object] = {
        "event_id": event_id,
        "tenant": "acme",
        "event_type": "PO_CREATED",
        "event_time": received_at - timedelta(seconds=5),
        "received_at": received_at,
        "body": '{"eventType": "PO_CREATED"}',
        "known_type": True,
    }
    fields.update(overrides)
    return WebhookEvent.model_validate(fields)


# cursors, versions, mappings ------------------------------------------------------------


async def test_cursor_round_trip_and_listing(store: SqlStore) -> None:
    async with store.transaction() as tx:
        assert await tx.get_cursor("acme", "orders") is None
        await tx.set_cursor("acme", "orders", {"after": "2024-05-01T00:00:00Z", "amount": "12.30"})
        await tx.set_cursor("acme", "stock", {"alterid": 41})
        await tx.set_cursor("globex", "orders", {"after": None})
    async with store.transaction() as tx:
        await tx.set_cursor("acme", "stock", {"alterid": 42})
        assert await tx.get_cursor("acme", "orders") == {
            "after": "2024-05-01T00:00:00Z",
            "amount": "12.30",
        }
    assert await store.list_cursors() == {
        ("acme", "orders"): {"after": "2024-05-01T00:00:00Z", "amount": "12.30"},
        ("acme", "stock"): {"alterid": 42},
        ("globex", "orders"): {"after": None},
    }
    assert await store.list_cursors("globex") == {("globex", "orders"): {"after": None}}


async def test_record_versions(store: SqlStore) -> None:
    keys = [f"item-{i}" for i in range(1200)]  # more than one IN-list chunk
    async with store.transaction() as tx:
        assert await tx.get_versions("acme", "stock_item", keys) == {}
        await tx.set_versions("acme", "stock_item", {key: "1" for key in keys})
        await tx.set_versions("acme", "stock_item", {})
        await tx.set_versions("acme", "ledger", {"item-0": "9"})
    async with store.transaction() as tx:
        await tx.set_versions("acme", "stock_item", {"item-1": "2", "item-new": "1"})
        found = await tx.get_versions("acme", "stock_item", [*keys, "item-new", "item-1", "gone"])
        assert len(found) == 1201
        assert found["item-0"] == "1"
        assert found["item-1"] == "2"
        assert found["item-new"] == "1"
        assert "gone" not in found
        assert await tx.get_versions("acme", "ledger", ["item-0", "item-1"]) == {"item-0": "9"}
        assert await tx.get_versions("globex", "stock_item", ["item-0"]) == {}


async def test_flow_records(store: SqlStore) -> None:
    keys = [f"PO-{i}" for i in range(1200)]  # more than one IN-list chunk
    async with store.transaction() as tx:
        assert await tx.get_records("acme", "unposted_order", keys) == {}
        await tx.put_records("acme", "unposted_order", {k: {"lines": {"1": "2"}} for k in keys})
        await tx.put_records("acme", "feed", {"F@1": {"kind": "inventory", "keys": ["A@1"]}})
        await tx.put_records("acme", "feed", {})
    async with store.transaction() as tx:
        await tx.put_records("acme", "unposted_order", {"PO-1": {"lines": {"1": "1"}}})
        found = await tx.get_records("acme", "unposted_order", [*keys, "gone"])
        assert len(found) == 1200
        assert found["PO-1"] == {"lines": {"1": "1"}}
        assert await tx.delete_records("acme", "unposted_order", ["PO-0", "PO-1", "gone"]) == 2
        assert len(await tx.list_records("acme", "unposted_order")) == 1198
        assert await tx.list_records("acme", "feed") == {
            "F@1": {"kind": "inventory", "keys": ["A@1"]}
        }
        assert await tx.list_records("globex", "feed") == {}


async def test_mappings(store: SqlStore) -> None:
    async with store.transaction() as tx:
        assert await tx.get_mapping("acme", "sku", "SKU-1") is None
        await tx.put_mapping("acme", "sku", "SKU-2", {"stock_item": "Blue Mug"})
        await tx.put_mapping("acme", "sku", "SKU-1", {"stock_item": "Red Mug", "rate": "199.00"})
        await tx.put_mapping("acme", "ledger", "shipping", {"ledger": "Freight"})
    async with store.transaction() as tx:
        await tx.put_mapping("acme", "sku", "SKU-2", {"stock_item": "Navy Mug"})
        assert await tx.get_mapping("acme", "sku", "SKU-1") == {
            "stock_item": "Red Mug",
            "rate": "199.00",
        }
        assert await tx.list_mappings("acme", "sku") == {
            "SKU-1": {"stock_item": "Red Mug", "rate": "199.00"},
            "SKU-2": {"stock_item": "Navy Mug"},
        }
        assert await tx.delete_mapping("acme", "sku", "SKU-1") is True
        assert await tx.delete_mapping("acme", "sku", "SKU-1") is False
        assert await tx.list_mappings("acme", "sku") == {"SKU-2": {"stock_item": "Navy Mug"}}
        assert await tx.list_mappings("globex", "sku") == {}


async def test_json_refuses_decimal_amounts(store: SqlStore) -> None:
    # Amounts travel as decimal strings; a Decimal is refused, never turned into a float.
    with pytest.raises(sa.exc.StatementError, match="decimal strings"):
        async with store.transaction() as tx:
            await tx.put_mapping("acme", "sku", "SKU-1", {"rate": Decimal("199.00")})
    async with store.transaction() as tx:
        assert await tx.get_mapping("acme", "sku", "SKU-1") is None


# outbox and inbox -------------------------------------------------------------------------


async def test_outbox_is_idempotent_and_relayed_in_order(store: SqlStore) -> None:
    messages = [envelope(n) for n in range(5)]
    async with store.transaction() as tx:
        for message in messages:
            assert await tx.add_outbox("mlc.agent.acme", message) is True
        assert await tx.add_outbox("mlc.agent.acme", messages[2]) is False
    async with store.transaction() as tx:
        assert await tx.add_outbox("elsewhere", messages[0]) is False

    rows = await store.unpublished_outbox()
    assert [row.envelope for row in rows] == messages
    assert [row.id for row in rows] == sorted(row.id for row in rows)
    assert {row.queue for row in rows} == {"mlc.agent.acme"}
    assert all(row.created_at.tzinfo is UTC for row in rows)
    assert [row.envelope for row in await store.unpublished_outbox(limit=2)] == messages[:2]

    await store.mark_outbox_published([rows[0].id, rows[1].id])
    await store.mark_outbox_published([rows[1].id], at=datetime(2000, 1, 1, tzinfo=UTC))
    await store.mark_outbox_published([])
    assert [row.envelope for row in await store.unpublished_outbox()] == messages[2:]

    async with store.engine.connect() as conn:
        published = (
            await conn.execute(
                sa.select(t.outbox.c.published_at).where(t.outbox.c.id == rows[1].id)
            )
        ).scalar_one()
    assert published.replace(tzinfo=UTC) > datetime(2020, 1, 1, tzinfo=UTC)  # first time kept


async def test_outbox_row_that_cannot_be_decoded_is_reported(store: SqlStore) -> None:
    async with store.transaction() as tx:
        await tx.add_outbox("q", envelope(1))
    # a row written by an older version whose message type no longer exists
    bad = envelope(2).model_dump(mode="json") | {"type": "retired.message_type"}
    async with store.engine.begin() as conn:
        bad_id = (
            await conn.execute(
                sa.insert(t.outbox)
                .values(
                    message_id=bad["message_id"],
                    queue="q",
                    tenant="acme",
                    envelope=json.dumps(bad),
                    created_at=datetime.now(UTC),
                )
                .returning(t.outbox.c.id)
            )
        ).scalar_one()
    with pytest.raises(UndecodableOutboxRow, match="unknown message type") as caught:
        await store.unpublished_outbox()
    assert caught.value.row_id == bad_id


async def test_inbox_marks_each_message_once_per_consumer(store: SqlStore) -> None:
    async with store.transaction() as tx:
        assert await tx.mark_processed("orchestrator", "m-1") is True
        assert await tx.mark_processed("orchestrator", "m-1") is False
        assert await tx.mark_processed("gateway", "m-1") is True
    async with store.transaction() as tx:
        assert await tx.mark_processed("orchestrator", "m-1") is False
        assert await tx.mark_processed("orchestrator", "m-2") is True


# audit ------------------------------------------------------------------------------------


async def test_audit_add_and_update(store: SqlStore) -> None:
    async with store.transaction() as tx:
        audit_id = await tx.add_audit(
            audit_entry(request="<ENVELOPE/>", detail={"amount": "10.50"}, attempts=1)
        )
        await tx.update_audit(audit_id, status="posted", target_id="VCH-7", response="<OK/>")
    async with store.transaction() as tx:
        await tx.update_audit(audit_id, status="acknowledged", attempts=2)
    (row,) = await store.search_audit(AuditQuery(tenant="acme"))
    assert row.id == audit_id
    assert (row.status, row.target_id, row.response, row.request) == (
        "acknowledged",
        "VCH-7",
        "<OK/>",
        "<ENVELOPE/>",
    )
    assert row.detail == {"amount": "10.50"}
    assert row.attempts == 2
    assert row.updated_at >= row.created_at
    assert row.created_at.tzinfo is UTC

    with pytest.raises(RecordNotFound):
        async with store.transaction() as tx:
            await tx.update_audit(audit_id + 1000, status="posted")


async def test_audits_added_together_keep_their_order_and_null_details(store: SqlStore) -> None:
    entries = [
        audit_entry(source_id="PO-1", status="posted", detail={"outcome": "created"}),
        audit_entry(source_id="PO-2", status="posted"),  # no detail: SQL NULL, not 'null'
        audit_entry(source_id="PO-1", status="acknowledged", request="<ENVELOPE/>"),
    ]
    async with store.transaction() as tx:
        await tx.add_audits(entries)
        await tx.add_audits([])
    rows = await store.search_audit(AuditQuery(tenant="acme", oldest_first=True))
    assert [(r.source_id, r.status) for r in rows] == [
        ("PO-1", "posted"),
        ("PO-2", "posted"),
        ("PO-1", "acknowledged"),
    ]
    assert [r.detail for r in rows] == [{"outcome": "created"}, None, None]
    assert rows[2].request == "<ENVELOPE/>"
    assert await store.search_audit(AuditQuery(tenant="acme", text="null")) == []


async def test_audit_search_filters_by_every_field(store: SqlStore) -> None:
    async with store.transaction() as tx:
        first = await tx.add_audit(audit_entry())
        second = await tx.add_audit(
            audit_entry(
                flow="returns",
                record_kind="return",
                source_id="RT-9",
                target_id="CN-100",
                status="posted",
                correlation_id="run-2",
                detail={"reason": "Damaged 100%_box"},
            )
        )
        third = await tx.add_audit(
            audit_entry(tenant="globex", source_id="po-1001-b", status="failed")
        )

    async def ids(**fields: object) -> list[int]:
        return [row.id for row in await store.search_audit(AuditQuery.model_validate(fields))]

    assert await ids() == [third, second, first]  # newest first
    assert await ids(limit=2) == [third, second]
    assert await ids(tenant="acme") == [second, first]
    assert await ids(flow="returns") == [second]
    assert await ids(record_kind="order") == [third, first]
    assert await ids(source_id="PO-1001") == [first]
    assert await ids(target_id="CN-100") == [second]
    assert await ids(status="failed") == [third]
    assert await ids(correlation_id="run-2") == [second]
    assert await ids(tenant="acme", status="posted", flow="returns") == [second]
    assert await ids(tenant="acme", status="failed") == []
    # text: case-insensitive substring of source_id, target_id or detail; wildcards literal
    assert await ids(text="po-1001") == [third, first]
    assert await ids(text="cn-1") == [second]
    assert await ids(text="damaged") == [second]
    assert await ids(text="100%_") == [second]
    assert await ids(text="%") == [second]
    assert await ids(text="nothing like it") == []

    rows = await store.search_audit(AuditQuery())
    created = {row.id: row.created_at for row in rows}
    assert await ids(since=created[second]) == [third, second]
    assert await ids(until=created[second]) == [first]
    assert await ids(since=created[second], until=created[third]) == [second]
    assert await ids(since=created[third].astimezone(IST)) == [third]  # any zone, same instant
    with pytest.raises(ValueError, match="limit"):
        await store.search_audit(AuditQuery(limit=0))


# webhook events and flow state ------------------------------------------------------------


async def test_webhook_events(store: SqlStore) -> None:
    base = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    stored = await store.add_webhook_events(
        [webhook("ev-2", base + timedelta(seconds=1)), webhook("ev-1", base, known_type=False)]
    )
    assert stored == {"ev-1", "ev-2"}
    ev3 = webhook("ev-3", base + timedelta(milliseconds=500))
    # already stored, or twice in one batch: the first copy stays, the rest are left out
    assert await store.add_webhook_events([webhook("ev-1", base, body="other"), ev3, ev3]) == {
        "ev-3"
    }
    assert await store.add_webhook_events([]) == set()
    events = await store.unpublished_webhook_events()
    assert [event.event_id for event in events] == ["ev-1", "ev-3", "ev-2"]  # by receipt time
    assert events[0] == webhook("ev-1", base, known_type=False)
    assert [e.event_id for e in await store.unpublished_webhook_events(limit=1)] == ["ev-1"]

    await store.mark_webhooks_published(["ev-1", "ev-3"])
    await store.mark_webhooks_published(["ev-1", "ev-1"])
    await store.mark_webhooks_published([])
    assert [event.event_id for event in await store.unpublished_webhook_events()] == ["ev-2"]
    with pytest.raises(RecordNotFound, match="ev-unknown"):
        await store.mark_webhooks_published(["ev-2", "ev-unknown"])
    # the known one is marked all the same: a mark is safe to repeat
    assert await store.unpublished_webhook_events() == []


async def test_flow_state(store: SqlStore) -> None:
    async with store.transaction() as tx:
        assert await tx.get_flow_state("acme", "orders") == FlowState(tenant="acme", flow="orders")
    assert await store.list_flow_states() == []

    ran = datetime(2024, 5, 1, 18, 0, tzinfo=IST)
    async with store.transaction() as tx:
        await tx.put_flow_state(FlowState(tenant="acme", flow="orders", paused=True))
        await tx.put_flow_state(
            FlowState(tenant="acme", flow="stock", last_run_at=ran, last_error="Tally closed")
        )
        await tx.put_flow_state(FlowState(tenant="globex", flow="orders"))
    async with store.transaction() as tx:
        await tx.put_flow_state(
            FlowState(tenant="acme", flow="stock", last_run_at=ran, last_success_at=ran)
        )
        assert await tx.get_flow_state("acme", "orders") == FlowState(
            tenant="acme", flow="orders", paused=True
        )
    states = await store.list_flow_states("acme")
    assert [(s.flow, s.paused) for s in states] == [("orders", True), ("stock", False)]
    assert states[1].last_success_at == ran
    assert states[1].last_error is None
    assert [s.tenant for s in await store.list_flow_states()] == ["acme", "acme", "globex"]


# mappings replaced whole, audit paging, tenants, agent status ------------------------------


async def test_clear_mappings_removes_one_tenant_only(store: SqlStore) -> None:
    async with store.transaction() as tx:
        await tx.put_mapping("acme", "sku", "SKU-1", {"stock_item": "Red Mug"})
        await tx.put_mapping("acme", "ledgers", "default", {"party": "Walmart"})
        await tx.put_mapping("globex", "sku", "SKU-1", {"stock_item": "Blue Mug"})
    async with store.transaction() as tx:
        assert await tx.clear_mappings("acme") == 2
        assert await tx.clear_mappings("acme") == 0
        assert await tx.list_mappings("acme", "sku") == {}
        assert await tx.list_mappings("globex", "sku") == {"SKU-1": {"stock_item": "Blue Mug"}}


async def test_audit_pages_oldest_first_after_an_id(store: SqlStore) -> None:
    async with store.transaction() as tx:
        ids = [await tx.add_audit(audit_entry(source_id=f"PO-{n}")) for n in range(5)]
    pages: list[list[int]] = []
    after: int | None = None
    while rows := await store.search_audit(AuditQuery(oldest_first=True, after_id=after, limit=2)):
        pages.append([row.id for row in rows])
        after = rows[-1].id
    assert pages == [ids[0:2], ids[2:4], ids[4:5]]
    newest = await store.search_audit(AuditQuery(after_id=ids[2]))
    assert [row.id for row in newest] == [ids[4], ids[3]]


async def test_tenant_registry_keeps_secrets_and_creation_time(store: SqlStore) -> None:
    acme = TenantRecord(
        tenant="acme",
        display_name="Acme Traders",
        tally_company="Acme Traders Pvt Ltd",
        walmart_client_id="client-1",
        walmart_client_secret=SecretStr("s3cret-value"),
        webhook_config=SecretStr('{"auth": {"method": "hmac", "secret": "hook-secret"}}'),
        schedules={"orders": 60.0, "catalog": 0.0},
    )
    async with store.transaction() as tx:
        assert await tx.get_tenant("acme") is None
        await tx.put_tenant(acme)
        await tx.put_tenant(TenantRecord(tenant="globex", enabled=False))
    first = await store.find_tenant("acme")
    assert first is not None
    assert first.walmart_client_secret is not None
    assert first.walmart_client_secret.get_secret_value() == "s3cret-value"
    assert first.webhook_config is not None
    assert "hook-secret" in first.webhook_config.get_secret_value()
    assert "s3cret-value" not in repr(first)
    assert first.schedules == {"orders": 60.0, "catalog": 0.0}
    assert first.created_at is not None

    async with store.transaction() as tx:
        await tx.put_tenant(acme.model_copy(update={"tally_company": "Acme Traders (2025)"}))
        again = await tx.get_tenant("acme")
    assert again is not None
    assert again.tally_company == "Acme Traders (2025)"
    assert again.created_at == first.created_at
    assert again.updated_at is not None
    assert first.updated_at is not None
    assert again.updated_at >= first.updated_at
    listed = await store.list_tenants()
    assert [(r.tenant, r.enabled) for r in listed] == [("acme", True), ("globex", False)]
    async with store.transaction() as tx:
        assert await tx.delete_tenant("globex") is True
        assert await tx.delete_tenant("globex") is False
    assert await store.find_tenant("globex") is None


async def test_agent_status_keeps_the_newest_per_tenant(store: SqlStore) -> None:
    at = datetime(2024, 5, 1, 18, 0, tzinfo=IST)
    async with store.transaction() as tx:
        await tx.put_agent_status("acme", AgentStatus(reachable=False, company_open=False), at)
        await tx.put_agent_status(
            "acme",
            AgentStatus(reachable=True, company_open=True, company="Acme", alt_vch_id=7),
            at + timedelta(minutes=1),
        )
        await tx.put_agent_status("globex", AgentStatus(reachable=True, company_open=False), at)
    rows = await store.list_agent_statuses()
    assert [row.tenant for row in rows] == ["acme", "globex"]
    assert rows[0].status == AgentStatus(
        reachable=True, company_open=True, company="Acme", alt_vch_id=7
    )
    assert rows[0].received_at == at + timedelta(minutes=1)


# transactions -----------------------------------------------------------------------------


class Boom(Exception):
    pass


async def test_transaction_rolls_back_everything_on_error(store: SqlStore) -> None:
    async with store.transaction() as tx:
        await tx.set_cursor("acme", "orders", {"after": "a"})

    async def write_everything_then_fail() -> None:
        async with store.transaction() as tx:
            await tx.set_cursor("acme", "orders", {"after": "b"})
            assert await tx.add_outbox("q", envelope(1)) is True
            await tx.mark_processed("orchestrator", "m-1")
            await tx.set_versions("acme", "order", {"PO-1": "1"})
            await tx.put_mapping("acme", "sku", "SKU-1", {"stock_item": "Mug"})
            await tx.add_audit(audit_entry())
            await tx.put_flow_state(FlowState(tenant="acme", flow="orders", paused=True))
            raise Boom

    with pytest.raises(Boom):
        await write_everything_then_fail()
    assert await store.list_cursors() == {("acme", "orders"): {"after": "a"}}
    assert await store.unpublished_outbox() == []
    assert await store.search_audit(AuditQuery()) == []
    assert await store.unpublished_webhook_events() == []
    assert await store.list_flow_states() == []
    async with store.transaction() as tx:
        assert await tx.mark_processed("orchestrator", "m-1") is True
        assert await tx.get_versions("acme", "order", ["PO-1"]) == {}
        assert await tx.get_mapping("acme", "sku", "SKU-1") is None


async def test_concurrent_transactions_lose_nothing(store: SqlStore) -> None:
    async with store.transaction() as tx:
        await tx.set_cursor("acme", "orders", {"n": 0})

    async def move_cursor(worker: int) -> None:
        async with store.transaction() as tx:
            cursor = await tx.get_cursor("acme", "orders")
            assert cursor is not None
            await tx.add_outbox("q", envelope(worker))
            await asyncio.sleep(0)  # let the other tasks run while this one holds its tx
            await tx.add_outbox("q", envelope(worker + 100))
            await tx.set_cursor("acme", "orders", {"n": cursor["n"] + 1})

    await asyncio.gather(*(move_cursor(worker) for worker in range(20)))
    assert await store.list_cursors() == {("acme", "orders"): {"n": 20}}
    rows = await store.unpublished_outbox()
    assert len(rows) == 40
    assert {row.envelope.payload for row in rows} == {
        RunFlow(flow=f"orders-{n}") for n in [*range(20), *range(100, 120)]
    }


# time -------------------------------------------------------------------------------------


async def test_timestamps_come_back_as_the_same_instant_in_utc(store: SqlStore) -> None:
    local = datetime(2024, 3, 31, 23, 45, 12, 123456, tzinfo=IST)
    await store.add_webhook_events([webhook("ev-1", local, event_time=None)])
    async with store.transaction() as tx:
        await tx.put_flow_state(FlowState(tenant="acme", flow="orders", last_run_at=local))
    (event,) = await store.unpublished_webhook_events()
    (state,) = await store.list_flow_states()
    for value in (event.received_at, state.last_run_at):
        assert value == local
        assert value is not None
        assert value.tzinfo is UTC
        assert (value.hour, value.minute) == (18, 15)  # 23:45 IST is 18:15 UTC
    assert event.event_time is None


async def test_naive_timestamps_are_refused(store: SqlStore) -> None:
    with pytest.raises(NaiveTimestamp, match="time zone"):
        await store.add_webhook_events([webhook("ev-1", datetime(2024, 5, 1, 12, 0))])
    with pytest.raises(NaiveTimestamp):
        await store.search_audit(AuditQuery(since=datetime(2024, 5, 1)))
    assert await store.unpublished_webhook_events() == []


# lifecycle and schema ---------------------------------------------------------------------


async def test_open_store_gives_a_working_store(database_url: str) -> None:
    store: Store = open_store(database_url)
    await store.migrate()
    assert await store.ping() is True
    async with store.transaction() as tx:
        await tx.set_cursor("acme", "orders", {"n": 1})
    assert await store.list_cursors() == {("acme", "orders"): {"n": 1}}
    await store.close()


async def test_ping_and_close_of_a_shared_engine(database_url: str) -> None:
    engine = create_engine(database_url)
    store = SqlStore(engine)
    await store.migrate()
    assert await store.ping() is True
    await store.close()  # not the store's engine: still usable
    async with engine.connect() as conn:
        assert (await conn.execute(sa.select(1))).scalar_one() == 1
    await engine.dispose()


async def test_migration_is_idempotent_and_matches_the_metadata(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await current_revision(engine) is None
        await upgrade(engine)
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as conn:
            differences = await conn.run_sync(_schema_differences)
        assert differences == []
    finally:
        await engine.dispose()


def _schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    diff: list[object] = compare_metadata(context, t.metadata)
    return diff


async def test_concurrent_migrations_from_several_processes(database_url: str) -> None:
    script = (
        "import asyncio, sys\n"
        "from mlc_shared.store import create_engine, upgrade\n"
        "async def main():\n"
        "    engine = create_engine(sys.argv[1])\n"
        "    await upgrade(engine)\n"
        "    await engine.dispose()\n"
        "asyncio.run(main())\n"
    )
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, database_url, stderr=asyncio.subprocess.PIPE
        )
        for _ in range(3)
    ]
    results = [await process.communicate() for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], results
    engine = create_engine(database_url)
    try:
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as conn:
            assert await conn.run_sync(_schema_differences) == []
    finally:
        await engine.dispose()
