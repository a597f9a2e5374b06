"""Fault knobs of the Tally port (tally-xml.md §1.5, §1.6, §10 items 1 and 10).

* `latency_ms`: every request takes this long inside the single worker, so queued callers
  wait for each other.
* busy for N seconds: the worker is occupied, as by another client's long export.
* hang: like a modal error dialog, the socket accepts and reads the request but nothing comes
  back until the hang is cleared; then Tally carries on with the queued work (§1.5).
* crash mid-response: the next N requests get their headers and part of the body, then the
  connection drops; the request's work has been done (a client must not assume it was not),
  and with `then_stop` the port closes too, like a Tally that died.
* not running / company closed are handled by the simulator (port closed; company unloaded).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CrashPlan:
    remaining: int = 0
    fraction: float = 0.5
    then_stop: bool = False


@dataclass
class Faults:
    latency_ms: int = 0
    crash: CrashPlan = field(default_factory=CrashPlan)
    hung: bool = False
    busy_until: float = 0.0
    _cleared: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self._cleared.set()

    def hang(self) -> None:
        self.hung = True
        self._cleared.clear()

    def clear_hang(self) -> None:
        self.hung = False
        self._cleared.set()

    async def wait_while_hung(self) -> None:
        await self._cleared.wait()

    def take_crash(self) -> CrashPlan | None:
        if self.crash.remaining <= 0:
            return None
        self.crash.remaining -= 1
        return CrashPlan(1, self.crash.fraction, self.crash.then_stop)

    def reset(self) -> None:
        self.latency_ms = 0
        self.crash = CrashPlan()
        self.clear_hang()

    def describe(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        return {
            "latency_ms": self.latency_ms,
            "hung": self.hung,
            "busy_for_s": max(0.0, round(self.busy_until - loop.time(), 3)),
            "crash": {
                "remaining": self.crash.remaining,
                "fraction": self.crash.fraction,
                "then_stop": self.crash.then_stop,
            },
        }
