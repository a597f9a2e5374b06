"""What TallyPrime puts in every new company: the 28 reserved groups, the Cash and
Profit & Loss A/c ledgers, the base currency, the 24 predefined voucher types, the
`Main Location` godown and the `Primary Cost Category` (BRIDGE §4 counted 28 groups and
24 voucher types on a fresh book; tally-xml.md §1.4, §4.4, §4.6)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from tally_sim.model.company import Company, M, MasterTable
from tally_sim.model.ids import IdAllocator
from tally_sim.model.masters import (
    CostCategory,
    Currency,
    Godown,
    Group,
    Ledger,
    VoucherType,
)
from tally_sim.model.values import financial_year_end, financial_year_start

_GUID_NAMESPACE = uuid.UUID("6f1d2c3e-7a0b-4c55-9d1e-5a7e3c1b2f90")

# (name, parent or None for a primary group, nature, affects gross profit)
PREDEFINED_GROUPS: tuple[tuple[str, str | None, str, bool], ...] = (
    ("Branch / Divisions", None, "Liabilities", False),
    ("Capital Account", None, "Liabilities", False),
    ("Current Assets", None, "Assets", False),
    ("Current Liabilities", None, "Liabilities", False),
    ("Direct Expenses", None, "Expenses", True),
    ("Direct Incomes", None, "Income", True),
    ("Fixed Assets", None, "Assets", False),
    ("Indirect Expenses", None, "Expenses", False),
    ("Indirect Incomes", None, "Income", False),
    ("Investments", None, "Assets", False),
    ("Loans (Liability)", None, "Liabilities", False),
    ("Misc. Expenses (ASSET)", None, "Assets", False),
    ("Purchase Accounts", None, "Expenses", True),
    ("Sales Accounts", None, "Income", True),
    ("Suspense A/c", None, "Liabilities", False),
    ("Bank Accounts", "Current Assets", "Assets", False),
    ("Bank OD A/c", "Loans (Liability)", "Liabilities", False),
    ("Cash-in-Hand", "Current Assets", "Assets", False),
    ("Deposits (Asset)", "Current Assets", "Assets", False),
    ("Duties & Taxes", "Current Liabilities", "Liabilities", False),
    ("Loans & Advances (Asset)", "Current Assets", "Assets", False),
    ("Provisions", "Current Liabilities", "Liabilities", False),
    ("Reserves & Surplus", "Capital Account", "Liabilities", False),
    ("Secured Loans", "Loans (Liability)", "Liabilities", False),
    ("Stock-in-Hand", "Current Assets", "Assets", False),
    ("Sundry Creditors", "Current Liabilities", "Liabilities", False),
    ("Sundry Debtors", "Current Assets", "Assets", False),
    ("Unsecured Loans", "Loans (Liability)", "Liabilities", False),
)

PREDEFINED_VOUCHER_TYPES: tuple[str, ...] = (
    "Attendance",
    "Contra",
    "Credit Note",
    "Debit Note",
    "Delivery Note",
    "Job Work In Order",
    "Job Work Out Order",
    "Journal",
    "Material In",
    "Material Out",
    "Memorandum",
    "Payment",
    "Payroll",
    "Physical Stock",
    "Purchase",
    "Purchase Order",
    "Receipt",
    "Receipt Note",
    "Rejections In",
    "Rejections Out",
    "Reversing Journal",
    "Sales",
    "Sales Order",
    "Stock Journal",
)

MAIN_LOCATION = "Main Location"
PRIMARY_COST_CATEGORY = "Primary Cost Category"
PROFIT_AND_LOSS = "Profit & Loss A/c"


def company_guid(name: str) -> str:
    """Deterministic per name, so demo data and test expectations are stable."""
    return str(uuid.uuid5(_GUID_NAMESPACE, name.casefold()))


def add_master(company: Company, table: MasterTable[M], master: M) -> None:
    """Give a new master its MASTERID/ALTERID/GUID and store it."""
    master.master_id, master.alter_id, master.guid = company.ids.new_object("master")
    table.add(master)


def new_company(
    name: str,
    *,
    books_from: date,
    namespace: Literal["shared", "separate"],
    company_number: int,
    state_name: str = "",
    gstin: str = "",
) -> Company:
    guid = company_guid(name)
    company = Company(
        name=name,
        guid=guid,
        books_from=books_from,
        period_from=financial_year_start(books_from),
        period_to=financial_year_end(books_from),
        ids=IdAllocator(guid, namespace),
        state_name=state_name,
        gstin=gstin,
        formal_name=name,
        company_number=company_number,
    )
    _add_predefined(company)
    return company


def _add_predefined(company: Company) -> None:
    for position, (name, parent, nature, gross) in enumerate(PREDEFINED_GROUPS, start=1):
        group = Group(
            name=name,
            reserved_name=name,
            parent=parent,
            nature=nature,
            affects_gross_profit=gross,
            sort_position=position * 10,
        )
        add_master(company, company.groups, group)
    # BRIDGE §9.11a shows the base currency at MASTERID 0x1d = 29, right after the 28 groups.
    add_master(company, company.currencies, Currency(name="₹", reserved_name=""))
    add_master(
        company,
        company.ledgers,
        Ledger(name=PROFIT_AND_LOSS, reserved_name=PROFIT_AND_LOSS, parent=""),
    )
    add_master(
        company,
        company.ledgers,
        Ledger(name="Cash", reserved_name="Cash", parent="Cash-in-Hand"),
    )
    for vt_name in PREDEFINED_VOUCHER_TYPES:
        voucher_type = VoucherType(name=vt_name, reserved_name=vt_name, parent=vt_name)
        add_master(company, company.voucher_types, voucher_type)
    add_master(
        company,
        company.godowns,
        Godown(name=MAIN_LOCATION, reserved_name=MAIN_LOCATION),
    )
    add_master(
        company,
        company.cost_categories,
        CostCategory(name=PRIMARY_COST_CATEGORY, reserved_name=PRIMARY_COST_CATEGORY),
    )
