"""A private RabbitMQ node for the scenario that stops and starts the broker.

The shared test broker must never be stopped (other engineers' runs use it), so the
"RabbitMQ stopped and started" scenario boots its own node from the machine's installation
(the same RabbitMQ 3.10 the shared broker runs), with its own node name, loopback ports,
data and log directories under the test's temporary directory. ``stop_app`` / ``start_app``
stop and start the RabbitMQ application inside that node the way an operator's restart
does: every connection is closed by the broker, quorum queues recover from their logs.
The node is stopped by its own name at the end (never by a process-name match).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

RABBITMQ_BIN = Path(os.environ.get("MLC_TEST_RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"))
BOOT_LIMIT_SECONDS = 120.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PrivateBroker:
    node: str
    port: int
    root: Path
    env: dict[str, str]
    restarts: int = 0

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _ctl(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    async def stop_app(self) -> None:
        result = await asyncio.to_thread(self._ctl, "stop_app")
        if result.returncode != 0:
            raise RuntimeError(f"rabbitmqctl stop_app failed: {result.stderr}\n{self.log_tail()}")

    async def start_app(self) -> None:
        result = await asyncio.to_thread(self._ctl, "start_app")
        if result.returncode != 0:
            raise RuntimeError(f"rabbitmqctl start_app failed: {result.stderr}\n{self.log_tail()}")
        self.restarts += 1

    def log_tail(self) -> str:
        texts = [p.read_text(errors="replace")[-3000:] for p in sorted(self.root.rglob("*.log"))]
        return "\n".join(texts)


def _accepts(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
        return True
    return False


@contextlib.contextmanager
def private_broker(root: Path) -> Iterator[PrivateBroker]:
    server = RABBITMQ_BIN / "rabbitmq-server"
    if not server.exists():
        raise RuntimeError(
            f"{server} not found: the broker-restart scenario boots a private RabbitMQ 3.10 "
            "node from the machine's installation; install rabbitmq-server or set "
            "MLC_TEST_RABBITMQ_BIN to its bin directory."
        )
    port, dist = _free_port(), _free_port()
    node = f"mlc-faults-{uuid.uuid4().hex[:8]}@localhost"
    (root / "rabbitmq.conf").write_text(
        f"listeners.tcp.default = 127.0.0.1:{port}\n"
        "loopback_users = none\n"
        "disk_free_limit.absolute = 50MB\n",
        encoding="utf-8",
    )
    (root / "enabled_plugins").write_text("[].\n", encoding="utf-8")
    (root / "rabbitmq-env.conf").write_text("", encoding="utf-8")  # not the machine's
    env = {
        **os.environ,
        "RABBITMQ_NODENAME": node,
        "RABBITMQ_CONFIG_FILE": str(root / "rabbitmq"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(root / "enabled_plugins"),
        "RABBITMQ_MNESIA_BASE": str(root / "mnesia"),
        "RABBITMQ_LOG_BASE": str(root / "log"),
        "RABBITMQ_CONF_ENV_FILE": str(root / "rabbitmq-env.conf"),
        "RABBITMQ_DIST_PORT": str(dist),
        "ERL_EPMD_ADDRESS": "127.0.0.1",
        "ERL_FLAGS": "-kernel inet_dist_use_interface {127,0,0,1}",
    }
    with (root / "server.out").open("wb") as out:
        process = subprocess.Popen(
            [str(server)], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    broker = PrivateBroker(node=node, port=port, root=root, env=env)
    try:
        deadline = time.monotonic() + BOOT_LIMIT_SECONDS
        while not _accepts(port):
            if process.poll() is not None or time.monotonic() > deadline:
                out_text = (root / "server.out").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the private RabbitMQ node did not start:\n{out_text}")
            time.sleep(0.5)
        ready = broker._ctl("await_startup", "--timeout", "60", timeout=90)
        if ready.returncode != 0 or process.poll() is not None:
            raise RuntimeError(f"the private RabbitMQ node is not running: {ready.stderr}")
        yield broker
    finally:
        broker._ctl("stop", timeout=90)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # our own node's process group
            process.wait(timeout=30)
