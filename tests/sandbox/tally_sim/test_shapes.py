"""Response shapes A to I of tally-xml.md §1.4, as raw bytes over HTTP."""

from __future__ import annotations

import httpx
from tally_sim import TallySimulator

from tests.sandbox.tally_sim.conftest import SimFactory
from tests.sandbox.tally_sim.support import (
    SYSTEM,
    collection,
    company,
    counters,
    el,
    legacy_import,
    parse,
    post,
    receipt,
    rows,
    text_of,
    txt,
)


async def test_a_collection_envelope_with_cmpinfo_and_typed_rows(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    text = await post(
        client,
        books.url,
        collection(
            "Ledger", "Name,Parent,ClosingBalance,GUID,MasterId,AlterId", company="Acme Traders"
        ),
    )
    root = parse(text)
    assert root.tag == "ENVELOPE"
    assert root.findtext("HEADER/VERSION") == "1"
    assert root.findtext("HEADER/STATUS") == "1"
    cmpinfo = root.find("BODY/DESC/CMPINFO")
    assert cmpinfo is not None
    # CMPINFO counters carry the same tag names as the rows (§3.2).
    assert cmpinfo.findtext("LEDGER") == str(len(rows(text, "LEDGER")))
    assert cmpinfo.find("VOUCHER") is not None
    ram = next(r for r in rows(text, "LEDGER") if r.get("NAME") == "Ram & Sons")
    assert ram.get("RESERVEDNAME") == ""
    assert el(ram, "PARENT").get("TYPE") == "String"
    assert text_of(ram, "CLOSINGBALANCE") == "0.00"
    assert el(ram, "CLOSINGBALANCE").get("TYPE") == "Amount"
    assert el(ram, "ALTERID").get("TYPE") == "Number"
    assert txt(ram, "ALTERID").startswith(" ")
    company_guid = company(books, "Acme Traders").guid
    master_id = int(txt(ram, "MASTERID"))
    assert ram.findtext("GUID") == f"{company_guid}-{master_id:08x}"
    assert [n.text for n in ram.findall("LANGUAGENAME.LIST/NAME.LIST/NAME")] == ["Ram & Sons"]
    # Attribute values come back escaped, and system values are `&#4; ...` (§3.2).
    assert 'NAME="Ram &amp; Sons"' in text
    pl = next(r for r in rows(text, "LEDGER") if r.get("RESERVEDNAME") == "Profit & Loss A/c")
    assert pl.findtext("PARENT") == f"{SYSTEM} Primary"
    assert '<OBJECTUPDATEACTION TYPE="String">&#4; Resave</OBJECTUPDATEACTION>' in text


async def test_a_object_export(books: TallySimulator, client: httpx.AsyncClient) -> None:
    request = (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Export</TALLYREQUEST><TYPE>Object</TYPE>"
        '<SUBTYPE>Ledger</SUBTYPE><ID TYPE="Name">ram &amp; sons</ID></HEADER><BODY><DESC>'
        "<FETCHLIST><FETCH>*</FETCH></FETCHLIST></DESC></BODY></ENVELOPE>"
    )
    text = await post(client, books.url, request)
    found = rows(text, "LEDGER")
    assert len(found) == 1
    assert found[0].get("NAME") == "Ram & Sons"
    assert found[0].findtext("ISBILLWISEON") == "Yes"


async def test_b_builtin_report_has_no_header_or_status(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    request = (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Export</TALLYREQUEST><TYPE>Data</TYPE>"
        "<ID>Stock Summary</ID></HEADER><BODY><DESC><STATICVARIABLES><SVCURRENTCOMPANY>Acme Traders"
        "</SVCURRENTCOMPANY></STATICVARIABLES></DESC></BODY></ENVELOPE>"
    )
    root = parse(await post(client, books.url, request))
    assert root.tag == "ENVELOPE"
    assert root.find("HEADER") is None
    assert [e.tag for e in root] == ["DSPACCNAME", "DSPSTKINFO"]
    assert root.findtext("DSPACCNAME/DSPDISPNAME") == "Widget"
    assert root.findtext("DSPSTKINFO/DSPSTKCL/DSPCLQTY") == " 100 Nos"
    assert root.findtext("DSPSTKINFO/DSPSTKCL/DSPCLAMTA") == "-6000.00"


async def test_c_inline_report_uses_xmltags_and_needs_scrolling(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    def report(scrolled: str) -> str:
        return (
            "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Export</TALLYREQUEST><TYPE>Data</TYPE>"
            "<ID>MyReport</ID></HEADER><BODY><DESC><STATICVARIABLES><SVCURRENTCOMPANY>Acme Traders"
            "</SVCURRENTCOMPANY></STATICVARIABLES><TDL><TDLMESSAGE>"
            '<REPORT NAME="MyReport"><FORMS>MyForm</FORMS></REPORT>'
            '<FORM NAME="MyForm"><PARTS>MyPart</PARTS></FORM>'
            f'<PART NAME="MyPart"><LINES>MyLine</LINES><REPEAT>MyLine : MyColl</REPEAT>{scrolled}</PART>'
            '<LINE NAME="MyLine"><FIELDS>FldName,Fld Parent</FIELDS><XMLTAG>ROW</XMLTAG></LINE>'
            '<FIELD NAME="FldName"><SET>$Name</SET><XMLTAG>F01</XMLTAG></FIELD>'
            '<FIELD NAME="Fld Parent"><SET>$Parent</SET></FIELD>'
            '<COLLECTION NAME="MyColl"><TYPE>Ledger</TYPE><FILTER>OnlyBanks</FILTER></COLLECTION>'
            '<SYSTEM TYPE="Formulae" NAME="OnlyBanks">$Parent = "Bank Accounts"</SYSTEM>'
            "</TDLMESSAGE></TDL></DESC></BODY></ENVELOPE>"
        )

    root = parse(await post(client, books.url, report("<SCROLLED>Vertical</SCROLLED>")))
    assert root.find("HEADER") is None
    assert [(r.findtext("F01"), r.findtext("FLDPARENT")) for r in root.findall("ROW")] == [
        ("HDFC Bank", "Bank Accounts")
    ]
    empty = parse(await post(client, books.url, report("")))
    assert empty.tag == "ENVELOPE"
    assert len(empty) == 0


async def test_c_inline_report_ascii_comma_delimited(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    request = (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Export</TALLYREQUEST><TYPE>Data</TYPE>"
        "<ID>MyReport</ID></HEADER><BODY><DESC><STATICVARIABLES>"
        "<SVEXPORTFORMAT>ASCII (Comma Delimited)</SVEXPORTFORMAT></STATICVARIABLES><TDL><TDLMESSAGE>"
        '<REPORT NAME="MyReport"><FORMS>MyForm</FORMS></REPORT><FORM NAME="MyForm"><PARTS>MyPart</PARTS></FORM>'
        '<PART NAME="MyPart"><LINES>MyLine</LINES><REPEAT>MyLine : MyCollection</REPEAT><SCROLLED>Vertical</SCROLLED></PART>'
        '<LINE NAME="MyLine"><FIELDS>FldAlterMaster,FldAlterTransaction</FIELDS></LINE>'
        '<FIELD NAME="FldAlterMaster"><SET>$AltMstId</SET></FIELD><FIELD NAME="FldAlterTransaction"><SET>$AltVchId</SET></FIELD>'
        '<COLLECTION NAME="MyCollection"><TYPE>Company</TYPE><FILTER>FilterActiveCompany</FILTER></COLLECTION>'
        '<SYSTEM TYPE="Formulae" NAME="FilterActiveCompany">$$IsEqual:##SVCurrentCompany:$Name</SYSTEM>'
        "</TDLMESSAGE></TDL></DESC></BODY></ENVELOPE>"
    )
    text = await post(client, books.url, request)
    acme = company(books)
    assert text == f'"{acme.ids.alt_mst_id}","{acme.ids.alt_vch_id}",\r\n'


async def test_d_import_response_is_bare_response_with_counters(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    text = await post(
        client, books.url, legacy_import(receipt("20250415", "500.00"), "Acme Traders")
    )
    assert text.startswith("<RESPONSE>")
    assert "<ENVELOPE>" not in text
    assert [e.tag for e in parse(text)] == [
        "CREATED", "ALTERED", "DELETED", "LASTVCHID", "LASTMID", "COMBINED", "IGNORED", "ERRORS", "CANCELLED", "EXCEPTIONS",
    ]  # fmt: skip


async def test_d_prime_envelope_import_result_switch(
    make_sim: SimFactory, client: httpx.AsyncClient
) -> None:
    sim = await make_sim()
    sim.settings.import_response_shape = "envelope"
    sim.settings.lineerror_position = "first"
    text = await post(
        client, sim.url, legacy_import(receipt("20250415", "5.00", party="Nobody"), "Acme Traders")
    )
    root = parse(text)
    assert root.findtext("HEADER/STATUS") == "1"
    data = el(root, "BODY/DATA")
    assert [e.tag for e in data] == ["LINEERROR", "IMPORTRESULT"]
    assert data.findtext("IMPORTRESULT/EXCEPTIONS") == "1"
    assert data.findtext("LINEERROR") == "Ledger 'HDFC Bank' does not exist!"


async def test_e_unknown_request(sim: TallySimulator, client: httpx.AsyncClient) -> None:
    unknown = "<RESPONSE>Unknown Request, cannot be processed</RESPONSE>"
    malformed = "<ENVELOPE><HEADER><TALLYREQUEST>Import Data</TALLYREQUEST></HEADER><BODY><PARENT>Duties & Taxes</PARENT></BODY></ENVELOPE>"
    assert (await post(client, sim.url, malformed)).strip() == unknown
    unknown_report = (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Export</TALLYREQUEST><TYPE>Data</TYPE>"
        "<ID>No Such Report</ID></HEADER></ENVELOPE>"
    )
    assert (await post(client, sim.url, unknown_report)).strip() == unknown
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ENVELOPE>&a;</ENVELOPE>'
    assert (await post(client, sim.url, bomb)).strip() == unknown


async def test_f_company_cannot_be_selected(sim: TallySimulator, client: httpx.AsyncClient) -> None:
    report = (
        "<ENVELOPE><HEADER><TALLYREQUEST>Export Data</TALLYREQUEST></HEADER><BODY><EXPORTDATA><REQUESTDESC>"
        "<REPORTNAME>Day Book</REPORTNAME><STATICVARIABLES><SVCURRENTCOMPANY>Ghost Co</SVCURRENTCOMPANY>"
        "</STATICVARIABLES></REQUESTDESC></EXPORTDATA></BODY></ENVELOPE>"
    )
    root = parse(await post(client, sim.url, report))
    assert root.tag == "ENVELOPE"
    assert root.findtext("LINEERROR") == "Could not set 'SVCurrentCompany' to 'Ghost Co'"


async def test_g_function_results(sim: TallySimulator, client: httpx.AsyncClient) -> None:
    def function(name: str) -> str:
        return f"<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Export</TALLYREQUEST><TYPE>Function</TYPE><ID>{name}</ID></HEADER></ENVELOPE>"

    start = el(
        parse(await post(client, sim.url, function("$$SystemPeriodFrom"))), "BODY/DATA/RESULT"
    )
    assert start.get("TYPE") == "Date"
    assert start.text == "1-Apr-2025"
    assert start.get("JD") == "45748"  # OLE serial (LOADER adds 25569 to reach Unix days)
    end = el(parse(await post(client, sim.url, function("$$SystemPeriodTo"))), "BODY/DATA/RESULT")
    assert end.text == "31-Mar-2026"
    name = el(
        parse(await post(client, sim.url, function("$$CurrentSimpleCompany"))), "BODY/DATA/RESULT"
    )
    assert name.get("TYPE") == "String"
    assert name.text == "Acme Traders"
    sim.settings.jd_epoch = "1900"
    shifted = el(
        parse(await post(client, sim.url, function("$$SystemPeriodFrom"))), "BODY/DATA/RESULT"
    )
    assert shifted.get("JD") == "45747"


async def test_h_liveness(sim: TallySimulator, client: httpx.AsyncClient) -> None:
    response = await client.get(sim.url)
    assert response.status_code == 200
    assert response.content == b"<RESPONSE>TallyPrime Server is Running</RESPONSE>\r\n"
    assert len(response.content) == 51


async def test_i_status_zero_for_load_company(
    sim: TallySimulator, client: httpx.AsyncClient
) -> None:
    request = "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Load Company</TALLYREQUEST></HEADER></ENVELOPE>"
    root = parse(await post(client, sim.url, request))
    assert root.findtext("HEADER/STATUS") == "0"


async def test_counters_helper_reads_single_lineerror(
    books: TallySimulator, client: httpx.AsyncClient
) -> None:
    result = counters(
        await post(
            client,
            books.url,
            legacy_import(receipt("20250415", "1.00", party="Nobody"), "Acme Traders"),
        )
    )
    assert result["exceptions"] == 1
    assert result["lineerror"] == "Ledger 'Nobody' does not exist!"
