"""eventloop.py: the loop a service runs on, and the heap frozen after start-up."""

from __future__ import annotations

import asyncio
import gc

import uvloop
from mlc_shared import eventloop


async def _loop_type() -> type[asyncio.AbstractEventLoop]:
    return type(asyncio.get_running_loop())


def test_uvloop_by_default_and_asyncio_on_request() -> None:
    assert issubclass(eventloop.run(_loop_type()), uvloop.Loop)
    assert not issubclass(eventloop.run(_loop_type(), "asyncio"), uvloop.Loop)


def test_startup_objects_are_out_of_the_collectors_reach() -> None:
    before = gc.get_freeze_count()
    try:
        eventloop.freeze_startup_objects()
        assert gc.get_freeze_count() > max(before, 10_000)
    finally:
        gc.unfreeze()
