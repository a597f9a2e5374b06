"""How Walmart things map onto Tally masters, per tenant (docs/mapping.md).

Kept in the store's ``mappings`` table, one row per entry, so an operator can change one SKU
without rewriting the rest; loaded whole into a typed :class:`TenantMapping` for a flow run.
A TOML file (``MLC_MAPPING_FILE``) seeds it at start-up.
"""

from __future__ import annotations

import tomllib
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from mlc_shared.domain.tally import StockItem
from mlc_shared.store.base import StoreTx
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sync_orchestrator.mapping_sections import CurrencyMapping, ReturnsMapping, SettlementMapping


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ItemContent(_Model):
    """What Walmart needs to set an item up (walmart-api.md §3.1 ``MP_ITEM``: Orderable and
    Visible fields). Per SKU, filled in from the stock group's, then from Tally's item."""

    product_name: str | None = Field(default=None, description="default: the stock item's name")
    brand: str | None = None
    category: str | None = Field(
        default=None, description="the Visible key, e.g. 'Home Decor, Kitchen, & Other'"
    )
    sub_category: str | None = Field(default=None, description="the feed's subCategory")
    short_description: str | None = None
    main_image_url: str | None = None
    key_features: tuple[str, ...] = ()
    shipping_weight_lb: Decimal | None = Field(default=None, gt=0)


class SkuMapping(ItemContent):
    stock_item: str
    unit: str = "Nos"
    buffer: int | None = Field(
        default=None, ge=0, description="units held back from Walmart; None: the stock group's"
    )
    cap: int | None = Field(
        default=None, ge=0, description="never offer more than this; None: the stock group's"
    )
    gtin: str | None = Field(default=None, description="the product id Walmart lists it under")
    price: Decimal | None = Field(
        default=None, gt=0, description="the Walmart price when pricing.source is 'fixed'"
    )


class StockGroupMapping(ItemContent):
    """Rules and item content for the stock items of one Tally stock group (the item's own
    group, the ``PARENT`` Tally exports, tally-xml.md §3.3)."""

    buffer: int = Field(default=0, ge=0, description="units held back, per ship node")
    cap: int | None = Field(default=None, ge=0, description="never offer more, per ship node")
    list_on_walmart: bool = Field(
        default=False,
        description="set up this group's items on Walmart when Walmart does not list them yet",
    )
    gtin_from_alias: bool = Field(
        default=False,
        description="without a mapped GTIN, use the item's first alias that is a valid GTIN",
    )


class Pricing(_Model):
    """Where a Walmart price comes from and how it is converted (docs/mapping.md)."""

    source: Literal["none", "standard_price", "price_level", "fixed"] = Field(
        default="none",
        description="none: prices are not synced; standard_price: Tally's standard price "
        "list (latest rate); price_level: the named price level; fixed: skus.<sku>.price",
    )
    price_level: str | None = None
    markup_percent: Decimal = Field(default=Decimal(0), ge=-100)
    exchange_rate: Decimal = Field(
        default=Decimal(1),
        gt=0,
        description="Walmart currency per unit of the Tally company's currency (INR->USD: "
        "about 0.012); not applied to fixed prices",
    )
    currency: Literal["USD", "CAD"] = Field(default="USD", description="walmart-api.md §4")

    @model_validator(mode="after")
    def _level_named(self) -> Pricing:
        if self.source == "price_level" and not self.price_level:
            raise ValueError("pricing.source 'price_level' needs pricing.price_level")
        return self


class PartyMapping(_Model):
    """Which ledger a Sales voucher debits: one marketplace debtor, or one per customer."""

    mode: Literal["marketplace", "per_customer"] = "marketplace"
    group: str = Field(default="Sundry Debtors", description="parent of per-customer ledgers")
    name_pattern: str = Field(
        default="Walmart {customer_key}",
        description="per-customer ledger name; {customer_key}: the part of Walmart's relay "
        "e-mail before '@', {customer_email_id}: the whole address",
    )
    create_ledgers: bool = Field(
        default=False,
        description="create missing per-customer ledgers with the voucher (the agent must "
        "allow it: MLC_TALLY_ALLOW_MASTER_CREATE)",
    )

    @field_validator("name_pattern")
    @classmethod
    def _pattern_fields(cls, value: str) -> str:
        try:
            value.format(customer_key="k", customer_email_id="e")
        except (KeyError, IndexError, ValueError):
            raise ValueError("may use only {customer_key} and {customer_email_id}") from None
        return value


class ReversalMapping(_Model):
    """What an order cancelled after its Sales voucher was posted gets (docs/mapping.md)."""

    policy: Literal["credit_note", "none"] = Field(
        default="credit_note",
        description="credit_note: a Credit Note reversing the cancelled lines; none: only "
        "reported in the audit trail (status needs_reversal)",
    )
    voucher_type_name: str | None = Field(
        default=None, description="a Credit Note type of the company's own; None: Credit Note"
    )
    number_pattern: str = Field(default="{number}-C{sequence}")
    sales_ledger: str | None = Field(
        default=None, description="ledger the reversed sale is taken out of; None: the sale's own"
    )

    @field_validator("number_pattern")
    @classmethod
    def _pattern_fields(cls, value: str) -> str:
        try:
            value.format(number="n", purchase_order_id="p", sequence=1)
        except (KeyError, IndexError, ValueError):
            raise ValueError("may use only {number}, {purchase_order_id} and {sequence}") from None
        return value


class ShipNodeMapping(_Model):
    """A Walmart ship node and the Tally side of it."""

    godowns: tuple[str, ...] = ("Main Location",)
    sales_ledger: str = "Walmart Sales"
    cost_centre: str | None = None


class Ledgers(_Model):
    party: str = "Walmart Marketplace"
    shipping: str = "Shipping Charges"
    tax: str = "Output Sales Tax"


class TenantMapping(_Model):
    ledgers: Ledgers = Ledgers()
    default_ship_node: str = "default"
    ship_nodes: dict[str, ShipNodeMapping] = Field(
        default_factory=lambda: {"default": ShipNodeMapping()}
    )
    skus: dict[str, SkuMapping] = Field(default_factory=dict)
    match_by_name: bool = Field(
        default=True,
        description="a SKU equal to a stock item's name, alias or part number maps to it",
    )
    stock_groups: dict[str, StockGroupMapping] = Field(default_factory=dict)
    pricing: Pricing = Pricing()
    party: PartyMapping = PartyMapping()
    customers: dict[str, str] = Field(
        default_factory=dict, description="Walmart customer e-mail id -> party ledger"
    )
    reversal: ReversalMapping = ReversalMapping()
    returns: ReturnsMapping = ReturnsMapping()
    settlements: SettlementMapping = SettlementMapping()
    currency: CurrencyMapping = CurrencyMapping()

    @model_validator(mode="after")
    def _currency_complete(self) -> TenantMapping:
        missing = self.currency.problems(self.pricing.currency)
        if missing:
            raise ValueError(
                f"currency.base {self.currency.base} is not Walmart's currency "
                f"({self.pricing.currency}), so vouchers are converted; it needs "
                + "; ".join(missing)
            )
        return self

    def stock_rule(self, sku: str, group: str | None) -> tuple[int, int | None]:
        """(buffer, cap) for ``sku``: the SKU's own values, else its stock group's."""
        own = self.skus.get(sku)
        shared = self.stock_groups.get(group) if group else None
        buffer = own.buffer if own is not None and own.buffer is not None else None
        cap = own.cap if own is not None else None
        if shared is not None:
            buffer = shared.buffer if buffer is None else buffer
            cap = shared.cap if cap is None else cap
        return buffer or 0, cap

    def ship_node(self, node_id: str | None) -> tuple[str, ShipNodeMapping]:
        key = node_id if node_id and node_id in self.ship_nodes else self.default_ship_node
        return key, self.ship_nodes[key]

    def stock_item_for_sku(self, sku: str) -> SkuMapping | None:
        return self.skus.get(sku)

    def sku_for_item(self, item: StockItem) -> str | None:
        for sku, entry in self.skus.items():
            if entry.stock_item == item.name:
                return sku
        if self.match_by_name:
            for candidate in (item.part_number, item.name, *item.aliases):
                if candidate:
                    return candidate
        return None


_KINDS = (
    "ledgers",
    "ship_node",
    "sku",
    "options",
    "stock_group",
    "customer",
    "pricing",
    "party",
    "reversal",
    "returns",
    "settlements",
    "currency",
)
_SECTIONS = ("pricing", "party", "reversal", "returns", "settlements", "currency")
_REVISION = "revision"
"""A row (kind ``revision``, key ``default``) that every save gives a new id, so a reader can
tell in one primary-key look-up whether the mapping it holds is still the stored one."""


async def load_mapping(tx: StoreTx, tenant: str) -> TenantMapping:
    ledgers = await tx.get_mapping(tenant, "ledgers", "default")
    options = await tx.get_mapping(tenant, "options", "default") or {}
    nodes = await tx.list_mappings(tenant, "ship_node")
    skus = await tx.list_mappings(tenant, "sku")
    raw: dict[str, Any] = {**options, "skus": skus}
    if ledgers:
        raw["ledgers"] = ledgers
    if nodes:
        raw["ship_nodes"] = nodes
    raw["stock_groups"] = await tx.list_mappings(tenant, "stock_group")
    customers = await tx.list_mappings(tenant, "customer")
    raw["customers"] = {key: row["ledger"] for key, row in customers.items()}
    for section in _SECTIONS:
        value = await tx.get_mapping(tenant, section, "default")
        if value is not None:
            raw[section] = value
    return TenantMapping.model_validate(raw)


async def save_mapping(tx: StoreTx, tenant: str, mapping: TenantMapping) -> None:
    await tx.put_mapping(tenant, "ledgers", "default", mapping.ledgers.model_dump())
    await tx.put_mapping(
        tenant,
        "options",
        "default",
        {"default_ship_node": mapping.default_ship_node, "match_by_name": mapping.match_by_name},
    )
    for node, entry in mapping.ship_nodes.items():
        await tx.put_mapping(tenant, "ship_node", node, entry.model_dump())
    for sku, sku_entry in mapping.skus.items():
        await tx.put_mapping(tenant, "sku", sku, sku_entry.model_dump(mode="json"))
    for group, group_entry in mapping.stock_groups.items():
        await tx.put_mapping(tenant, "stock_group", group, group_entry.model_dump(mode="json"))
    for customer, ledger in mapping.customers.items():
        await tx.put_mapping(tenant, "customer", customer, {"ledger": ledger})
    for section in _SECTIONS:
        model: BaseModel = getattr(mapping, section)
        await tx.put_mapping(tenant, section, "default", model.model_dump(mode="json"))
    await tx.put_mapping(tenant, _REVISION, "default", {"id": uuid.uuid4().hex})


class MappingCache:
    """Each tenant's loaded mapping, kept while the stored revision is the one it was loaded
    at. A flow step then reads one row instead of loading the whole mapping (about a dozen
    queries, and every SKU row) per event. Whoever saves, in this process or another (``mlc
    mapping``, the operator API, a replica), writes a new revision, so the next step loads
    the mapping afresh; a mapping stored before revisions existed is never cached."""

    def __init__(self) -> None:
        self._loaded: dict[str, tuple[str, TenantMapping]] = {}

    async def load(self, tx: StoreTx, tenant: str) -> TenantMapping:
        stamp = await tx.get_mapping(tenant, _REVISION, "default")
        revision = str(stamp["id"]) if stamp and "id" in stamp else None
        held = self._loaded.get(tenant)
        if revision is not None and held is not None and held[0] == revision:
            return held[1]
        mapping = await load_mapping(tx, tenant)
        if revision is None:
            self._loaded.pop(tenant, None)
        else:
            self._loaded[tenant] = (revision, mapping)
        return mapping


def mapping_from_file(path: Path) -> TenantMapping:
    with path.open("rb") as fh:
        return TenantMapping.model_validate(tomllib.load(fh))
