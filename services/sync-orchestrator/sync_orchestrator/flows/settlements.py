"""Settlements flow: Walmart reconciliation reports -> Journal + Receipt in Tally.

Each run lists the available report dates (walmart-api.md §8.1) and fetches every report not
posted yet. Cursor ``{"from": iso date}``: a low-water mark, the oldest report date not yet
done; reports before it are never fetched again. On the first run it starts
``settlements_lookback_days`` back (older payouts are the seller's books already);
``mlc sync settlements --since DATE`` reaches further back once, and also retries reports
parked or rejected before.

State per report date (record versions, kind ``settlement``): ``queued`` (vouchers sent),
``posted``, ``parked`` (not postable: audited with the reason and parked as a
``PostSettlement`` message for the operator) or ``rejected`` (Tally refused a voucher).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from mlc_shared.bus.topology import ORCHESTRATOR_EVENTS, WALMART_COMMANDS, tally_commands
from mlc_shared.domain.walmart import ReconReport
from mlc_shared.messages.orchestrator import PostSettlement
from mlc_shared.messages.tally import ImportVouchers, VouchersImported
from mlc_shared.messages.walmart import (
    FetchReconReport,
    ListReconDates,
    ReconDatesListed,
    ReconReportFetched,
    WalmartRequestRejected,
)

from sync_orchestrator.currency import MissingRate, in_company_currency
from sync_orchestrator.flows.base import Flow, Step
from sync_orchestrator.flows.context import FlowContext
from sync_orchestrator.receipts import SettlementPlan, settlement_of, settlement_vouchers
from sync_orchestrator.recon import SettlementNotPostable, check_report, code_rows, report_day

SETTLEMENTS = "settlements"
REPORT_KIND = "settlement"
QUEUED, POSTED, PARKED, REJECTED = "queued", "posted", "parked", "rejected"
_IN_BOOKS = {QUEUED, POSTED}
_DONE = {POSTED, PARKED, REJECTED}


async def start(ctx: FlowContext, since: datetime | None = None) -> None:
    if since is not None:
        cursor = await ctx.tx.get_cursor(ctx.tenant, SETTLEMENTS) or {}
        await ctx.tx.set_cursor(
            ctx.tenant, SETTLEMENTS, {**cursor, "backfill_from": since.date().isoformat()}
        )
    await ctx.send(WALMART_COMMANDS, ListReconDates())


async def on_dates_listed(ctx: FlowContext, event: ReconDatesListed) -> None:
    cursor = await ctx.tx.get_cursor(ctx.tenant, SETTLEMENTS) or {}
    today = datetime.now(UTC).date()
    floor = (
        date.fromisoformat(cursor["from"])
        if "from" in cursor
        else today - timedelta(days=ctx.settings.settlements_lookback_days)
    )
    backfill = date.fromisoformat(cursor["backfill_from"]) if "backfill_from" in cursor else None
    days: dict[str, date] = {}
    for listed in event.report_dates:
        try:
            days[listed] = report_day(listed)
        except ValueError:
            await ctx.audit(
                SETTLEMENTS,
                REPORT_KIND,
                listed,
                "unreadable",
                detail={"reason": "not an MMDDYYYY report date (walmart-api.md §8.1)"},
            )
    lowest = min(floor, backfill) if backfill else floor
    candidates = sorted((d for d in days if days[d] >= lowest), key=days.__getitem__)
    states = await ctx.tx.get_versions(ctx.tenant, REPORT_KIND, candidates)
    for listed in candidates:
        state = states.get(listed)
        if state in _IN_BOOKS or (state in _DONE and backfill is None):
            continue
        await ctx.send(WALMART_COMMANDS, FetchReconReport(report_date=listed))
    open_days = [days[d] for d in candidates if states.get(d) not in _DONE]
    if open_days:
        low_water = min(open_days)
    elif candidates:
        low_water = days[candidates[-1]] + timedelta(days=1)
    else:
        low_water = floor
    await ctx.tx.set_cursor(ctx.tenant, SETTLEMENTS, {"from": max(low_water, floor).isoformat()})


async def on_report(ctx: FlowContext, event: ReconReportFetched) -> None:
    report = event.report
    if await _state(ctx, report.report_date) in _IN_BOOKS:
        return  # fetched twice (two runs crossed): posted once
    try:
        plan = _plan(ctx, report)
    except SettlementNotPostable as problem:
        await ctx.audit(
            SETTLEMENTS,
            REPORT_KIND,
            report.report_date,
            problem.status,
            detail={
                "reason": problem.reason,
                "difference": None if problem.difference is None else str(problem.difference),
                "rows": len(report.rows),
            },
        )
        await ctx.tx.set_versions(ctx.tenant, REPORT_KIND, {report.report_date: PARKED})
        # Parked as its own message: the alert (the flow's last error) and the replay.
        await ctx.send(ORCHESTRATOR_EVENTS, PostSettlement(report=report))
        return
    await _queue(ctx, plan)


async def on_post_settlement(ctx: FlowContext, event: PostSettlement) -> None:
    """Raises SettlementNotPostable while the report still cannot be posted (parked again,
    with the difference in the reason); posts it once it can (a fixed mapping)."""
    if await _state(ctx, event.report.report_date) in _IN_BOOKS:
        return
    await _queue(ctx, _plan(ctx, event.report))


def _plan(ctx: FlowContext, report: ReconReport) -> SettlementPlan:
    checked = check_report(report)
    plan = settlement_vouchers(
        checked,
        code_rows(checked.rows, ctx.mapping, report.report_date),
        ctx.mapping,
        tenant=ctx.tenant,
        receipt_pattern=ctx.settings.settlement_receipt_number_pattern,
        journal_pattern=ctx.settings.settlement_journal_number_pattern,
    )
    try:
        vouchers = tuple(in_company_currency(v, ctx.mapping) for v in plan.vouchers)
    except MissingRate as gap:
        raise SettlementNotPostable(
            "unmapped", f"report {report.report_date}: {gap.reason}"
        ) from None
    return replace(plan, vouchers=vouchers)


async def _state(ctx: FlowContext, report_date: str) -> str | None:
    return (await ctx.tx.get_versions(ctx.tenant, REPORT_KIND, [report_date])).get(report_date)


async def _queue(ctx: FlowContext, plan: SettlementPlan) -> None:
    if not plan.vouchers:  # a period without a cent moved: nothing for the books
        await ctx.tx.set_versions(ctx.tenant, REPORT_KIND, {plan.report_date: POSTED})
        await ctx.audit(SETTLEMENTS, REPORT_KIND, plan.report_date, "empty")
        return
    await ctx.send(tally_commands(ctx.tenant), ImportVouchers(vouchers=plan.vouchers))
    await ctx.tx.set_versions(ctx.tenant, REPORT_KIND, {plan.report_date: QUEUED})
    for voucher in plan.vouchers:
        await ctx.audit(
            SETTLEMENTS,
            REPORT_KIND,
            plan.report_date,
            "queued",
            target_id=voucher.number,
            detail={
                "voucher_type": voucher.voucher_type,
                "total_payable": str(plan.total_payable),
                "orders": len(plan.bills),
                "charges": {k: str(v) for k, v in plan.charges.items()},
            },
            request=voucher.model_dump_json(),
        )


async def on_vouchers_imported(ctx: FlowContext, event: VouchersImported) -> None:
    outcome: dict[str, str] = {}
    for result in event.results:
        report_date = settlement_of(result.remote_id, ctx.tenant)
        if report_date is None:
            continue
        rejected = result.outcome == "rejected"
        await ctx.audit(
            SETTLEMENTS,
            REPORT_KIND,
            report_date,
            "rejected" if rejected else "posted",
            target_id=result.number,
            detail={"outcome": result.outcome, "reason": result.reason},
        )
        if rejected or outcome.get(report_date) != REJECTED:
            outcome[report_date] = REJECTED if rejected else POSTED
    if outcome:
        await ctx.tx.set_versions(ctx.tenant, REPORT_KIND, outcome)


async def on_request_rejected(ctx: FlowContext, event: WalmartRequestRejected) -> None:
    """Walmart refused to list or serve a report: audited; a refused report is done (not
    fetched again but by ``--since``)."""
    if event.command_type not in (ListReconDates.message_type, FetchReconReport.message_type):
        return  # another flow's command
    await ctx.audit(
        SETTLEMENTS,
        REPORT_KIND,
        event.subject or event.command_type,
        "refused",
        detail={"command": event.command_type, "reason": event.reason, "codes": list(event.codes)},
    )
    if event.command_type == FetchReconReport.message_type and event.subject:
        await ctx.tx.set_versions(ctx.tenant, REPORT_KIND, {event.subject: REJECTED})


FLOW = Flow(
    name=SETTLEMENTS,
    start=start,
    steps={
        ReconDatesListed: Step(on_dates_listed, ends_run=True),
        ReconReportFetched: Step(on_report),
        PostSettlement: Step(on_post_settlement),
        VouchersImported: Step(on_vouchers_imported),
        WalmartRequestRejected: Step(on_request_rejected),
    },
    interval_setting="settlements_interval_s",
)
