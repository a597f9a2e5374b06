"""Orders flow, posting: Sales vouchers and their reversals to Tally, Tally's answers, and the
acknowledgement on Walmart.

Every voucher sent is remembered (``PendingVoucher``) until Tally answers. A voucher Tally
refuses (a missing ledger, a closed period) is sent again *alone* with ``park_rejected``: the
agent tries once more and, refused again, parks the command with Tally's words. The operator
fixes Tally and replays it (``mlc dlq replay``); the agent imports it, its duplicate check
guaranteeing it cannot post twice, and the answer completes the order here (posted,
acknowledged) like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from mlc_shared.bus.topology import WALMART_COMMANDS, tally_commands
from mlc_shared.domain.tally import MasterSpec, Voucher
from mlc_shared.domain.walmart import Order
from mlc_shared.messages.tally import (
    ImportVouchers,
    MasterOutcome,
    VoucherOutcome,
    VouchersImported,
)
from mlc_shared.messages.walmart import AcknowledgeOrder, AcknowledgeOrders

from sync_orchestrator.currency import in_company_currency
from sync_orchestrator.flows.context import FlowContext
from sync_orchestrator.parties import party_for
from sync_orchestrator.reversals import booked_order, reversal_of
from sync_orchestrator.state import BookedOrder, PendingVoucher, UnpostedOrder, drop, load, save
from sync_orchestrator.vouchers import sales_voucher

ORDERS = "orders"
ORDER_KIND = "order"
PARTY_LEDGER_KIND = "party_ledger"
_REMOTE_PREFIX = "mlc:"


def purchase_order_of(remote_id: str) -> str | None:
    # remote ids are "mlc:<tenant>:order:<po>" (vouchers.order_remote_id)
    parts = remote_id.split(":", 3)
    if len(parts) == 4 and parts[0] + ":" == _REMOTE_PREFIX and parts[2] == "order":
        return parts[3]
    return None


async def build_sale(
    ctx: FlowContext, order: Order
) -> tuple[Voucher | None, tuple[MasterSpec, ...]]:
    """The Sales voucher (None: every line cancelled) and the party ledger to create with it.
    Raises ``MappingGap`` for an unmapped SKU or a missing exchange rate (currency.py)."""
    party, spec = party_for(order, ctx.mapping)
    voucher = sales_voucher(
        order,
        ctx.mapping,
        tenant=ctx.tenant,
        timezone=ZoneInfo(ctx.settings.seller_timezone),
        number_pattern=ctx.settings.voucher_number_pattern,
        party_ledger=party,
    )
    if voucher is not None:
        voucher = in_company_currency(voucher, ctx.mapping)
    if voucher is None or spec is None:
        return voucher, ()
    known = await ctx.tx.get_versions(ctx.tenant, PARTY_LEDGER_KIND, [spec.name])
    if known.get(spec.name) in ("created", "requested"):
        return voucher, ()
    await ctx.tx.set_versions(ctx.tenant, PARTY_LEDGER_KIND, {spec.name: "requested"})
    return voucher, (spec,)


@dataclass
class Batch:
    """What one step sends to Tally: the vouchers in order, ``import_batch_size`` to a
    command, and the state they leave (written together in ``send``: one statement per kind
    for a whole page of orders)."""

    entries: list[tuple[Voucher, tuple[MasterSpec, ...]]] = field(default_factory=list)
    held: dict[str, UnpostedOrder] = field(default_factory=dict)
    booked: dict[str, BookedOrder] = field(default_factory=dict)
    pending: dict[str, PendingVoucher] = field(default_factory=dict)

    def hold(self, order: Order) -> None:
        """Hold the order's open units back from the stock offered until Tally confirms."""
        self.held[order.purchase_order_id] = UnpostedOrder(order=order)

    async def add_sale(
        self, ctx: FlowContext, order: Order, voucher: Voucher, masters: tuple[MasterSpec, ...]
    ) -> None:
        po = order.purchase_order_id
        self.booked[po] = booked_order(order, voucher, ctx.mapping)
        self._add(po, voucher, masters, "sale")
        await ctx.audit(
            ORDERS,
            ORDER_KIND,
            po,
            "queued",
            target_id=voucher.number,
            request=voucher.model_dump_json(),
        )

    async def add_reversal(
        self, ctx: FlowContext, po: str, voucher: Voucher, after: BookedOrder
    ) -> None:
        self.booked[po] = after
        self._add(po, voucher, (), "reversal")
        await ctx.audit(
            ORDERS,
            ORDER_KIND,
            po,
            "reversal_queued",
            target_id=voucher.number,
            request=voucher.model_dump_json(),
        )

    def _add(self, po: str, voucher: Voucher, masters: tuple[MasterSpec, ...], role: str) -> None:
        self.pending[voucher.remote_id] = PendingVoucher.model_validate(
            {"voucher": voucher, "masters": masters, "purchase_order_id": po, "role": role}
        )
        self.entries.append((voucher, masters))

    async def send(self, ctx: FlowContext) -> None:
        await save(ctx.tx, ctx.tenant, UnpostedOrder.KIND, self.held)
        await save(ctx.tx, ctx.tenant, BookedOrder.KIND, self.booked)
        await save(ctx.tx, ctx.tenant, PendingVoucher.KIND, self.pending)
        size = ctx.settings.import_batch_size
        for at in range(0, len(self.entries), size):
            part = self.entries[at : at + size]
            masters = {m.name: m for _, ms in part for m in ms}
            await ctx.send(
                tally_commands(ctx.tenant),
                ImportVouchers(vouchers=tuple(v for v, _ in part), masters=tuple(masters.values())),
            )


async def on_vouchers_imported(ctx: FlowContext, event: VouchersImported) -> None:
    await _masters(ctx, event.masters)
    ours = {
        r.remote_id: r
        for r in event.results
        if purchase_order_of(r.remote_id) or reversal_of(r.remote_id)
    }
    if not ours:
        return  # another flow's vouchers
    pending = await load(ctx.tx, ctx.tenant, PendingVoucher.KIND, PendingVoucher, list(ours))
    answered: list[str] = []
    posted: list[str] = []
    for remote_id, result in ours.items():
        if result.outcome == "rejected":
            await _rejected(ctx, result, pending.get(remote_id))
            continue
        answered.append(remote_id)
        if po := await _posted(ctx, result):
            posted.append(po)
    # One statement per kind for the whole answer, not one per voucher.
    await drop(ctx.tx, ctx.tenant, PendingVoucher.KIND, answered)
    # Tally has the sales now: their stock is down, so Walmart's decrements are not held.
    await drop(ctx.tx, ctx.tenant, UnpostedOrder.KIND, posted)
    if not posted or not ctx.settings.acknowledge_orders:
        return
    if len(posted) == 1:
        await ctx.send(WALMART_COMMANDS, AcknowledgeOrder(purchase_order_id=posted[0]))
    else:  # one command for the batch: the gateway acknowledges them concurrently
        await ctx.send(WALMART_COMMANDS, AcknowledgeOrders(purchase_order_ids=tuple(posted)))


async def _masters(ctx: FlowContext, outcomes: tuple[MasterOutcome, ...]) -> None:
    for outcome in outcomes:
        if outcome.kind != "ledger":
            continue
        created = outcome.outcome != "rejected"
        await ctx.tx.set_versions(
            ctx.tenant, PARTY_LEDGER_KIND, {outcome.name: "created" if created else "rejected"}
        )
        await ctx.audit(
            ORDERS,
            "ledger",
            outcome.name,
            "created" if created else "rejected",
            detail={"outcome": outcome.outcome, "reason": outcome.reason},
        )


async def _posted(ctx: FlowContext, result: VoucherOutcome) -> str | None:
    """The purchase order to acknowledge on Walmart (None for a reversal); the caller drops
    its pending voucher and hold."""
    detail = {"outcome": result.outcome, "master_id": result.master_id}
    po = purchase_order_of(result.remote_id)
    if po is None:
        po = reversal_of(result.remote_id) or result.remote_id
        await ctx.audit(ORDERS, ORDER_KIND, po, "reversed", target_id=result.number, detail=detail)
        return None
    await ctx.audit(ORDERS, ORDER_KIND, po, "posted", target_id=result.number, detail=detail)
    return po


async def _rejected(
    ctx: FlowContext, result: VoucherOutcome, pending: PendingVoucher | None
) -> None:
    po = purchase_order_of(result.remote_id) or reversal_of(result.remote_id) or result.remote_id
    parked = pending is not None and not pending.resent
    await ctx.audit(
        ORDERS,
        ORDER_KIND,
        po,
        "rejected",
        target_id=result.number,
        detail={"reason": result.reason, "parked_for_replay": parked},
    )
    if pending is None or not parked:
        return  # unknown to this orchestrator, or already parked once (an older agent)
    await ctx.send(
        tally_commands(ctx.tenant),
        ImportVouchers(vouchers=(pending.voucher,), masters=pending.masters, park_rejected=True),
    )
    await save(
        ctx.tx,
        ctx.tenant,
        PendingVoucher.KIND,
        {result.remote_id: pending.model_copy(update={"resent": True})},
    )
