"""``mlc mapping check`` against the simulators over HTTP: Tally's masters read through the
agent's reader, Walmart's catalog through the gateway; every gap named; missing ledgers and
cost centres created only when the agent allows master creation."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from mlc_shared.bus.base import Reject
from mlc_shared.store import SqlStore
from sync_orchestrator.mapping import (
    Ledgers,
    ShipNodeMapping,
    SkuMapping,
    TenantMapping,
    save_mapping,
)
from sync_orchestrator.mapping_check import Gap, check_mapping

from ml_connector.edges import create_masters, edges_for, tally_masters, walmart_skus
from tests.integration.operator.support import Sims, mlc, mlc_env, simulators
from tests.integration.orchestrator.support import GODOWN, NODE

LISTED = [
    {"sku": "SHK-CW-002", "product_name": "Pressure Cooker 5L", "price": "25.90"},
    {"sku": "NOT-MAPPED-1", "product_name": "Something new", "price": "5.00"},
]
MAPPING = TenantMapping(
    ledgers=Ledgers(
        party="Walmart Marketplace", shipping="Freight Collected Walmart", tax="Output IGST 12%"
    ),
    default_ship_node=NODE,
    ship_nodes={
        NODE: ShipNodeMapping(
            godowns=(GODOWN,), sales_ledger="Sales - Walmart Marketplace", cost_centre="Walmart CA"
        ),
        "20002": ShipNodeMapping(godowns=("Nowhere Warehouse",)),
    },
    skus={
        "SHK-CW-002": SkuMapping(stock_item="Pressure Cooker 5L"),
        "SHK-GONE": SkuMapping(stock_item="A Stock Item Tally Never Had"),
    },
    match_by_name=False,
)


async def _gaps(sims: Sims, **settings: object) -> list[Gap]:
    async with edges_for("default", None, **sims.settings(), **settings) as edges:
        return check_mapping(MAPPING, await tally_masters(edges), await walmart_skus(edges))


async def test_gaps_in_plain_words_and_creation_only_when_allowed(tmp_path: Path) -> None:
    async with simulators(LISTED, NODE, GODOWN) as sims:
        gaps = {(g.kind, g.subject) for g in await _gaps(sims)}
        assert {
            ("unmapped_sku", "NOT-MAPPED-1"),
            ("missing_stock_item", "SHK-GONE"),
            ("sku_not_listed", "SHK-GONE"),
            ("missing_ledger", "Freight Collected Walmart"),
            ("missing_cost_centre", "Walmart CA"),
            ("missing_godown", "Nowhere Warehouse"),
        } <= gaps
        assert ("missing_ledger", "Walmart Marketplace") not in gaps  # the demo company has it
        assert ("missing_godown", GODOWN) not in gaps

        creatable = [g.create for g in await _gaps(sims) if g.create is not None]
        async with edges_for("default", None, **sims.settings()) as edges:
            with pytest.raises(Reject, match="MLC_TALLY_ALLOW_MASTER_CREATE"):
                await create_masters(edges, creatable)
        async with edges_for(
            "default", None, **sims.settings(), tally_allow_master_create=True
        ) as edges:
            outcomes = await create_masters(edges, creatable)
        assert {o.name for o in outcomes if o.outcome == "created"} >= {
            "Freight Collected Walmart",
            "Walmart CA",
        }
        ledgers = await sims.http.get(
            f"{sims.tally.admin_url}/companies/{quote(sims.company)}/ledgers"
        )
        parents = {row["name"]: row["parent"] for row in ledgers.raise_for_status().json()}
        assert parents["Freight Collected Walmart"] == "Indirect Incomes"
        after = {(g.kind, g.subject) for g in await _gaps(sims)}
        assert not {k for k in after if k[0] in ("missing_ledger", "missing_cost_centre")}
        assert ("missing_godown", "Nowhere Warehouse") in after  # never created

        # The command: the same gaps in plain words, exit status 1 while any remains.
        database = f"sqlite:///{tmp_path / 'mlc.db'}"
        store = SqlStore(database)
        await store.migrate()
        async with store.transaction() as tx:
            await save_mapping(tx, "default", MAPPING)
        await store.close()
        checked = await mlc(mlc_env(database_url=database, **sims.settings()), "mapping", "check")
        assert checked.code == 1, checked.stderr
        assert "Walmart SKU 'NOT-MAPPED-1' is not mapped to a Tally stock item" in checked.stdout
        assert "godown 'Nowhere Warehouse'" in checked.stdout
