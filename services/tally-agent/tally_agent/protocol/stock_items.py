"""Stock item rows -> :class:`StockItem` (tally-xml.md §3.3): the hot path of a 100,000-item
export, so the row is read straight from one dict of its children, and ``field`` tracks what
is being read so that an unreadable value is still reported with its row and tag.

* closing quantity `` 10 Nos`` (compound units resolved against the base unit), rate
  ``100.00/Nos``, value a signed decimal (stock is a debit, exported negative: the record
  holds the value on hand, positive); empty values stay ``None`` (§7.3).
* standard price: the rate of the latest ``STANDARDPRICELIST.LIST`` entry.
* HSN: the latest ``HSNDETAILS.LIST`` code (TallyPrime 3.0+), else ``GSTDETAILS.LIST``, else
  ``INFGSTHSNCODE``; a system value (``&#4; Not Applicable``) is no code.
* godown-wise closing quantities from ``BATCHALLOCATIONS.LIST`` (``GODOWNNAME`` +
  ``CLOSINGBALANCE``), summed over batches, first-seen order.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree
from mlc_shared.domain.tally import StockItem

from tally_agent.errors import TallyProtocolError
from tally_agent.protocol.decode import SYSTEM_MARK
from tally_agent.protocol.rows import TOP_LEVEL, Row, user_text
from tally_agent.protocol.values import (
    parse_amount,
    parse_date,
    parse_number,
    parse_quantity,
    parse_rate,
)

GODOWN_LISTS = ("GODOWNBALANCES.LIST", "BATCHALLOCATIONS.LIST")
GODOWN_QTY_FIELDS = ("CLOSINGBALANCE", "BALANCE", "ACTUALQTY")
_ZERO = Decimal(0)

Entry = dict[str, str | None]


def _latest(entries: list[Entry], date_tag: str) -> Entry:
    """The entry with the latest ``date_tag`` (a lone entry needs no date)."""
    if len(entries) == 1:
        return entries[0]
    return max(entries, key=lambda e: parse_date(e.get(date_tag)) or date.min)


SCALARS = frozenset(
    {
        "GUID",
        "MASTERID",
        "ALTERID",
        "PARENT",
        "BASEUNITS",
        "PARTNO",
        "CLOSINGBALANCE",
        "CLOSINGRATE",
        "CLOSINGVALUE",
        "INFGSTHSNCODE",
    }
)


def stock_item(element: etree._Element) -> StockItem:
    row = Row(element, "stock item")
    raw = {tag: child.text for tag, child in row.children.items() if tag in SCALARS}.get

    field = "NAME"
    try:
        name = row.name
        guid = (raw("GUID") or "").strip()
        if not name or not guid:
            raise ValueError("missing")
        field = "MASTERID"
        master_id = parse_number(raw("MASTERID"))
        field = "ALTERID"
        alter_id = parse_number(raw("ALTERID"))
        if master_id is None or alter_id is None:
            raise ValueError("missing")
        base_unit = (raw("BASEUNITS") or "").strip() or None
        field = "CLOSINGBALANCE"
        quantity = parse_quantity(raw("CLOSINGBALANCE"), base_unit)
        field = "CLOSINGRATE"
        rate = parse_rate(raw("CLOSINGRATE"))
        field = "CLOSINGVALUE"
        value = parse_amount(raw("CLOSINGVALUE"))
        field = "STANDARDPRICELIST"
        prices = row.sub_fields("STANDARDPRICELIST.LIST")
        price = parse_rate(_latest(prices, "DATE").get("RATE")) if prices else None
        field = "HSNDETAILS"
        hsn = _hsn(row)
        field = "BATCHALLOCATIONS"
        godowns = _godowns(row, base_unit)
    except ValueError as exc:
        raise TallyProtocolError(f"stock item {row.name!r}, field {field}: {exc}") from None
    parent = raw("PARENT")
    if parent is not None:
        parent = (
            None if parent.strip() in ("", TOP_LEVEL) else parent.replace(SYSTEM_MARK, "").strip()
        )
    return StockItem.model_validate(
        {
            "name": name,
            "guid": guid,
            "master_id": master_id,
            "alter_id": alter_id,
            "parent": parent,
            "base_unit": base_unit,
            "aliases": _aliases(row, name),
            "part_number": user_text(raw("PARTNO")),
            "closing_qty": quantity.value if quantity else None,
            "closing_rate": rate[0] if rate else None,
            "closing_value": -value if value is not None else None,
            "standard_price": price[0] if price else None,
            "hsn_code": hsn,
            "godowns": godowns,
        }
    )


def _aliases(row: Row, name: str) -> tuple[str, ...]:
    language = row.children.get("LANGUAGENAME.LIST")
    if language is None or (len(language) == 1 and len(language[0]) < 2 and not row.repeats):
        return ()  # the usual case: one NAME.LIST holding just the name
    return row.aliases()


def _hsn(row: Row) -> str | None:
    if "HSNDETAILS.LIST" in row.children:
        details = [d for d in row.sub_fields("HSNDETAILS.LIST") if user_text(d.get("HSNCODE"))]
        if details:
            return (_latest(details, "APPLICABLEFROM").get("HSNCODE") or "").strip()
    if "GSTDETAILS.LIST" in row.children:
        for entry in row.sub_fields("GSTDETAILS.LIST"):
            code = user_text(entry.get("HSNCODE"))
            if code:
                return code
    return row.user_text("INFGSTHSNCODE")


def _godowns(row: Row, base_unit: str | None) -> list[dict[str, object]]:
    """As plain dicts: pydantic builds the ``GodownQuantity`` records in one go."""
    totals: dict[str, Decimal] = {}
    for list_tag in GODOWN_LISTS:
        if list_tag not in row.children:
            continue
        for entry in row.sub_fields(list_tag):
            godown = user_text(entry.get("GODOWNNAME"))
            if not godown:
                continue
            qty = None
            for tag in GODOWN_QTY_FIELDS:
                if tag in entry:
                    qty = parse_quantity(entry[tag], base_unit)
                    break
            totals[godown] = totals.get(godown, _ZERO) + (qty.value if qty else _ZERO)
        if totals:
            break
    return [{"godown": g, "qty": q} for g, q in totals.items()]
