"""The admin API: companies, seeding, inspection, settings and reset."""

from __future__ import annotations

import httpx
from tally_sim import DEMO_COMPANY, TallySimulator

from tests.sandbox.tally_sim.conftest import SimFactory
from tests.sandbox.tally_sim.support import collection, post, rows, txt


async def test_create_load_unload_and_delete_companies(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    admin = sim.admin_url
    created = await client.post(
        f"{admin}/companies",
        json={"name": "Beta & Co", "books_from": "2024-04-01", "loaded": False},
    )
    assert created.status_code == 201
    assert created.json()["loaded"] is False
    assert (await client.post(f"{admin}/companies", json={"name": "beta & co"})).status_code == 409
    assert (await client.post(f"{admin}/companies/Beta & Co/activate")).status_code == 409
    await client.post(f"{admin}/companies/Beta & Co/load")
    active = (await client.post(f"{admin}/companies/Beta & Co/activate")).json()
    assert active["active"] is True
    assert active["period_from"] == "2024-04-01"
    demo = (await client.post(f"{admin}/companies", json={"data": "demo"})).json()
    assert demo["name"] == DEMO_COMPANY
    assert demo["counts"]["stock_items"] == 20
    assert (await client.delete(f"{admin}/companies/Beta & Co")).status_code == 204
    names = [c["name"] for c in (await client.get(f"{admin}/companies")).json()]
    assert names == ["Acme Traders", DEMO_COMPANY]
    assert (await client.get(f"{admin}/companies/Nobody")).status_code == 404


async def test_seed_masters_and_vouchers_through_the_import_engine(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    admin = f"{sim.admin_url}/companies/Acme Traders"
    masters = {
        "units": [{"name": "Nos"}],
        "godowns": [{"name": "Bhiwandi"}],
        "cost_centres": [{"name": "Walmart US"}],
        "ledgers": [
            {"name": "Walmart Marketplace", "parent": "Sundry Debtors", "bill_wise": True},
            {"name": "Sales - Walmart", "parent": "Sales Accounts"},
        ],
        "stock_groups": [{"name": "Toys"}],
        "stock_items": [
            {
                "name": "Toy Car",
                "parent": "Toys",
                "base_unit": "Nos",
                "hsn_code": "9503",
                "gst_rate": "12",
                "part_number": "TC-1",
                "aliases": ["Racer"],
                "godowns": [
                    {"godown": "Bhiwandi", "qty": "30", "rate": "100"},
                    {"qty": "5", "rate": "100"},
                ],
                "standard_prices": [{"date": "2025-04-01", "rate": "199"}],
            }
        ],
        "voucher_types": [
            {
                "name": "WM Sales",
                "parent": "Sales",
                "numbering_method": "Manual",
                "prevent_duplicates": True,
            }
        ],
    }
    result = (await client.post(f"{admin}/masters", json=masters)).json()
    assert result["created"] == 8
    assert result["exceptions"] == 0
    sale = [
        {
            "type": "WM Sales",
            "date": "2025-04-10",
            "number": "WM-1",
            "remote_id": "wm-order-1",
            "party_ledger": "Walmart Marketplace",
            "entries": [
                {
                    "ledger": "Walmart Marketplace",
                    "amount": "-398",
                    "party": True,
                    "bills": [{"name": "WM-1", "amount": "-398"}],
                }
            ],
            "inventory": [
                {
                    "item": "Toy Car",
                    "qty": "2",
                    "rate": "199",
                    "amount": "398",
                    "direction": "out",
                    "ledger": "Sales - Walmart",
                    "godown": "Bhiwandi",
                    "cost_centres": [{"cost_centre": "Walmart US", "amount": "398.00"}],
                }
            ],
        }
    ]
    assert (await client.post(f"{admin}/vouchers", json=sale)).json()["created"] == 1
    assert (await client.post(f"{admin}/vouchers", json=sale)).json()[
        "altered"
    ] == 1  # same REMOTEID
    [voucher] = (await client.get(f"{admin}/vouchers", params={"type": "WM Sales"})).json()
    assert voucher["number"] == "WM-1"
    assert voucher["remote_id"] == "wm-order-1"
    assert voucher["inventory"][0]["godowns"] == [{"godown": "Bhiwandi", "qty": "2"}]
    assert voucher["inventory"][0]["accounting"][0]["cost_centres"] == [
        {"category": "Primary Cost Category", "cost_centre": "Walmart US", "amount": "398.00"}
    ]
    stock = (await client.get(f"{admin}/stock/Racer")).json()
    assert stock["name"] == "Toy Car"
    assert stock["closing_qty"] == "33"
    assert stock["standard_price"] == "199.00"
    assert {g["godown"]: g["qty"] for g in stock["godowns"]} == {
        "Bhiwandi": "28",
        "Main Location": "5",
    }
    ledgers = {
        row["name"]: row["closing_balance"] for row in (await client.get(f"{admin}/ledgers")).json()
    }
    assert ledgers["Walmart Marketplace"] == "-398.00"
    refused = (await client.post(f"{admin}/vouchers", json=[{**sale[0], "remote_id": None}])).json()
    assert refused["exceptions"] == 1
    assert refused["line_error"] is None
    bad = await client.post(f"{admin}/masters", json={"ledgers": [{"name": "X"}]})
    assert bad.status_code == 422


async def test_voucher_listing_filters(make_sim: SimFactory, client: httpx.AsyncClient) -> None:
    sim = await make_sim(companies=[], data="demo")
    admin = f"{sim.admin_url}/companies/{DEMO_COMPANY}"
    may = (
        await client.get(
            f"{admin}/vouchers", params={"date_from": "2025-05-01", "date_to": "2025-05-31"}
        )
    ).json()
    assert [v["number"] for v in may] == ["WM-100251", "WMR-100234", "1"]
    one = (await client.get(f"{admin}/vouchers", params={"number": "WM-100234"})).json()
    assert one[0]["entries"][0]["bills"][0] == {
        "name": "WM-100234",
        "type": "New Ref",
        "amount": "-7878.00",
        "date": "2025-04-02",
    }


async def test_settings_patch_validates(sim: TallySimulator, client: httpx.AsyncClient) -> None:
    patched = await client.patch(
        f"{sim.admin_url}/settings", json={"profile": "educational", "request_log_limit": 5}
    )
    assert patched.status_code == 200
    assert patched.json()["profile"] == "educational"
    assert sim.settings.profile == "educational"
    assert sim.log.limit == 5
    assert (
        await client.patch(f"{sim.admin_url}/settings", json={"profile": "gold"})
    ).status_code == 422
    assert (
        await client.patch(f"{sim.admin_url}/settings", json={"no_such_switch": 1})
    ).status_code == 422


async def test_separate_id_namespace_for_new_companies(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    await client.patch(f"{sim.admin_url}/settings", json={"id_namespace": "separate"})
    await client.post(f"{sim.admin_url}/companies", json={"name": "Split Co"})
    seeded = [
        {
            "type": "Receipt",
            "date": "2025-04-10",
            "entries": [
                {"ledger": "Cash", "amount": "-1"},
                {"ledger": "Profit & Loss A/c", "amount": "1"},
            ],
        }
    ]
    await client.post(f"{sim.admin_url}/companies/Split Co/vouchers", json=seeded)
    [voucher] = (await client.get(f"{sim.admin_url}/companies/Split Co/vouchers")).json()
    assert (voucher["master_id"], voucher["alter_id"]) == (1, 1)
    company = (await client.get(f"{sim.admin_url}/companies/Split Co")).json()
    assert company["alt_vch_id"] == 1
    assert company["alt_mst_id"] > 50
    assert company["id_namespace"] == "separate"


async def test_reset_restores_the_initial_state(
    make_sim: SimFactory, client: httpx.AsyncClient
) -> None:
    sim = await make_sim(companies=["Acme Traders"], profile="educational")
    await client.post(f"{sim.admin_url}/companies", json={"name": "Temp"})
    await client.patch(f"{sim.admin_url}/settings", json={"import_response_shape": "envelope"})
    await client.put(f"{sim.admin_url}/faults/latency", json={"ms": 10})
    await client.post(f"{sim.admin_url}/faults/stop")
    answer = (await client.post(f"{sim.admin_url}/reset")).json()
    assert answer["companies"] == ["Acme Traders"]
    assert answer["latency_ms"] == 0
    assert answer["running"] is True
    assert sim.settings.profile == "educational"
    assert sim.settings.import_response_shape == "response"
    assert (await client.get(f"{sim.admin_url}/requests")).json() == []
    assert len(rows(await post(client, sim.url, collection("Ledger", "Name")), "LEDGER")) == 2


async def test_generate_stock_items(sim: TallySimulator, client: httpx.AsyncClient) -> None:
    admin = f"{sim.admin_url}/companies/Acme Traders"
    assert (
        await client.post(
            f"{admin}/stock-items/generate", json={"count": 50, "godowns": ["Nowhere"]}
        )
    ).status_code == 422
    assert (await client.post(f"{admin}/stock-items/generate", json={"count": 50})).json() == {
        "created": 50
    }
    items = rows(
        await post(
            client,
            sim.url,
            collection(
                "StockItem", "ClosingBalance,StandardPriceList,HSNDetails", company="Acme Traders"
            ),
        ),
        "STOCKITEM",
    )
    assert len(items) == 50
    assert items[0].get("NAME") == "Item 000001"
    assert txt(items[0], "STANDARDPRICELIST.LIST/RATE").endswith("/Nos")


async def test_health(sim: TallySimulator, client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{sim.admin_url}/health")).json() == {
        "status": "ok",
        "tally_port_running": True,
        "tally_url": sim.url,
    }
