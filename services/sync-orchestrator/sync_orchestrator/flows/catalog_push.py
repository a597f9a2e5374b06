"""Catalog flow, sending: absolute inventory per ship node and prices, only what differs
from what Walmart was last told (record versions), in batches the gateway turns into feeds.
Updates are gathered across the pages of one export, so a full sync of 100,000 items sends
commands of ``inventory_batch_size`` / ``price_batch_size`` rather than one per page
(Walmart allows 10 feeds of each kind an hour, walmart-api.md §10.2).

Inventory version ``"<offered>|<on hand>|<stock group>"`` per ``sku@node``: the offered
quantity decides whether to send; the on-hand figure and group let a SKU Walmart refused be
sent again next cycle, recomputed with the orders then held (``resend``), without waiting
for the item to change in Tally. Price version ``"<amount> <currency>"`` per SKU.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from mlc_shared.bus.topology import WALMART_COMMANDS
from mlc_shared.domain.tally import StockItem
from mlc_shared.domain.walmart import InventoryUpdate, PriceUpdate
from mlc_shared.messages.walmart import UpdateInventory, UpdatePrices

from sync_orchestrator.flows.context import FlowContext
from sync_orchestrator.inventory import node_quantities, offered, walmart_node
from sync_orchestrator.pricing import NoPrice, price_for
from sync_orchestrator.state import (
    CatalogKind,
    OutgoingInventory,
    OutgoingPrice,
    UnpostedOrder,
    drop,
    load_all,
    save,
)
from sync_orchestrator.vouchers import open_quantity

CATALOG = "catalog"
INVENTORY_KIND = "inventory"
PRICE_KIND = "price"
COMMAND_KIND = "catalog_command"
_MAX_VERSION = 255
Outgoing = TypeVar("Outgoing", OutgoingInventory, OutgoingPrice)


@dataclass(frozen=True)
class Stock:
    """One SKU at one ship node (mapping key), as Tally has it."""

    sku: str
    node: str
    on_hand: Decimal
    group: str | None = None

    @property
    def key(self) -> str:
        return f"{self.sku}@{self.node}"


def stocks_of(items: Iterable[tuple[StockItem, str]], ctx: FlowContext) -> list[Stock]:
    return [
        Stock(sku, node, qty, item.parent)
        for item, sku in items
        for node, qty in node_quantities(item, ctx.mapping).items()
    ]


def _version(qty: int, stock: Stock) -> str:
    text = f"{qty}|{stock.on_hand}|{stock.group or ''}"
    return text if len(text) <= _MAX_VERSION else f"{qty}|{stock.on_hand}|"


def stock_from_version(key: str, version: str) -> Stock | None:
    """The Stock a version was computed from (None for versions without an on-hand part)."""
    sku, _, node = key.rpartition("@")
    parts = version.split("|", 2)
    if not sku or len(parts) < 2:
        return None
    try:
        on_hand = Decimal(parts[1])
    except InvalidOperation:
        return None
    return Stock(sku, node, on_hand, (parts[2] if len(parts) == 3 else "") or None)


async def held_quantities(ctx: FlowContext) -> dict[tuple[str, str], Decimal]:
    """Units per (SKU, node) sold on Walmart and not yet confirmed in Tally: Walmart already
    took them off what it sells, Tally's stock still has them."""
    held: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for record in (await load_all(ctx.tx, ctx.tenant, UnpostedOrder.KIND, UnpostedOrder)).values():
        node, _ = ctx.mapping.ship_node(record.order.ship_node.id)
        for line in record.order.lines:
            held[(line.sku, node)] += open_quantity(line)
    return held


async def remember_command(
    ctx: FlowContext, message_id: str, kind: CatalogKind, keys: list[str]
) -> None:
    """What a command carried, so a feed it becomes can be followed per SKU (feeds.py)."""
    await ctx.tx.put_records(ctx.tenant, COMMAND_KIND, {message_id: {"kind": kind, "keys": keys}})


async def _ready(
    ctx: FlowContext, model: type[Outgoing], new: dict[str, Outgoing], size: int, final: bool
) -> list[list[tuple[str, Outgoing]]]:
    """The batches to send now, by version key: only full ones until the export's ``final``
    page, which sends the rest. What is not sent waits in the store, written with the
    versions that decided it, so a cycle cut short sends it with the next final page. A newer
    update for the same key replaces the waiting one."""
    waiting = await ctx.tx.list_records(ctx.tenant, model.KIND)  # read only when sent
    keys = list(waiting) + [k for k in new if k not in waiting]
    ready = len(keys) if final else len(keys) - len(keys) % size
    sending, kept = keys[:ready], keys[ready:]
    await drop(ctx.tx, ctx.tenant, model.KIND, [k for k in sending if k in waiting])
    await save(ctx.tx, ctx.tenant, model.KIND, {k: new[k] for k in kept if k in new})
    chosen = [(k, new[k] if k in new else model.model_validate(waiting[k])) for k in sending]
    return [chosen[at : at + size] for at in range(0, ready, size)]


async def push_inventory(
    ctx: FlowContext, stocks: list[Stock], *, force: bool = False, final: bool = True
) -> None:
    """Send what differs from Walmart's last known figure (everything with ``force``).
    ``final``: the last of an export's pages (or no export): nothing waits any longer."""
    if not stocks and not final:
        return
    held = await held_quantities(ctx)
    offers: list[tuple[Stock, int]] = []
    for stock in stocks:
        buffer, cap = ctx.mapping.stock_rule(stock.sku, stock.group)
        pending = held.get((stock.sku, stock.node), Decimal(0))
        offers.append((stock, offered(stock.on_hand, pending, buffer, cap)))
    known = (
        {}
        if force
        else await ctx.tx.get_versions(ctx.tenant, INVENTORY_KIND, [s.key for s, _ in offers])
    )
    changed = [
        (s, q) for s, q in offers if force or known.get(s.key, "").split("|", 1)[0] != str(q)
    ]
    new = {
        s.key: OutgoingInventory(
            update=InventoryUpdate(sku=s.sku, quantity=q, ship_node=walmart_node(s.node)),
            on_hand=s.on_hand,
        )
        for s, q in changed
    }
    size = ctx.settings.inventory_batch_size
    for batch in await _ready(ctx, OutgoingInventory, new, size, final):
        updates = tuple(o.update for _, o in batch)
        sent = await ctx.send(WALMART_COMMANDS, UpdateInventory(updates=updates))
        await remember_command(ctx, sent.message_id, "inventory", [key for key, _ in batch])
        for _, outgoing in batch:
            await ctx.audit(
                CATALOG,
                "inventory",
                outgoing.update.sku,
                "queued",
                target_id=outgoing.update.ship_node,
                detail={"quantity": outgoing.update.quantity, "on_hand": str(outgoing.on_hand)},
            )
    await ctx.tx.set_versions(
        ctx.tenant, INVENTORY_KIND, {s.key: _version(q, s) for s, q in offers}
    )


async def push_prices(
    ctx: FlowContext,
    items: Iterable[tuple[StockItem, str]],
    *,
    force: bool = False,
    final: bool = True,
) -> None:
    updates: dict[str, PriceUpdate] = {}
    for item, sku in items:
        try:
            update = price_for(item, sku, ctx.mapping)
        except NoPrice as missing:
            await ctx.audit(CATALOG, "price", sku, "no_price", detail={"reason": missing.reason})
            continue
        if update is not None:
            updates[sku] = update
    await send_prices(ctx, list(updates.values()), force=force, final=final)


def _price_version(update: PriceUpdate) -> str:
    return f"{update.amount} {update.currency}"


def price_from_version(sku: str, version: str) -> PriceUpdate | None:
    amount, _, currency = version.partition(" ")
    try:
        return PriceUpdate(sku=sku, amount=Decimal(amount), currency=currency or "USD")
    except (InvalidOperation, ValueError):
        return None


async def send_prices(
    ctx: FlowContext, updates: list[PriceUpdate], *, force: bool = False, final: bool = True
) -> None:
    if not updates and not final:
        return
    known = (
        {} if force else await ctx.tx.get_versions(ctx.tenant, PRICE_KIND, [u.sku for u in updates])
    )
    new = {
        u.sku: OutgoingPrice(update=u)
        for u in updates
        if force or known.get(u.sku) != _price_version(u)
    }
    size = ctx.settings.price_batch_size
    for waiting in await _ready(ctx, OutgoingPrice, new, size, final):
        batch = [o.update for _, o in waiting]
        sent = await ctx.send(WALMART_COMMANDS, UpdatePrices(updates=tuple(batch)))
        await remember_command(ctx, sent.message_id, "price", [u.sku for u in batch])
        for update in batch:
            await ctx.audit(
                CATALOG,
                "price",
                update.sku,
                "queued",
                detail={"amount": str(update.amount), "currency": update.currency},
            )
    await ctx.tx.set_versions(ctx.tenant, PRICE_KIND, {u.sku: _price_version(u) for u in updates})
