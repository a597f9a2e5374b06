"""Rows -> typed records (tally-xml.md §3.2-§3.5), parsed from BOM-less UTF-16 bytes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree
from mlc_shared.domain.tally import Company, GodownQuantity, Ledger, PostedVoucher, StockItem
from tally_agent.errors import TallyProtocolError
from tally_agent.protocol import records
from tally_agent.protocol.decode import ResponseDecoder
from tally_agent.protocol.xmlstream import RowStream

from tests.unit.tally_agent.fixtures import (
    COMPANY_GUID,
    STOCK_EXTRAS,
    envelope,
    ledger,
    stock_item,
    utf16,
)


def parse(data: bytes, tag: str) -> list[object]:
    decoder, stream = ResponseDecoder("utf-16"), RowStream((tag,))
    convert = records.PARSERS[tag]
    out = [convert(row) for row in stream.feed(decoder.feed(data))]
    out += [convert(row) for row in stream.feed(decoder.close())]
    _root, rest = stream.close()
    return out + [convert(row) for row in rest]


def test_stock_item_with_every_field() -> None:
    [item] = parse(utf16(envelope(stock_item(extra=STOCK_EXTRAS))), "STOCKITEM")
    assert item == StockItem(
        name="Widget & Co",
        guid=f"{COMPANY_GUID}-0000012c",
        master_id=300,
        alter_id=301,
        parent=None,  # "&#4; Primary": top level
        base_unit="Nos",
        aliases=("WID-1",),
        closing_qty=Decimal(10),
        closing_rate=Decimal("100.00"),
        closing_value=Decimal("1000.00"),  # debit -> held
        standard_price=Decimal("120.00"),  # the latest STANDARDPRICELIST entry
        hsn_code="847130",  # the latest HSNDETAILS entry
        godowns=(
            GodownQuantity(godown="Main Location", qty=Decimal(6)),
            GodownQuantity(godown="Bengaluru WH", qty=Decimal(4)),
        ),
    )


def test_empty_closing_values_are_unknown_not_zero() -> None:
    [item] = parse(utf16(envelope(stock_item(closing="", rate="", value=""))), "STOCKITEM")
    assert isinstance(item, StockItem)
    assert (item.closing_qty, item.closing_rate, item.closing_value) == (None, None, None)


def test_compound_unit_closing_quantity() -> None:
    row = stock_item(closing=" 2 Box 5 Nos", rate="500.00/Box", base_unit="Box of 10 Nos")
    [item] = parse(utf16(envelope(row)), "STOCKITEM")
    assert isinstance(item, StockItem)
    assert item.closing_qty == Decimal("2.5")


@pytest.mark.parametrize(
    "name",
    [
        "Ram &amp; Sons &lt;Retail&gt; &apos;A&apos; &quot;B&quot;",
        "राम &amp; श्याम ट्रेडर्स",  # Hindi
        "ร้านค้า สมชาย",  # Thai
    ],
)
def test_names_with_markup_and_scripts(name: str) -> None:
    [item] = parse(utf16(envelope(ledger(name, "Sundry Debtors", "-1500.00"))), "LEDGER")
    assert isinstance(item, Ledger)
    expected = etree.fromstring(f"<x>{name}</x>").text
    assert item.name == expected
    assert item.closing_balance == Decimal("-1500.00")
    assert item.parent == "Sundry Debtors"


def test_empty_ledger_balance_is_none() -> None:
    [item] = parse(utf16(envelope(ledger("Cash", "Cash-in-Hand", ""))), "LEDGER")
    assert isinstance(item, Ledger)
    assert item.closing_balance is None


def test_user_group_named_like_a_system_value_keeps_its_name() -> None:
    # "&#4; Primary" is Tally's top level; a plain "Primary" is a user's name.
    [item] = parse(utf16(envelope(ledger("X", "Primary", "1.00"))), "LEDGER")
    assert isinstance(item, Ledger)
    assert item.parent == "Primary"


def test_unreadable_field_names_row_and_field() -> None:
    with pytest.raises(TallyProtocolError, match=r"stock item 'Bad'.*CLOSINGVALUE"):
        parse(utf16(envelope(stock_item(name="Bad", value="lots"))), "STOCKITEM")


def test_row_without_guid_is_refused() -> None:
    row = '<LEDGER NAME="NoGuid"><MASTERID>1</MASTERID><ALTERID>1</ALTERID></LEDGER>'
    with pytest.raises(TallyProtocolError, match="no GUID"):
        parse(utf16(envelope(row)), "LEDGER")


def test_company_row() -> None:
    row = (
        f'<COMPANY NAME="Acme &amp; Co"><GUID>{COMPANY_GUID}</GUID>'
        '<STARTINGFROM TYPE="Date">20250401</STARTINGFROM>'
        '<BOOKSFROM TYPE="Date">20250401</BOOKSFROM>'
        '<ALTMSTID TYPE="Number"> 1200</ALTMSTID><ALTVCHID TYPE="Number"> 57</ALTVCHID>'
        "</COMPANY>"
    )
    [company] = parse(utf16(envelope(row)), "COMPANY")
    assert company == Company(
        name="Acme & Co",
        guid=COMPANY_GUID,
        books_from=date(2025, 4, 1),
        starting_from=date(2025, 4, 1),
        alt_mst_id=1200,
        alt_vch_id=57,
    )


def test_invoice_voucher_row() -> None:
    row = (
        f'<VOUCHER REMOTEID="{COMPANY_GUID}-00000039" VCHTYPE="Sales">'
        f"<GUID>{COMPANY_GUID}-00000039</GUID><MASTERID> 57</MASTERID>"
        '<ALTERID> 442</ALTERID><DATE TYPE="Date">20250415</DATE>'
        "<VOUCHERTYPENAME>Sales</VOUCHERTYPENAME><VOUCHERNUMBER>S-101</VOUCHERNUMBER>"
        "<PARTYLEDGERNAME>Ram &amp; Sons</PARTYLEDGERNAME><ISCANCELLED>No</ISCANCELLED>"
        "<NARRATION>PO 1 [mlc:1]</NARRATION>"
        "<LEDGERENTRIES.LIST><LEDGERNAME>Ram &amp; Sons</LEDGERNAME>"
        "<ISPARTYLEDGER>Yes</ISPARTYLEDGER><AMOUNT>-1180.00</AMOUNT></LEDGERENTRIES.LIST>"
        "<LEDGERENTRIES.LIST><LEDGERNAME>Output IGST 18%</LEDGERNAME>"
        "<AMOUNT>180.00</AMOUNT></LEDGERENTRIES.LIST></VOUCHER>"
    )
    [voucher] = parse(utf16(envelope(row, cmpinfo="<VOUCHER>0</VOUCHER>")), "VOUCHER")
    assert voucher == PostedVoucher(
        guid=f"{COMPANY_GUID}-00000039",
        master_id=57,
        alter_id=442,
        voucher_type="Sales",
        number="S-101",
        date=date(2025, 4, 15),
        party_ledger="Ram & Sons",
        narration="PO 1 [mlc:1]",
        amount=Decimal("1180.00"),
        remote_id=f"{COMPANY_GUID}-00000039",
    )
