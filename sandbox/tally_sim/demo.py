"""The demo company: a realistic, deterministic Indian trading company that sells on Walmart
Marketplace. Everything is loaded through the import engine, so IDs, balances and numbering
behave exactly as for imported data.

The seller has switched its Sales and Credit Note voucher types to Manual numbering with
duplicates prevented, so the marketplace order number is the invoice number (the seller's
requirement; under TallyPrime's default Automatic numbering the number a connector sends is
discarded, tally-xml.md §4.7). Voucher dates fall on the 1st, 2nd or 31st so the demo also
loads under the educational profile (§2.7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tally_sim.model.company import Company
from tally_sim.model.state import SimState
from tally_sim.seed_import import seed_masters, seed_vouchers
from tally_sim.seeds import (
    BillSeed,
    CostCentreSeed,
    CostCentreShare,
    EntrySeed,
    GodownQuantity,
    GodownSeed,
    InventorySeed,
    LedgerSeed,
    MastersSeed,
    PriceSeed,
    StockGroupSeed,
    StockItemSeed,
    UnitSeed,
    VoucherSeed,
    VoucherTypeSeed,
)

DEMO_COMPANY = "Sundaram Home & Kitchen Pvt Ltd"
BOOKS_FROM = date(2025, 4, 1)
CHENNAI = "Chennai Warehouse"
COIMBATORE = "Coimbatore Store"
D = Decimal


@dataclass(frozen=True)
class _Item:
    name: str
    group: str
    unit: str
    hsn: str
    hsn_text: str
    gst: int
    price: str
    cost: str
    chennai: int
    coimbatore: int
    part: str
    aliases: tuple[str, ...] = ()


_ITEMS = (
    _Item("Steel Tiffin Box 3-Tier", "Kitchenware", "Pcs", "7323", "Table and kitchen ware of steel", 12, "650", "410", 120, 40, "SHK-KT-001", ("स्टील टिफिन",)),
    _Item("Pressure Cooker 5L", "Cookware", "Nos", "7615", "Aluminium kitchen ware", 12, "2150", "1450", 60, 20, "SHK-CW-002"),
    _Item("Non-Stick Fry Pan 24cm", "Cookware", "Nos", "7615", "Aluminium kitchen ware", 12, "899", "540", 80, 25, "SHK-CW-003"),
    _Item("Cast Iron Tawa", "Cookware", "Nos", "7323", "Table and kitchen ware of iron", 12, "749", "430", 45, 15, "SHK-CW-004"),
    _Item("Copper Water Bottle 1L", "Kitchenware", "Nos", "7418", "Copper household articles", 12, "799", "470", 90, 30, "SHK-KT-005", ("Tamba Bottle",)),
    _Item("Salt & Pepper Shaker Set", "Kitchenware", "Set", "6911", "Porcelain tableware", 12, "349", "180", 70, 20, "SHK-KT-006"),
    _Item("Ceramic Dinner Set 18pc", "Kitchenware", "Set", "6912", "Ceramic tableware", 12, "3499", "2200", 25, 10, "SHK-KT-007"),
    _Item("Glass Storage Jar 1L", "Storage", "Nos", "7013", "Glassware for kitchen", 18, "349", "190", 150, 50, "SHK-ST-008"),
    _Item("Airtight Container Set (3)", "Storage", "Set", "3924", "Plastic household articles", 18, "599", "330", 110, 35, "SHK-ST-009"),
    _Item("Spice Box Masala Dabba", "Kitchenware", "Nos", "7323", "Table and kitchen ware of steel", 12, "899", "520", 55, 15, "SHK-KT-010"),
    _Item("Cotton Bedsheet Double", "Bath & Linen", "Pcs", "6302", "Bed linen", 5, "1199", "690", 75, 25, "SHK-BL-011"),
    _Item("Bath Towel Set", "Bath & Linen", "Set", "6302", "Toilet linen", 5, "899", "510", 65, 30, "SHK-BL-012"),
    _Item("Kitchen Apron", "Bath & Linen", "Pcs", "6307", "Made up textile articles", 5, "299", "140", 100, 40, "SHK-BL-013"),
    _Item("Brass Diya Pair", "Home Decor", "Pair", "7419", "Brass articles", 12, "549", "310", 80, 40, "SHK-HD-014", ("Pital Diya",)),
    _Item("Scented Candle Jar", "Home Decor", "Nos", "3406", "Candles", 12, "449", "220", 60, 20, "SHK-HD-015"),
    _Item("Wall Clock Wooden", "Home Decor", "Nos", "9105", "Wall clocks", 18, "1299", "760", 30, 10, "SHK-HD-016"),
    _Item("Table Lamp Ceramic", "Home Decor", "Nos", "9405", "Lamps and lighting fittings", 18, "1899", "1150", 0, 0, "SHK-HD-017"),
    _Item("Jute Storage Basket", "Storage", "Nos", "4602", "Basketwork", 12, "499", "260", 70, 30, "SHK-ST-018"),
    _Item("Stainless Steel Mixing Bowl Set", "Kitchenware", "Set", "7323", "Table and kitchen ware of steel", 12, "999", "610", 40, 20, "SHK-KT-019"),
    _Item("Chopping Board Bamboo", "Kitchenware", "Nos", "4419", "Wooden tableware and kitchenware", 12, "399", "210", 85, 25, "SHK-KT-020"),
)  # fmt: skip


def _masters() -> MastersSeed:
    items = [
        StockItemSeed(
            name=i.name,
            parent=i.group,
            base_unit=i.unit,
            part_number=i.part,
            hsn_code=i.hsn,
            hsn_description=i.hsn_text,
            gst_rate=D(i.gst),
            aliases=list(i.aliases),
            godowns=[
                GodownQuantity(godown=g, qty=D(q), rate=D(i.cost))
                for g, q in ((CHENNAI, i.chennai), (COIMBATORE, i.coimbatore))
                if q
            ],
            standard_prices=[PriceSeed(date=BOOKS_FROM, rate=D(i.price))],
            standard_costs=[PriceSeed(date=BOOKS_FROM, rate=D(i.cost))],
        )
        for i in _ITEMS
    ]
    # A price revision, so the standard price list has history.
    items[0].standard_prices.append(PriceSeed(date=date(2025, 7, 1), rate=D("675")))
    items[4].standard_prices.append(PriceSeed(date=date(2025, 7, 1), rate=D("829")))
    tax = [
        LedgerSeed(name=f"{side} {head} {rate}%", parent="Duties & Taxes", tax_type="GST",
                   gst_duty_head=head if head != "SGST" else "SGST/UTGST", tax_rate=D(rate))
        for side, head, rate in (
            ("Output", "IGST", "5"), ("Output", "IGST", "12"), ("Output", "IGST", "18"),
            ("Output", "CGST", "9"), ("Output", "SGST", "9"), ("Input", "IGST", "12"),
            ("Input", "IGST", "18"),
        )
    ]  # fmt: skip
    return MastersSeed(
        units=[
            UnitSeed(name="Nos", formal_name="Numbers"),
            UnitSeed(name="Pcs", formal_name="Pieces"),
            UnitSeed(name="Set", formal_name="Sets"),
            UnitSeed(name="Pair", formal_name="Pairs"),
            UnitSeed(name="Kg", formal_name="Kilograms", decimal_places=3),
        ],
        godowns=[
            GodownSeed(name=CHENNAI, address=["Plot 14, SIDCO Industrial Estate", "Ambattur, Chennai 600098"]),
            GodownSeed(name=COIMBATORE, address=["22 Oppanakara Street", "Coimbatore 641001"]),
        ],
        cost_centres=[
            CostCentreSeed(name="Walmart US"),
            CostCentreSeed(name="Retail Store"),
            CostCentreSeed(name="Head Office"),
        ],
        voucher_types=[
            VoucherTypeSeed(name="Sales", parent="Sales", numbering_method="Manual", prevent_duplicates=True),
            VoucherTypeSeed(name="Credit Note", parent="Credit Note", numbering_method="Manual", prevent_duplicates=True),
        ],
        ledgers=[
            LedgerSeed(name="Walmart Marketplace", parent="Sundry Debtors", bill_wise=True,
                       mailing_name="Walmart Inc. (Marketplace)", address=["702 SW 8th Street", "Bentonville, AR 72716"],
                       country="United States of America", gst_registration_type="Unregistered/Consumer"),
            LedgerSeed(name="Retail Walk-in Customers", parent="Sundry Debtors", state="Tamil Nadu", country="India"),
            LedgerSeed(name="Shree Steel Suppliers", parent="Sundry Creditors", bill_wise=True, state="Maharashtra",
                       country="India", gstin="27AAFCS7781M1Z2", gst_registration_type="Regular"),
            LedgerSeed(name="Jaipur Textiles & Co", parent="Sundry Creditors", bill_wise=True, state="Rajasthan",
                       country="India", gstin="08AAKFJ2290C1ZQ", gst_registration_type="Regular"),
            LedgerSeed(name="Sales - Walmart Marketplace", parent="Sales Accounts"),
            LedgerSeed(name="Sales - Local", parent="Sales Accounts"),
            LedgerSeed(name="Sales Returns - Walmart", parent="Sales Accounts"),
            LedgerSeed(name="Purchase - Local", parent="Purchase Accounts"),
            LedgerSeed(name="Shipping Charges Collected", parent="Indirect Incomes"),
            LedgerSeed(name="Marketplace Commission", parent="Indirect Expenses", cost_centres_on=True),
            LedgerSeed(name="Courier Charges", parent="Indirect Expenses", cost_centres_on=True),
            LedgerSeed(name="HDFC Bank Current A/c", parent="Bank Accounts", opening_balance=D("-250000")),
            LedgerSeed(name="Capital - R. Sundaram", parent="Capital Account", opening_balance=D("250000")),
            *tax,
        ],
        stock_groups=[
            StockGroupSeed(name="Kitchenware"),
            StockGroupSeed(name="Cookware", parent="Kitchenware"),
            StockGroupSeed(name="Storage"),
            StockGroupSeed(name="Bath & Linen"),
            StockGroupSeed(name="Home Decor"),
        ],
        stock_items=items,
    )  # fmt: skip


def _price(name: str) -> Decimal:
    return D(next(i.price for i in _ITEMS if i.name == name))


def _gst(name: str) -> int:
    return next(i.gst for i in _ITEMS if i.name == name)


def _walmart_sale(
    number: str, when: date, lines: list[tuple[str, int]], shipping: str, godown: str
) -> VoucherSeed:
    inventory = []
    tax: dict[int, Decimal] = {}
    for name, qty in lines:
        amount = _price(name) * qty
        tax[_gst(name)] = tax.get(_gst(name), D(0)) + amount * _gst(name) / 100
        inventory.append(InventorySeed(item=name, qty=D(qty), rate=_price(name), amount=amount, direction="out",
                                       ledger="Sales - Walmart Marketplace", godown=godown,
                                       cost_centres=[CostCentreShare(cost_centre="Walmart US", amount=amount)]))  # fmt: skip
    entries = [
        EntrySeed(ledger=f"Output IGST {rate}%", amount=value.quantize(D("0.01")))
        for rate, value in sorted(tax.items())
    ]
    if shipping != "0":
        entries.append(EntrySeed(ledger="Shipping Charges Collected", amount=D(shipping)))
    total = sum((i.amount for i in inventory), D(0)) + sum((e.amount for e in entries), D(0))
    party = EntrySeed(ledger="Walmart Marketplace", amount=-total, party=True,
                      bills=[BillSeed(name=number, bill_type="New Ref", amount=-total)])  # fmt: skip
    return VoucherSeed(type="Sales", date=when, number=number, party_ledger="Walmart Marketplace",
                       narration=f"Walmart order {number}", reference=number,
                       entries=[party, *entries], inventory=inventory)  # fmt: skip


def _vouchers() -> list[VoucherSeed]:
    purchase_amount = D("400") * 50
    return [
        VoucherSeed(type="Purchase", date=date(2025, 4, 1), narration="Bill SSS/25-26/0187", reference="SSS/25-26/0187",
                    party_ledger="Shree Steel Suppliers",
                    entries=[EntrySeed(ledger="Shree Steel Suppliers", amount=purchase_amount * D("1.12"), party=True,
                                       bills=[BillSeed(name="SSS/25-26/0187", amount=purchase_amount * D("1.12"))]),
                             EntrySeed(ledger="Input IGST 12%", amount=-purchase_amount * D("0.12"))],
                    inventory=[InventorySeed(item="Steel Tiffin Box 3-Tier", qty=D(50), rate=D(400), amount=-purchase_amount,
                                             direction="in", ledger="Purchase - Local", godown=CHENNAI)]),
        _walmart_sale("WM-100234", date(2025, 4, 2), [("Steel Tiffin Box 3-Tier", 4), ("Pressure Cooker 5L", 2)], "150", CHENNAI),
        _walmart_sale("WM-100251", date(2025, 5, 1), [("Non-Stick Fry Pan 24cm", 3), ("Glass Storage Jar 1L", 6)], "120", CHENNAI),
        VoucherSeed(type="Credit Note", date=date(2025, 5, 2), number="WMR-100234", party_ledger="Walmart Marketplace",
                    narration="Walmart return of order WM-100234", reference="WM-100234",
                    entries=[EntrySeed(ledger="Walmart Marketplace", amount=D("728"), party=True,
                                       bills=[BillSeed(name="WM-100234", bill_type="Agst Ref", amount=D("728"))]),
                             EntrySeed(ledger="Output IGST 12%", amount=D("-78"))],
                    inventory=[InventorySeed(item="Steel Tiffin Box 3-Tier", qty=D(1), rate=D(650), amount=D(-650),
                                             direction="in", ledger="Sales Returns - Walmart", godown=CHENNAI)]),
        VoucherSeed(type="Receipt", date=date(2025, 5, 31), narration="Walmart settlement 2025-05 UTR HDFC0000123456",
                    entries=[EntrySeed(ledger="HDFC Bank Current A/c", amount=D("-7150")),
                             EntrySeed(ledger="Walmart Marketplace", amount=D("7150"), party=True,
                                       bills=[BillSeed(name="WM-100234", bill_type="Agst Ref", amount=D("7150"))])]),
        VoucherSeed(type="Payment", date=date(2025, 6, 1), narration="NEFT to Shree Steel Suppliers",
                    entries=[EntrySeed(ledger="Shree Steel Suppliers", amount=D("-22400"), party=True,
                                       bills=[BillSeed(name="SSS/25-26/0187", bill_type="Agst Ref", amount=D("-22400"))]),
                             EntrySeed(ledger="HDFC Bank Current A/c", amount=D("22400"))]),
        VoucherSeed(type="Sales", date=date(2025, 6, 2), number="LS-0001", party_ledger="Cash", narration="Counter sale",
                    entries=[EntrySeed(ledger="Cash", amount=D("-1532.82"), party=True),
                             EntrySeed(ledger="Output CGST 9%", amount=D("116.91")),
                             EntrySeed(ledger="Output SGST 9%", amount=D("116.91"))],
                    inventory=[InventorySeed(item="Wall Clock Wooden", qty=D(1), rate=D(1299), amount=D(1299), direction="out",
                                             ledger="Sales - Local", godown=COIMBATORE,
                                             cost_centres=[CostCentreShare(cost_centre="Retail Store", amount=D(1299))])]),
        VoucherSeed(type="Journal", date=date(2025, 7, 31), narration="Walmart commission for July 2025",
                    entries=[EntrySeed(ledger="Marketplace Commission", amount=D("-450"),
                                       cost_centres=[CostCentreShare(cost_centre="Walmart US", amount=D("-450"))]),
                             EntrySeed(ledger="Walmart Marketplace", amount=D("450"), party=True,
                                       bills=[BillSeed(name="WM-100251", bill_type="Agst Ref", amount=D("450"))])]),
        _walmart_sale("WM-100311", date(2025, 8, 1), [("Copper Water Bottle 1L", 3), ("Ceramic Dinner Set 18pc", 1)], "200", COIMBATORE),
        _walmart_sale("WM-100312", date(2025, 8, 2), [("Glass Storage Jar 1L", 2), ("Airtight Container Set (3)", 1)], "0", CHENNAI),
    ]  # fmt: skip


def load_demo(state: SimState, name: str = DEMO_COMPANY) -> Company:
    company = state.create_company(
        name, books_from=BOOKS_FROM, state_name="Tamil Nadu", gstin="33AAHCS4821K1Z6"
    )
    for label, result in (
        ("masters", seed_masters(state, company, _masters())),
        ("vouchers", seed_vouchers(state, company, _vouchers())),
    ):
        if result.errors or result.exceptions:
            raise RuntimeError(f"demo {label} did not load: {result}")
    return company
