"""Compare a tenant's mapping with Tally's masters and Walmart's catalog: every gap, in plain
words (``mlc mapping check``). Pure: the caller reads Tally and Walmart.

Gaps found:

* a Walmart SKU no mapping rule reaches (no ``skus`` entry, and with ``match_by_name`` no
  stock item named, aliased or part-numbered like it): its orders would park;
* a SKU mapped to a stock item Tally does not have;
* a mapped SKU Walmart does not list (its stock would be pushed for nothing);
* a ledger, godown or cost centre the mapping names that Tally does not have. Ledgers and
  cost centres can be created (``--create-missing``, when the agent allows master creation);
  godowns cannot (the agent creates only ledgers, groups, cost centres and stock items).

Which names are ledgers, godowns and cost centres is read from the mapping's own fields: a
field called ``ledger``, ``*_ledger`` or ``ledgers`` (and the ``customers`` table) holds
ledger names, ``godown(s)`` godown names, ``cost_centre(s)`` cost-centre names, wherever they
sit. New mapping sections are checked without changes here as long as they follow that
naming. Settlement rules may name the roles ``party`` and ``tax`` instead of a ledger; the
default rules' ledgers are checked when they are in use.

Tally compares master names case-insensitively, trimmed (tally-xml.md §1.7), and so does
this check.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from mlc_shared.domain.tally import CostCentreSpec, LedgerSpec, MasterSpec, StockItem
from pydantic import BaseModel

from sync_orchestrator.mapping import TenantMapping
from sync_orchestrator.mapping_sections import DEFAULT_RULES, PARTY, TAX

GapKind = Literal[
    "unmapped_sku",
    "missing_stock_item",
    "sku_not_listed",
    "missing_ledger",
    "missing_godown",
    "missing_cost_centre",
]
MasterKind = Literal["ledger", "godown", "cost_centre"]

# Tally's predefined groups (tally-xml.md §4.8 shows "Sundry Debtors"; the others are the
# reserved groups of every company) for ledgers created by --create-missing, by role.
PARENT_GROUPS: tuple[tuple[str, str], ...] = (
    ("party", "Sundry Debtors"),
    ("customers", "Sundry Debtors"),
    ("bank", "Bank Accounts"),
    ("tax", "Duties & Taxes"),
    ("sales", "Sales Accounts"),
    ("shipping", "Indirect Incomes"),
)
OTHER_LEDGERS_GROUP = "Indirect Expenses"
"""Fees, commissions, promotions and the like: what Walmart charges the seller."""


@dataclass(frozen=True)
class TallyMasters:
    stock_items: tuple[StockItem, ...] = ()
    ledgers: frozenset[str] = frozenset()
    godowns: frozenset[str] = frozenset()
    cost_centres: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Gap:
    kind: GapKind
    subject: str
    message: str
    create: MasterSpec | None = field(default=None, compare=False)
    """The master ``--create-missing`` would create for this gap."""


def _key(name: str) -> str:
    return name.strip().casefold()


def _ledger_parent(where: str) -> str:
    lowered = where.casefold()
    for word, group in PARENT_GROUPS:
        if word in lowered:
            return group
    return OTHER_LEDGERS_GROUP


def _kind_of(field_name: str) -> MasterKind | None:
    if field_name in ("ledger", "ledgers", "customers") or field_name.endswith(
        ("_ledger", "_ledgers")
    ):
        return "ledger"
    if field_name in ("godown", "godowns"):
        return "godown"
    if field_name in ("cost_centre", "cost_centres"):
        return "cost_centre"
    return None


def _named(kind: MasterKind, value: Any, where: str) -> Iterator[tuple[MasterKind, str, str]]:
    """Every name under a field that holds ``kind`` names, with where it sits."""
    if isinstance(value, str):
        yield kind, where, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _named(kind, getattr(value, name), f"{where}.{name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _named(kind, item, f"{where}[{key}]")
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _named(kind, item, where)


def _walk(value: Any, where: str) -> Iterator[tuple[MasterKind, str, str]]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            child = getattr(value, name)
            path = f"{where}.{name}" if where else name
            kind = _kind_of(name)
            yield from (_walk(child, path) if kind is None else _named(kind, child, path))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{where}[{key}]")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, f"{where}[{index}]")


def referenced_masters(mapping: TenantMapping) -> list[tuple[MasterKind, str, str]]:
    """(kind, where in the mapping, name) of every master the mapping names, first use."""
    found: list[tuple[MasterKind, str, str]] = []
    if mapping.settlements.use_default_rules:
        found += [
            ("ledger", f"settlements default rule {rule.amount_type!r}", rule.ledger)
            for rule in DEFAULT_RULES
        ]
    found += list(_walk(mapping, ""))
    seen: set[tuple[str, str]] = set()
    unique: list[tuple[MasterKind, str, str]] = []
    for kind, where, name in found:
        if kind == "ledger" and name in (PARTY, TAX) and "rule" in where:
            continue  # a role, resolved to ledgers.party / ledgers.tax
        if (kind, _key(name)) in seen or not name.strip():
            continue
        seen.add((kind, _key(name)))
        unique.append((kind, where, name))
    return unique


def _item_names(items: Iterable[StockItem]) -> set[str]:
    names: set[str] = set()
    for item in items:
        names.add(_key(item.name))
        names.update(_key(alias) for alias in item.aliases)
        if item.part_number:
            names.add(_key(item.part_number))
    return names


def check_mapping(
    mapping: TenantMapping, tally: TallyMasters, walmart_skus: Iterable[str]
) -> list[Gap]:
    gaps: list[Gap] = []
    items = {_key(item.name) for item in tally.stock_items}
    matchable = _item_names(tally.stock_items)
    listed = set(walmart_skus)
    for sku in sorted(listed):
        if sku in mapping.skus:
            continue
        if mapping.match_by_name and _key(sku) in matchable:
            continue
        gaps.append(
            Gap(
                "unmapped_sku",
                sku,
                f"Walmart SKU {sku!r} is not mapped to a Tally stock item "
                "(its orders would be parked until it is)",
            )
        )
    for sku, entry in sorted(mapping.skus.items()):
        if _key(entry.stock_item) not in items:
            gaps.append(
                Gap(
                    "missing_stock_item",
                    sku,
                    f"SKU {sku!r} is mapped to stock item {entry.stock_item!r}, "
                    "which is not in Tally",
                )
            )
        if sku not in listed:
            gaps.append(
                Gap("sku_not_listed", sku, f"SKU {sku!r} is mapped but Walmart does not list it")
            )
    existing: dict[MasterKind, set[str]] = {
        "ledger": {_key(n) for n in tally.ledgers},
        "godown": {_key(n) for n in tally.godowns},
        "cost_centre": {_key(n) for n in tally.cost_centres},
    }
    for kind, where, name in referenced_masters(mapping):
        if _key(name) in existing[kind]:
            continue
        gaps.append(_missing(kind, where, name))
    return gaps


def _missing(kind: MasterKind, where: str, name: str) -> Gap:
    if kind == "ledger":
        parent = _ledger_parent(where)
        return Gap(
            "missing_ledger",
            name,
            f"ledger {name!r} ({where}) is missing in Tally",
            LedgerSpec(name=name, parent=parent, is_bill_wise=parent == "Sundry Debtors"),
        )
    if kind == "cost_centre":
        return Gap(
            "missing_cost_centre",
            name,
            f"cost centre {name!r} ({where}) is missing in Tally",
            CostCentreSpec(name=name),
        )
    return Gap(
        "missing_godown",
        name,
        f"godown {name!r} ({where}) is missing in Tally (create it in Tally: the connector "
        "does not create godowns)",
    )
