"""``mlc mapping check``'s comparison: every gap found, in plain words, nothing invented."""

from __future__ import annotations

from mlc_shared.domain.tally import CostCentreSpec, LedgerSpec, StockItem
from sync_orchestrator.mapping import Ledgers, ShipNodeMapping, SkuMapping, TenantMapping
from sync_orchestrator.mapping_check import TallyMasters, check_mapping, referenced_masters
from sync_orchestrator.mapping_sections import AmountRule, SettlementMapping


def item(name: str, *aliases: str, part: str | None = None) -> StockItem:
    return StockItem(
        name=name, guid=f"g-{name}", master_id=1, alter_id=1, aliases=aliases, part_number=part
    )


MAPPING = TenantMapping(
    ledgers=Ledgers(party="Walmart Marketplace", shipping="Freight In", tax="Output IGST"),
    default_ship_node="10001",
    ship_nodes={
        "10001": ShipNodeMapping(
            godowns=("Chennai",), sales_ledger="Sales - Walmart", cost_centre="Walmart US"
        )
    },
    skus={"SKU-1": SkuMapping(stock_item="Cooker"), "SKU-GONE": SkuMapping(stock_item="Kettle")},
    customers={"c@relay.walmart.com": "Customer One"},
    settlements=SettlementMapping(
        bank_ledger="HDFC Bank",
        use_default_rules=False,
        rules=(
            AmountRule(amount_type="Product Price", ledger="party"),
            AmountRule(amount_type="Commission on Product", ledger="Walmart Commission"),
        ),
    ),
)

EVERYTHING = TallyMasters(
    stock_items=(item("Cooker"), item("Kettle"), item("Fry Pan", "SKU-2"), item("Mug", part="M-9")),
    ledgers=frozenset(
        {
            "walmart marketplace ",  # Tally compares names case-insensitively, trimmed
            "Freight In",
            "Output IGST",
            "Sales - Walmart",
            "Customer One",
            "HDFC Bank",
            "Walmart Commission",
            "Sales Returns",
        }
    ),
    godowns=frozenset({"Chennai", "Main Location"}),
    cost_centres=frozenset({"Walmart US"}),
)


def test_a_complete_mapping_has_no_gap() -> None:
    assert check_mapping(MAPPING, EVERYTHING, {"SKU-1", "SKU-GONE", "SKU-2", "M-9"}) == []


def test_every_gap_is_named_in_plain_words() -> None:
    tally = TallyMasters(
        stock_items=(item("Cooker"), item("Fry Pan", "SKU-2")),
        ledgers=frozenset({"Walmart Marketplace", "Output IGST", "Sales - Walmart"}),
        godowns=frozenset(),
        cost_centres=frozenset(),
    )
    gaps = {
        (g.kind, g.subject): g for g in check_mapping(MAPPING, tally, {"SKU-1", "SKU-2", "NEW"})
    }
    assert set(gaps) == {
        ("unmapped_sku", "NEW"),
        ("missing_stock_item", "SKU-GONE"),
        ("sku_not_listed", "SKU-GONE"),
        ("missing_ledger", "Freight In"),
        ("missing_ledger", "Customer One"),
        ("missing_ledger", "HDFC Bank"),
        ("missing_ledger", "Walmart Commission"),
        ("missing_ledger", "Sales Returns"),
        ("missing_godown", "Chennai"),
        ("missing_cost_centre", "Walmart US"),
    }
    assert gaps[("unmapped_sku", "NEW")].message.startswith("Walmart SKU 'NEW' is not mapped")
    assert (
        "stock item 'Kettle', which is not in Tally"
        in gaps[("missing_stock_item", "SKU-GONE")].message
    )
    # Ledgers and cost centres can be created, under the group their role calls for;
    # godowns cannot (the agent does not create them), and it says so.
    assert gaps[("missing_ledger", "Customer One")].create == LedgerSpec(
        name="Customer One", parent="Sundry Debtors", is_bill_wise=True
    )
    assert gaps[("missing_ledger", "HDFC Bank")].create == LedgerSpec(
        name="HDFC Bank", parent="Bank Accounts"
    )
    assert gaps[("missing_ledger", "Freight In")].create == LedgerSpec(
        name="Freight In", parent="Indirect Incomes"
    )
    assert gaps[("missing_cost_centre", "Walmart US")].create == CostCentreSpec(name="Walmart US")
    assert gaps[("missing_godown", "Chennai")].create is None
    assert "does not create godowns" in gaps[("missing_godown", "Chennai")].message


def test_role_names_in_settlement_rules_are_not_ledgers() -> None:
    names = {name for _, _, name in referenced_masters(MAPPING)}
    assert "party" not in names
    assert "Walmart Commission" in names


def test_name_matching_only_when_the_mapping_allows_it() -> None:
    strict = MAPPING.model_copy(update={"match_by_name": False})
    gaps = check_mapping(strict, EVERYTHING, {"SKU-1", "SKU-GONE", "SKU-2"})
    assert [(g.kind, g.subject) for g in gaps] == [("unmapped_sku", "SKU-2")]
