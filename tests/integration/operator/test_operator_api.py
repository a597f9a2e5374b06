"""The operator API over real HTTP, served by a running orchestrator (SQLite and the embedded
bus, standalone): token auth, the ops endpoints on the same port, and every resource."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS
from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.tally import AgentStatus, ExportStockItems
from mlc_shared.store.records import AuditEntry
from sync_orchestrator.service import OrchestratorService

from ml_connector.runtime import Runtime

TOKEN = "operator-token-for-tests-0123456789"
T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T]], what: str, within: float = 15) -> T:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not (value := await check()):
        if loop.time() > deadline:
            raise AssertionError(f"{what} did not happen within {within:.0f} s")
        await asyncio.sleep(0.1)
    return value


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    settings: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'mlc.db'}",
        "amqp_url": None,
        "http_port": 0,  # one port: the operator API and /healthz, /readyz, /metrics
        "operator_token": TOKEN,
        "catalog_interval_s": 0,
        "orders_interval_s": 0,
        "returns_interval_s": 0,
        "settlements_interval_s": 0,
        "outbox_poll_s": 0.1,
    }
    async with Runtime(("sync-orchestrator",), **settings) as runtime:
        orch: OrchestratorService = runtime.service("sync-orchestrator")
        assert orch.api is not None
        base = f"http://127.0.0.1:{orch.api.port}"
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as http:
            yield http, runtime


async def test_every_call_needs_the_token_and_the_ops_endpoints_share_the_port(
    api: tuple[httpx.AsyncClient, Runtime],
) -> None:
    http, _ = api
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        reply = await http.get("/api/v1/flows", headers={**headers, "Authorization": ""} | headers)
        assert reply.status_code == 401, headers
        assert reply.headers["www-authenticate"] == "Bearer"
    assert (await http.get("/api/v1/flows")).status_code == 200
    assert (await http.get("/healthz", headers={})).json() == {"status": "ok"}
    ready = await http.get("/readyz", headers={})
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"bus": True, "store": True}
    document = (await http.get("/api/v1/openapi.json", headers={})).json()
    assert {"/api/v1/flows", "/api/v1/dead-letters/{message_id}/replay"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


async def test_flows_pause_resume_run_and_cursors(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    http, runtime = api
    status = (await http.get("/api/v1/status")).json()
    assert status == {
        "leader": True,
        "tenants": ["default"],
        "flows": ["catalog", "orders", "returns", "settlements"],
    }
    paused = (await http.post("/api/v1/flows/orders/pause")).json()
    assert paused["paused"] is True
    run = await http.post("/api/v1/flows/orders/run", json={})
    assert run.status_code == 202
    assert run.json()["started"] is False  # paused: no run starts
    assert (await http.post("/api/v1/flows/orders/resume")).json()["paused"] is False
    run = await http.post("/api/v1/flows/orders/run", json={"since": "2025-04-01T00:00:00Z"})
    assert run.json()["started"] is True
    flows = {f["flow"]: f for f in (await http.get("/api/v1/flows")).json()}
    assert flows["orders"]["last_run_at"] is not None
    assert flows["orders"]["lag_seconds"] is None  # no answer yet: never finished a run
    assert (await http.post("/api/v1/flows/nope/run")).status_code == 404
    assert (await http.post("/api/v1/flows/orders/pause?tenant=Bad%20Name")).status_code == 422

    assert runtime.store is not None
    async with runtime.store.transaction() as tx:
        await tx.set_cursor("default", "catalog", {"alter_id": 41})
    cursors = {(c["tenant"], c["flow"]): c["value"] for c in await _json(http, "/api/v1/cursors")}
    assert cursors[("default", "catalog")] == {"alter_id": 41}


async def test_audit_search_in_operator_terms(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    http, runtime = api
    assert runtime.store is not None
    async with runtime.store.transaction() as tx:
        for po, status, voucher in (("PO-1", "queued", None), ("PO-1", "posted", "WM-PO-1")):
            await tx.add_audit(
                AuditEntry(
                    tenant="default",
                    flow="orders",
                    correlation_id="run-1",
                    record_kind="order",
                    source_id=po,
                    status=status,
                    target_id=voucher,
                )
            )
    rows = (await http.get("/api/v1/audit", params={"po": "PO-1"})).json()
    assert [r["status"] for r in rows] == ["posted", "queued"]
    rows = (await http.get("/api/v1/audit", params={"voucher": "WM-PO-1"})).json()
    assert [r["source_id"] for r in rows] == ["PO-1"]
    bad = await http.get("/api/v1/audit", params={"po": "PO-1", "sku": "S"})
    assert bad.status_code == 422


async def test_tenants_and_mappings(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    http, _ = api
    secret = "walmart-secret-never-shown"
    put = await http.put(
        "/api/v1/tenants/acme",
        json={
            "tally_company": "Acme Traders",
            "walmart_client_id": "acme-client",
            "walmart_client_secret": secret,
            "webhook": {"auth": {"method": "hmac", "secret": "hook-secret-never-shown"}},
            "schedules": {"orders": 60},
        },
    )
    assert put.status_code == 200, put.text
    view = put.json()
    assert view["walmart_client_secret_set"] is True
    assert view["webhook_method"] == "hmac"
    assert view["agent_queue"] == "tally.acme.commands"
    listing = await http.get("/api/v1/tenants")
    assert secret not in listing.text
    assert "hook-secret" not in listing.text
    # A change without the secret keeps it.
    again = await http.put("/api/v1/tenants/acme", json={"display_name": "Acme"})
    assert again.json()["walmart_client_secret_set"] is True
    assert (await http.get("/api/v1/status")).json()["tenants"] == ["acme", "default"]

    # Its schedule runs at once (the service's own periods are 0 here: on demand only).
    async def acme_orders_ran() -> bool:
        flows = await _json(http, "/api/v1/flows?tenant=acme")
        ran = {f["flow"] for f in flows if f["last_run_at"] is not None}
        return ran == {"orders"}

    await eventually(acme_orders_ran, "the registered tenant's orders schedule")
    assert (await http.get("/api/v1/tenants/nobody")).status_code == 404
    assert (await http.put("/api/v1/tenants/Not%20Valid", json={})).status_code == 422

    mapping = (await http.get("/api/v1/tenants/acme/mapping")).json()
    assert mapping["skus"] == {}
    patched = await http.patch(
        "/api/v1/tenants/acme/mapping",
        json={"skus": {"SKU-1": {"stock_item": "Cooker"}}, "ledgers": {"party": "Walmart Inc"}},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["skus"]["SKU-1"]["stock_item"] == "Cooker"
    assert patched.json()["ledgers"]["tax"] == mapping["ledgers"]["tax"]
    refused = await http.patch("/api/v1/tenants/acme/mapping", json={"skus": {"X": {}}})
    assert refused.status_code == 422
    assert "stock_item" in refused.text
    replaced = await http.put(
        "/api/v1/tenants/acme/mapping", json={"skus": {"SKU-2": {"stock_item": "Pan"}}}
    )
    assert list(replaced.json()["skus"]) == ["SKU-2"]
    assert list((await http.get("/api/v1/tenants/acme/mapping")).json()["skus"]) == ["SKU-2"]


async def test_agents_and_dead_letters(api: tuple[httpx.AsyncClient, Runtime]) -> None:
    http, runtime = api
    assert runtime.bus is not None
    status = AgentStatus(reachable=True, company_open=True, company="Acme Traders")
    await runtime.bus.publish(ORCHESTRATOR_EVENTS, Envelope.new(status, tenant="default"))
    agents = await eventually(
        lambda: _json(http, "/api/v1/agents"), "the agent status reaching the API"
    )
    assert agents[0]["status"]["company"] == "Acme Traders"

    # A command sent to the orchestrator by mistake can never succeed: it is parked.
    stray = Envelope.new(ExportStockItems(), tenant="default")
    await runtime.bus.publish(ORCHESTRATOR_EVENTS, stray)
    letters = await eventually(
        lambda: _json(http, "/api/v1/dead-letters"), "the stray command being parked"
    )
    assert [(d["message_id"], d["queue"]) for d in letters] == [
        (stray.message_id, ORCHESTRATOR_EVENTS)
    ]
    assert "does not handle tally.export_stock_items" in letters[0]["reason"]
    shown = (await http.get(f"/api/v1/dead-letters/{stray.message_id}")).json()
    assert shown["payload"] == {
        "since_alter_id": 0,
        "census": False,
        "since_voucher_alter_id": None,
    }
    assert (await http.get("/api/v1/dead-letters/unknown-id")).status_code == 404
    assert (await http.get("/api/v1/dead-letters?queue=no.such")).status_code == 404

    replay = await http.post(f"/api/v1/dead-letters/{stray.message_id}/replay")
    assert replay.json() == {"replayed": 1}
    # Replayed with the same id, refused again, parked again: still one message, not two.
    again = await eventually(
        lambda: _json(http, "/api/v1/dead-letters"), "the replayed command parked again"
    )
    assert [d["message_id"] for d in again] == [stray.message_id]
    assert (await http.delete("/api/v1/dead-letters", params={"confirm": False})).status_code == 422
    purged = await http.delete(f"/api/v1/dead-letters/{stray.message_id}")
    assert purged.json() == {"purged": 1}
    assert (await http.get("/api/v1/dead-letters")).json() == []


async def _json(http: httpx.AsyncClient, path: str) -> Any:
    reply = await http.get(path)
    reply.raise_for_status()
    return reply.json()


async def test_standalone_beside_the_receiver_the_api_has_its_own_port(tmp_path: Path) -> None:
    settings: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'mlc.db'}",
        "amqp_url": None,
        "http_port": 0,  # the receiver's (webhooks and ops endpoints)
        "operator_port": 0,
        "operator_token": TOKEN,
        "catalog_interval_s": 0,
        "orders_interval_s": 0,
        "returns_interval_s": 0,
        "settlements_interval_s": 0,
    }
    services = ("webhook-receiver", "sync-orchestrator")
    async with Runtime(services, **settings) as runtime:
        orch: OrchestratorService = runtime.service("sync-orchestrator")
        assert orch.api is not None
        receiver_port = runtime.service("webhook-receiver").port
        assert orch.api.port != receiver_port
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(timeout=10, headers=headers) as http:
            api = f"http://127.0.0.1:{orch.api.port}"
            assert (await http.get(f"{api}/api/v1/status")).json()["leader"] is True
            assert (await http.get(f"{api}/healthz")).status_code == 404
            ops = f"http://127.0.0.1:{receiver_port}"
            assert (await http.get(f"{ops}/healthz")).json() == {"status": "ok"}
