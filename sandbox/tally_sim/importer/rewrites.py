"""What TallyPrime silently changes in an imported voucher (tally-xml.md §4.9), all with
CREATED=1, ERRORS=0:

* bill allocations on a ledger with ISBILLWISEON=No are dropped;
* `On Account` allocations lose their name;
* a `New Ref` takes the voucher date as its bill date, an `Agst Ref` inherits the date of the
  bill it settles, and an `Advance` naming an existing reference is stored as `Agst Ref`;
* Payment and Receipt vouchers read back with the bank/cash ledger as PARTYLEDGERNAME
  (§4.9, BRIDGE §9.13 correction).

Automatic numbering overriding VOUCHERNUMBER is done by the voucher importer.
"""

from __future__ import annotations

from tally_sim.model.books import base_type
from tally_sim.model.company import Company
from tally_sim.model.values import name_key
from tally_sim.model.vouchers import BillAllocation, Voucher

_CASH_AND_BANK = {"bank accounts", "cash-in-hand", "bank od a/c"}


def _existing_bill(company: Company, ledger: str, bill: str, skip: int) -> BillAllocation | None:
    for voucher in company.vouchers.values():
        if voucher.master_id == skip:
            continue
        for entry in voucher.ledger_entries:
            if name_key(entry.ledger_name) != name_key(ledger):
                continue
            for allocation in entry.bill_allocations:
                if allocation.bill_type.casefold() == "new ref" and allocation.name == bill:
                    return allocation
    return None


def _is_cash_or_bank(company: Company, ledger_name: str) -> bool:
    ledger = company.ledgers.get(ledger_name)
    group = company.groups.get(ledger.parent) if ledger else None
    seen: set[str] = set()
    while group is not None and name_key(group.name) not in seen:
        if name_key(group.name) in _CASH_AND_BANK:
            return True
        seen.add(name_key(group.name))
        group = company.groups.get(group.parent)
    return False


def apply_rewrites(company: Company, voucher: Voucher) -> None:
    for entry in voucher.ledger_entries:
        ledger = company.ledgers.get(entry.ledger_name)
        if ledger is None or not ledger.is_bill_wise_on:
            entry.bill_allocations = []
            continue
        for bill in entry.bill_allocations:
            kind = bill.bill_type.casefold()
            if kind == "on account":
                bill.name = ""
            elif kind == "new ref":
                bill.bill_date = voucher.date
            elif kind in ("agst ref", "advance"):
                original = _existing_bill(company, entry.ledger_name, bill.name, voucher.master_id)
                if original is not None:
                    bill.bill_type = "Agst Ref"
                    bill.bill_date = original.bill_date
                elif kind == "agst ref":
                    bill.bill_date = voucher.date
    if base_type(company, voucher.voucher_type) in ("Payment", "Receipt"):
        bank = next(
            (
                e.ledger_name
                for e in voucher.ledger_entries
                if _is_cash_or_bank(company, e.ledger_name)
            ),
            None,
        )
        if bank is not None:
            voucher.party_ledger_name = bank
