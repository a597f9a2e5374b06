"""Typed vouchers -> VOUCHER elements, with the sign conventions of tally-xml.md §4.2."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree
from mlc_shared.domain.tally import LedgerEntry, Voucher
from tally_agent.protocol.envelopes import RequestContext, import_data
from tally_agent.protocol.vouchers import UnrenderableVoucher, render_voucher
from tally_agent.protocol.xmlstream import parse_document

from tests.unit.tally_agent.vouchers_fixture import credit_note, journal, payment, receipt, sales


def legs(element: etree._Element, tag: str) -> list[tuple[str, str, Decimal]]:
    return [
        (
            e.findtext("LEDGERNAME") or e.findtext("STOCKITEMNAME") or "",
            e.findtext("ISDEEMEDPOSITIVE") or "",
            Decimal(e.findtext("AMOUNT") or "0"),
        )
        for e in element.iterfind(tag)
    ]


def all_amounts(element: etree._Element) -> Decimal:
    """Ledger legs + item lines: a voucher sums to zero (§4.2)."""
    tags = ("LEDGERENTRIES.LIST", "ALLLEDGERENTRIES.LIST", "ALLINVENTORYENTRIES.LIST")
    return sum((amount for tag in tags for _, _, amount in legs(element, tag)), Decimal(0))


def test_sales_invoice_shape_and_signs() -> None:
    element = render_voucher(sales())
    assert element.get("VCHTYPE") == "Sales"
    assert element.get("ACTION") == "Create"
    assert element.get("REMOTEID") == "mlc:test:order:WM-1001"
    assert element.get("OBJVIEW") == "Invoice Voucher View"
    assert element.findtext("DATE") == "20250415"
    assert element.findtext("ISINVOICE") == "Yes"
    assert element.findtext("PERSISTEDVIEW") == "Invoice Voucher View"
    # Party: debit = Yes and negative; tax and shipping: credit = No and positive.
    assert legs(element, "LEDGERENTRIES.LIST") == [
        ("Walmart Marketplace", "Yes", Decimal("-1220.00")),
        ("Output IGST 18%", "No", Decimal("180.00")),
        ("Shipping Charges", "No", Decimal("40.00")),
    ]
    [item] = element.iterfind("ALLINVENTORYENTRIES.LIST")
    assert item.findtext("STOCKITEMNAME") == "Widget"
    assert item.findtext("ISDEEMEDPOSITIVE") == "No"
    assert item.findtext("RATE") == "500.00/Nos"
    assert item.findtext("ACTUALQTY") == "2 Nos"
    assert item.findtext("BILLEDQTY") == "2 Nos"
    assert item.findtext("AMOUNT") == "1000.00"
    assert item.findtext("BATCHALLOCATIONS.LIST/GODOWNNAME") == "Main Location"
    assert item.findtext("BATCHALLOCATIONS.LIST/BATCHNAME") == "Primary Batch"
    allocation = item.find("ACCOUNTINGALLOCATIONS.LIST")
    assert allocation is not None
    assert (
        allocation.findtext("LEDGERNAME"),
        allocation.findtext("ISDEEMEDPOSITIVE"),
        allocation.findtext("AMOUNT"),
    ) == ("Sales", "No", "1000.00")
    centre = allocation.find("CATEGORYALLOCATIONS.LIST/COSTCENTREALLOCATIONS.LIST")
    assert centre is not None
    assert (centre.findtext("NAME"), centre.findtext("AMOUNT")) == ("Walmart", "1000.00")
    # The sales ledger is not repeated among the ledger entries (§4.4).
    assert "Sales" not in [name for name, _, _ in legs(element, "LEDGERENTRIES.LIST")]
    assert all_amounts(element) == 0
    bill = element.find("LEDGERENTRIES.LIST/BILLALLOCATIONS.LIST")
    assert bill is not None
    assert (bill.findtext("NAME"), bill.findtext("BILLTYPE")) == ("REF-WM-1001", "New Ref")


def test_credit_note_signs() -> None:
    element = render_voucher(credit_note())
    assert legs(element, "LEDGERENTRIES.LIST") == [
        ("Walmart Marketplace", "No", Decimal("590.00")),  # party credited
        ("Output IGST 18%", "Yes", Decimal("-90.00")),  # tax reversed
    ]
    [item] = element.iterfind("ALLINVENTORYENTRIES.LIST")
    assert (item.findtext("ISDEEMEDPOSITIVE"), item.findtext("AMOUNT")) == ("Yes", "-500.00")
    assert item.findtext("ACCOUNTINGALLOCATIONS.LIST/ISDEEMEDPOSITIVE") == "Yes"
    assert element.findtext("LEDGERENTRIES.LIST/BILLALLOCATIONS.LIST/BILLTYPE") == "Agst Ref"
    assert all_amounts(element) == 0


def test_receipt_payment_journal_are_accounting_vouchers() -> None:
    element = render_voucher(receipt())
    assert element.get("OBJVIEW") == "Accounting Voucher View"
    assert element.findtext("ISINVOICE") == "No"
    assert legs(element, "ALLLEDGERENTRIES.LIST") == [
        ("HDFC Bank", "Yes", Decimal("-4850.00")),  # bank debited
        ("Marketplace Commission", "Yes", Decimal("-150.00")),
        ("Walmart Marketplace", "No", Decimal("5000.00")),  # party credited
    ]
    assert element.findall("ALLLEDGERENTRIES.LIST")[0].find("CATEGORYALLOCATIONS.LIST") is None
    fee_leg = element.findall("ALLLEDGERENTRIES.LIST")[1]
    assert fee_leg.findtext("CATEGORYALLOCATIONS.LIST/CATEGORY") == "Primary Cost Category"
    assert (
        fee_leg.findtext("CATEGORYALLOCATIONS.LIST/COSTCENTREALLOCATIONS.LIST/AMOUNT") == "-150.00"
    )
    assert legs(render_voucher(payment()), "ALLLEDGERENTRIES.LIST") == [
        ("Walmart Marketplace", "Yes", Decimal("-100.00")),
        ("HDFC Bank", "No", Decimal("100.00")),
    ]
    assert all_amounts(render_voucher(journal())) == 0


def test_unbalanced_voucher_is_refused_before_tally() -> None:
    voucher = Voucher(
        voucher_type="Journal",
        number="J",
        date=receipt().date,
        remote_id="r",
        ledger_entries=(
            LedgerEntry(ledger="A", side="debit", amount=Decimal(10)),
            LedgerEntry(ledger="B", side="credit", amount=Decimal(9)),
        ),
    )
    with pytest.raises(UnrenderableVoucher, match="Voucher totals do not match"):
        render_voucher(voucher)


def test_control_characters_are_refused_not_stripped() -> None:
    with pytest.raises(UnrenderableVoucher, match="control character"):
        render_voucher(sales(narration="bad \x04 text"))


MARKUP = "Ram & Sons <Retail> 'A' \"B\" </VOUCHER><VOUCHER>"


@pytest.mark.parametrize("text", [MARKUP, "राम & श्याम ट्रेडर्स", "ร้านค้า สมชาย & ลูก"])
def test_markup_and_scripts_never_change_the_envelope(text: str) -> None:
    voucher = sales(party=text, item=text, narration=text, number=f"N-{text}")
    request = import_data(RequestContext(company=text), "Vouchers", [render_voucher(voucher)])
    root = parse_document(request)
    assert len(root.findall(".//VOUCHER")) == 1
    [element] = root.iterfind("BODY/DATA/TALLYMESSAGE/VOUCHER")
    assert element.findtext("PARTYLEDGERNAME") == text
    assert element.findtext("NARRATION") == text
    assert element.findtext("VOUCHERNUMBER") == f"N-{text}"
    assert element.findtext("ALLINVENTORYENTRIES.LIST/STOCKITEMNAME") == text
    assert root.findtext("BODY/DESC/STATICVARIABLES/SVCURRENTCOMPANY") == text


def test_each_render_is_a_fresh_element() -> None:
    voucher = sales()
    first, second = render_voucher(voucher), render_voucher(voucher)
    assert first is not second
    assert etree.tostring(first) == etree.tostring(second)
