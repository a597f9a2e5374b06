"""The error table (STYLE.md): each Tally failure maps to exactly one bus action."""

from __future__ import annotations

import pytest
from mlc_shared.bus.base import Reject, RetryLater
from tally_agent.errors import (
    ERROR_TABLE,
    CompanyNotOpen,
    TallyBusy,
    TallyDropped,
    TallyError,
    TallyPortClosed,
    TallyProtocolError,
    TallyRejectedRequest,
    UnknownRequest,
    UnsafeXml,
    rule_for,
    to_bus_exception,
)


@pytest.mark.parametrize(
    ("error", "action", "counts"),
    [
        (TallyPortClosed("refused"), "retry", False),  # Tally away: never parks work
        (TallyBusy("timeout"), "retry", False),
        (CompanyNotOpen("Could not set 'SVCurrentCompany'"), "retry", False),
        (TallyDropped("cut off"), "retry", True),  # may be our request crashing Tally
        (UnknownRequest("Unknown Request"), "park", True),
        (TallyRejectedRequest("STATUS 0"), "park", True),
        (UnsafeXml("DOCTYPE"), "park", True),
        (TallyProtocolError("bad"), "park", True),
        (TallyError("HTTP 500"), "retry", True),
    ],
)
def test_each_row(error: TallyError, action: str, counts: bool) -> None:
    rule = rule_for(error)
    assert (rule.action, rule.counts) == (action, counts)
    bus_error = to_bus_exception(error)
    if action == "park":
        assert isinstance(bus_error, Reject)
    else:
        assert isinstance(bus_error, RetryLater)
        assert bus_error.counts is counts
    assert type(error).__name__ in str(bus_error)


def test_table_is_ordered_most_specific_first() -> None:
    for position, rule in enumerate(ERROR_TABLE):
        for later in ERROR_TABLE[position + 1 :]:
            assert not issubclass(later.error, rule.error) or later.error is rule.error, (
                f"{later.error.__name__} is shadowed by {rule.error.__name__}"
            )


def test_every_error_has_a_plain_hint() -> None:
    for rule in ERROR_TABLE:
        assert rule.error("x").hint.endswith(".")
