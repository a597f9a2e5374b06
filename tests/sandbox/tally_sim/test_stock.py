"""Stock items: export fields, godown-wise balances moved by vouchers, stock adjustments
(tally-xml.md §3.3, §4.2, §4.4)."""

from __future__ import annotations

from decimal import Decimal

import httpx
from lxml import etree
from tally_sim import DEMO_COMPANY, TallySimulator

from tests.sandbox.tally_sim.conftest import SimFactory
from tests.sandbox.tally_sim.support import (
    SYSTEM,
    collection,
    company,
    counters,
    legacy_import,
    parse,
    post,
    rows,
    sales_invoice,
    txt,
)

STOCK_FETCH = "Name,Parent,BaseUnits,PartNo,GUID,MasterId,AlterId,ClosingBalance,ClosingRate,ClosingValue,StandardPriceList,HSNDetails,GSTDetails,BatchAllocations"


def _item(text: str, name: str) -> etree._Element:
    return next(r for r in rows(text, "STOCKITEM") if r.get("NAME") == name)


async def test_demo_stock_item_export(make_sim: SimFactory, client: httpx.AsyncClient) -> None:
    sim = await make_sim(companies=[], data="demo")
    text = await post(client, sim.url, collection("StockItem", STOCK_FETCH, company=DEMO_COMPANY))
    assert len(rows(text, "STOCKITEM")) == 20
    tiffin = _item(text, "Steel Tiffin Box 3-Tier")
    assert tiffin.findtext("PARENT") == "Kitchenware"
    assert tiffin.findtext("BASEUNITS") == "Pcs"
    assert tiffin.findtext("PARTNO") == "SHK-KT-001"
    # 120 + 40 opening, +50 purchased, -4 sold, +1 returned, all in Chennai except the 40.
    assert tiffin.findtext("CLOSINGBALANCE") == " 207 Pcs"
    rate = Decimal(txt(tiffin, "CLOSINGRATE").split("/")[0])
    assert txt(tiffin, "CLOSINGRATE").endswith("/Pcs")
    value = Decimal(txt(tiffin, "CLOSINGVALUE"))
    assert value < 0
    assert abs(value + rate * 207) <= Decimal("1.05")
    godowns = {
        b.findtext("GODOWNNAME"): (b.findtext("OPENINGBALANCE"), b.findtext("CLOSINGBALANCE"))
        for b in tiffin.findall("BATCHALLOCATIONS.LIST")
    }
    assert godowns == {
        "Chennai Warehouse": (" 120 Pcs", " 167 Pcs"),
        "Coimbatore Store": (" 40 Pcs", " 40 Pcs"),
    }
    prices = [
        (p.findtext("DATE"), p.findtext("RATE")) for p in tiffin.findall("STANDARDPRICELIST.LIST")
    ]
    assert prices == [("20250401", "650.00/Pcs"), ("20250701", "675.00/Pcs")]
    assert tiffin.findtext("HSNDETAILS.LIST/HSNCODE") == "7323"
    rates = {
        r.findtext("GSTRATEDUTYHEAD"): txt(r, "GSTRATE").strip()
        for r in tiffin.findall("GSTDETAILS.LIST/STATEWISEDETAILS.LIST/RATEDETAILS.LIST")
    }
    assert rates == {"CGST": "6", "SGST/UTGST": "6", "IGST": "12"}
    assert tiffin.findtext("GSTDETAILS.LIST/STATEWISEDETAILS.LIST/STATENAME") == f"{SYSTEM} Any"
    names = [n.text for n in tiffin.findall("LANGUAGENAME.LIST/NAME.LIST/NAME")]
    assert names == ["Steel Tiffin Box 3-Tier", "स्टील टिफिन"]
    lamp = _item(text, "Table Lamp Ceramic")  # nothing in stock: closing fields empty (§3.3)
    assert (
        lamp.findtext("CLOSINGBALANCE"),
        lamp.findtext("CLOSINGVALUE"),
        lamp.findtext("CLOSINGRATE"),
    ) == ("", "", "")


async def test_alias_finds_the_item(make_sim: SimFactory, client: httpx.AsyncClient) -> None:
    sim = await make_sim(companies=[], data="demo")
    request = (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Export</TALLYREQUEST><TYPE>Object</TYPE>"
        '<SUBTYPE>Stock Item</SUBTYPE><ID TYPE="Name">Tamba Bottle</ID></HEADER><BODY><DESC>'
        f"<STATICVARIABLES><SVCURRENTCOMPANY>{DEMO_COMPANY.replace('&', '&amp;')}</SVCURRENTCOMPANY></STATICVARIABLES>"
        "<FETCHLIST><FETCH>ClosingBalance</FETCH></FETCHLIST></DESC></BODY></ENVELOPE>"
    )
    assert (
        rows(await post(client, sim.url, request), "STOCKITEM")[0].get("NAME")
        == "Copper Water Bottle 1L"
    )


async def test_sales_move_stock_out_and_credit_notes_back_in(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    batch = sales_invoice("20250415", "Widget", 10, "100.00") + sales_invoice(
        "20250416", "Widget", 3, "100.00", godown="Pune Depot"
    )
    assert (
        counters(await post(client, books.url, legacy_import(batch, "Acme Traders")))["created"]
        == 2
    )
    stock = (await client.get(f"{books.admin_url}/companies/Acme Traders/stock/Widget")).json()
    assert stock["closing_qty"] == "87"
    assert {g["godown"]: g["qty"] for g in stock["godowns"]} == {
        "Main Location": "90",
        "Pune Depot": "-3",
    }
    returned = sales_invoice(
        "20250420", "Widget", 2, "100.00", godown="Pune Depot", credit_note=True
    )
    assert (
        counters(await post(client, books.url, legacy_import(returned, "Acme Traders")))["created"]
        == 1
    )
    text = await post(
        client,
        books.url,
        collection("StockItem", "ClosingBalance,BatchAllocations", company="Acme Traders"),
    )
    widget = _item(text, "Widget")
    assert widget.findtext("CLOSINGBALANCE") == " 89 Nos"
    assert {b.findtext("GODOWNNAME"): b.findtext("CLOSINGBALANCE") for b in widget.findall("BATCHALLOCATIONS.LIST")} == {
        "Main Location": " 90 Nos", "Pune Depot": " -1 Nos",
    }  # fmt: skip
    ledgers = {
        row["name"]: row["closing_balance"]
        for row in (await client.get(f"{books.admin_url}/companies/Acme Traders/ledgers")).json()
    }
    assert ledgers["Sales"] == "1100.00"
    assert ledgers["Ram & Sons"] == "-1100.00"


async def test_deleting_a_sale_restores_stock(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    await post(
        client,
        books.url,
        legacy_import(
            sales_invoice("20250415", "Widget", 10, "100.00", remote_id="s-1"), "Acme Traders"
        ),
    )
    await post(
        client,
        books.url,
        legacy_import(
            '<VOUCHER REMOTEID="s-1" VCHTYPE="Sales" ACTION="Delete"></VOUCHER>', "Acme Traders"
        ),
    )
    stock = (await client.get(f"{books.admin_url}/companies/Acme Traders/stock/Widget")).json()
    assert stock["closing_qty"] == "100"


async def test_stock_adjustment_as_stock_journal_moves_the_voucher_mark(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    acme = company(books)
    item = acme.stock_items.get("Widget")
    assert item is not None
    alter_before, vch_before, mst_before = (
        item.alter_id,
        acme.ids.alt_vch_id,
        acme.ids.alt_mst_id,
    )
    answer = await client.post(
        f"{books.admin_url}/companies/Acme Traders/stock-adjustments",
        json={"item": "Widget", "godown": "Pune Depot", "qty": "25", "date": "2025-04-20"},
    )
    assert answer.status_code == 200
    assert answer.json()["changed"] is True
    assert item.alter_id == alter_before
    assert acme.ids.alt_mst_id == mst_before
    assert acme.ids.alt_vch_id > vch_before
    text = await post(
        client,
        books.url,
        collection("StockItem", "ClosingBalance,BatchAllocations", company="Acme Traders"),
    )
    godowns = {
        b.findtext("GODOWNNAME"): b.findtext("CLOSINGBALANCE")
        for b in _item(text, "Widget").findall("BATCHALLOCATIONS.LIST")
    }
    assert godowns["Pune Depot"] == " 25 Nos"
    journal = rows(
        await post(
            client, books.url, collection("Voucher", "VoucherTypeName", company="Acme Traders")
        ),
        "VOUCHER",
    )
    assert [v.findtext("VOUCHERTYPENAME") for v in journal] == ["Stock Journal"]
    down = await client.post(
        f"{books.admin_url}/companies/Acme Traders/stock-adjustments",
        json={"item": "Widget", "qty": "40"},
    )
    assert down.json()["changed"] is True
    assert (await client.get(f"{books.admin_url}/companies/Acme Traders/stock/Widget")).json()[
        "closing_qty"
    ] == "65"


async def test_stock_adjustment_of_opening_alters_the_master(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    acme = company(books)
    item = acme.stock_items.get("Widget")
    assert item is not None
    before = item.alter_id
    answer = await client.post(
        f"{books.admin_url}/companies/Acme Traders/stock-adjustments",
        json={"item": "Widget", "qty": "70", "mode": "opening"},
    )
    assert answer.json()["changed"] is True
    assert item.alter_id > before
    assert acme.ids.alt_mst_id == item.alter_id
    text = await post(
        client,
        books.url,
        collection(
            "StockItem", "ClosingBalance", {"C": f"$AlterID > {before}"}, company="Acme Traders"
        ),
    )
    assert [r.findtext("CLOSINGBALANCE") for r in rows(text, "STOCKITEM")] == [" 70 Nos"]
    missing = await client.post(
        f"{books.admin_url}/companies/Acme Traders/stock-adjustments",
        json={"item": "Nope", "qty": "1"},
    )
    assert missing.status_code == 422


async def test_stock_summary_total_equals_item_closing_values(
    make_sim: SimFactory, client: httpx.AsyncClient
) -> None:
    sim = await make_sim(companies=[], data="demo")
    company = DEMO_COMPANY.replace("&", "&amp;")
    report = (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Export</TALLYREQUEST><TYPE>Data</TYPE>"
        f"<ID>Stock Summary</ID></HEADER><BODY><DESC><STATICVARIABLES><SVCURRENTCOMPANY>{company}"
        "</SVCURRENTCOMPANY></STATICVARIABLES></DESC></BODY></ENVELOPE>"
    )
    summary = parse(await post(client, sim.url, report))
    groups = [e.text for e in summary.findall("DSPACCNAME/DSPDISPNAME")]
    assert groups == ["Bath & Linen", "Home Decor", "Kitchenware", "Storage"]
    total = sum(Decimal(e.text) for e in summary.findall("DSPSTKINFO/DSPSTKCL/DSPCLAMTA") if e.text)
    items = await post(
        client, sim.url, collection("StockItem", "ClosingValue", company=DEMO_COMPANY)
    )
    item_total = sum(
        Decimal(txt(r, "CLOSINGVALUE"))
        for r in rows(items, "STOCKITEM")
        if r.findtext("CLOSINGVALUE")
    )
    assert total == item_total
    assert total < 0


async def test_blank_closing_balances_switch(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    books.settings.blank_closing_balances = True
    text = await post(
        client,
        books.url,
        collection("StockItem", "ClosingBalance,ClosingValue", company="Acme Traders"),
    )
    widget = _item(text, "Widget")
    assert (widget.findtext("CLOSINGBALANCE"), widget.findtext("CLOSINGVALUE")) == ("", "")
