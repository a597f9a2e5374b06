"""``mlc tally`` against the simulator (in its own process) over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ml_connector.cli.tally import EXIT_COMPANY, EXIT_CONFIG, EXIT_PORT, app
from tests.unit.tally_agent.simulator import COMPANY, simulator_process

SALE: dict[str, Any] = {
    "type": "Sales",
    "date": "2025-04-15",
    "number": "S-1",
    "narration": "Walmart PO 1",
    "party_ledger": "Walmart Marketplace",
    "entries": [
        {"ledger": "Walmart Marketplace", "amount": "-1180.00", "party": True},
        {"ledger": "Output IGST 18%", "amount": "180.00"},
    ],
    "inventory": [
        {
            "item": "Widget",
            "qty": "2",
            "rate": "500",
            "amount": "1000.00",
            "direction": "out",
            "ledger": "Sales",
        }
    ],
}


@pytest.fixture(scope="module")
def tally() -> Iterator[tuple[str, httpx.Client]]:
    with simulator_process() as pair:
        pair[1].post(f"/companies/{COMPANY}/vouchers", json=[SALE]).raise_for_status()
        yield pair


def invoke(url: str, *args: str, **env: str) -> Any:
    runner = CliRunner()
    return runner.invoke(
        app,
        list(args),
        env={
            "MLC_TALLY_URL": url,
            "MLC_TALLY_COMPANY": COMPANY,
            "MLC_CONFIG_FILE": "",
            "COLUMNS": "200",
            **env,
        },
    )


def test_ping(tally: tuple[str, httpx.Client]) -> None:
    result = invoke(tally[0], "ping")
    assert result.exit_code == 0, result.output
    assert COMPANY in result.output


def test_ping_port_closed_says_what_to_do(tally: tuple[str, httpx.Client]) -> None:
    url, admin = tally
    admin.post("/faults/stop").raise_for_status()
    try:
        result = invoke(url, "ping")
    finally:
        admin.post("/faults/start").raise_for_status()
    assert result.exit_code == EXIT_PORT
    assert "F1 (Help) > Settings > Connectivity" in result.output


def test_ping_company_not_open(tally: tuple[str, httpx.Client]) -> None:
    result = invoke(tally[0], "ping", "--company", "Somebody Else Ltd")
    assert result.exit_code == EXIT_COMPANY
    assert "Open the company in TallyPrime" in result.output


def test_bad_setting_is_one_sentence(tally: tuple[str, httpx.Client]) -> None:
    result = invoke(tally[0], "ping", MLC_TALLY_IMPORT_BATCH_SIZE="999")
    assert result.exit_code == EXIT_CONFIG
    assert "MLC_TALLY_IMPORT_BATCH_SIZE" in result.output


def test_companies_json(tally: tuple[str, httpx.Client]) -> None:
    result = invoke(tally[0], "companies", "--json")
    assert result.exit_code == 0, result.output
    assert [c["name"] for c in json.loads(result.output)] == [COMPANY]


def test_stock_items_json(tally: tuple[str, httpx.Client]) -> None:
    result = invoke(tally[0], "stock-items", "--json")
    assert result.exit_code == 0, result.output
    [widget] = json.loads(result.output)
    for key in (
        "name",
        "guid",
        "master_id",
        "alter_id",
        "parent",
        "base_unit",
        "closing_qty",
        "closing_rate",
        "closing_value",
        "standard_price",
        "hsn_code",
        "godowns",
    ):
        assert key in widget
    assert widget["name"] == "Widget"
    assert widget["closing_qty"] == "998"  # 1000 opening, 2 sold
    assert widget["hsn_code"] == "8471"
    assert widget["standard_price"] == "500.00"
    assert {g["godown"]: g["qty"] for g in widget["godowns"]} == {
        "Main Location": "598",
        "Bengaluru WH": "400",
    }

    since = invoke(
        tally[0], "stock-items", "--json", "--since-alter-id", str(widget["alter_id"] - 1)
    )
    assert [i["name"] for i in json.loads(since.output)] == ["Widget"]
    newer = invoke(tally[0], "stock-items", "--json", "--since-alter-id", str(widget["alter_id"]))
    assert newer.exit_code == 0, newer.output
    assert json.loads(newer.output) == []


def test_stock_items_table(tally: tuple[str, httpx.Client]) -> None:
    result = invoke(tally[0], "stock-items")
    assert result.exit_code == 0, result.output
    assert "Widget" in result.output
    assert "Main Location: 598" in result.output


def test_ledgers_json(tally: tuple[str, httpx.Client]) -> None:
    result = invoke(tally[0], "ledgers", "--json")
    assert result.exit_code == 0, result.output
    ledgers = {x["name"]: x for x in json.loads(result.output)}
    assert ledgers["Walmart Marketplace"]["parent"] == "Sundry Debtors"
    assert ledgers["Walmart Marketplace"]["closing_balance"] == "-1180.00"  # a debit


def test_vouchers_json_and_table(tally: tuple[str, httpx.Client]) -> None:
    result = invoke(
        tally[0],
        "vouchers",
        "--from",
        "2025-04-01",
        "--to",
        "2025-04-30",
        "--type",
        "Sales",
        "--json",
    )
    assert result.exit_code == 0, result.output
    [sale] = json.loads(result.output)
    assert (sale["voucher_type"], sale["date"], sale["amount"]) == (
        "Sales",
        "2025-04-15",
        "1180.00",
    )
    empty = invoke(
        tally[0],
        "vouchers",
        "--from",
        "2025-04-01",
        "--to",
        "2025-04-30",
        "--type",
        "Receipt",
        "--json",
    )
    assert json.loads(empty.output) == []
    table = invoke(tally[0], "vouchers", "--from", "2025-04-01", "--to", "2025-04-30")
    assert "Walmart Marketplace" in table.output


def test_vouchers_refuses_a_backwards_range(tally: tuple[str, httpx.Client]) -> None:
    result = invoke(tally[0], "vouchers", "--from", "2025-04-30", "--to", "2025-04-01")
    assert result.exit_code == EXIT_CONFIG
    assert "--to" in result.output
