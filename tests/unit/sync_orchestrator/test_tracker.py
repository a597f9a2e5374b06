"""The run tracker's announced orders: coalesced per tenant, oldest first, taken once."""

from __future__ import annotations

from sync_orchestrator.tracker import Tracker


def test_announced_ids_are_coalesced_and_taken_oldest_first_in_batches() -> None:
    tracker = Tracker()
    tracker.announce("a", ["3", "1", "2"])
    tracker.announce("a", ["1", "4"])  # "1" again: still one read
    tracker.announce("b", ["9"])
    assert tracker.take_announced("a", 2) == ("3", "1")
    assert tracker.take_announced("a", 10) == ("2", "4")
    assert tracker.take_announced("a", 10) == ()
    assert tracker.take_announced("b", 10) == ("9",)
    assert tracker.take_announced("unknown", 10) == ()
