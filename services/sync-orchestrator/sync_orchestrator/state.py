"""The per-record state the catalog and orders flows keep between messages (the store's
``flow_records``), as typed rows: JSON only at this edge.

Each kind stands for work not finished yet and is deleted when it is, so listing a kind
stays cheap: orders seen on Walmart but not confirmed in Tally, vouchers awaiting Tally's
answer, feeds being followed, SKUs to send again, items being set up. ``booked_order`` is
the exception: what a posted order booked, kept so a later cancellation can be reversed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import ClassVar, Literal, TypeVar

from mlc_shared.domain.tally import MasterSpec, StockItem, Voucher
from mlc_shared.domain.walmart import InventoryUpdate, Order, PriceUpdate
from mlc_shared.store.base import StoreTx
from pydantic import BaseModel, ConfigDict


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


R = TypeVar("R", bound=_Record)


# -- orders ----------------------------------------------------------------------------


class UnpostedOrder(_Record):
    """An order seen on Walmart whose Sales voucher Tally has not confirmed: its open
    quantities are held back from the stock offered (Walmart already decremented them), and
    a parked ``PostOrder`` replays this latest version rather than the one it carries."""

    KIND: ClassVar[str] = "unposted_order"
    order: Order


class BookedLine(_Record):
    sku: str
    stock_item: str
    unit: str
    quantity: Decimal
    product: Decimal
    shipping: Decimal
    tax: Decimal
    godown: str
    ledger: str
    cost_centre: str | None = None


class BookedOrder(_Record):
    """What Tally has (or will have, once the queued vouchers post) for one order."""

    KIND: ClassVar[str] = "booked_order"
    number: str
    party: str
    customer_order_id: str
    sequence: int = 0
    """Reversals issued so far (the next credit note is number ``sequence + 1``)."""
    lines: dict[str, BookedLine]
    rate: Decimal | None = None
    """The exchange rate the sale was booked at (a company in another currency than
    Walmart's, currency.py); the lines stay in Walmart's currency."""


class PendingVoucher(_Record):
    """A voucher sent to Tally whose outcome has not arrived, kept so a refused one can be
    sent again alone (and parked with Tally's words, docs/mapping.md "Rejected vouchers")."""

    KIND: ClassVar[str] = "pending_voucher"
    voucher: Voucher
    masters: tuple[MasterSpec, ...] = ()
    purchase_order_id: str
    role: Literal["sale", "reversal"]
    resent: bool = False


# -- catalog ---------------------------------------------------------------------------

CatalogKind = Literal["inventory", "price", "item"]


class FollowedFeed(_Record):
    """A Walmart feed whose per-SKU outcome is not known yet (checked every catalog cycle)."""

    KIND: ClassVar[str] = "feed"
    kind: CatalogKind
    keys: tuple[str, ...] = ()
    """What the feed carried (``sku@node`` or SKU): all failed when Walmart rejects it whole."""
    checks: int = 0


class Retry(_Record):
    """A SKU (inventory: ``sku@node``) Walmart refused; sent again next cycle."""

    attempts: int = 1

    @staticmethod
    def kind_of(kind: CatalogKind) -> str:
        return f"retry_{kind}"


class OutgoingInventory(_Record):
    """An inventory update decided on one export page and not sent yet: updates are gathered
    across an export's pages so that each command, and the feed it becomes, is full."""

    KIND: ClassVar[str] = "outgoing_inventory"
    update: InventoryUpdate
    on_hand: Decimal


class OutgoingPrice(_Record):
    """A price update waiting, like :class:`OutgoingInventory`, for a full command."""

    KIND: ClassVar[str] = "outgoing_price"
    update: PriceUpdate


class ListingCandidate(_Record):
    """A Tally item that may need setting up on Walmart, with the Tally data to do it."""

    KIND: ClassVar[str] = "listing"
    item: StockItem
    sku: str
    stage: Literal["checking", "needs_content", "submitted"] = "checking"
    missing: tuple[str, ...] = ()
    """What was missing when last reported (reported again only when it changes)."""


# -- access ----------------------------------------------------------------------------


async def load(
    tx: StoreTx, tenant: str, kind: str, model: type[R], keys: Sequence[str]
) -> dict[str, R]:
    rows = await tx.get_records(tenant, kind, keys)
    return {key: model.model_validate(value) for key, value in rows.items()}


async def load_all(tx: StoreTx, tenant: str, kind: str, model: type[R]) -> dict[str, R]:
    rows = await tx.list_records(tenant, kind)
    return {key: model.model_validate(value) for key, value in rows.items()}


async def save(tx: StoreTx, tenant: str, kind: str, records: dict[str, R]) -> None:
    await tx.put_records(
        tenant, kind, {key: record.model_dump(mode="json") for key, record in records.items()}
    )


async def drop(tx: StoreTx, tenant: str, kind: str, keys: Iterable[str]) -> None:
    wanted = list(keys)
    if wanted:
        await tx.delete_records(tenant, kind, wanted)
