"""JSON views of the simulator's state for tests, the demo and operators (admin API only;
the Tally port never speaks this format)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tally_sim.model.books import (
    closing_quantity,
    closing_rate,
    closing_value,
    godown_balances,
    ledger_closing,
)
from tally_sim.model.company import Company
from tally_sim.model.masters import StockItem
from tally_sim.model.state import SimState
from tally_sim.model.values import money
from tally_sim.model.vouchers import CategoryAllocation, LedgerEntry, Voucher


def _num(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def company_view(state: SimState, company: Company) -> dict[str, Any]:
    active = state.active()
    return {
        "name": company.name,
        "guid": company.guid,
        "loaded": company.loaded,
        "active": active is company,
        "password_protected": company.credentials is not None,
        "books_from": company.books_from.isoformat(),
        "period_from": company.period_from.isoformat(),
        "period_to": company.period_to.isoformat(),
        "alt_mst_id": company.ids.alt_mst_id,
        "alt_vch_id": company.ids.alt_vch_id,
        "id_namespace": company.ids.namespace,
        "counts": {
            "groups": len(company.groups),
            "ledgers": len(company.ledgers),
            "cost_centres": len(company.cost_centres),
            "godowns": len(company.godowns),
            "units": len(company.units),
            "stock_groups": len(company.stock_groups),
            "stock_items": len(company.stock_items),
            "voucher_types": len(company.voucher_types),
            "vouchers": len(company.vouchers),
        },
    }


def _categories(categories: list[CategoryAllocation]) -> list[dict[str, Any]]:
    return [
        {"category": c.category, "cost_centre": cc.name, "amount": _num(cc.amount)}
        for c in categories
        for cc in c.cost_centres
    ]


def _entry(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "ledger": entry.ledger_name,
        "amount": _num(entry.amount),
        "is_deemed_positive": entry.is_deemed_positive,
        "is_party": entry.is_party_ledger,
        "bills": [
            {
                "name": b.name,
                "type": b.bill_type,
                "amount": _num(b.amount),
                "date": b.bill_date.isoformat() if b.bill_date else None,
            }
            for b in entry.bill_allocations
        ],
        "cost_centres": _categories(entry.category_allocations),
    }


def voucher_view(voucher: Voucher) -> dict[str, Any]:
    return {
        "guid": voucher.guid,
        "master_id": voucher.master_id,
        "alter_id": voucher.alter_id,
        "remote_id": voucher.remote_id,
        "vch_key": voucher.vch_key,
        "type": voucher.voucher_type,
        "number": voucher.number,
        "date": voucher.date.isoformat(),
        "reference": voucher.reference,
        "narration": voucher.narration,
        "party_ledger": voucher.party_ledger_name,
        "is_invoice": voucher.is_invoice,
        "is_cancelled": voucher.is_cancelled,
        "is_optional": voucher.is_optional,
        "entries": [_entry(e) for e in voucher.ledger_entries],
        "inventory": [
            {
                "item": i.stock_item_name,
                "inward": i.is_deemed_positive,
                "qty": _num(i.actual_qty),
                "unit": i.unit,
                "rate": _num(i.rate),
                "amount": _num(i.amount),
                "godowns": [
                    {"godown": b.godown, "qty": _num(b.actual_qty)} for b in i.batch_allocations
                ],
                "accounting": [_entry(a) for a in i.accounting_allocations],
                "cost_centres": _categories(i.category_allocations),
            }
            for i in voucher.inventory_entries
        ],
    }


def standard_price(item: StockItem, on: date | None = None) -> Decimal | None:
    rows = [p for p in item.standard_prices if on is None or p.applicable_from <= on]
    return rows[-1].rate if rows else None


def stock_view(item: StockItem) -> dict[str, Any]:
    rate = closing_rate(item)
    return {
        "name": item.name,
        "guid": item.guid,
        "master_id": item.master_id,
        "alter_id": item.alter_id,
        "parent": item.parent,
        "base_unit": item.base_units,
        "aliases": item.aliases,
        "part_number": item.part_number,
        "hsn_code": item.hsn_code,
        "gst_rate": _num(item.gst_rate),
        "closing_qty": _num(closing_quantity(item)),
        "closing_rate": _num(money(rate) if rate is not None else None),
        "closing_value": _num(closing_value(item)),
        "standard_price": _num(standard_price(item)),
        "standard_prices": [
            {"date": p.applicable_from.isoformat(), "rate": _num(p.rate)}
            for p in item.standard_prices
        ],
        "godowns": [
            {
                "godown": b.godown,
                "qty": _num(b.closing_quantity),
                "opening_qty": _num(b.opening_quantity),
            }
            for b in godown_balances(item)
        ],
    }


def ledger_view(company: Company) -> list[dict[str, Any]]:
    return [
        {
            "name": ledger.name,
            "parent": ledger.parent,
            "guid": ledger.guid,
            "master_id": ledger.master_id,
            "alter_id": ledger.alter_id,
            "opening_balance": _num(ledger.opening_balance),
            "closing_balance": _num(ledger_closing(ledger)),
        }
        for ledger in company.ledgers.sorted()
    ]
