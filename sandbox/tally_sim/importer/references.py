"""Keeping references consistent when a master is renamed or asked to be deleted.

Tally renames a master everywhere it is used, and refuses to delete a master that vouchers or
other masters still use. Renames and in-use checks are done here so the stored names, the
godown-wise balances and the voucher entries never point at nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tally_sim.model.company import Company
from tally_sim.model.masters import Master
from tally_sim.model.values import name_key
from tally_sim.model.vouchers import LedgerEntry, Voucher


def _ledger_entries(voucher: Voucher) -> Iterator[LedgerEntry]:
    yield from voucher.ledger_entries
    for inventory in voucher.inventory_entries:
        yield from inventory.accounting_allocations


def rename_references(company: Company, kind: str, old: str, new: str) -> None:
    key = name_key(old)

    def same(value: str | None) -> bool:
        return value is not None and name_key(value) == key

    if kind == "GROUP":
        for group in company.groups:
            if same(group.parent):
                group.parent = new
        for ledger in company.ledgers:
            if same(ledger.parent):
                ledger.parent = new
    elif kind == "STOCKGROUP":
        for stock_group in company.stock_groups:
            if same(stock_group.parent):
                stock_group.parent = new
        for item in company.stock_items:
            if same(item.parent):
                item.parent = new
    elif kind == "UNIT":
        for item in company.stock_items:
            if same(item.base_units):
                item.base_units = new
    elif kind == "GODOWN":
        for item in company.stock_items:
            for opening in item.openings:
                if same(opening.godown):
                    opening.godown = new
            if key in item.godown_movement:
                _, quantity = item.godown_movement.pop(key)
                item.godown_movement[name_key(new)] = (new, quantity)
    elif kind == "COSTCENTRE":
        for centre in company.cost_centres:
            if same(centre.parent):
                centre.parent = new
    for voucher in company.vouchers.values():
        _rename_in_voucher(voucher, kind, same, new)


def _rename_in_voucher(
    voucher: Voucher, kind: str, matches: Callable[[str | None], bool], new: str
) -> None:
    if kind == "LEDGER":
        if matches(voucher.party_ledger_name):
            voucher.party_ledger_name = new
        for entry in _ledger_entries(voucher):
            if matches(entry.ledger_name):
                entry.ledger_name = new
    elif kind == "VOUCHERTYPE" and matches(voucher.voucher_type):
        voucher.voucher_type = new
    elif kind == "STOCKITEM":
        for inventory in voucher.inventory_entries:
            if matches(inventory.stock_item_name):
                inventory.stock_item_name = new
    elif kind == "GODOWN":
        for inventory in voucher.inventory_entries:
            for batch in inventory.batch_allocations:
                if matches(batch.godown):
                    batch.godown = new
    elif kind in ("COSTCENTRE", "COSTCATEGORY"):
        for entry in _ledger_entries(voucher):
            for category in entry.category_allocations:
                if kind == "COSTCATEGORY" and matches(category.category):
                    category.category = new
                for centre in category.cost_centres:
                    if kind == "COSTCENTRE" and matches(centre.name):
                        centre.name = new


def in_use(company: Company, kind: str, master: Master) -> bool:
    """True when deleting `master` would leave something pointing at nothing."""
    if master.reserved_name:
        return True
    key = name_key(master.name)
    if kind == "GROUP":
        return any(name_key(g.parent or "") == key for g in company.groups) or any(
            name_key(led.parent) == key for led in company.ledgers
        )
    if kind == "STOCKGROUP":
        return any(name_key(g.parent or "") == key for g in company.stock_groups) or any(
            name_key(i.parent or "") == key for i in company.stock_items
        )
    if kind == "UNIT":
        return any(name_key(i.base_units) == key for i in company.stock_items)
    if kind == "COSTCENTRE" and any(name_key(c.parent or "") == key for c in company.cost_centres):
        return True
    if kind == "COSTCATEGORY" and any(name_key(c.category) == key for c in company.cost_centres):
        return True
    if kind == "GODOWN" and any(
        name_key(o.godown) == key for i in company.stock_items for o in i.openings
    ):
        return True
    if kind == "VOUCHERTYPE" and any(name_key(v.parent) == key for v in company.voucher_types):
        return True
    return any(_voucher_uses(v, kind, key) for v in company.vouchers.values())


def _voucher_uses(voucher: Voucher, kind: str, key: str) -> bool:
    if kind == "LEDGER":
        return name_key(voucher.party_ledger_name) == key or any(
            name_key(e.ledger_name) == key for e in _ledger_entries(voucher)
        )
    if kind == "VOUCHERTYPE":
        return name_key(voucher.voucher_type) == key
    if kind == "STOCKITEM":
        return any(name_key(i.stock_item_name) == key for i in voucher.inventory_entries)
    if kind == "GODOWN":
        return any(
            name_key(b.godown) == key
            for i in voucher.inventory_entries
            for b in i.batch_allocations
        )
    if kind in ("COSTCENTRE", "COSTCATEGORY"):
        for entry in _ledger_entries(voucher):
            for category in entry.category_allocations:
                if kind == "COSTCATEGORY" and name_key(category.category) == key:
                    return True
                if any(name_key(c.name) == key for c in category.cost_centres):
                    return True
    return False
