"""The incremental plan and voucher windows (tally-xml.md §3.5, §3.6)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from tally_agent.incremental import plan_export, plan_windows

# plan_export(cursor, voucher_cursor, ALTMSTID, ALTVCHID): with one shared ALTERID counter
# (the default reading of §3.6) the cursor is max(ALTMSTID, ALTVCHID).


def test_nothing_moved_stops() -> None:
    plan = plan_export(1200, None, 1200, 1100)
    assert plan.unchanged
    assert plan.next_alter_id == 1200


def test_masters_changed_pulls_them_since_the_cursor() -> None:
    plan = plan_export(1200, None, 1250, 1100)
    assert not plan.unchanged
    assert not plan.everything
    assert plan.since_alter_id == 1200
    assert plan.vouchers_since is None  # no voucher moved past the cursor
    assert plan.next_alter_id == 1250


def test_vouchers_moved_balances_without_touching_masters() -> None:
    # A Sales voucher posted: ALTVCHID passes the cursor, ALTMSTID does not.
    plan = plan_export(1200, None, 1150, 1203)
    assert not plan.unchanged
    assert plan.vouchers_since == 1200
    assert plan.since_alter_id == 1200
    assert plan.next_alter_id == 1203
    assert plan.next_voucher_alter_id == 1203


def test_big_voucher_backlog_reads_everything_instead() -> None:
    plan = plan_export(1200, None, 1150, 9000, backlog=5000)
    assert plan.everything
    assert plan.since_alter_id == 0
    assert not plan.full_resync


def test_first_export_is_everything() -> None:
    plan = plan_export(0, None, 57, 0)
    assert plan.everything
    assert not plan.unchanged
    assert plan.next_alter_id == 57


def test_falling_counter_is_a_restored_backup() -> None:
    plan = plan_export(1200, None, 900, 950)
    assert plan.full_resync
    assert plan.everything
    assert plan.next_alter_id == 950


def test_separate_counters_need_both_cursors() -> None:
    assert plan_export(500, 9000, 500, 9000, shared=False).unchanged
    moved = plan_export(500, 9000, 500, 9004, shared=False)
    assert moved.vouchers_since == 9000
    assert moved.next_alter_id == 500
    assert moved.next_voucher_alter_id == 9004
    # Without the voucher cursor nobody knows which vouchers are new: read everything.
    assert plan_export(500, None, 500, 9004, shared=False).everything
    assert plan_export(500, 9000, 499, 9000, shared=False).full_resync


def test_windows_hold_at_most_the_limit() -> None:
    start = date(2025, 4, 1)
    counts = {start + timedelta(days=d): 400 for d in range(30)}
    windows = plan_windows(counts, start, date(2025, 4, 30), 5000)
    assert windows[0][0] == start
    assert windows[-1][1] == date(2025, 4, 30)
    for (_, end), (nxt, _) in itertools.pairwise(windows):
        assert nxt == end + timedelta(days=1)  # contiguous, no gap, no overlap
    for first, last in windows:
        assert sum(n for d, n in counts.items() if first <= d <= last) <= 5000
    assert len(windows) == 3


def test_one_busy_day_gets_its_own_window() -> None:
    day = date(2025, 4, 2)
    windows = plan_windows({date(2025, 4, 1): 10, day: 20}, date(2025, 4, 1), date(2025, 4, 3), 15)
    assert windows == [
        (date(2025, 4, 1), date(2025, 4, 1)),
        (day, day),
        (date(2025, 4, 3), date(2025, 4, 3)),
    ]


def test_empty_range_is_one_window() -> None:
    assert plan_windows({}, date(2025, 4, 1), date(2025, 4, 30), 5000) == [
        (date(2025, 4, 1), date(2025, 4, 30))
    ]
