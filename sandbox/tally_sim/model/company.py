"""One company's books: master tables keyed by name, vouchers keyed by MASTERID, and the
identity allocator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from tally_sim.model.ids import IdAllocator
from tally_sim.model.masters import (
    CostCategory,
    CostCentre,
    Currency,
    Godown,
    Group,
    Ledger,
    Master,
    StockGroup,
    StockItem,
    Unit,
    VoucherType,
)
from tally_sim.model.values import name_key
from tally_sim.model.vouchers import Voucher

M = TypeVar("M", bound=Master)


class MasterTable(Generic[M]):
    """Masters of one type, found by name or alias, case-insensitively (tally-xml.md §4.8:
    masters are keyed by name)."""

    def __init__(self) -> None:
        self._by_key: dict[str, M] = {}
        self._alias_to_key: dict[str, str] = {}

    def get(self, name: str | None) -> M | None:
        if name is None:
            return None
        key = name_key(name)
        found = self._by_key.get(key)
        if found is not None:
            return found
        owner = self._alias_to_key.get(key)
        return self._by_key.get(owner) if owner else None

    def add(self, master: M) -> None:
        self._by_key[name_key(master.name)] = master
        self._index_aliases(master)

    def remove(self, master: M) -> None:
        self._by_key.pop(name_key(master.name), None)
        self._drop_aliases(master)

    def rename(self, master: M, new_name: str, aliases: list[str]) -> None:
        self.remove(master)
        master.name = new_name
        master.aliases = aliases
        self.add(master)

    def set_aliases(self, master: M, aliases: list[str]) -> None:
        self._drop_aliases(master)
        master.aliases = aliases
        self._index_aliases(master)

    def __iter__(self) -> Iterator[M]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def sorted(self) -> list[M]:
        """Collections list masters in name order."""
        return sorted(self._by_key.values(), key=lambda m: name_key(m.name))

    def _index_aliases(self, master: M) -> None:
        key = name_key(master.name)
        for alias in master.aliases:
            self._alias_to_key.setdefault(name_key(alias), key)

    def _drop_aliases(self, master: M) -> None:
        key = name_key(master.name)
        for alias in master.aliases:
            if self._alias_to_key.get(name_key(alias)) == key:
                del self._alias_to_key[name_key(alias)]


@dataclass(frozen=True)
class Credentials:
    """The optional per-company password profile (SVUSERNAME / SVPASSWORD; tally-xml.md §6
    says the port does not check them, sellers ask for it anyway)."""

    username: str
    password: str


@dataclass(eq=False)
class Company:
    name: str
    guid: str
    books_from: date
    period_from: date
    period_to: date
    ids: IdAllocator
    state_name: str = ""
    country_name: str = "India"
    gstin: str = ""
    formal_name: str = ""
    company_number: int = 10000
    loaded: bool = True
    credentials: Credentials | None = None
    groups: MasterTable[Group] = field(default_factory=MasterTable)
    ledgers: MasterTable[Ledger] = field(default_factory=MasterTable)
    cost_categories: MasterTable[CostCategory] = field(default_factory=MasterTable)
    cost_centres: MasterTable[CostCentre] = field(default_factory=MasterTable)
    godowns: MasterTable[Godown] = field(default_factory=MasterTable)
    units: MasterTable[Unit] = field(default_factory=MasterTable)
    stock_groups: MasterTable[StockGroup] = field(default_factory=MasterTable)
    stock_items: MasterTable[StockItem] = field(default_factory=MasterTable)
    voucher_types: MasterTable[VoucherType] = field(default_factory=MasterTable)
    currencies: MasterTable[Currency] = field(default_factory=MasterTable)
    vouchers: dict[int, Voucher] = field(default_factory=dict)
    remote_index: dict[str, int] = field(default_factory=dict)

    def last_voucher_date(self) -> date | None:
        dates = [v.date for v in self.vouchers.values()]
        return max(dates) if dates else None

    def find_voucher_by_remote_id(self, remote_id: str) -> Voucher | None:
        master_id = self.remote_index.get(remote_id)
        return self.vouchers.get(master_id) if master_id is not None else None

    def vouchers_in_order(self) -> list[Voucher]:
        """Day Book order: by date, then by creation."""
        return sorted(self.vouchers.values(), key=lambda v: (v.date, v.master_id))
