"""One exported row (an lxml element) -> one typed record (tally-xml.md §3).

Tally puts the object's name in the ``NAME`` attribute (escaped, §1.1) and repeats it in
``LANGUAGENAME.LIST``; scalar children carry ``TYPE`` attributes we do not need, since each
field's type is known here. A present-but-unreadable value raises :class:`TallyProtocolError`
naming the row and field (bad input is reported, never silently dropped).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from lxml import etree
from mlc_shared.domain.tally import (
    Company,
    CostCentre,
    Godown,
    Group,
    Ledger,
    PostedVoucher,
)

from tally_agent.errors import TallyProtocolError
from tally_agent.protocol import values
from tally_agent.protocol.rows import Row
from tally_agent.protocol.stock_items import stock_item


def company(element: etree._Element) -> Company:
    row = Row(element, "company")
    if not row.name:
        raise TallyProtocolError("a company row has no name")
    return Company(
        name=row.name,
        guid=row.text("GUID"),
        books_from=row.day("BOOKSFROM"),
        starting_from=row.day("STARTINGFROM"),
        ending_at=row.day("ENDINGAT"),
        last_voucher_date=row.day("LASTVOUCHERDATE"),
        alt_mst_id=row.optional_number("ALTMSTID") or 0,
        alt_vch_id=row.optional_number("ALTVCHID") or 0,
        company_number=row.text("COMPANYNUMBER"),
    )


def _identity(row: Row) -> dict[str, object]:
    if not row.name:
        raise TallyProtocolError(f"a {row.kind} row has no name")
    return {
        "name": row.name,
        "guid": row.required_text("GUID"),
        "master_id": row.number("MASTERID"),
        "alter_id": row.number("ALTERID"),
    }


def group(element: etree._Element) -> Group:
    row = Row(element, "group")
    return Group.model_validate(
        {
            **_identity(row),
            "parent": row.parent(),
            "is_revenue": row.logical("ISREVENUE"),
            "is_deemed_positive": row.logical("ISDEEMEDPOSITIVE"),
        }
    )


def ledger(element: etree._Element) -> Ledger:
    row = Row(element, "ledger")
    return Ledger.model_validate(
        {
            **_identity(row),
            "parent": row.parent(),
            "closing_balance": row.amount("CLOSINGBALANCE"),
            "opening_balance": row.amount("OPENINGBALANCE"),
            "gstin": row.user_text("PARTYGSTIN"),
            "state": row.user_text("LEDSTATENAME"),
        }
    )


def cost_centre(element: etree._Element) -> CostCentre:
    row = Row(element, "cost centre")
    return CostCentre.model_validate(
        {**_identity(row), "parent": row.parent(), "category": row.user_text("CATEGORY")}
    )


def godown(element: etree._Element) -> Godown:
    row = Row(element, "godown")
    return Godown.model_validate({**_identity(row), "parent": row.parent()})


def _voucher_amount(row: Row) -> Decimal | None:
    """The voucher's ``AMOUNT`` when Tally gives it, else the party leg, else the sum of
    its credit legs (a voucher's legs sum to zero, §4.2)."""
    direct = row.amount("AMOUNT")
    if direct is not None:
        return abs(direct)
    credit = Decimal(0)
    seen = False
    for tag in ("LEDGERENTRIES.LIST", "ALLLEDGERENTRIES.LIST"):
        for sub in row.sub_rows(tag, "entry"):
            amount = sub.amount("AMOUNT")
            if amount is None:
                continue
            seen = True
            if sub.logical("ISPARTYLEDGER"):
                return abs(amount)
            if amount > 0:
                credit += amount
    return credit if seen else None


def voucher(element: etree._Element) -> PostedVoucher:
    row = Row(element, "voucher")
    day = row.day("DATE")
    if day is None:
        raise TallyProtocolError(f"voucher {row.raw('GUID')!r} has no DATE")
    return PostedVoucher(
        guid=row.required_text("GUID"),
        master_id=row.number("MASTERID"),
        alter_id=row.optional_number("ALTERID") or 0,
        voucher_type=row.required_text("VOUCHERTYPENAME"),
        number=row.text("VOUCHERNUMBER") or "",
        date=day,
        party_ledger=row.text("PARTYLEDGERNAME"),
        reference=row.text("REFERENCE"),
        narration=row.text("NARRATION"),
        is_cancelled=bool(row.logical("ISCANCELLED")),
        is_optional=bool(row.logical("ISOPTIONAL")),
        amount=_voucher_amount(row),
        remote_id=element.get("REMOTEID") or row.text("REMOTEID"),
    )


def stamp(element: etree._Element) -> tuple[str, int]:
    """(GUID, ALTERID) of a census row (§3.6)."""
    row = Row(element, "row")
    return row.required_text("GUID"), row.optional_number("ALTERID") or 0


def names_in(element: etree._Element, pairs: tuple[tuple[str, str], ...]) -> set[str]:
    """The master names a voucher row carries in ``(list tag, field)`` places."""
    found: set[str] = set()
    for list_tag, field in pairs:
        for entry in element.iterchildren(list_tag):
            for child in entry.iterchildren(field):
                text = (child.text or "").strip()
                if text:
                    found.add(text)
    return found


def voucher_date(element: etree._Element) -> date | None:
    """Just the DATE of a voucher row (window sizing)."""
    return Row(element, "voucher").day("DATE")


def day_count(element: etree._Element) -> tuple[date, int] | None:
    """One row of the per-date count (``MLCDAY``, ``MLCCOUNT``); None when unreadable."""
    row = Row(element, "voucher count")
    try:
        day = values.parse_date(row.raw("MLCDAY"))
        count = values.parse_amount(row.raw("MLCCOUNT"))
    except ValueError:
        return None
    if day is None or count is None:
        return None
    return day, int(count)


PARSERS: dict[str, Callable[[etree._Element], object]] = {
    "COMPANY": company,
    "GROUP": group,
    "LEDGER": ledger,
    "COSTCENTRE": cost_centre,
    "GODOWN": godown,
    "STOCKITEM": stock_item,
    "VOUCHER": voucher,
}
