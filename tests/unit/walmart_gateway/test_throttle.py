"""Throttle arithmetic on a fake clock: budgets, Walmart's headers, 429 waits, the cap."""

from __future__ import annotations

import asyncio

import pytest
from walmart_gateway.apis import Api, Budget
from walmart_gateway.errors import WalmartThrottled
from walmart_gateway.throttle import Throttle, parse_instant

WALL_START = 1_781_189_700.0


class FakeTime:
    """A clock that only moves when something sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> float:
        return WALL_START + (self.now - 1000.0)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _throttle(t: FakeTime, budgets: dict[Api, Budget | None], max_wait: float = 300.0) -> Throttle:
    return Throttle(budgets, max_wait=max_wait, clock=t.clock, wall=t.wall, sleep=t.sleep)


async def test_budget_allows_a_burst_then_paces_evenly() -> None:
    t = FakeTime()
    throttle = _throttle(t, {Api.INVENTORY_UPDATE: Budget(200, 60.0)})
    for _ in range(200):
        await throttle.acquire(Api.INVENTORY_UPDATE)
    assert t.slept == []
    await throttle.acquire(Api.INVENTORY_UPDATE)
    assert t.slept == [pytest.approx(0.3)]  # 200/min -> one token every 0.3 s


async def test_unbudgeted_api_never_waits_on_its_own() -> None:
    t = FakeTime()
    throttle = _throttle(t, {Api.FEED_STATUS: None})
    for _ in range(10_000):
        await throttle.acquire(Api.FEED_STATUS)
    assert t.slept == []


async def test_wait_beyond_the_cap_gives_the_work_back() -> None:
    t = FakeTime()
    throttle = _throttle(t, {Api.FEED_ITEM: Budget(10, 3600.0)}, max_wait=300.0)
    for _ in range(10):
        await throttle.acquire(Api.FEED_ITEM)
    with pytest.raises(WalmartThrottled) as caught:
        await throttle.acquire(Api.FEED_ITEM)
    assert caught.value.retry_after == pytest.approx(360.0)
    assert t.slept == []


async def test_429_with_epoch_ms_replenishment_blocks_until_then() -> None:
    t = FakeTime()
    throttle = _throttle(t, {Api.ORDERS_READ: None})
    replenish_ms = int((t.wall() + 12.5) * 1000)
    wait = throttle.observe(
        Api.ORDERS_READ,
        429,
        {"x-current-token-count": "0", "x-next-replenishment-time": str(replenish_ms)},
    )
    assert wait == pytest.approx(12.5)
    await throttle.acquire(Api.ORDERS_READ)
    assert sum(t.slept) == pytest.approx(12.5)


async def test_429_honours_retry_after_and_iso_replenishment_taking_the_later() -> None:
    t = FakeTime()
    throttle = _throttle(t, {Api.ORDERS_READ: None})
    iso = "2026-06-11T14:55:05+00:00"  # WALL_START + 5 s
    assert parse_instant(iso) == pytest.approx(WALL_START + 5)
    wait = throttle.observe(
        Api.ORDERS_READ, 429, {"retry-after": "8", "x-next-replenish-time": iso}
    )
    assert wait == pytest.approx(8.0)


async def test_429_without_hints_backs_off_doubling() -> None:
    t = FakeTime()
    throttle = _throttle(t, {Api.ORDERS_READ: None})
    assert throttle.observe(Api.ORDERS_READ, 429, {}) == 1.0
    assert throttle.observe(Api.ORDERS_READ, 429, {}) == 2.0
    throttle.observe(Api.ORDERS_READ, 200, {})
    assert throttle.observe(Api.ORDERS_READ, 429, {}) == 1.0


async def test_walmart_count_lowers_the_local_bucket() -> None:
    t = FakeTime()
    throttle = _throttle(t, {Api.INVENTORY_UPDATE: Budget(200, 60.0)})
    await throttle.acquire(Api.INVENTORY_UPDATE)
    # Another tool spent the account's tokens: Walmart says 0 left, more in 3 s.
    throttle.observe(
        Api.INVENTORY_UPDATE,
        200,
        {
            "x-current-token-count": "0",
            "x-next-replenishment-time": str(int((t.wall() + 3) * 1000)),
        },
    )
    await throttle.acquire(Api.INVENTORY_UPDATE)
    assert sum(t.slept) == pytest.approx(3.0)


async def test_concurrent_callers_are_paced_one_by_one() -> None:
    t = FakeTime()
    throttle = _throttle(t, {Api.PRICE_UPDATE: Budget(2, 10.0)})
    await asyncio.gather(*(throttle.acquire(Api.PRICE_UPDATE) for _ in range(5)))
    assert t.slept == [pytest.approx(5.0)] * 3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1781189744550", 1781189744.55),
        ("1781189744", 1781189744.0),
        ("2026-06-11T14:55:44Z", 1781189744.0),
        ("soon", None),
    ],
)
def test_parse_instant(raw: str, expected: float | None) -> None:
    assert parse_instant(raw) == (pytest.approx(expected) if expected is not None else None)


async def test_after_an_empty_bucket_callers_go_one_at_a_time_until_it_refills() -> None:
    t = FakeTime()
    throttle = _throttle(t, {Api.ORDERS_READ: None})
    throttle.observe(Api.ORDERS_READ, 429, {"retry-after": "2"})
    probe = await throttle.acquire(Api.ORDERS_READ)
    assert probe is True
    assert t.slept == [pytest.approx(2.0)]
    second = asyncio.ensure_future(throttle.acquire(Api.ORDERS_READ))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not second.done()  # held until the probe's answer is known
    throttle.observe(Api.ORDERS_READ, 200, {"x-current-token-count": "7"})
    throttle.finished(Api.ORDERS_READ, probe)
    assert await second is False  # Walmart has tokens again: back to calling in parallel


async def test_a_probe_that_meets_another_429_keeps_callers_in_line() -> None:
    t = FakeTime()
    throttle = _throttle(t, {Api.ORDERS_READ: None})
    throttle.observe(Api.ORDERS_READ, 429, {"retry-after": "1"})
    probe = await throttle.acquire(Api.ORDERS_READ)
    second = asyncio.ensure_future(throttle.acquire(Api.ORDERS_READ))
    await asyncio.sleep(0)
    throttle.observe(Api.ORDERS_READ, 429, {"retry-after": "3"})
    throttle.finished(Api.ORDERS_READ, probe)
    assert await second is True  # still cautious: the next caller is the next probe
    assert sum(t.slept) == pytest.approx(4.0)


async def test_without_a_budget_walmarts_count_and_refill_time_pace_the_calls() -> None:
    t = FakeTime()
    throttle = _throttle(t, {Api.INVENTORY_UPDATE: None})
    refill_ms = str(int((t.wall() + 0.3) * 1000))
    throttle.observe(
        Api.INVENTORY_UPDATE,
        200,
        {"x-current-token-count": "2", "x-next-replenishment-time": refill_ms},
    )
    await throttle.acquire(Api.INVENTORY_UPDATE)
    await throttle.acquire(Api.INVENTORY_UPDATE)
    assert t.slept == []  # the two tokens Walmart said it had
    await throttle.acquire(Api.INVENTORY_UPDATE)
    assert t.slept == [pytest.approx(0.3)]  # then one at Walmart's replenishment time
