"""The event loop every ``mlc`` service runs on, and its heap after start-up.

uvloop by default: the services are network-bound asyncio programs (HTTP in, AMQP and
PostgreSQL out) and uvloop's libuv transports spend less CPU per socket operation than the
stock selector loop; bench/webhooks.py measures the receiver with it. ``MLC_EVENT_LOOP=
asyncio`` chooses the standard loop (and it is the loop where uvloop is not installed,
e.g. on Windows).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

T = TypeVar("T")

EventLoop = Literal["uvloop", "asyncio"]


def loop_factory(choice: EventLoop) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """``None`` means asyncio's default loop."""
    if choice == "uvloop":
        try:
            import uvloop
        except ImportError:
            return None
        return uvloop.new_event_loop
    return None


def run(main: Coroutine[Any, Any, T], choice: EventLoop = "uvloop") -> T:
    """``asyncio.run(main)`` on the chosen loop."""
    with asyncio.Runner(loop_factory=loop_factory(choice)) as runner:
        return runner.run(main)


def freeze_startup_objects() -> None:
    """Move everything allocated so far (modules, models, compiled statements: ~140,000
    objects in the webhook-receiver) out of the collector's reach (``gc.freeze``). A full
    collection otherwise walks all of them: in bench/webhooks.py each took up to 100 ms, a
    stall that alone puts a 200/s receiver's p99 over 100 ms; after the freeze, 3 ms.
    Call once the services have started; objects made later are collected as usual."""
    gc.collect()
    gc.freeze()
