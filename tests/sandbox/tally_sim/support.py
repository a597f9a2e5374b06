"""Raw request builders and response readers for the TallyPrime simulator tests.

Everything here is plain XML text: the tests talk to the simulator the way any client would,
and read its answers with lxml after neutralising `&#4;`, the invalid character reference
TallyPrime puts in ordinary responses (tally-xml.md §3.2, §7.1).
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape as _escape

import httpx
from lxml import etree
from tally_sim import TallySimulator
from tally_sim.model.company import Company

UTF16 = {"Content-Type": "text/xml;charset=utf-16"}
UTF8 = {"Content-Type": "text/xml;charset=utf-8"}
SYSTEM = "[#4]"


def esc(text: str) -> str:
    return _escape(text, {'"': "&quot;", "'": "&apos;"})


async def post(
    client: httpx.AsyncClient, url: str, xml: str, *, utf16: bool = True, bom: bool = False
) -> str:
    """Send like a mature client (UTF-16LE + charset) and return the decoded answer."""
    if utf16:
        body = (b"\xff\xfe" if bom else b"") + xml.encode("utf-16-le")
        response = await client.post(url, content=body, headers=UTF16)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/xml; charset=utf-16"
        return response.content.decode("utf-16-le")
    response = await client.post(url, content=xml.encode("utf-8"), headers=UTF8)
    assert response.status_code == 200
    return response.content.decode("ascii")


def parse(text: str) -> etree._Element:
    cleaned = text.replace("&#4;", SYSTEM)
    return etree.fromstring(cleaned.encode("utf-8"))


def counters(text: str) -> dict[str, int | str | None]:
    """Shape D: the counters of `<RESPONSE>` plus the (single) LINEERROR."""
    root = parse(text)
    assert root.tag == "RESPONSE", text
    result: dict[str, int | str | None] = {
        child.tag.lower(): int(child.text or "0") for child in root if child.tag != "LINEERROR"
    }
    errors = root.findall("LINEERROR")
    assert len(errors) <= 1
    result["lineerror"] = errors[0].text if errors else None
    return result


def static_vars(company: str | None = None, **extra: str) -> str:
    parts = []
    if company is not None:
        parts.append(f"<SVCURRENTCOMPANY>{esc(company)}</SVCURRENTCOMPANY>")
    parts.extend(f"<{k.upper()}>{esc(v)}</{k.upper()}>" for k, v in extra.items())
    return f"<STATICVARIABLES>{''.join(parts)}</STATICVARIABLES>"


def collection(
    type_: str,
    fetch: str = "",
    filters: dict[str, str] | None = None,
    *,
    company: str | None = None,
    name: str = "SimColl",
    extra: str = "",
    **static: str,
) -> str:
    """Version-1 Export of an inline TDL collection (tally-xml.md §2.2)."""
    filters = filters or {}
    filter_tag = f"<FILTERS>{','.join(filters)}</FILTERS>" if filters else ""
    formulae = "".join(
        f'<SYSTEM TYPE="Formulae" NAME="{n}">{esc(expr)}</SYSTEM>' for n, expr in filters.items()
    )
    fetch_tag = f"<FETCH>{fetch}</FETCH>" if fetch else ""
    return (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Export</TALLYREQUEST>"
        f"<TYPE>Collection</TYPE><ID>{name}</ID></HEADER><BODY><DESC>"
        f"{static_vars(company, SVEXPORTFORMAT='$$SysName:XML', **static)}"
        f'<TDL><TDLMESSAGE><COLLECTION NAME="{name}" ISMODIFY="No"><TYPE>{type_}</TYPE>'
        f"{fetch_tag}{filter_tag}{extra}</COLLECTION>{formulae}</TDLMESSAGE></TDL>"
        "</DESC></BODY></ENVELOPE>"
    )


def legacy_import(
    objects: str, company: str | None = None, report: str = "Vouchers", **static: str
) -> str:
    """Legacy `Import Data` envelope (tally-xml.md §2.3)."""
    return (
        "<ENVELOPE><HEADER><TALLYREQUEST>Import Data</TALLYREQUEST></HEADER><BODY><IMPORTDATA>"
        f"<REQUESTDESC><REPORTNAME>{report}</REPORTNAME>{static_vars(company, **static)}</REQUESTDESC>"
        f'<REQUESTDATA><TALLYMESSAGE xmlns:UDF="TallyUDF">{objects}</TALLYMESSAGE></REQUESTDATA>'
        "</IMPORTDATA></BODY></ENVELOPE>"
    )


def v1_import(
    objects: str, company: str | None = None, id_: str = "Vouchers", **static: str
) -> str:
    """Version-1 Import envelope (tally-xml.md §2.4)."""
    return (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><TALLYREQUEST>Import</TALLYREQUEST><TYPE>Data</TYPE>"
        f"<ID>{id_}</ID></HEADER><BODY><DESC>{static_vars(company, **static)}</DESC>"
        f"<DATA><TALLYMESSAGE>{objects}</TALLYMESSAGE></DATA></BODY></ENVELOPE>"
    )


def ledger(name: str, parent: str, action: str = "Create", extra: str = "") -> str:
    return (
        f'<LEDGER NAME="{esc(name)}" ACTION="{action}"><NAME>{esc(name)}</NAME>'
        f"<PARENT>{esc(parent)}</PARENT>{extra}</LEDGER>"
    )


def entry(ledger_name: str, amount: str, tag: str = "ALLLEDGERENTRIES", extra: str = "") -> str:
    debit = "Yes" if amount.startswith("-") else "No"
    return (
        f"<{tag}.LIST><LEDGERNAME>{esc(ledger_name)}</LEDGERNAME>"
        f"<ISDEEMEDPOSITIVE>{debit}</ISDEEMEDPOSITIVE><AMOUNT>{amount}</AMOUNT>{extra}</{tag}.LIST>"
    )


def voucher(
    type_: str,
    date: str,
    entries: str,
    *,
    remote_id: str | None = None,
    action: str = "Create",
    number: str | None = None,
    extra: str = "",
    attrs: str = "",
) -> str:
    remote = f' REMOTEID="{esc(remote_id)}"' if remote_id else ""
    number_tag = f"<VOUCHERNUMBER>{esc(number)}</VOUCHERNUMBER>" if number is not None else ""
    return (
        f'<VOUCHER VCHTYPE="{esc(type_)}" ACTION="{action}"{remote}{attrs}>'
        f"<DATE>{date}</DATE><VOUCHERTYPENAME>{esc(type_)}</VOUCHERTYPENAME>{number_tag}{extra}"
        f"{entries}</VOUCHER>"
    )


def receipt(
    date: str, amount: str, party: str = "Ram & Sons", bank: str = "HDFC Bank", **kw: Any
) -> str:
    return voucher("Receipt", date, entry(bank, f"-{amount}") + entry(party, amount), **kw)


def sales_invoice(
    date: str,
    item: str,
    qty: int,
    rate: str,
    *,
    party: str = "Ram & Sons",
    godown: str = "Main Location",
    sales_ledger: str = "Sales",
    unit: str = "Nos",
    tax: str | None = None,
    credit_note: bool = False,
    **kw: Any,
) -> str:
    """An item invoice shaped as in tally-xml.md §4.4 (or its Credit Note mirror, §4.2)."""
    amount = f"{int(qty) * float(rate):.2f}"
    sign_item, sign_party = ("-", "") if credit_note else ("", "-")
    inward = "Yes" if credit_note else "No"
    total = float(amount) + (float(tax) if tax else 0)
    tax_entry = entry("Output IGST 18%", f"{sign_item}{tax}", "LEDGERENTRIES") if tax else ""
    body = (
        f"<PERSISTEDVIEW>Invoice Voucher View</PERSISTEDVIEW><ISINVOICE>Yes</ISINVOICE>"
        f"<PARTYLEDGERNAME>{esc(party)}</PARTYLEDGERNAME>"
        + entry(
            party, f"{sign_party}{total:.2f}", "LEDGERENTRIES", "<ISPARTYLEDGER>Yes</ISPARTYLEDGER>"
        )
        + f"<ALLINVENTORYENTRIES.LIST><STOCKITEMNAME>{esc(item)}</STOCKITEMNAME>"
        f"<ISDEEMEDPOSITIVE>{inward}</ISDEEMEDPOSITIVE><RATE>{rate}/{unit}</RATE>"
        f"<ACTUALQTY>{qty} {unit}</ACTUALQTY><BILLEDQTY>{qty} {unit}</BILLEDQTY>"
        f"<AMOUNT>{sign_item}{amount}</AMOUNT>"
        f"<BATCHALLOCATIONS.LIST><GODOWNNAME>{esc(godown)}</GODOWNNAME><BATCHNAME>Primary Batch</BATCHNAME>"
        f"<ACTUALQTY>{qty} {unit}</ACTUALQTY><BILLEDQTY>{qty} {unit}</BILLEDQTY>"
        f"<AMOUNT>{sign_item}{amount}</AMOUNT></BATCHALLOCATIONS.LIST>"
        f"<ACCOUNTINGALLOCATIONS.LIST><LEDGERNAME>{esc(sales_ledger)}</LEDGERNAME>"
        f"<ISDEEMEDPOSITIVE>{inward}</ISDEEMEDPOSITIVE><AMOUNT>{sign_item}{amount}</AMOUNT>"
        "</ACCOUNTINGALLOCATIONS.LIST></ALLINVENTORYENTRIES.LIST>" + tax_entry
    )
    return voucher("Credit Note" if credit_note else "Sales", date, body, **kw)


def rows(text: str, tag: str) -> list[etree._Element]:
    """Rows of a shape-A collection, ignoring CMPINFO counters that share the tag name."""
    root = parse(text)
    return root.findall(f"./BODY/DATA/COLLECTION/{tag}")


def text_of(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    return None if found is None else (found.text or "")


def el(element: etree._Element, path: str) -> etree._Element:
    """The child at `path`, which the test expects to exist."""
    found = element.find(path)
    assert found is not None, f"no {path} in {etree.tostring(element)[:300]!r}"
    return found


def txt(element: etree._Element, path: str) -> str:
    """The text at `path`, which the test expects to exist ("" when the element is empty)."""
    return el(element, path).text or ""


def company(sim: TallySimulator, name: str = "Acme Traders") -> Company:
    found = sim.state.find(name)
    assert found is not None
    return found


def strip_ws(text: str) -> str:
    return re.sub(r">\s+<", "><", text).strip()
