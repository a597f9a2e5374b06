"""Token cache under a stampede: N concurrent Walmart calls through a cold cache, against the
Walmart simulator over HTTP on 127.0.0.1. Prints one JSON object.

* ``cold``: N calls (``GET /v3/token/detail``) start at once on a gateway that holds no token.
  Goal: ``token_requests`` == 1 (walmart-api.md §2: one token per 15-minute window).
* ``warm``: the same N calls again on the same gateway, the token already held: the baseline
  for ``calls_per_second`` (what the cold run costs over it is waiting for one token).
* ``no_cache``: the naive client, one token request per call (what the cache saves).

Token requests are counted twice: by the gateway and from the simulator's request log. The
simulator runs in its own process (the machine's second core), so the figures are the
gateway's, not those of two programs sharing one event loop.

    .venv/bin/python bench/walmart_token.py [--calls 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from e2e_support import walmart_simulator  # type: ignore[import-not-found]
from mlc_shared.logging import configure_logging
from walmart_gateway.gateway import WalmartGateway
from walmart_gateway.settings import WalmartSettings

CLIENT_ID, SECRET = "bench-client", "bench-secret-0001"
CONNECTIONS = 100


async def _timed(calls: int, one: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(calls)))
    return time.perf_counter() - started


async def token_requests(admin: httpx.AsyncClient) -> int:
    log = (await admin.get("/admin/requests?path_prefix=/v3/token")).json()
    return sum(1 for entry in log if entry["path"] == "/v3/token")


_HEADERS = {"WM_SVC.NAME": "bench", "Accept": "application/json"}


async def _uncached_call(url: str, raw: httpx.AsyncClient, slots: asyncio.Semaphore) -> None:
    """The naive client: a token request before every call (same connection limit)."""
    async with slots:
        token = await raw.post(
            f"{url}/v3/token", auth=(CLIENT_ID, SECRET), data={"grant_type": "client_credentials"},
            headers={**_HEADERS, "WM_QOS.CORRELATION_ID": "t"})  # fmt: skip
        token.raise_for_status()
        answer = await raw.get(f"{url}/v3/token/detail", headers={
            **_HEADERS, "WM_QOS.CORRELATION_ID": "d",
            "WM_SEC.ACCESS_TOKEN": token.json()["access_token"]})  # fmt: skip
        answer.raise_for_status()


def _figures(calls: int, tokens: int, seconds: float) -> dict[str, Any]:
    return {"token_requests": tokens, "seconds": round(seconds, 3),
            "calls_per_second": round(calls / seconds, 1)}  # fmt: skip


async def measure(url: str, calls: int) -> dict[str, Any]:
    settings = WalmartSettings(walmart_base_url=url, walmart_client_id=CLIENT_ID,
                               walmart_client_secret=SECRET,
                               walmart_max_connections=CONNECTIONS)  # fmt: skip
    gateway = WalmartGateway(settings)
    limits = httpx.Limits(max_connections=CONNECTIONS)
    try:
        async with (
            httpx.AsyncClient(base_url=url, timeout=120) as admin,
            httpx.AsyncClient(timeout=120, limits=limits) as raw,
        ):
            seller = await gateway.seller("default")
            cold_s = await _timed(calls, seller.token_detail)
            cold = await token_requests(admin)
            counted = seller.client.tokens.requests
            warm_s = await _timed(calls, seller.token_detail)
            warm = await token_requests(admin) - cold
            slots = asyncio.Semaphore(CONNECTIONS)
            naive_s = await _timed(calls, lambda: _uncached_call(url, raw, slots))
            naive = await token_requests(admin) - cold - warm
    finally:
        await gateway.aclose()
    return {
        "calls": calls,
        "cold": {**_figures(calls, cold, cold_s), "token_requests_counted_by_gateway": counted},
        "warm": _figures(calls, warm, warm_s),
        "no_cache": _figures(calls, naive, naive_s),
        "cold_over_warm_seconds": round(cold_s / warm_s, 2),
        "goal_one_token_request": cold == 1 == counted,
    }


async def main(calls: int) -> dict[str, Any]:
    async with walmart_simulator(CLIENT_ID, SECRET) as url:
        return await measure(url, calls)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    configure_logging("WARNING", "console")
    print(json.dumps(asyncio.run(main(args.calls))))
