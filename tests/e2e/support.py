"""Helpers for end-to-end tests: simulators in the test process, services as real processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

MLC = str(Path(sys.executable).with_name("mlc"))


def service_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLC_")}
    env.update({"MLC_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1", **extra})
    return env


class Processes:
    """`mlc` processes started for a test and stopped (SIGTERM, then SIGKILL) after it."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen([MLC, *args], env=env, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append((name, proc))
        return proc

    def dead(self) -> list[str]:
        return [
            f"{n} exited {p.returncode}: {self.tail(n)}"
            for n, p in self.procs
            if p.poll() is not None
        ]

    def tail(self, name: str, lines: int = 15) -> str:
        text = (self.logs / f"{name}.log").read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> dict[str, int]:
        for _, proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes = {}
        for name, proc in self.procs:
            try:
                codes[name] = proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                codes[name] = proc.wait()
        return codes


async def wait_until(
    check: Callable[[], Awaitable[Any]], *, within: float, what: str, procs: Processes | None = None
) -> Any:
    """Poll ``check`` until it returns a truthy value; fail saying ``what`` did not happen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    last: Any = None
    while loop.time() < deadline:
        last = await check()
        if last:
            return last
        if procs is not None and (dead := procs.dead()):
            raise AssertionError(f"a service died while waiting for {what}:\n" + "\n".join(dead))
        await asyncio.sleep(0.5)
    raise AssertionError(f"{what} did not happen within {within:.0f} s (last: {last!r})")


async def tally_vouchers(admin_url: str, company: str, number: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=10) as http:
        reply = await http.get(
            f"{admin_url}/companies/{quote(company)}/vouchers",
            params={"type": "Sales", "number": number},
        )
        reply.raise_for_status()
        return list(reply.json())


async def walmart_input_qty(url: str, sku: str, node: str) -> int | None:
    """What the connector last told Walmart for ``sku`` at ``node`` (the simulator's view)."""
    async with httpx.AsyncClient(timeout=10) as http:
        reply = await http.get(f"{url}/admin/inventory/{quote(sku)}")
        if reply.status_code == 404:
            return None
        reply.raise_for_status()
        qty = reply.json().get(node, {}).get("input")
        return None if qty is None else int(qty)
