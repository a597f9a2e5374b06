"""Token cache: single-flight, shared failure, refresh margin, invalidation of a refused token.

The fetcher here is the cache's own collaborator (a function returning a token), not a
stand-in for Walmart: the same behaviour over HTTP is in tests/contract/test_walmart_port.py.
"""

from __future__ import annotations

import asyncio

import pytest
from walmart_gateway.token_cache import IssuedToken, TokenCache


class Issuer:
    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()
        self.fail_with: Exception | None = None

    async def __call__(self) -> IssuedToken:
        self.calls += 1
        await self.release.wait()
        if self.fail_with is not None:
            raise self.fail_with
        return IssuedToken(f"token-{self.calls}", 900.0)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_one_request_for_many_concurrent_callers() -> None:
    issuer = Issuer()
    cache = TokenCache(issuer)
    waiting = [asyncio.ensure_future(cache.get()) for _ in range(1000)]
    await asyncio.sleep(0)
    issuer.release.set()
    tokens = await asyncio.gather(*waiting)
    assert set(tokens) == {"token-1"}
    assert issuer.calls == cache.requests == 1


async def test_a_failure_is_shared_by_the_flight_then_the_next_call_retries() -> None:
    issuer = Issuer()
    issuer.fail_with = RuntimeError("400 Bad Request")
    cache = TokenCache(issuer)
    waiting = [asyncio.ensure_future(cache.get()) for _ in range(50)]
    await asyncio.sleep(0)
    issuer.release.set()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert issuer.calls == 1
    issuer.fail_with = None
    assert await cache.get() == "token-2"


async def test_refreshed_a_minute_before_expiry_not_earlier() -> None:
    issuer = Issuer()
    issuer.release.set()
    clock = Clock()
    cache = TokenCache(issuer, refresh_margin=60.0, clock=clock)
    assert await cache.get() == "token-1"
    clock.now = 839.0
    assert await cache.get() == "token-1"
    clock.now = 840.5
    assert await cache.get() == "token-2"
    assert cache.requests == 2


async def test_invalidate_drops_only_the_refused_token() -> None:
    issuer = Issuer()
    issuer.release.set()
    cache = TokenCache(issuer)
    first = await cache.get()
    cache.invalidate(first)
    second = await cache.get()
    assert second == "token-2"
    cache.invalidate(first)  # a late 401 for the old token must not drop the new one
    assert await cache.get() == "token-2"
    assert cache.requests == 2


async def test_a_cancelled_caller_does_not_cancel_the_request_for_others() -> None:
    issuer = Issuer()
    cache = TokenCache(issuer)
    first = asyncio.ensure_future(cache.get())
    second = asyncio.ensure_future(cache.get())
    await asyncio.sleep(0)
    first.cancel()
    issuer.release.set()
    assert await second == "token-1"
    with pytest.raises(asyncio.CancelledError):
        await first
    assert issuer.calls == 1
