"""``--data demo``: a small, deterministic seller account to rehearse against.

The catalog is in the style of a TallyPrime demo trading company (an Indian exporter of
textiles, brassware, tea and spices): SKUs that read like Tally stock item aliases, GTIN-14s
under the GS1 India prefix 890 with valid check digits, two US ship nodes. The orders cover
what a connector must handle: single- and multi-line, a cancelled line, both ship nodes, a
WFS order, shipped/acknowledged/created lines, a return, and one closed settlement period so
``availableReconFiles`` is not empty. Identifiers follow the seed; dates are relative to the
moment the data is loaded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from . import seed, settlement
from .admin_models import (
    AddressSpec,
    ItemSpec,
    OrderLineSpec,
    OrderSpec,
    ReturnLineSpec,
    ReturnSpec,
    ShipNodeSpec,
)
from .context import SimContext
from .wire import to_date

NJ, CA = "10000000101", "10000000102"

NODES = (
    ShipNodeSpec(
        ship_node=NJ, name="Edison NJ Fulfilment Centre", custom_node_id="MLX-NJ", time_zone="EST",
        address={"addressLine1": "100 Raritan Center Pkwy", "city": "Edison", "state": "NJ", "country": "USA", "postalCode": "08837"},
    ),
    ShipNodeSpec(
        ship_node=CA, name="Ontario CA Fulfilment Centre", custom_node_id="MLX-CA", time_zone="PST",
        address={"addressLine1": "4200 E Airport Dr", "city": "Ontario", "state": "CA", "country": "USA", "postalCode": "91761"},
    ),
)  # fmt: skip

APPAREL, HOME, FOOD = "Apparel & Accessories", "Home Decor, Kitchen, & Other", "Food & Beverage"

ITEMS = (
    ("MLX-KURTA-COT-BLU-M", "Cotton Kurta, Indigo Blue, Medium", "24.99", APPAREL, "Kurtas", 40, 25),
    ("MLX-KURTA-COT-BLU-L", "Cotton Kurta, Indigo Blue, Large", "24.99", APPAREL, "Kurtas", 35, 20),
    ("MLX-SAREE-SILK-RED", "Banarasi Silk Saree, Crimson", "89.00", APPAREL, "Sarees", 12, 6),
    ("MLX-SHAWL-PASH-GRY", "Pashmina Shawl, Slate Grey", "74.00", APPAREL, "Shawls", 10, 0),
    ("MLX-DIYA-BRASS-6", "Brass Diya Set of 6", "18.50", HOME, "Candle Holders", 60, 30),
    ("MLX-RUG-JUTE-4X6", "Hand-woven Jute Rug 4 x 6 ft", "59.99", HOME, "Area Rugs", 8, 8),
    ("MLX-BAG-JUTE-TOTE", "Jute Tote Bag, Natural", "14.99", HOME, "Tote Bags", 100, 50),
    ("MLX-INCENSE-SANDAL-100", "Sandalwood Incense, 100 Sticks", "7.99", HOME, "Incense", 200, 120),
    ("MLX-TEA-ASSAM-500G", "Assam CTC Tea, 500 g", "12.99", FOOD, "Tea", 80, 40),
    ("MLX-SPICE-GARAM-200G", "Garam Masala, 200 g", "6.49", FOOD, "Spice Blends", 150, 90),
)  # fmt: skip

TAX_RATE = Decimal("0.08")


def _line(sku: str, quantity: int = 1, status: str | None = None, **extra: object) -> OrderLineSpec:
    price = next(Decimal(p) for s, _, p, *_ in ITEMS if s == sku)
    tax = (price * TAX_RATE).quantize(Decimal("0.01"))
    return OrderLineSpec.model_validate(
        {"sku": sku, "quantity": quantity, "unit_tax": tax, "status": status, **extra}
    )


def load(ctx: SimContext) -> None:
    for node in NODES:
        seed.add_ship_node(ctx, node)
    for sku, name, price, category, product_type, nj, ca in ITEMS:
        seed.add_item(
            ctx,
            ItemSpec(
                sku=sku, product_name=name, price=Decimal(price), category=category,
                product_type=product_type, brand="Mahalaxmi",
                published_status="UNPUBLISHED" if sku == "MLX-SHAWL-PASH-GRY" else "PUBLISHED",
                unpublished_reasons=["Reasonable Price Not Satisfied"] if sku == "MLX-SHAWL-PASH-GRY" else [],
                inventory={NJ: nj, CA: ca},
            ),
        )  # fmt: skip
    now = datetime.fromtimestamp(ctx.clock.now_ms() / 1000, tz=UTC)

    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    texas = AddressSpec(
        name="Priya Raman", address1="2100 Ross Ave", city="Dallas", state="TX", postalCode="75201"
    )
    jersey = AddressSpec(
        name="Arjun Mehta",
        address1="15 Oak St",
        address2="Apt 4B",
        city="Jersey City",
        state="NJ",
        postalCode="07302",
    )
    specs = [
        # An older period, settled below.
        OrderSpec(order_date=ago(20), ship_node=NJ, label_fee=True, lines=[_line("MLX-DIYA-BRASS-6", 2, "Delivered")]),
        OrderSpec(order_date=ago(18), ship_node=CA, address=texas, lines=[_line("MLX-TEA-ASSAM-500G", 1, "Delivered"), _line("MLX-SPICE-GARAM-200G", 3, "Delivered")]),
        # The open period.
        OrderSpec(order_date=ago(4), ship_node=NJ, address=jersey, label_fee=True, lines=[_line("MLX-KURTA-COT-BLU-M", 1, "Shipped")]),
        OrderSpec(order_date=ago(3), ship_node=NJ, lines=[_line("MLX-SAREE-SILK-RED", 1, "Shipped"), _line("MLX-INCENSE-SANDAL-100", 2, "Shipped")]),
        OrderSpec(order_date=ago(2), ship_node=CA, address=texas, lines=[_line("MLX-RUG-JUTE-4X6", 1, "Acknowledged"), _line("MLX-BAG-JUTE-TOTE", 2, "Cancelled")]),
        OrderSpec(order_date=ago(2), ship_node_type="WFSFulfilled", lines=[_line("MLX-TEA-ASSAM-500G", 2)]),
        OrderSpec(order_date=ago(1), ship_node=CA, lines=[_line("MLX-KURTA-COT-BLU-L", 1, "Acknowledged")]),
        OrderSpec(order_date=ago(0.25), ship_node=NJ, address=jersey, lines=[_line("MLX-DIYA-BRASS-6", 1), _line("MLX-SPICE-GARAM-200G", 2)]),
        OrderSpec(order_date=ago(0.1), ship_node=CA, method_code="Express", lines=[_line("MLX-BAG-JUTE-TOTE", 3)]),
    ]  # fmt: skip
    created = [seed.create_order(ctx, spec) for spec in specs]
    settlement.close_period(ctx, to_date(int(ago(12).timestamp() * 1000)))
    seed.create_return(
        ctx,
        ReturnSpec(purchase_order_id=created[3].purchase_order_id, lines=[ReturnLineSpec(line_number="2", quantity=1, reason="DAMAGED")], return_date=ago(1)),
    )  # fmt: skip
    seed.create_return(
        ctx,
        ReturnSpec(purchase_order_id=created[5].purchase_order_id, lines=[ReturnLineSpec(line_number="1", quantity=1, reason="NO_LONGER_WANTED")], return_date=ago(0.5)),
    )  # fmt: skip
