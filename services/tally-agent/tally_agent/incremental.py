"""Incremental exports (tally-xml.md §3.6), after LOADER (``docs/incremental-sync.md``):

1. Probe the company's ALTMSTID and ALTVCHID first: the ``$AlterID > N`` filter costs a
   full scan even when nothing matches (~22 s at 101k vouchers, BRIDGE §11b.3), the probe
   costs one small request. Nothing moved -> stop (``unchanged``).
2. A counter below the cursor: the books were restored from a backup and the cursor means
   nothing any more -> export everything from 0 and say so (``full_resync``).
3. Otherwise pull the masters with ``$AlterID > cursor``. The next cursor is the probed
   high-water mark (or a higher ALTERID seen while streaming): rows altered during the export
   carry a higher ALTERID and are simply exported again next time.
4. Balances move without any master changing: a posted voucher changes the closing stock
   of the items it names (and the balances of its ledgers) but not their ALTERID. So when
   vouchers moved past the cursor, the masters those vouchers name are exported too (one
   light read of the vouchers' item/ledger names, then the masters by name). A backlog
   larger than the export window, or an unknown voucher cursor, exports everything instead.
5. Deletions are invisible to ALTERID filters: on request, a census of every GUID is
   attached to the last page, and the receiver drops what is missing. A deleted voucher
   moves stock invisibly too; the receiver's periodic census run (cursor 0) corrects it.

One cursor or two (UNCERTAIN, §3.6): the evidence suggests one ALTERID counter per company
shared by masters and vouchers, with ALTMSTID/ALTVCHID the per-kind maxima
(MLC_TALLY_SHARED_ALTER_IDS, default on). Then ``since_alter_id`` alone covers both and
``next_alter_id`` = max(ALTMSTID, ALTVCHID). With separate counters the command must also
carry ``since_voucher_alter_id`` (returned as ``next_voucher_alter_id``).

The agent keeps no cursor itself (ARCHITECTURE.md: no state beyond configuration); the
command carries it and the result carries the next one. Results are paged so that no
message holds a 100,000-item export.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Generic

from mlc_shared.domain.tally import Company, PostedVoucher

from tally_agent.kinds import M, MasterKind
from tally_agent.protocol import filters
from tally_agent.reads import TallyReader


@dataclass(frozen=True)
class ExportPlan:
    unchanged: bool
    full_resync: bool
    everything: bool
    """Export every master (first export, restored backup, or balances moved too widely)."""
    since_alter_id: int
    """Masters altered after this mark are exported."""
    vouchers_since: int | None
    """Vouchers altered after this mark moved balances; None: no voucher scan needed."""
    next_alter_id: int
    next_voucher_alter_id: int


def plan_export(
    cursor: int,
    voucher_cursor: int | None,
    alt_mst_id: int,
    alt_vch_id: int,
    *,
    shared: bool = True,
    backlog: int = 5000,
) -> ExportPlan:
    """What to export, from the cursor(s) and the company's high-water marks."""
    marks_v: int | None
    if shared:
        marks_v = cursor if voucher_cursor is None else voucher_cursor
        high = max(alt_mst_id, alt_vch_id)
        resync = high < cursor
        unchanged = high == cursor and cursor > 0 and alt_vch_id <= marks_v
        next_m = high
    else:
        marks_v = voucher_cursor
        resync = alt_mst_id < cursor or (marks_v is not None and alt_vch_id < marks_v)
        unchanged = alt_mst_id == cursor and cursor > 0 and alt_vch_id == marks_v
        next_m = alt_mst_id
    if resync:
        return ExportPlan(False, True, True, 0, None, next_m, alt_vch_id)
    if unchanged:
        return ExportPlan(True, False, False, cursor, None, cursor, alt_vch_id)
    everything = cursor == 0
    vouchers_since: int | None = None
    if not everything and (marks_v is None or alt_vch_id > marks_v):
        if marks_v is None or alt_vch_id - marks_v > backlog:
            everything = True  # cheaper to read every master than to scan the vouchers
        else:
            vouchers_since = marks_v
    since = 0 if everything else cursor
    return ExportPlan(False, False, everything, since, vouchers_since, next_m, alt_vch_id)


@dataclass
class ExportPage(Generic[M]):
    company: Company
    since_alter_id: int
    records: list[M]
    page: int
    last_page: bool = False
    unchanged: bool = False
    full_resync: bool = False
    next_alter_id: int | None = None
    next_voucher_alter_id: int | None = None
    census: tuple[str, ...] | None = None


@dataclass
class _Pager(Generic[M]):
    company: Company
    since: int
    full_resync: bool
    page_size: int
    pending: list[M] = field(default_factory=list)
    page: int = 0

    def take(self) -> ExportPage[M]:
        self.page += 1
        records, self.pending = self.pending, []
        return ExportPage(
            self.company, self.since, records, self.page, full_resync=self.full_resync
        )


async def export_masters(
    reader: TallyReader,
    kind: MasterKind[M],
    cursor: int,
    *,
    voucher_cursor: int | None = None,
    census: bool = False,
    page_size: int = 2000,
    shared_alter_ids: bool = True,
    backlog: int = 5000,
) -> AsyncIterator[ExportPage[M]]:
    """Pages of the masters of ``kind`` changed (or whose balances moved) since the cursor;
    the last page has ``last_page`` set, the next cursor(s) and, when asked, the census."""
    company = await reader.open_company()
    reader = reader.for_company(company)
    plan = plan_export(
        cursor,
        voucher_cursor,
        company.alt_mst_id,
        company.alt_vch_id,
        shared=shared_alter_ids,
        backlog=backlog,
    )
    if not kind.named_in_vouchers and plan.vouchers_since is not None:
        plan = ExportPlan(
            plan.unchanged,
            plan.full_resync,
            plan.everything,
            plan.since_alter_id,
            None,
            plan.next_alter_id,
            plan.next_voucher_alter_id,
        )
    if plan.unchanged:
        present = tuple(await reader.census(kind, company)) if census else None
        yield ExportPage(
            company,
            cursor,
            [],
            1,
            last_page=True,
            unchanged=True,
            next_alter_id=plan.next_alter_id,
            next_voucher_alter_id=plan.next_voucher_alter_id,
            census=present,
        )
        return
    pager: _Pager[M] = _Pager(company, plan.since_alter_id, plan.full_resync, page_size)
    high_water = plan.next_alter_id
    exported: set[str] = set()
    seen: list[str] = []
    keep_guids = census and plan.since_alter_id == 0
    async with reader.masters(kind, company, since_alter_id=plan.since_alter_id) as rows:
        async for record in rows:
            high_water = max(high_water, record.alter_id)
            if keep_guids:
                seen.append(record.guid)
            if plan.vouchers_since is not None:
                exported.add(record.name)
            pager.pending.append(record)
            if len(pager.pending) >= page_size:
                yield pager.take()
    if plan.vouchers_since is not None:
        names = await reader.named_in_vouchers(kind, company, plan.vouchers_since)
        names -= exported
        if names:
            async with reader.masters_named(kind, company, sorted(names)) as rows:
                async for record in rows:
                    high_water = max(high_water, record.alter_id)
                    pager.pending.append(record)
                    if len(pager.pending) >= page_size:
                        yield pager.take()
    guids: tuple[str, ...] | None = None
    if census:
        # A full export is its own census; otherwise ask for one.
        guids = tuple(seen) if keep_guids else tuple(await reader.census(kind, company))
    last = pager.take()
    last.last_page = True
    last.next_alter_id = high_water
    last.next_voucher_alter_id = plan.next_voucher_alter_id
    last.census = guids
    yield last


def plan_windows(
    counts: dict[date, int], start: date, end: date, limit: int
) -> list[tuple[date, date]]:
    """Consecutive date windows covering [start, end], each holding at most ``limit``
    vouchers (§1.6: more than 10,000 per request can leave Tally stuck; LOADER uses 5,000),
    except a single day that alone holds more (a day cannot be split by date)."""
    windows: list[tuple[date, date]] = []
    window_start, in_window = start, 0
    day = start
    while day <= end:
        count = counts.get(day, 0)
        if in_window and in_window + count > limit:
            windows.append((window_start, day - timedelta(days=1)))
            window_start, in_window = day, 0
        in_window += count
        day += timedelta(days=1)
    windows.append((window_start, end))
    return windows


async def export_vouchers(
    reader: TallyReader,
    start: date,
    end: date,
    *,
    voucher_type: str | None = None,
    include_cancelled: bool = False,
    window: int = 5000,
    count_method: str = "aggregate",
) -> AsyncIterator[tuple[Company, date, date, list[PostedVoucher]]]:
    """Vouchers dated [start, end], one date window (at most ``window`` vouchers) at a time.

    Windows are sized from a per-date count first (LOADER counts vouchers per date before
    pulling windows of at most 5,000, §3.5)."""
    company = await reader.open_company()
    reader = reader.for_company(company)
    counts = await reader.voucher_day_counts(company, start, end, voucher_type, method=count_method)
    for window_start, window_end in plan_windows(counts, start, end, window):
        conditions = [filters.date_between(window_start, window_end)]
        if voucher_type:
            conditions.append(filters.voucher_type_is(voucher_type))
        if not include_cancelled:
            conditions.append(filters.not_cancelled())
        async with reader.vouchers(company, conditions) as rows:
            vouchers = [voucher async for voucher in rows]
        # Tally sometimes ignores a date range (Day Book, QUIRKS #6): re-filter here too.
        vouchers = [v for v in vouchers if window_start <= v.date <= window_end]
        yield company, window_start, window_end, vouchers
