"""The four services as real processes (``tests.faults.launcher``, i.e. `mlc serve`), which a
scenario can SIGKILL and start again. Waits never block the event loop: the simulators run
on it, and a service stopping may still be talking to them."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("tally-agent", "walmart-gateway", "webhook-receiver", "sync-orchestrator")


def service_env(extra: dict[str, str]) -> dict[str, str]:
    """The test's environment without its own MLC_* settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLC_", "FAULTS_"))}
    env.update({"MLC_LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


@dataclass
class Service:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    generation: int


@dataclass
class Services:
    """Started services by name; every start appends to the service's own log file."""

    logs: Path
    env: dict[str, str]
    running: dict[str, Service] = field(default_factory=dict)
    kills: dict[str, int] = field(default_factory=dict)
    exits: list[tuple[str, int]] = field(default_factory=list)

    def start(self, name: str, extra: dict[str, str] | None = None) -> Service:
        if name in self.running and self.running[name].process.poll() is None:
            raise RuntimeError(f"{name} is already running")
        generation = self.kills.get(name, 0) + sum(1 for n, _ in self.exits if n == name)
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            out.write(f"\n=== start {generation} ===\n".encode())
            out.flush()
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.faults.launcher", name],
                env={**self.env, **(extra or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        service = Service(name, process, log, generation)
        self.running[name] = service
        return service

    def start_all(self, names: tuple[str, ...] = SERVICES) -> None:
        for name in names:
            self.start(name)

    async def kill(self, name: str) -> None:
        """SIGKILL: no shutdown code runs, exactly like a crash or the OOM killer."""
        service = self.running.pop(name)
        service.process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(service.process.wait)
        self.kills[name] = self.kills.get(name, 0) + 1

    def freeze(self, name: str) -> None:
        """SIGSTOP: the process stops where it is, sockets open, until killed or resumed."""
        self.running[name].process.send_signal(signal.SIGSTOP)

    def dead(self) -> list[str]:
        """Services that exited on their own, with the end of their log."""
        return [
            f"{name} exited {s.process.returncode}:\n{tail(s.log)}"
            for name, s in self.running.items()
            if s.process.poll() is not None
        ]

    async def stop(self) -> dict[str, int]:
        """SIGTERM every running service and wait (then SIGKILL); their exit codes."""
        for service in self.running.values():
            if service.process.poll() is None:
                service.process.send_signal(signal.SIGTERM)
        codes: dict[str, int] = {}
        for name, service in list(self.running.items()):
            try:
                codes[name] = await asyncio.wait_for(asyncio.to_thread(service.process.wait), 30)
            except TimeoutError:
                service.process.kill()
                codes[name] = await asyncio.to_thread(service.process.wait)
            self.exits.append((name, codes[name]))
        self.running.clear()
        return codes

    def logs_text(self) -> str:
        return "\n".join(
            p.read_text(errors="replace") for p in sorted(self.logs.glob("*.log")) if p.is_file()
        )


def tail(path: Path, lines: int = 25) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
