"""A throwaway RabbitMQ node booted from deploy/rabbitmq exactly as compose boots one:
rabbitmq.conf, enabled_plugins and the definitions directory that render-definitions.sh
writes. It runs from the machine's RabbitMQ installation (Debian's rabbitmq-server, the same
one the shared test broker comes from) as its own node, on free loopback ports, with its
own data directory, and is stopped at the end. The shared broker is never touched."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.deploy.helpers import RABBITMQ_DIR

RABBITMQ_BIN = Path(os.environ.get("MLC_TEST_RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"))
BOOT_LIMIT_SECONDS = 120.0


@dataclass(frozen=True)
class Broker:
    port: int
    node: str
    log_dir: Path

    def url(self, user: str, password: str) -> str:
        return f"amqp://{user}:{password}@127.0.0.1:{self.port}/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _test_config(definitions: Path, ports: dict[str, int]) -> str:
    """deploy/rabbitmq/rabbitmq.conf with only what a test node must change: where the
    definitions are, loopback ports, and a disk limit a test machine can meet (the 2 GB of
    production would block publishers on a nearly full disk and hang the test)."""
    conf = (RABBITMQ_DIR / "rabbitmq.conf").read_text(encoding="utf-8")
    replaced = {
        "load_definitions": str(definitions),
        "disk_free_limit.absolute": "50MB",
    }
    for key, value in replaced.items():
        conf, count = re.subn(rf"^{re.escape(key)} = .*$", f"{key} = {value}", conf, flags=re.M)
        assert count == 1, f"rabbitmq.conf has no single {key} line"
    return conf + (
        f"\nlisteners.tcp.default = 127.0.0.1:{ports['amqp']}\n"
        f"management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = {ports['management']}\n"
        f"prometheus.tcp.ip = 127.0.0.1\nprometheus.tcp.port = {ports['prometheus']}\n"
    )


def _environment(root: Path, node: str, dist_port: int) -> dict[str, str]:
    (root / "rabbitmq-env.conf").write_text("", encoding="utf-8")  # not the machine's
    return {
        **os.environ,
        "RABBITMQ_NODENAME": node,
        "RABBITMQ_CONFIG_FILE": str(root / "rabbitmq"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(root / "enabled_plugins"),
        "RABBITMQ_MNESIA_BASE": str(root / "mnesia"),
        "RABBITMQ_LOG_BASE": str(root / "log"),
        "RABBITMQ_CONF_ENV_FILE": str(root / "rabbitmq-env.conf"),
        "RABBITMQ_DIST_PORT": str(dist_port),
        "ERL_EPMD_ADDRESS": "127.0.0.1",
        "ERL_FLAGS": "-kernel inet_dist_use_interface {127,0,0,1}",
    }


def _accepts(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
        return True
    return False


def _log_tail(root: Path) -> str:
    texts = [p.read_text(errors="replace")[-3000:] for p in sorted(root.rglob("*.log"))]
    out = root / "server.out"
    if out.exists():
        texts.append(out.read_text(errors="replace")[-2000:])
    return "\n".join(texts)


@contextlib.contextmanager
def throwaway_broker(root: Path, rendered_definitions: Path) -> Iterator[Broker]:
    server = RABBITMQ_BIN / "rabbitmq-server"
    if not server.exists():
        raise RuntimeError(
            f"{server} not found: these tests boot a RabbitMQ 3.10 node from the machine's "
            "installation (Debian package rabbitmq-server); install it or set "
            "MLC_TEST_RABBITMQ_BIN to its bin directory."
        )
    ports = {name: _free_port() for name in ("amqp", "management", "prometheus", "dist")}
    node = f"mlc-deploytest-{uuid.uuid4().hex[:8]}@localhost"
    (root / "rabbitmq.conf").write_text(_test_config(rendered_definitions, ports), encoding="utf-8")
    (root / "enabled_plugins").write_text(
        (RABBITMQ_DIR / "enabled_plugins").read_text(encoding="utf-8"), encoding="utf-8"
    )
    env = _environment(root, node, ports["dist"])
    with (root / "server.out").open("wb") as out:
        process = subprocess.Popen(
            [str(server)], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + BOOT_LIMIT_SECONDS
        while not _accepts(ports["amqp"]):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the test RabbitMQ node did not start:\n{_log_tail(root)}")
            time.sleep(0.5)
        # The port answering is not proof enough (another process could hold a port we
        # picked): ask our node itself that it has finished booting.
        ready = subprocess.run(
            [str(RABBITMQ_BIN / "rabbitmqctl"), "-n", node, "await_startup", "--timeout", "60"],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        if ready.returncode != 0 or process.poll() is not None:
            raise RuntimeError(
                f"the test RabbitMQ node is not running: {ready.stderr}\n{_log_tail(root)}"
            )
        yield Broker(port=ports["amqp"], node=node, log_dir=root / "log")
    finally:
        subprocess.run(
            [str(RABBITMQ_BIN / "rabbitmqctl"), "-n", node, "stop"],
            env=env,
            capture_output=True,
            timeout=90,
            check=False,
        )
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
