"""Waiting for an outcome without timing anything: poll a condition until it holds or a
generous deadline passes, and fail saying what did not happen (and which service died)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from tests.faults.procs import Services


async def wait_until(
    check: Callable[[], Awaitable[Any]],
    *,
    within: float,
    what: str,
    services: Services | None = None,
    every: float = 0.5,
) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    last: Any = None
    while loop.time() < deadline:
        last = await check()
        if last:
            return last
        if services is not None and (dead := services.dead()):
            raise AssertionError(f"a service died while waiting for {what}:\n" + "\n".join(dead))
        await asyncio.sleep(every)
    raise AssertionError(f"{what} did not happen within {within:.0f} s (last: {last!r})")
