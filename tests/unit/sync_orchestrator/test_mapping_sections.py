"""The returns and settlements sections as an operator writes them (docs/mapping.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlc_shared.domain.walmart import ReconRow
from pydantic import ValidationError
from sync_orchestrator.mapping import mapping_from_file

TOML = """
[returns]
sales_return_ledger = "Sales Returns - Walmart"
restock = false

[settlements]
bank_ledger = "HDFC Bank Current A/c"
unmapped_ledger = "Walmart Suspense"

[[settlements.rules]]
amount_type = "Fee/Reimbursement"
description = "Walmart Shipping Label Service Charge"
ledger = "Courier Charges"
"""


def _row(amount_type: str, description: str | None = None) -> ReconRow:
    return ReconRow(amount_type=amount_type, transaction_description=description)


def test_sections_load_from_toml_and_code_rows(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(TOML)
    mapping = mapping_from_file(path)
    assert mapping.returns.sales_return_ledger == "Sales Returns - Walmart"
    assert not mapping.returns.restock
    rules = mapping.settlements
    label = rules.rule_for(_row("Fee/Reimbursement", "Walmart  Shipping Label Service Charge "))
    assert label is not None
    assert label.ledger == "Courier Charges"  # spacing and case as Walmart pads them
    other_fee = rules.rule_for(_row("Fee/Reimbursement", "Something else"))
    assert other_fee is not None
    assert other_fee.ledger == "Walmart Fees"  # the default
    novel = rules.rule_for(_row("Brand New Fee"))
    assert novel is not None
    assert novel.ledger == "Walmart Suspense"


def test_a_misspelt_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text('[settlements]\nbank = "HDFC"\n')
    with pytest.raises(ValidationError, match="bank"):
        mapping_from_file(path)
