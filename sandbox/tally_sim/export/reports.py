"""Built-in reports addressed by name (`TYPE=Data` or legacy `Export Data`): response
shape B, a bare ENVELOPE without HEADER/STATUS (tally-xml.md §1.4 B).

* List of Accounts, Day Book, Voucher Register answer in Tally's data-interchange form:
  one `TALLYMESSAGE xmlns:UDF="TallyUDF"` per object with plain tags (no TYPE attributes),
  closed by a `COMPANY > REMOTECMPINFO.LIST MERGE="Yes"` block (§2.1, QUIRKS #7). The wrapper
  is the `report_wrapper` switch (§2.1 UNCERTAIN).
* Stock Summary and Trial Balance answer display tags: `DSPACCNAME/DSPDISPNAME` followed by
  `DSPSTKINFO/DSPSTKCL/DSPCLQTY,DSPCLRATE,DSPCLAMTA` or `DSPACCINFO/DSPCLDRAMT/DSPCLDRAMTA,
  DSPCLCRAMT/DSPCLCRAMTA` (§1.4 B, §3.3; debit negative).
* Day Book and Voucher Register hide cancelled vouchers (QUIRKS #10); with
  `report_date_range=quirky` the Day Book answers only the last voucher date and the Voucher
  Register the whole period (§2.1, QUIRKS #6).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tally_sim.export.context import ExportContext
from tally_sim.export.spec import ObjectSpec, compile_plan, parse_fetch, render
from tally_sim.export.specs_masters import (
    COST_CATEGORY,
    COST_CENTRE,
    CURRENCY,
    GODOWN,
    GROUP,
    LEDGER,
    STOCK_GROUP,
    UNIT,
    VOUCHER_TYPE,
)
from tally_sim.export.specs_stock import STOCK_ITEM
from tally_sim.export.specs_vouchers import VOUCHER_INTERCHANGE
from tally_sim.model.books import base_type, closing_quantity, closing_value, ledger_closing
from tally_sim.model.company import Company
from tally_sim.model.masters import StockItem
from tally_sim.model.values import ZERO, name_key
from tally_sim.model.vouchers import Voucher
from tally_sim.wire.xmlout import CRLF, escape, fmt_amount, fmt_number_text

_MASTER_KINDS: dict[str, tuple[str, ObjectSpec]] = {
    "groups": ("groups", GROUP),
    "ledgers": ("ledgers", LEDGER),
    "costcategories": ("cost_categories", COST_CATEGORY),
    "costcentres": ("cost_centres", COST_CENTRE),
    "currencies": ("currencies", CURRENCY),
    "vouchertypes": ("voucher_types", VOUCHER_TYPE),
    "units": ("units", UNIT),
    "godowns": ("godowns", GODOWN),
    "stockgroups": ("stock_groups", STOCK_GROUP),
    "stockitems": ("stock_items", STOCK_ITEM),
}
_ACCOUNTING = ["groups", "ledgers", "costcategories", "costcentres", "currencies", "vouchertypes"]
_INVENTORY = ["units", "godowns", "stockgroups", "stockitems"]
ACCOUNT_TYPES: dict[str, list[str]] = {
    "": ["groups", "ledgers"],
    "accounts": ["groups", "ledgers"],
    "allaccountingmasters": _ACCOUNTING,
    "allinventorymasters": _INVENTORY,
    "allmasters": _ACCOUNTING + _INVENTORY,
    **{kind: [kind] for kind in _MASTER_KINDS},
}
BUILTIN_REPORTS = ("listofaccounts", "daybook", "voucherregister", "stocksummary", "trialbalance")


def report_key(name: str) -> str:
    return "".join(name.split()).casefold()


def is_builtin_report(name: str) -> bool:
    return report_key(name) in BUILTIN_REPORTS


def _interchange(
    ctx: ExportContext, report_name: str, objects: list[tuple[ObjectSpec, Any]]
) -> Iterator[str]:
    company = ctx.company
    assert company is not None
    name = escape(company.name)
    if ctx.settings.report_wrapper == "importdata":
        yield (
            f"<ENVELOPE>{CRLF} <HEADER>{CRLF}  <TALLYREQUEST>Import Data</TALLYREQUEST>{CRLF}"
            f" </HEADER>{CRLF} <BODY>{CRLF}  <IMPORTDATA>{CRLF}   <REQUESTDESC>{CRLF}"
            f"    <REPORTNAME>{report_name}</REPORTNAME>{CRLF}    <STATICVARIABLES>{CRLF}"
            f"     <SVCURRENTCOMPANY>{name}</SVCURRENTCOMPANY>{CRLF}    </STATICVARIABLES>{CRLF}"
            f"   </REQUESTDESC>{CRLF}   <REQUESTDATA>{CRLF}"
        )
        close = f"   </REQUESTDATA>{CRLF}  </IMPORTDATA>{CRLF} </BODY>{CRLF}</ENVELOPE>{CRLF}"
    else:
        yield f"<ENVELOPE>{CRLF} <BODY>{CRLF}  <DATA>{CRLF}"
        close = f"  </DATA>{CRLF} </BODY>{CRLF}</ENVELOPE>{CRLF}"
    plans: dict[int, Any] = {}
    buffer: list[str] = []
    for spec, obj in objects:
        plan = plans.setdefault(id(spec), compile_plan(spec, parse_fetch(["*"])))
        buffer.append(f'    <TALLYMESSAGE xmlns:UDF="TallyUDF">{CRLF}')
        buffer.append(render(plan, obj, ctx, 5, typed=False, interchange=True))
        buffer.append(f"    </TALLYMESSAGE>{CRLF}")
        if len(buffer) > 600:
            yield "".join(buffer)
            buffer = []
    buffer.append(
        f'    <TALLYMESSAGE xmlns:UDF="TallyUDF">{CRLF}     <COMPANY>{CRLF}'
        f'      <REMOTECMPINFO.LIST MERGE="Yes">{CRLF}       <NAME>{company.guid}</NAME>{CRLF}'
        f"       <REMOTECMPNAME>{name}</REMOTECMPNAME>{CRLF}"
        f"       <REMOTECMPSTATE>{escape(company.state_name)}</REMOTECMPSTATE>{CRLF}"
        f"      </REMOTECMPINFO.LIST>{CRLF}     </COMPANY>{CRLF}    </TALLYMESSAGE>{CRLF}"
    )
    buffer.append(close)
    yield "".join(buffer)


def list_of_accounts(ctx: ExportContext, account_type: str) -> Iterator[str] | None:
    kinds = ACCOUNT_TYPES.get(report_key(account_type))
    if kinds is None or ctx.company is None:
        return None
    objects: list[tuple[ObjectSpec, Any]] = []
    for kind in kinds:
        attribute, spec = _MASTER_KINDS[kind]
        objects.extend((spec, m) for m in getattr(ctx.company, attribute).sorted())
    return _interchange(ctx, "All Masters", objects)


def _window(ctx: ExportContext, day_book: bool) -> tuple[date, date]:
    company = ctx.company
    assert company is not None
    last = company.last_voucher_date() or company.period_from
    explicit = ctx.static.get("SVFROMDATE") or ctx.static.get("SVTODATE")
    if ctx.settings.report_date_range == "quirky":
        return (last, last) if day_book else (company.period_from, company.period_to)
    if not explicit:
        return (last, last) if day_book else (company.period_from, company.period_to)
    return ctx.period()


def vouchers_report(ctx: ExportContext, day_book: bool, voucher_type: str | None) -> Iterator[str]:
    company = ctx.company
    assert company is not None
    start, end = _window(ctx, day_book)
    wanted = name_key(voucher_type) if voucher_type else None
    rows: list[tuple[ObjectSpec, Any]] = []
    for voucher in company.vouchers_in_order():
        if voucher.is_cancelled or not (start <= voucher.date <= end):
            continue
        if wanted and not _is_of_type(company, voucher, wanted):
            continue
        rows.append((VOUCHER_INTERCHANGE, voucher))
    return _interchange(ctx, "Vouchers", rows)


def _is_of_type(company: Company, voucher: Voucher, wanted: str) -> bool:
    return (
        name_key(voucher.voucher_type) == wanted
        or name_key(base_type(company, voucher.voucher_type)) == wanted
    )


@dataclass
class _Stock:
    name: str
    quantity: Decimal
    units: set[str]
    value: Decimal


def stock_summary(ctx: ExportContext, explode: bool) -> Iterator[str]:
    """Top-level stock groups and ungrouped items (BRIDGE saw one DSPACCNAME/DSPSTKINFO pair
    per top-level group); EXPLODEFLAG=Yes lists every item instead."""
    company = ctx.company
    assert company is not None
    rows: dict[str, _Stock] = {}
    for item in company.stock_items.sorted():
        label = item.name if explode else _top_group(company, item)
        row = rows.setdefault(name_key(label), _Stock(label, ZERO, set(), ZERO))
        row.quantity += closing_quantity(item)
        row.units.add(item.base_units)
        row.value += closing_value(item) or ZERO
    parts = [f"<ENVELOPE>{CRLF}"]
    for row in sorted(rows.values(), key=lambda r: name_key(r.name)):
        same_unit = len(row.units) == 1 and row.quantity != 0
        quantity = f" {fmt_number_text(row.quantity)} {next(iter(row.units))}" if same_unit else ""
        rate = f"{row.value / row.quantity:.2f}" if same_unit else ""
        amount = fmt_amount(-row.value) if row.value else ""
        parts.append(
            f" <DSPACCNAME>{CRLF}  <DSPDISPNAME>{escape(row.name)}</DSPDISPNAME>{CRLF} </DSPACCNAME>{CRLF}"
            f" <DSPSTKINFO>{CRLF}  <DSPSTKCL>{CRLF}   <DSPCLQTY>{escape(quantity)}</DSPCLQTY>{CRLF}"
            f"   <DSPCLRATE>{rate}</DSPCLRATE>{CRLF}   <DSPCLAMTA>{amount}</DSPCLAMTA>{CRLF}"
            f"  </DSPSTKCL>{CRLF} </DSPSTKINFO>{CRLF}"
        )
    parts.append(f"</ENVELOPE>{CRLF}")
    yield "".join(parts)


def _top_group(company: Company, item: StockItem) -> str:
    group = company.stock_groups.get(item.parent)
    if group is None:
        return item.name
    seen: set[str] = set()
    while group.parent and name_key(group.name) not in seen:
        seen.add(name_key(group.name))
        parent = company.stock_groups.get(group.parent)
        if parent is None:
            break
        group = parent
    return group.name


def trial_balance(ctx: ExportContext) -> Iterator[str]:
    """Closing balance per primary group (and per ledger sitting directly under Primary)."""
    company = ctx.company
    assert company is not None
    totals: dict[str, Decimal] = {}
    for ledger in company.ledgers:
        top = _top_account_group(company, ledger.parent) if ledger.parent else ledger.name
        totals[top] = totals.get(top, ZERO) + ledger_closing(ledger)
    parts = [f"<ENVELOPE>{CRLF}"]
    for name in sorted(totals, key=name_key):
        balance = totals[name]
        if balance == 0:
            continue
        debit = fmt_amount(balance) if balance < 0 else ""
        credit = fmt_amount(balance) if balance > 0 else ""
        parts.append(
            f" <DSPACCNAME>{CRLF}  <DSPDISPNAME>{escape(name)}</DSPDISPNAME>{CRLF} </DSPACCNAME>{CRLF}"
            f" <DSPACCINFO>{CRLF}  <DSPCLDRAMT>{CRLF}   <DSPCLDRAMTA>{debit}</DSPCLDRAMTA>{CRLF}"
            f"  </DSPCLDRAMT>{CRLF}  <DSPCLCRAMT>{CRLF}   <DSPCLCRAMTA>{credit}</DSPCLCRAMTA>{CRLF}"
            f"  </DSPCLCRAMT>{CRLF} </DSPACCINFO>{CRLF}"
        )
    parts.append(f"</ENVELOPE>{CRLF}")
    yield "".join(parts)


def _top_account_group(company: Company, group_name: str) -> str:
    group = company.groups.get(group_name)
    seen: set[str] = set()
    while group is not None and group.parent and name_key(group.name) not in seen:
        seen.add(name_key(group.name))
        parent = company.groups.get(group.parent)
        if parent is None:
            break
        group = parent
    return group.name if group is not None else group_name
