"""XML bombs and external entities in a Tally answer (issue 8): refused, never expanded,
never fetched, in bounded memory and time.

The answers are read in a child process (tests/badinput/bombs.py) under a memory ceiling.
Two lines of defence are checked separately: the agent's whole path, where the decoder
refuses any DTD before the parser sees it however the DOCTYPE is disguised; and the parser
alone, given the DTD, which must neither expand past libxml2's limits nor read a file nor
open a connection. "Not fetched" is observed, not assumed: the file entities point at a
file whose content would show in the records, the network ones at a listening socket on
127.0.0.1 that counts every connection.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "TOP-SECRET-5f1e0c"
CHILD_TIMEOUT = 120


class Trap:
    """A TCP listener on loopback that only counts who connects."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def __enter__(self) -> Trap:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], Trap]]:
    secret = tmp_path_factory.mktemp("xxe") / "secret.txt"
    secret.write_text(SECRET)
    with Trap() as trap:
        child = subprocess.run(
            [sys.executable, "-m", "tests.badinput.bombs", secret.as_uri(), SECRET, trap.url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
        assert child.returncode == 0, child.stderr[-3000:]
        yield json.loads(child.stdout), trap


def test_the_agent_refuses_every_dtd_however_it_is_disguised(
    report: tuple[dict[str, Any], Trap],
) -> None:
    found, _ = report
    assert len(found["answers"]) == 9
    for name, result in found["answers"].items():
        for reading in result["agent"]:
            where = f"{name}, {reading['disguise']}, chunks of {reading['chunk']}"
            assert not reading["secret read"], where
            if name == "xinclude of a file":  # no DTD: read, and the include is inert
                assert reading["error"] is None, where
                assert reading["records"] == 1, where
                continue
            assert reading["error"] is not None, f"{where}: read as {reading['records']} rows"
            assert reading["error"].startswith("UnsafeXml: the answer contains !"), where
            assert "refused (no DTDs, no entity declarations)" in reading["error"], where


def test_the_parser_alone_expands_nothing_and_reads_no_file(
    report: tuple[dict[str, Any], Trap],
) -> None:
    found, _ = report
    for name, result in found["answers"].items():
        for reading in result["parser"]:
            where = f"{name}, parser {reading['way']}"
            assert not reading["secret read"], where
            assert reading["size"] < 200_000, f"{where}: {reading['size']} characters"
            if reading["error"] is not None:
                assert reading["error"].startswith("TallyProtocolError: "), where
    laughs = found["answers"]["billion laughs in an attribute"]["parser"]
    assert all("amplification" in (r["error"] or "") for r in laughs), laughs


def test_nothing_was_fetched_and_memory_and_time_stayed_bounded(
    report: tuple[dict[str, Any], Trap],
) -> None:
    found, trap = report
    assert trap.connections == 0
    assert found["peak growth kib"] < 128 * 1024, found["peak growth kib"]
    for name, result in found["answers"].items():
        for reading in result["agent"] + result["parser"]:
            assert reading["seconds"] < 2.0, (name, reading)
