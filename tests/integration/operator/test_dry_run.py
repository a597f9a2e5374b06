"""``mlc sync --dry-run`` prints the exact Tally XML and Walmart requests a run would send,
reading Tally and Walmart for real, and changes nothing anywhere: no voucher in Tally, no
stock on Walmart, no row in the store (cursor, audit, outbox, flow state)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from mlc_shared.store.records import AuditQuery
from sync_orchestrator.dry_run import dry_run
from sync_orchestrator.mapping import Ledgers, ShipNodeMapping, SkuMapping, TenantMapping

from ml_connector.dry_run_edges import DryRunEdges
from ml_connector.edges import edges_for
from tests.integration.operator.support import mlc, mlc_env
from tests.integration.orchestrator.support import GODOWN, NODE, Stack, stack

COOKER = ("SHK-CW-002", "Pressure Cooker 5L")
PO = "4200000000001"
TALLY_PASSWORD = "tally-password-never-printed"
MAPPING = TenantMapping(
    ledgers=Ledgers(
        party="Walmart Marketplace", shipping="Shipping Charges Collected", tax="Output IGST 12%"
    ),
    default_ship_node=NODE,
    ship_nodes={
        NODE: ShipNodeMapping(
            godowns=(GODOWN,), sales_ledger="Sales - Walmart Marketplace", cost_centre="Walmart US"
        )
    },
    skus={COOKER[0]: SkuMapping(stock_item=COOKER[1])},
    match_by_name=False,
)


async def _nothing_written(s: Stack, walmart_qty: int | None) -> None:
    assert await s.store.search_audit(AuditQuery()) == []
    assert await s.store.list_cursors() == {}
    assert await s.store.unpublished_outbox() == []
    assert [state.last_run_at for state in await s.store.list_flow_states()] == []
    assert await s.vouchers("Sales", f"WM-{PO}") == []
    assert await s.walmart_input(COOKER[0]) == walmart_qty


async def test_dry_runs_show_the_exact_requests_and_change_nothing(tmp_path: Path) -> None:
    items = [{"sku": COOKER[0], "product_name": COOKER[1], "price": "25.90"}]
    database = f"sqlite:///{tmp_path / 'mlc.db'}"
    async with stack(tmp_path, MAPPING, walmart_items=items, database_url=database) as s:
        placed = (datetime.now(UTC) - timedelta(minutes=3)).isoformat()
        line = {"sku": COOKER[0], "quantity": 2, "unit_price": "25.90", "unit_tax": "1.81"}
        order = {"purchase_order_id": PO, "order_date": placed, "ship_node": NODE, "lines": [line]}
        (await s.http.post(f"{s.walmart.url}/admin/orders", json=order)).raise_for_status()
        walmart_qty = await s.walmart_input(COOKER[0])

        env = mlc_env(
            database_url=database,
            tally_url=s.tally.url,
            tally_company=s.company,
            tally_username="owner",
            tally_password=TALLY_PASSWORD,
            walmart_base_url=s.walmart.url,
            walmart_client_id=s.walmart.client_id,
            walmart_client_secret=s.walmart.client_secret,
        )
        shown = await mlc(env, "sync", "orders", "--dry-run")
        assert shown.code == 0, shown.stderr
        out = shown.stdout
        assert "nothing was sent and nothing was written" in out
        assert "read: walmart.fetch_orders x1" in out
        assert "tally: 1 request(s) that would be sent" in out
        assert f"<VOUCHERNUMBER>WM-{PO}</VOUCHERNUMBER>" in out
        assert f"<SVCURRENTCOMPANY>{escape(s.company)}</SVCURRENTCOMPANY>" in out
        assert "<SVPASSWORD>***</SVPASSWORD>" in out
        assert TALLY_PASSWORD not in out + shown.stderr
        assert "cursor of 'orders' would become" in out
        await _nothing_written(s, walmart_qty)

        # The catalog flow, in this process: Tally's stock read for real, inventory rendered
        # as the gateway's single PUTs (below its feed threshold).
        async with edges_for(s.tenant, None, **_edge_settings(s)) as edges:
            report = await dry_run(s.store, s.orch.settings, DryRunEdges(edges), "catalog")
        puts = [r for r in report.rendered if r.title.startswith("PUT /v3/inventory")]
        assert [r.title for r in puts] == [f"PUT /v3/inventory?sku={COOKER[0]}&shipNode={NODE}"]
        assert puts[0].body.startswith(f'{{"sku":"{COOKER[0]}","quantity":{{"unit":"EACH"')
        assert report.reads == ["tally.export_stock_items"]
        await _nothing_written(s, walmart_qty)

        # A real run posts the order; a dry run afterwards has nothing for Tally.
        await s.run("orders")
        assert len(await s.vouchers("Sales", f"WM-{PO}")) == 1
        async with edges_for(s.tenant, None, **_edge_settings(s)) as edges:
            after = await dry_run(s.store, s.orch.settings, DryRunEdges(edges), "orders")
        assert [r for r in after.rendered if r.system == "tally"] == []


def _edge_settings(s: Stack) -> dict[str, str]:
    return {
        "tally_url": s.tally.url,
        "tally_company": s.company,
        "walmart_base_url": s.walmart.url,
        "walmart_client_id": s.walmart.client_id,
        "walmart_client_secret": s.walmart.client_secret,
    }
