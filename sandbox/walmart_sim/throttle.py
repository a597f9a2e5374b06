"""Per-API token buckets (walmart-api.md §10.1).

Each API has ``limit`` tokens refilled evenly over ``period_seconds`` of the simulated clock
(replenishment is gradual: 20/hour means one token every three minutes). A call spends one
token; an empty bucket answers 429 ``REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API`` with
``x-current-token-count`` and ``x-next-replenishment-time`` (epoch milliseconds).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .config import ThrottleLimit


@dataclass
class Bucket:
    limit: ThrottleLimit
    tokens: float
    refilled_ms: int

    @property
    def ms_per_token(self) -> float:
        return self.limit.period_seconds * 1000 / self.limit.limit

    def refill(self, now_ms: int) -> None:
        elapsed = max(0, now_ms - self.refilled_ms)
        self.tokens = min(float(self.limit.limit), self.tokens + elapsed / self.ms_per_token)
        self.refilled_ms = now_ms

    def next_replenishment_ms(self, now_ms: int) -> int:
        if self.tokens >= self.limit.limit:
            return now_ms
        missing = 1 - (self.tokens % 1)
        return now_ms + math.ceil(missing * self.ms_per_token)


@dataclass(frozen=True)
class ThrottleVerdict:
    allowed: bool
    tokens_left: int
    next_replenishment_ms: int
    limit: int


class Throttle:
    def __init__(self, limits: Callable[[], dict[str, ThrottleLimit]]) -> None:
        self._limits = limits
        self._buckets: dict[str, Bucket] = {}

    def reset(self) -> None:
        self._buckets.clear()

    def check(self, api: str, now_ms: int) -> ThrottleVerdict | None:
        """Spend a token of ``api``; None when that API has no configured limit."""
        limit = self._limits().get(api)
        if limit is None:
            return None
        bucket = self._buckets.get(api)
        if bucket is None or bucket.limit != limit:
            bucket = Bucket(limit=limit, tokens=float(limit.limit), refilled_ms=now_ms)
            self._buckets[api] = bucket
        bucket.refill(now_ms)
        allowed = bucket.tokens >= 1
        if allowed:
            bucket.tokens -= 1
        return ThrottleVerdict(
            allowed=allowed,
            tokens_left=int(bucket.tokens),
            next_replenishment_ms=bucket.next_replenishment_ms(now_ms),
            limit=limit.limit,
        )

    def snapshot(self, now_ms: int) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for api, limit in self._limits().items():
            bucket = self._buckets.get(api)
            if bucket is not None:
                bucket.refill(now_ms)
            tokens = bucket.tokens if bucket is not None else float(limit.limit)
            out[api] = {
                "limit": limit.limit,
                "period_seconds": limit.period_seconds,
                "tokens": round(tokens, 3),
            }
        return out
