"""Built-in reports integrators use (tally-xml.md §2.1, §1.4 B): Day Book, Voucher Register,
List of Accounts, Trial Balance, in Tally's data-interchange or display form."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from tally_sim import DEMO_COMPANY, TallySimulator

from tests.sandbox.tally_sim.conftest import SimFactory
from tests.sandbox.tally_sim.support import el, esc, parse, post

COMPANY = esc(DEMO_COMPANY)


def _legacy(report: str, **static: str) -> str:
    variables = "".join(f"<{k.upper()}>{v}</{k.upper()}>" for k, v in static.items())
    return (
        "<ENVELOPE><HEADER><TALLYREQUEST>Export Data</TALLYREQUEST></HEADER><BODY><EXPORTDATA><REQUESTDESC>"
        f"<REPORTNAME>{report}</REPORTNAME><STATICVARIABLES><SVCURRENTCOMPANY>{COMPANY}</SVCURRENTCOMPANY>"
        f"<SVEXPORTFORMAT>$$SysName:XML</SVEXPORTFORMAT>{variables}</STATICVARIABLES>"
        "</REQUESTDESC></EXPORTDATA></BODY></ENVELOPE>"
    )


@pytest.fixture
async def demo(make_sim: SimFactory) -> TallySimulator:
    return await make_sim(companies=[], data="demo")


def _vouchers(text: str) -> list[tuple[str, str, str]]:
    root = parse(text)
    found = root.findall("BODY/IMPORTDATA/REQUESTDATA/TALLYMESSAGE/VOUCHER")
    return [
        (str(v.findtext("DATE")), str(v.get("VCHTYPE")), str(v.findtext("VOUCHERNUMBER")))
        for v in found
    ]


async def test_day_book_in_interchange_form(
    demo: TallySimulator, client: httpx.AsyncClient
) -> None:
    text = await post(
        client, demo.url, _legacy("Day Book", svfromdate="20250501", svtodate="20250531")
    )
    root = parse(text)
    assert root.findtext("HEADER/TALLYREQUEST") == "Import Data"
    assert root.find("HEADER/STATUS") is None
    assert root.findtext("BODY/IMPORTDATA/REQUESTDESC/REPORTNAME") == "Vouchers"
    assert _vouchers(text) == [
        ("20250501", "Sales", "WM-100251"),
        ("20250502", "Credit Note", "WMR-100234"),
        ("20250531", "Receipt", "1"),
    ]
    first = el(root, "BODY/IMPORTDATA/REQUESTDATA/TALLYMESSAGE/VOUCHER")
    assert first.get("ACTION") == "Create"
    assert el(first, "DATE").get("TYPE") is None
    tail = root.findall("BODY/IMPORTDATA/REQUESTDATA/TALLYMESSAGE")[-1]
    info = el(tail, "COMPANY/REMOTECMPINFO.LIST")
    assert info.get("MERGE") == "Yes"
    assert info.findtext("REMOTECMPNAME") == DEMO_COMPANY
    assert 'xmlns:UDF="TallyUDF"' in text


async def test_day_book_without_dates_is_the_current_day(
    demo: TallySimulator, client: httpx.AsyncClient
) -> None:
    assert _vouchers(await post(client, demo.url, _legacy("Day Book"))) == [
        ("20250802", "Sales", "WM-100312")
    ]


async def test_voucher_register_filters_by_type(
    demo: TallySimulator, client: httpx.AsyncClient
) -> None:
    request = _legacy(
        "Voucher Register", vouchertypename="Sales", svfromdate="20250401", svtodate="20250731"
    )
    assert _vouchers(await post(client, demo.url, request)) == [
        ("20250402", "Sales", "WM-100234"), ("20250501", "Sales", "WM-100251"), ("20250602", "Sales", "LS-0001"),
    ]  # fmt: skip


async def test_quirky_date_ranges(demo: TallySimulator, client: httpx.AsyncClient) -> None:
    demo.settings.report_date_range = "quirky"
    assert _vouchers(
        await post(
            client, demo.url, _legacy("Day Book", svfromdate="20250401", svtodate="20250430")
        )
    ) == [("20250802", "Sales", "WM-100312")]
    assert (
        len(
            _vouchers(
                await post(
                    client,
                    demo.url,
                    _legacy("Voucher Register", svfromdate="20250401", svtodate="20250401"),
                )
            )
        )
        == 10
    )


async def test_report_wrapper_switch(demo: TallySimulator, client: httpx.AsyncClient) -> None:
    demo.settings.report_wrapper = "data"
    root = parse(
        await post(
            client, demo.url, _legacy("Day Book", svfromdate="20250401", svtodate="20250401")
        )
    )
    assert [v.get("VCHTYPE") for v in root.findall("BODY/DATA/TALLYMESSAGE/VOUCHER")] == [
        "Purchase"
    ]


async def test_cancelled_vouchers_hidden_from_day_book(
    demo: TallySimulator, client: httpx.AsyncClient
) -> None:
    cancel = (
        "<ENVELOPE><HEADER><TALLYREQUEST>Import Data</TALLYREQUEST></HEADER><BODY><IMPORTDATA><REQUESTDESC>"
        f"<STATICVARIABLES><SVCURRENTCOMPANY>{COMPANY}</SVCURRENTCOMPANY></STATICVARIABLES></REQUESTDESC>"
        '<REQUESTDATA><TALLYMESSAGE><VOUCHER DATE="20250501" TAGNAME="VoucherNumber" TAGVALUE="WM-100251" '
        'VCHTYPE="Sales" ACTION="Cancel"></VOUCHER></TALLYMESSAGE></REQUESTDATA></IMPORTDATA></BODY></ENVELOPE>'
    )
    assert "<ALTERED>1</ALTERED>" in await post(client, demo.url, cancel)
    assert (
        _vouchers(
            await post(
                client, demo.url, _legacy("Day Book", svfromdate="20250501", svtodate="20250501")
            )
        )
        == []
    )


async def test_educational_period_widens_on_odd_to_date(
    make_sim: SimFactory, client: httpx.AsyncClient
) -> None:
    sim = await make_sim(companies=[], data="demo", profile="educational")
    # SVTODATE on the 15th is silently ignored: the whole book comes back (§2.7).
    assert (
        len(
            _vouchers(
                await post(
                    client, sim.url, _legacy("Day Book", svfromdate="20250501", svtodate="20250515")
                )
            )
        )
        == 10
    )


@pytest.mark.parametrize(
    ("account_type", "tags"),
    [
        (None, {"GROUP", "LEDGER"}),
        ("Ledgers", {"LEDGER"}),
        ("All Inventory Masters", {"UNIT", "GODOWN", "STOCKGROUP", "STOCKITEM"}),
        (
            "All Masters",
            {
                "GROUP",
                "LEDGER",
                "COSTCATEGORY",
                "COSTCENTRE",
                "CURRENCY",
                "VOUCHERTYPE",
                "UNIT",
                "GODOWN",
                "STOCKGROUP",
                "STOCKITEM",
            },
        ),
    ],
)
async def test_list_of_accounts(
    demo: TallySimulator, client: httpx.AsyncClient, account_type: str | None, tags: set[str]
) -> None:
    extra = {"accounttype": account_type} if account_type else {}
    root = parse(await post(client, demo.url, _legacy("List of Accounts", **extra)))
    found = {m[0].tag for m in root.findall("BODY/IMPORTDATA/REQUESTDATA/TALLYMESSAGE")} - {
        "COMPANY"
    }
    assert found == tags
    assert root.findtext("BODY/IMPORTDATA/REQUESTDESC/REPORTNAME") == "All Masters"


async def test_list_of_accounts_unknown_type(
    demo: TallySimulator, client: httpx.AsyncClient
) -> None:
    text = await post(client, demo.url, _legacy("List of Accounts", accounttype="Spaceships"))
    assert text.strip() == "<RESPONSE>Unknown Request, cannot be processed</RESPONSE>"


async def test_trial_balance_balances(demo: TallySimulator, client: httpx.AsyncClient) -> None:
    request = (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Export</TALLYREQUEST><TYPE>Data</TYPE><ID>Trial Balance</ID>"
        f"</HEADER><BODY><DESC><STATICVARIABLES><SVCURRENTCOMPANY>{COMPANY}</SVCURRENTCOMPANY></STATICVARIABLES>"
        "</DESC></BODY></ENVELOPE>"
    )
    root = parse(await post(client, demo.url, request))
    names = [e.text for e in root.findall("DSPACCNAME/DSPDISPNAME")]
    assert "Sales Accounts" in names
    assert "Current Assets" in names
    debits = sum(
        Decimal(e.text) for e in root.findall("DSPACCINFO/DSPCLDRAMT/DSPCLDRAMTA") if e.text
    )
    credits = sum(
        Decimal(e.text) for e in root.findall("DSPACCINFO/DSPCLCRAMT/DSPCLCRAMTA") if e.text
    )
    assert debits < 0 < credits
    assert debits + credits == 0
