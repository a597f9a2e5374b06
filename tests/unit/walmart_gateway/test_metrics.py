"""The gateway's Prometheus instruments move with what they count: budget waits and 429s
per API (throttle), token requests by outcome and tokens Walmart refused (token cache)."""

from __future__ import annotations

import pytest
from mlc_shared.metrics import sample_value
from walmart_gateway.apis import Api, Budget
from walmart_gateway.errors import WalmartBadCredentials, WalmartUnavailable
from walmart_gateway.token_cache import IssuedToken, TokenCache

from tests.unit.walmart_gateway.test_throttle import FakeTime, _throttle


async def test_waits_and_429s_are_counted_per_api() -> None:
    t = FakeTime()
    throttle = _throttle(t, {Api.PRICE_UPDATE: Budget(1, 10.0)})
    waited = sample_value("mlc_walmart_throttle_wait_seconds_total", {"api": "price.update"})
    throttled = sample_value("mlc_walmart_throttled_total", {"api": "price.update"})
    await throttle.acquire(Api.PRICE_UPDATE)
    await throttle.acquire(Api.PRICE_UPDATE)  # waits 10 s for the next token
    assert sample_value(
        "mlc_walmart_throttle_wait_seconds_total", {"api": "price.update"}
    ) == pytest.approx(waited + 10.0)
    throttle.observe(Api.PRICE_UPDATE, 429, {"retry-after": "3"})
    assert sample_value("mlc_walmart_throttled_total", {"api": "price.update"}) == throttled + 1


async def test_token_requests_by_outcome_and_rejections() -> None:
    def counts() -> tuple[float, float, float, float]:
        return (
            sample_value("mlc_walmart_token_refreshes_total", {"outcome": "issued"}),
            sample_value("mlc_walmart_token_refreshes_total", {"outcome": "refused"}),
            sample_value("mlc_walmart_token_refreshes_total", {"outcome": "failed"}),
            sample_value("mlc_walmart_token_rejections_total"),
        )

    answers: list[IssuedToken | Exception] = [
        WalmartBadCredentials("POST /v3/token answered 400", status=400),
        WalmartUnavailable("POST /v3/token answered 503", status=503),
        IssuedToken("token-1", 900.0),
    ]

    async def fetch() -> IssuedToken:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    cache = TokenCache(fetch)
    before = counts()
    with pytest.raises(WalmartBadCredentials):
        await cache.get()
    with pytest.raises(WalmartUnavailable):
        await cache.get()
    assert await cache.get() == "token-1"
    cache.invalidate("token-1")
    cache.invalidate("token-1")  # the same refusal seen twice is one rejection
    after = counts()
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1, 1]
