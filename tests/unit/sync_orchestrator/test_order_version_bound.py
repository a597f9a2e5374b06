"""Regression (issue 8, scenario 8): an order's version must fit ``record_versions.version``.

A 30-line order made a version of ~400 characters; PostgreSQL refused it (VARCHAR(255)) and
with it the whole page of orders being recorded, which was retried and parked, so none of
that page's orders posted. Property: whatever the lines, the version fits, and it still
changes when a line changes.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from mlc_shared.store.tables import record_versions
from sync_orchestrator.vouchers import MAX_VERSION_CHARS, order_version

from tests.unit.sync_orchestrator.test_vouchers import line, order

_TYPE = record_versions.c.version.type
assert isinstance(_TYPE, sa.String)
assert _TYPE.length is not None
COLUMN: int = _TYPE.length


def test_the_bound_is_the_column_width() -> None:
    assert MAX_VERSION_CHARS == COLUMN


def test_a_thirty_line_order_fits_and_short_ones_stay_readable() -> None:
    many = order(*(line(str(n), f"SKU-{n}", "2", "10.00") for n in range(1, 31)))
    assert len(order_version(many)) <= COLUMN
    assert order_version(order(line("1", "MUG-1", "1", "10.00"))) == "1:Created:1"


@settings(max_examples=200, deadline=None)
@given(
    quantities=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=60),
    changed=st.integers(min_value=0),
)
def test_any_order_fits_and_a_changed_line_changes_it(quantities: list[int], changed: int) -> None:
    lines = [line(str(n + 1), f"SKU-{n}", str(q), "1.00") for n, q in enumerate(quantities)]
    before = order_version(order(*lines))
    at = changed % len(lines)
    lines[at] = line(str(at + 1), f"SKU-{at}", str(Decimal(quantities[at]) + 1), "1.00")
    after = order_version(order(*lines))
    assert len(before) <= COLUMN
    assert len(after) <= COLUMN
    assert before != after
