"""Per-API throttling for one seller account (walmart-api.md §10).

Two sources of truth are combined:

* the local budget (§10.2, from settings): a token bucket that refills evenly, so a burst
  never runs the seller's Walmart bucket dry in the first place;
* what Walmart says (§10.1): ``x-current-token-count`` lowers the local count when Walmart
  knows of fewer tokens (another tool spending the same account), and a count of 0 or a 429
  blocks the API until ``x-next-replenishment-time`` (epoch ms or ISO) or ``Retry-After``.

A caller never waits longer than ``max_wait`` (§10.4 "cap waits, ~300 s"): it gets
:class:`WalmartThrottled` with the time still needed, and the work goes back to the queue.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

from mlc_shared.metrics import WALMART_THROTTLE_WAIT_SECONDS, WALMART_THROTTLED

from walmart_gateway.apis import Api, Budget
from walmart_gateway.errors import WalmartThrottled

# §10.1: the documented names first, then the variants seen in clients.
TOKEN_COUNT_HEADERS = ("x-current-token-count",)
REPLENISH_HEADERS = ("x-next-replenishment-time", "x-next-replenish-time")
_EPSILON = 1e-6
"""Refill arithmetic in floats lands a hair below a whole token; that counts as whole."""
FALLBACK_429_WAIT = 1.0
"""A 429 that carries neither Retry-After nor a replenishment time: wait this long, doubling
on each further 429 in a row."""


class _Bucket:
    def __init__(self, budget: Budget | None, now: float) -> None:
        self.budget = budget
        self.tokens = float(budget.limit) if budget else float("inf")
        self.updated = now
        self.blocked_until = 0.0
        self.next_refill = 0.0
        """When Walmart said its next token arrives (x-next-replenishment-time)."""
        self.strikes = 0
        self.lock = asyncio.Lock()
        self.cautious = False
        """Walmart last said this bucket is empty: calls go one at a time until one succeeds
        with tokens to spare, so waiting callers do not all hit the refill together."""
        self.probes = 0
        self.settled = asyncio.Event()
        self.settled.set()

    def refill(self, now: float) -> None:
        if self.budget is not None:
            gained = (now - self.updated) * self.budget.per_second
            self.tokens = min(float(self.budget.limit), self.tokens + gained)
        elif self.tokens < 1 and now >= self.next_refill:
            # No local budget: the count Walmart last gave ran out; at its replenishment
            # time one token is back, and the answer to the call spending it tells how many
            # more (if no answer says, look again a second later).
            self.tokens = 1.0
            self.next_refill = now + FALLBACK_429_WAIT
        self.updated = now

    def wait(self, now: float) -> float:
        self.refill(now)
        blocked = max(0.0, self.blocked_until - now)
        if self.tokens >= 1 - _EPSILON:
            return blocked if blocked > _EPSILON else 0.0
        if self.budget is None:
            return max(blocked, self.next_refill - now)
        return max(blocked, (1 - self.tokens) / self.budget.per_second)


class Throttle:
    def __init__(
        self,
        budgets: Mapping[Api, Budget | None],
        *,
        max_wait: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._budgets = dict(budgets)
        self._max_wait = max_wait
        self._clock = clock
        self._wall = wall
        self._sleep = sleep
        self._buckets: dict[Api, _Bucket] = {}
        self.waited = 0.0
        """Seconds spent waiting for budget (reported by the benchmarks)."""

    def _bucket(self, api: Api) -> _Bucket:
        bucket = self._buckets.get(api)
        if bucket is None:
            bucket = self._buckets[api] = _Bucket(self._budgets.get(api), self._clock())
        return bucket

    async def acquire(self, api: Api) -> bool:
        """Spend one call of ``api``'s budget, waiting (up to the cap) for one to be free.
        True: the call is a probe of an emptied bucket; report it with :meth:`finished`."""
        bucket = self._bucket(api)
        deadline = self._clock() + self._max_wait
        # The lock queues callers in arrival order, so waits are fair and computed one at a
        # time against the bucket as the previous caller left it.
        async with bucket.lock:
            while True:
                now = self._clock()
                if bucket.cautious and bucket.probes:
                    try:
                        await asyncio.wait_for(bucket.settled.wait(), max(0.0, deadline - now))
                    except TimeoutError:
                        raise self._throttled(api, max(1.0, bucket.blocked_until - now)) from None
                    continue
                wait = bucket.wait(now)
                if wait <= 0:
                    bucket.tokens -= 1
                    if bucket.cautious:
                        bucket.probes += 1
                        bucket.settled.clear()
                    return bucket.cautious
                if now + wait > deadline:
                    raise self._throttled(api, wait)
                self.waited += wait
                WALMART_THROTTLE_WAIT_SECONDS.labels(api.value).inc(wait)
                await self._sleep(wait)

    def finished(self, api: Api, probe: bool) -> None:
        """The call :meth:`acquire` let through is answered (or failed): after
        :meth:`observe`, so the next caller sees what Walmart said."""
        if probe:
            bucket = self._bucket(api)
            bucket.probes = max(0, bucket.probes - 1)
            if not bucket.probes:
                bucket.settled.set()

    def _throttled(self, api: Api, wait: float) -> WalmartThrottled:
        WALMART_THROTTLED.labels(api.value).inc()
        return WalmartThrottled(
            f"{api.value} is throttled for another {wait:.0f} s, longer than the "
            f"{self._max_wait:.0f} s this gateway waits",
            retry_after=wait,
            api=api.value,
            status=429,
        )

    def observe(self, api: Api, status: int, headers: Mapping[str, str]) -> float | None:
        """Learn from a response. Returns the wait a 429 asks for (None for other statuses)."""
        bucket = self._bucket(api)
        now = self._clock()
        bucket.refill(now)
        count = _int_header(headers, TOKEN_COUNT_HEADERS)
        replenish_at = self._replenish_at(headers, now)
        if replenish_at is not None:
            bucket.next_refill = replenish_at
        if count is not None:
            # Walmart's count is the truth for an API without a local budget; with one, the
            # lower of the two (another tool may be spending the same account's tokens).
            local = bucket.tokens if bucket.budget is not None else float("inf")
            bucket.tokens = min(local, float(count))
            if count <= 0 and replenish_at is not None:
                bucket.blocked_until = max(bucket.blocked_until, replenish_at)
        if status == 429 or (count is not None and count <= 0):
            bucket.cautious = True
        elif count is None or count > 0:
            bucket.cautious = False
        if status != 429:
            bucket.strikes = 0
            return None
        bucket.strikes += 1
        WALMART_THROTTLED.labels(api.value).inc()
        bucket.tokens = min(bucket.tokens, 0.0)
        retry_after = _retry_after(headers.get("retry-after"), self._wall())
        candidates = [
            t
            for t in (replenish_at - now if replenish_at is not None else None, retry_after)
            if t is not None
        ]
        wait = max(candidates) if candidates else FALLBACK_429_WAIT * 2 ** (bucket.strikes - 1)
        wait = max(0.0, wait)
        bucket.blocked_until = max(bucket.blocked_until, now + wait)
        return wait

    def _replenish_at(self, headers: Mapping[str, str], now: float) -> float | None:
        """The replenishment moment on our monotonic clock."""
        for name in REPLENISH_HEADERS:
            raw = headers.get(name)
            if raw:
                epoch = parse_instant(raw)
                if epoch is not None:
                    return now + (epoch - self._wall())
        return None


def parse_instant(raw: str) -> float | None:
    """Epoch seconds from epoch milliseconds (observed, §10.1), epoch seconds, or ISO 8601."""
    text = raw.strip()
    try:
        number = float(text)
    except ValueError:
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    # Epoch milliseconds are 13 digits today; anything above 1e11 cannot be seconds.
    return number / 1000.0 if number > 1e11 else number


def _retry_after(raw: str | None, wall_now: float) -> float | None:
    if not raw:
        return None
    try:
        return max(0.0, float(raw.strip()))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(raw).timestamp() - wall_now)
    except (TypeError, ValueError):
        return None


def _int_header(headers: Mapping[str, str], names: tuple[str, ...]) -> int | None:
    for name in names:
        raw = headers.get(name)
        if raw is not None:
            try:
                return int(float(raw.strip()))
            except ValueError:
                return None
    return None
