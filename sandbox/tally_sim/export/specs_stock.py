"""Export spec of stock items (tally-xml.md §3.3).

* Closing quantity ` 40 Nos`, closing rate `400.00/Nos`, closing value a signed decimal
  (stock is a debit balance, so negative like the Stock Summary's `DSPCLAMTA`); all three are
  empty when nothing is in stock (§3.3: "sometimes empty").
* `STANDARDPRICELIST.LIST` / `STANDARDCOSTLIST.LIST` rows carry `DATE` and `RATE`.
* HSN: `HSNDETAILS.LIST` (APPLICABLEFROM, HSNCODE, HSN, SRCOFHSNDETAILS) and
  `GSTDETAILS.LIST > STATEWISEDETAILS.LIST > RATEDETAILS.LIST` (GSTRATEDUTYHEAD,
  GSTRATEVALUATIONTYPE, GSTRATE), the TallyPrime 3.0+ layout of §3.3.
* Godown-wise balances: one `BATCHALLOCATIONS.LIST` per godown (the sub-collection LOADER
  reads, §3.3) with the opening allocation (`OPENINGBALANCE/VALUE/RATE`) and, as the
  simulator's documented carrier for the godown-wise closing, `CLOSINGBALANCE/VALUE/RATE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tally_sim.export.context import ExportContext
from tally_sim.export.spec import ListField, ObjectSpec, Scalar
from tally_sim.export.specs_masters import (
    identity_fields,
    language_list,
    master_attrs,
    master_extras,
)
from tally_sim.model.books import (
    GodownBalance,
    closing_quantity,
    closing_rate,
    closing_value,
    godown_balances,
    opening_quantity,
    opening_value,
)
from tally_sim.model.masters import PriceEntry, StockItem
from tally_sim.model.values import ANY, APPLICABLE, NOT_APPLICABLE, PRIMARY, Quantity, Rate, money


def _qty(item: StockItem, value: Decimal) -> Quantity | None:
    return Quantity(value, item.base_units) if value != 0 else None


def _rate(item: StockItem, value: Decimal | None) -> Rate | None:
    return Rate(value, item.base_units) if value is not None else None


def _closing_qty(item: StockItem, ctx: ExportContext) -> Quantity | None:
    return None if ctx.settings.blank_closing_balances else _qty(item, closing_quantity(item))


def _closing_rate(item: StockItem, ctx: ExportContext) -> Rate | None:
    if ctx.settings.blank_closing_balances or closing_quantity(item) == 0:
        return None
    rate = closing_rate(item)
    return _rate(item, money(rate) if rate is not None else None)


def _closing_value(item: StockItem, ctx: ExportContext) -> Decimal | None:
    if ctx.settings.blank_closing_balances or closing_quantity(item) == 0:
        return None
    value = closing_value(item)
    return -value if value is not None else None


def _opening_rate(item: StockItem) -> Rate | None:
    quantity = opening_quantity(item)
    if quantity == 0:
        return None
    return _rate(item, money(abs(opening_value(item)) / quantity))


@dataclass(frozen=True)
class _Priced:
    item: StockItem
    entry: PriceEntry


@dataclass(frozen=True)
class _Held:
    item: StockItem
    balance: GodownBalance


@dataclass(frozen=True)
class _DutyRate:
    head: str
    rate: Decimal


PRICE_ROW = ObjectSpec(
    "PRICE",
    [
        Scalar("DATE", "Date", lambda p, _c: p.entry.applicable_from),
        Scalar("RATE", "Rate", lambda p, _c: Rate(p.entry.rate, p.item.base_units)),
    ],
)

GODOWN_ROW = ObjectSpec(
    "BATCH",
    [
        Scalar("GODOWNNAME", "String", lambda h, _c: h.balance.godown),
        Scalar("BATCHNAME", "String", lambda _h, _c: "Primary Batch"),
        Scalar(
            "OPENINGBALANCE", "Quantity", lambda h, _c: _qty(h.item, h.balance.opening_quantity)
        ),
        Scalar(
            "OPENINGVALUE",
            "Amount",
            lambda h, _c: -h.balance.opening_value if h.balance.opening_quantity else None,
        ),
        Scalar("OPENINGRATE", "Rate", lambda h, _c: _rate(h.item, h.balance.opening_rate)),
        Scalar(
            "CLOSINGBALANCE", "Quantity", lambda h, _c: _qty(h.item, h.balance.closing_quantity)
        ),
        Scalar("CLOSINGVALUE", "Amount", lambda h, _c: _godown_value(h)),
        Scalar("CLOSINGRATE", "Rate", lambda h, _c: _godown_rate(h)),
    ],
)


def _godown_rate(held: _Held) -> Rate | None:
    rate = closing_rate(held.item)
    if rate is None or held.balance.closing_quantity == 0:
        return None
    return _rate(held.item, money(rate))


def _godown_value(held: _Held) -> Decimal | None:
    rate = closing_rate(held.item)
    if rate is None or held.balance.closing_quantity == 0:
        return None
    return -money(held.balance.closing_quantity * rate)


def _hsn_from(item: StockItem, ctx: ExportContext) -> date | None:
    if item.hsn_applicable_from:
        return item.hsn_applicable_from
    return ctx.company.books_from if ctx.company else None


HSN_ROW = ObjectSpec(
    "HSN",
    [
        Scalar("APPLICABLEFROM", "Date", _hsn_from),
        Scalar("HSNCODE", "String", lambda i, _c: i.hsn_code),
        Scalar("HSN", "String", lambda i, _c: i.hsn_description),
        Scalar("SRCOFHSNDETAILS", "String", lambda _i, _c: "Specify Details Here"),
    ],
)

RATE_ROW = ObjectSpec(
    "RATE",
    [
        Scalar("GSTRATEDUTYHEAD", "String", lambda r, _c: r.head),
        Scalar("GSTRATEVALUATIONTYPE", "String", lambda _r, _c: "Based on Value"),
        Scalar("GSTRATE", "Number", lambda r, _c: r.rate),
    ],
)


def _duty_rates(item: StockItem, _ctx: ExportContext) -> list[_DutyRate]:
    if item.gst_rate is None:
        return []
    half = item.gst_rate / 2
    return [
        _DutyRate("CGST", half),
        _DutyRate("SGST/UTGST", half),
        _DutyRate("IGST", item.gst_rate),
    ]


STATE_ROW = ObjectSpec(
    "STATE",
    [
        Scalar("STATENAME", "String", lambda _i, _c: ANY),
        ListField("RATEDETAILS", _duty_rates, spec=RATE_ROW),
    ],
)

GST_ROW = ObjectSpec(
    "GST",
    [
        Scalar("APPLICABLEFROM", "Date", _hsn_from),
        Scalar("HSNCODE", "String", lambda i, _c: i.hsn_code),
        Scalar("TAXABILITY", "String", lambda i, _c: i.taxability),
        ListField("STATEWISEDETAILS", lambda i, _c: [i], spec=STATE_ROW),
    ],
)


def _fields() -> list[Scalar | ListField]:
    ident = identity_fields()
    return [
        *ident[:2],
        Scalar("PARENT", "String", lambda i, _c: i.parent or PRIMARY),
        Scalar("CATEGORY", "String", lambda _i, _c: NOT_APPLICABLE),
        Scalar("GSTAPPLICABLE", "String", lambda _i, _c: APPLICABLE),
        Scalar("DESCRIPTION", "String", lambda i, _c: i.description),
        Scalar("PARTNO", "String", lambda i, _c: i.part_number),
        Scalar("HSNCODE", "String", lambda i, _c: i.hsn_code, render=False),
        Scalar("GSTTYPEOFSUPPLY", "String", lambda _i, _c: "Goods"),
        Scalar("COSTINGMETHOD", "String", lambda i, _c: i.costing_method),
        Scalar("BASEUNITS", "String", lambda i, _c: i.base_units),
        *ident[2:],
        Scalar("OPENINGBALANCE", "Quantity", lambda i, _c: _qty(i, opening_quantity(i))),
        Scalar(
            "OPENINGVALUE",
            "Amount",
            lambda i, _c: -opening_value(i) if opening_quantity(i) else None,
        ),
        Scalar("OPENINGRATE", "Rate", lambda i, _c: _opening_rate(i)),
        Scalar("CLOSINGBALANCE", "Quantity", _closing_qty),
        Scalar("CLOSINGVALUE", "Amount", _closing_value),
        Scalar("CLOSINGRATE", "Rate", _closing_rate),
        language_list(),
        ListField("HSNDETAILS", lambda i, _c: [i] if i.hsn_code else [], spec=HSN_ROW),
        ListField(
            "GSTDETAILS", lambda i, _c: [i] if i.hsn_code or i.gst_rate else [], spec=GST_ROW
        ),
        ListField(
            "STANDARDPRICELIST",
            lambda i, _c: [_Priced(i, p) for p in i.standard_prices],
            spec=PRICE_ROW,
        ),
        ListField(
            "STANDARDCOSTLIST",
            lambda i, _c: [_Priced(i, p) for p in i.standard_costs],
            spec=PRICE_ROW,
        ),
        ListField(
            "BATCHALLOCATIONS",
            lambda i, _c: [_Held(i, b) for b in godown_balances(i)],
            spec=GODOWN_ROW,
        ),
    ]


STOCK_ITEM = ObjectSpec("STOCKITEM", _fields(), master_attrs, master_extras)
