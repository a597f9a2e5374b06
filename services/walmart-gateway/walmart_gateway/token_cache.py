"""One access token per seller account, shared by every concurrent caller.

Walmart tokens live 900 s (walmart-api.md §2). The cache asks for a new one only when the
current one is within ``refresh_margin`` of expiry (§2 "refresh ~60 s before expiry") or was
refused (:meth:`TokenCache.invalidate`, on 401 / 400 INVALID_TOKEN). Requests are
single-flight: however many callers arrive while a token is being fetched, they all wait for
that one request and share its result, or its failure (so bad credentials cost one request,
not one per caller).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from mlc_shared.metrics import WALMART_TOKEN_REFRESHES, WALMART_TOKEN_REJECTIONS

from walmart_gateway.errors import WalmartConfigurationError


@dataclass(frozen=True)
class IssuedToken:
    value: str = field(repr=False)
    lifetime: float
    """Seconds the token is valid from when it was issued (``expires_in``)."""


TokenFetcher = Callable[[], Awaitable[IssuedToken]]


@dataclass(frozen=True)
class _Held:
    value: str = field(repr=False)
    expires_at: float


class TokenCache:
    def __init__(
        self,
        fetch: TokenFetcher,
        *,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._margin = refresh_margin
        self._clock = clock
        self._held: _Held | None = None
        self._flight: asyncio.Task[_Held] | None = None
        self.requests = 0
        """Token requests made so far (the benchmark's headline figure)."""

    def _fresh(self) -> str | None:
        held = self._held
        if held is not None and self._clock() < held.expires_at - self._margin:
            return held.value
        return None

    async def get(self) -> str:
        value = self._fresh()
        if value is not None:
            return value
        if self._flight is None:
            self._flight = asyncio.get_running_loop().create_task(self._request())
            self._flight.add_done_callback(self._landed)
        # shield: a caller that is cancelled must not cancel the request the others await.
        held = await asyncio.shield(self._flight)
        return held.value

    async def _request(self) -> _Held:
        self.requests += 1
        started = self._clock()
        try:
            issued = await self._fetch()
        except WalmartConfigurationError:
            WALMART_TOKEN_REFRESHES.labels("refused").inc()
            raise
        except Exception:
            WALMART_TOKEN_REFRESHES.labels("failed").inc()
            raise
        WALMART_TOKEN_REFRESHES.labels("issued").inc()
        # Lifetime counts from before the request left: never believe a token lives longer.
        return _Held(issued.value, started + issued.lifetime)

    def _landed(self, task: asyncio.Task[_Held]) -> None:
        self._flight = None
        if not task.cancelled() and task.exception() is None:
            self._held = task.result()

    def invalidate(self, value: str) -> None:
        """Walmart refused ``value``: forget it unless a newer token already replaced it
        (many callers holding the same refused token cause one refresh, not many)."""
        if self._held is not None and self._held.value == value:
            self._held = None
            WALMART_TOKEN_REJECTIONS.inc()

    @property
    def expires_in(self) -> float | None:
        if self._held is None:
            return None
        return max(0.0, self._held.expires_at - self._clock())
