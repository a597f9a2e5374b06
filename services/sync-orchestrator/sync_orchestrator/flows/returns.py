"""Returns flow: Walmart returns -> Credit Notes in Tally, refunds on Walmart by policy.

Polled (``returns_interval_s``) and started by RETURN_CREATED (service._on_webhook). Cursor
``{"modified_since": iso, "polled_at": iso}``: each poll asks for returns modified since the
cursor (less ``returns_overlap_s``; walmart-api.md §7 ``returnLastModifiedStartDate``), so a
return is seen again when it is received or refunded; ``polled_at`` becomes the cursor with
the poll's last page. Record versions make re-reading harmless.

State per return (record versions): ``return`` its last-seen lines, ``return_credit_note`` the
Credit Note number once queued (one Credit Note per return, never two), ``return_refund``
per line ``requested``/``issued`` (a refund is asked for once; the gateway also reads the
return before refunding, so a redelivered command cannot refund twice either).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, WALMART_COMMANDS, tally_commands
from mlc_shared.domain.tally import Voucher
from mlc_shared.domain.walmart import RefundLine, ReturnOrder
from mlc_shared.messages.orchestrator import PostReturn
from mlc_shared.messages.tally import ImportVouchers, VouchersImported
from mlc_shared.messages.walmart import (
    FetchReturns,
    IssueRefund,
    RefundIssued,
    ReturnsFetched,
    WalmartRequestRejected,
)

from sync_orchestrator.credit_notes import (
    ReturnPlan,
    credit_note,
    plan_return,
    refundable,
    return_of,
    return_version,
)
from sync_orchestrator.currency import in_company_currency
from sync_orchestrator.flows.base import Flow, Step
from sync_orchestrator.flows.context import FlowContext
from sync_orchestrator.vouchers import MappingGap

RETURNS = "returns"
RETURN_KIND = "return"
CREDIT_NOTE_KIND = "return_credit_note"
REFUND_KIND = "return_refund"
PARKED = "parked"


async def start(ctx: FlowContext, since: datetime | None = None) -> None:
    cursor = await ctx.tx.get_cursor(ctx.tenant, RETURNS) or {}
    now = datetime.now(UTC)
    if since is None:
        if "modified_since" in cursor:
            since = datetime.fromisoformat(cursor["modified_since"]) - timedelta(
                seconds=ctx.settings.returns_overlap_s
            )
        else:
            since = now - timedelta(days=ctx.settings.returns_lookback_days)
    await ctx.tx.set_cursor(ctx.tenant, RETURNS, {**cursor, "polled_at": now.isoformat()})
    await ctx.send(WALMART_COMMANDS, FetchReturns(modified_since=since))


async def on_returns_fetched(ctx: FlowContext, event: ReturnsFetched) -> None:
    returns = {r.return_order_id: r for r in event.returns}
    ids = list(returns)
    known = await ctx.tx.get_versions(ctx.tenant, RETURN_KIND, ids)
    credited = await ctx.tx.get_versions(ctx.tenant, CREDIT_NOTE_KIND, ids)
    vouchers: list[Voucher] = []
    versions: dict[str, str] = {}
    for rid, ret in returns.items():
        version = return_version(ret)
        if known.get(rid) == version:
            continue
        versions[rid] = version
        plan = plan_return(
            ret,
            wfs_channels=ctx.settings.returns_wfs_refund_channels,
            wait_for_receipt=ctx.settings.returns_credit_note_when == "received",
        )
        if not credited.get(rid):
            await _credit(ctx, ret, plan, vouchers)
        if ctx.settings.returns_refund_policy == "when_received":
            await _refund(ctx, ret, plan)
    await _send_imports(ctx, vouchers)
    await ctx.tx.set_versions(ctx.tenant, RETURN_KIND, versions)
    if event.last_page:
        cursor = await ctx.tx.get_cursor(ctx.tenant, RETURNS) or {}
        if "polled_at" in cursor:
            await ctx.tx.set_cursor(ctx.tenant, RETURNS, {"modified_since": cursor["polled_at"]})


async def _credit(
    ctx: FlowContext, ret: ReturnOrder, plan: ReturnPlan, vouchers: list[Voucher]
) -> None:
    rid = ret.return_order_id
    if plan.wfs:
        await ctx.audit(
            RETURNS,
            RETURN_KIND,
            rid,
            "skipped",
            detail={
                "reason": "WFS return lines: Walmart fulfils and settles them, refunds are "
                "view-only (walmart-api.md §7); no Credit Note from the connector",
                "lines": [ln.return_order_line_number for ln in plan.wfs],
            },
        )
    if not plan.credit:
        return
    if plan.awaiting:
        await ctx.audit(
            RETURNS,
            RETURN_KIND,
            rid,
            "awaiting_receipt",
            detail={"lines": [ln.return_order_line_number for ln in plan.awaiting]},
        )
        return
    try:
        voucher = _credit_note(ctx, ret, plan)
    except MappingGap as gap:
        # Parked alone (its own message) so the other returns still post; replayable.
        await ctx.audit(RETURNS, RETURN_KIND, rid, PARKED, detail={"reason": gap.reason})
        await ctx.tx.set_versions(ctx.tenant, CREDIT_NOTE_KIND, {rid: PARKED})
        await ctx.send(ORCHESTRATOR_EVENTS, PostReturn(return_order=ret))
        return
    await _queue(ctx, rid, voucher, vouchers)


def _credit_note(ctx: FlowContext, ret: ReturnOrder, plan: ReturnPlan) -> Voucher:
    """Raises MappingGap: an unmapped SKU, or no exchange rate for its date (currency.py)."""
    zone = ZoneInfo(ctx.settings.seller_timezone)
    voucher = credit_note(
        ret,
        plan.credit,
        ctx.mapping,
        tenant=ctx.tenant,
        timezone=zone,
        number_pattern=ctx.settings.returns_voucher_number_pattern,
        today=datetime.now(zone).date(),
    )
    return in_company_currency(voucher, ctx.mapping)


async def _queue(ctx: FlowContext, rid: str, voucher: Voucher, vouchers: list[Voucher]) -> None:
    vouchers.append(voucher)
    await ctx.tx.set_versions(ctx.tenant, CREDIT_NOTE_KIND, {rid: voucher.number})
    await ctx.audit(
        RETURNS,
        RETURN_KIND,
        rid,
        "queued",
        target_id=voucher.number,
        request=voucher.model_dump_json(),
    )


async def _refund(ctx: FlowContext, ret: ReturnOrder, plan: ReturnPlan) -> None:
    """Policy "when_received": refund each seller-fulfilled line once it is DELIVERED."""
    rid = ret.return_order_id
    due = {ln.return_order_line_number: refundable(ln) for ln in plan.credit}
    keys = {n: f"{rid}#{n}" for n, qty in due.items() if qty > 0}
    if not keys:
        return
    asked = await ctx.tx.get_versions(ctx.tenant, REFUND_KIND, list(keys.values()))
    lines = tuple(
        RefundLine(return_order_line_number=n, quantity=due[n])
        for n, key in sorted(keys.items())
        if not asked.get(key)
    )
    if not lines:
        return
    await ctx.send(
        WALMART_COMMANDS,
        IssueRefund(return_order_id=rid, customer_order_id=ret.customer_order_id, lines=lines),
    )
    await ctx.tx.set_versions(
        ctx.tenant, REFUND_KIND, {keys[ln.return_order_line_number]: "requested" for ln in lines}
    )
    await ctx.audit(
        RETURNS,
        "refund",
        rid,
        "requested",
        detail={"lines": {str(ln.return_order_line_number): str(ln.quantity) for ln in lines}},
    )


async def _send_imports(ctx: FlowContext, vouchers: list[Voucher]) -> None:
    size = ctx.settings.import_batch_size
    for at in range(0, len(vouchers), size):
        await ctx.send(
            tally_commands(ctx.tenant), ImportVouchers(vouchers=tuple(vouchers[at : at + size]))
        )


async def on_post_return(ctx: FlowContext, event: PostReturn) -> None:
    """The parked-and-replayable path; raises MappingGap (the dispatcher parks the message)."""
    ret = event.return_order
    rid = ret.return_order_id
    state = (await ctx.tx.get_versions(ctx.tenant, CREDIT_NOTE_KIND, [rid])).get(rid)
    if state and state != PARKED:
        return  # queued already (a replay of a message that did post)
    plan = plan_return(
        ret, wfs_channels=ctx.settings.returns_wfs_refund_channels, wait_for_receipt=False
    )
    vouchers: list[Voucher] = []
    await _queue(ctx, rid, _credit_note(ctx, ret, plan), vouchers)
    await _send_imports(ctx, vouchers)


async def on_vouchers_imported(ctx: FlowContext, event: VouchersImported) -> None:
    for result in event.results:
        rid = return_of(result.remote_id, ctx.tenant)
        if rid is None:
            continue
        if result.outcome == "rejected":
            # Forget it so the next sighting (or `mlc sync returns --since`) posts it again.
            await ctx.tx.set_versions(ctx.tenant, CREDIT_NOTE_KIND, {rid: ""})
            await ctx.tx.set_versions(ctx.tenant, RETURN_KIND, {rid: ""})
            await ctx.audit(
                RETURNS,
                RETURN_KIND,
                rid,
                "rejected",
                target_id=result.number,
                detail={"reason": result.reason},
            )
            continue
        await ctx.audit(
            RETURNS,
            RETURN_KIND,
            rid,
            "posted",
            target_id=result.number,
            detail={"outcome": result.outcome, "master_id": result.master_id},
        )


async def on_refund_issued(ctx: FlowContext, event: RefundIssued) -> None:
    rid = event.return_order_id
    await ctx.tx.set_versions(
        ctx.tenant,
        REFUND_KIND,
        {f"{rid}#{ln.return_order_line_number}": "issued" for ln in event.lines},
    )
    await ctx.audit(
        RETURNS,
        "refund",
        rid,
        "already_refunded" if event.already else "refunded",
        detail={
            "lines": {str(ln.return_order_line_number): str(ln.quantity) for ln in event.lines}
        },
    )


async def on_request_rejected(ctx: FlowContext, event: WalmartRequestRejected) -> None:
    """Walmart refused one of this flow's commands as invalid (e.g. a refund on a return it
    will not refund). Audited with Walmart's words; a refused refund keeps its lines
    ``requested``, so it is never sent again on its own."""
    kind = {IssueRefund.message_type: "refund", FetchReturns.message_type: RETURN_KIND}.get(
        event.command_type
    )
    if kind is None:
        return  # another flow's command
    await ctx.audit(
        RETURNS,
        kind,
        event.subject or event.command_type,
        "refused",
        detail={"command": event.command_type, "reason": event.reason, "codes": list(event.codes)},
    )


FLOW = Flow(
    name=RETURNS,
    start=start,
    steps={
        ReturnsFetched: Step(on_returns_fetched, ends_run=True),
        PostReturn: Step(on_post_return),
        VouchersImported: Step(on_vouchers_imported),
        RefundIssued: Step(on_refund_issued),
        WalmartRequestRejected: Step(on_request_rejected),
    },
    interval_setting="returns_interval_s",
)
