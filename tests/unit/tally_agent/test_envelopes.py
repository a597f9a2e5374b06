"""Request envelopes (tally-xml.md §2) and master elements (§4.8)."""

from __future__ import annotations

from datetime import date

from mlc_shared.domain.tally import CostCentreSpec, GroupSpec, LedgerSpec, StockItemSpec
from tally_agent.protocol import filters
from tally_agent.protocol.envelopes import (
    Collection,
    RequestContext,
    export_collection,
    export_function,
    import_data,
    tdl_string,
)
from tally_agent.protocol.masters import render_master
from tally_agent.protocol.xmlstream import parse_document


def test_collection_export_envelope() -> None:
    ctx = RequestContext(company="Acme & Co")
    text = export_collection(
        ctx, Collection("MlcLedgers", "Ledger", ("Name", "GUID"), (filters.alter_id_above(1200),))
    )
    assert "$AlterID &gt; 1200" in text  # < and > escaped inside formulas (§2.2)
    assert "Acme &amp; Co" in text
    root = parse_document(text)
    assert root.findtext("HEADER/VERSION") == "1"
    assert root.findtext("HEADER/TALLYREQUEST") == "Export"
    assert root.findtext("HEADER/TYPE") == "Collection"
    assert root.findtext("HEADER/ID") == "MlcLedgers"  # ID equals the collection name
    static = root.find("BODY/DESC/STATICVARIABLES")
    assert static is not None
    assert static.findtext("SVCURRENTCOMPANY") == "Acme & Co"
    assert static.findtext("SVEXPORTFORMAT") == "$$SysName:XML"
    assert static.find("SVUSERNAME") is None  # credentials only when configured
    collection = root.find("BODY/DESC/TDL/TDLMESSAGE/COLLECTION")
    assert collection is not None
    assert collection.get("NAME") == "MlcLedgers"
    assert collection.findtext("TYPE") == "Ledger"
    assert collection.findtext("FETCH") == "Name, GUID"
    assert collection.findtext("FILTER") == "mlcFilter0"
    system = root.find("BODY/DESC/TDL/TDLMESSAGE/SYSTEM")
    assert system is not None
    assert (system.get("TYPE"), system.get("NAME"), system.text) == (
        "Formulae",
        "mlcFilter0",
        "$AlterID > 1200",
    )


def test_credentials_when_configured() -> None:
    root = parse_document(
        export_function(
            RequestContext(company="A", username="owner", password="s3cret"), "$$CurrentDate"
        )
    )
    assert root.findtext("HEADER/TYPE") == "Function"
    assert root.findtext("BODY/DESC/STATICVARIABLES/SVUSERNAME") == "owner"
    assert root.findtext("BODY/DESC/STATICVARIABLES/SVPASSWORD") == "s3cret"


def test_filters_quote_tdl_strings() -> None:
    assert tdl_string('WM "1"') == '"WM ""1"""'
    assert filters.voucher_number_is('A"B') == '$VoucherNumber = "A""B"'
    assert (
        filters.date_between(date(2025, 4, 1), date(2025, 4, 30))
        == '$Date >= $$Date:"20250401" AND $Date <= $$Date:"20250430"'
    )
    assert filters.voucher_type_is("Credit Note") == '$VoucherTypeName = "Credit Note"'


def test_import_envelope_styles() -> None:
    ctx = RequestContext(company="Acme")
    v1 = parse_document(
        import_data(
            ctx, "All Masters", [render_master(LedgerSpec(name="L", parent="Sundry Debtors"))]
        )
    )
    assert v1.findtext("HEADER/TALLYREQUEST") == "Import"
    assert v1.findtext("HEADER/ID") == "All Masters"
    assert v1.find("BODY/DATA/TALLYMESSAGE/LEDGER") is not None  # under DATA, not DESC (§2.4)
    legacy = parse_document(import_data(ctx, "Vouchers", [], style="legacy"))
    assert legacy.findtext("HEADER/TALLYREQUEST") == "Import Data"
    assert legacy.findtext("BODY/IMPORTDATA/REQUESTDESC/REPORTNAME") == "Vouchers"
    assert legacy.find("BODY/IMPORTDATA/REQUESTDATA/TALLYMESSAGE") is not None


def test_masters() -> None:
    ctx = RequestContext()
    text = import_data(
        ctx,
        "All Masters",
        [
            render_master(GroupSpec(name="North & East Debtors")),
            render_master(CostCentreSpec(name="Walmart")),
            render_master(StockItemSpec(name="Widget", base_unit="Nos", hsn_code="8471")),
            render_master(
                LedgerSpec(name="Ram & Sons", parent="Sundry Debtors", is_bill_wise=True)
            ),
        ],
    )
    # Top-level groups and cost centres name Tally's system value (§3.2, §4.8).
    assert "<PARENT>&#4; Primary</PARENT>" in text
    root = parse_document(text.replace("&#4; ", ""))
    group = root.find(".//GROUP")
    assert group is not None
    assert (group.get("NAME"), group.get("ACTION"), group.findtext("NAME")) == (
        "North & East Debtors",
        "Create",
        "North & East Debtors",
    )
    item = root.find(".//STOCKITEM")
    assert item is not None
    assert item.find("PARENT") is None  # stock items: no reserved Primary (§4.8)
    assert item.findtext("BASEUNITS") == "Nos"
    assert item.findtext("HSNDETAILS.LIST/HSNCODE") == "8471"
    assert root.findtext(".//LEDGER/ISBILLWISEON") == "Yes"
