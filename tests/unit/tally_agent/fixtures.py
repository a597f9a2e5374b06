"""Answer bytes written from the fact sheet (tally-xml.md §3.2, §3.3, §5.1), not captured.

Each fixture reproduces a documented shape and its gotchas: ``&#4;`` system values,
``CMPINFO`` counters named like rows, leading-space numbers and quantities, ``100.00/Nos``
rates, empty amounts, BOM-less UTF-16LE bytes.
"""

from __future__ import annotations

COMPANY_GUID = "bb8ad19e-1c2d-4e5f-9a0b-1234567890ab"


def utf16(text: str) -> bytes:
    """Tally's UTF-16 answers carry no BOM (§1.2)."""
    return text.encode("utf-16-le")


def envelope(rows: str, cmpinfo: str = "<STOCKITEM>0</STOCKITEM><LEDGER>0</LEDGER>") -> str:
    return (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><STATUS>1</STATUS></HEADER><BODY>"
        f"<DESC><CMPINFO><COMPANY>0</COMPANY>{cmpinfo}</CMPINFO></DESC>"
        f"<DATA><COLLECTION>{rows}</COLLECTION></DATA></BODY></ENVELOPE>"
    )


def stock_item(
    name: str = "Widget &amp; Co",
    master_id: int = 300,
    alter_id: int = 301,
    closing: str = " 10 Nos",
    rate: str = "100.00/Nos",
    value: str = "-1000.00",
    parent: str = "&#4; Primary",
    base_unit: str = "Nos",
    extra: str = "",
) -> str:
    return (
        f'<STOCKITEM NAME="{name}" RESERVEDNAME="">'
        f'<GUID TYPE="String">{COMPANY_GUID}-{master_id:08x}</GUID>'
        f'<MASTERID TYPE="Number"> {master_id}</MASTERID>'
        f'<ALTERID TYPE="Number"> {alter_id}</ALTERID>'
        f'<PARENT TYPE="String">{parent}</PARENT>'
        f'<BASEUNITS TYPE="String">{base_unit}</BASEUNITS>'
        f'<CLOSINGBALANCE TYPE="Quantity">{closing}</CLOSINGBALANCE>'
        f'<CLOSINGRATE TYPE="Rate">{rate}</CLOSINGRATE>'
        f'<CLOSINGVALUE TYPE="Amount">{value}</CLOSINGVALUE>'
        f'<OBJECTUPDATEACTION TYPE="String">&#4; Resave</OBJECTUPDATEACTION>'
        f'<LANGUAGENAME.LIST><NAME.LIST TYPE="String"><NAME>{name}</NAME><NAME>WID-1</NAME>'
        f"</NAME.LIST></LANGUAGENAME.LIST>"
        f"{extra}</STOCKITEM>"
    )


STOCK_EXTRAS = (
    '<STANDARDPRICELIST.LIST><DATE TYPE="Date">20240401</DATE>'
    '<RATE TYPE="Rate">90.00/Nos</RATE></STANDARDPRICELIST.LIST>'
    '<STANDARDPRICELIST.LIST><DATE TYPE="Date">20250401</DATE>'
    '<RATE TYPE="Rate">120.00/Nos</RATE></STANDARDPRICELIST.LIST>'
    '<HSNDETAILS.LIST><APPLICABLEFROM TYPE="Date">20230401</APPLICABLEFROM>'
    '<HSNCODE TYPE="String">8471</HSNCODE></HSNDETAILS.LIST>'
    '<HSNDETAILS.LIST><APPLICABLEFROM TYPE="Date">20240401</APPLICABLEFROM>'
    '<HSNCODE TYPE="String">847130</HSNCODE></HSNDETAILS.LIST>'
    '<BATCHALLOCATIONS.LIST><GODOWNNAME TYPE="String">Main Location</GODOWNNAME>'
    '<BATCHNAME TYPE="String">Primary Batch</BATCHNAME>'
    '<CLOSINGBALANCE TYPE="Quantity"> 6 Nos</CLOSINGBALANCE></BATCHALLOCATIONS.LIST>'
    '<BATCHALLOCATIONS.LIST><GODOWNNAME TYPE="String">Bengaluru WH</GODOWNNAME>'
    '<BATCHNAME TYPE="String">Primary Batch</BATCHNAME>'
    '<CLOSINGBALANCE TYPE="Quantity"> 4 Nos</CLOSINGBALANCE></BATCHALLOCATIONS.LIST>'
)


def ledger(name: str, parent: str, closing: str, master_id: int = 44) -> str:
    return (
        f'<LEDGER NAME="{name}" RESERVEDNAME="">'
        f'<GUID TYPE="String">{COMPANY_GUID}-{master_id:08x}</GUID>'
        f'<MASTERID TYPE="Number"> {master_id}</MASTERID>'
        f'<ALTERID TYPE="Number"> {master_id + 1}</ALTERID>'
        f'<PARENT TYPE="String">{parent}</PARENT>'
        f'<CLOSINGBALANCE TYPE="Amount">{closing}</CLOSINGBALANCE>'
        f"</LEDGER>"
    )


IMPORT_PARTIAL = (
    "<RESPONSE><CREATED>2</CREATED><ALTERED>0</ALTERED><DELETED>0</DELETED>"
    "<LASTVCHID>57</LASTVCHID><LASTMID>0</LASTMID><COMBINED>0</COMBINED><IGNORED>0</IGNORED>"
    "<ERRORS>0</ERRORS><CANCELLED>0</CANCELLED><EXCEPTIONS>1</EXCEPTIONS>"
    "<LINEERROR>Ledger 'Probe Ledger' does not exist!</LINEERROR></RESPONSE>"
)  # §5.1, own wording of the observed shape
