"""deploy/docker/healthcheck.py, the images' probe, run as the images run it against a real
HTTP server on an ephemeral loopback port."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.deploy.helpers import REPO

PROBE = REPO / "deploy" / "docker" / "healthcheck.py"
ANSWERS = {"/healthz": 200, "/readyz": 503, "/admin/state": 200}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(ANSWERS.get(self.path, 404))
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def probe(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROBE), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def test_healthy_when_the_path_answers_200(port: int) -> None:
    env = {"MLC_HTTP_HOST": "0.0.0.0", "MLC_HTTP_PORT": str(port)}
    assert probe(env=env).returncode == 0  # /healthz by default
    assert probe("/healthz", env=env).returncode == 0


def test_unhealthy_when_the_path_answers_otherwise(port: int) -> None:
    result = probe("/readyz", env={"MLC_HTTP_PORT": str(port)})
    assert result.returncode == 1
    assert "answered 503" in result.stderr
    assert probe("/nothing-here", env={"MLC_HTTP_PORT": str(port)}).returncode == 1


def test_a_full_url_is_probed_as_given(port: int) -> None:
    assert probe(f"http://127.0.0.1:{port}/admin/state", env={}).returncode == 0


def test_unhealthy_when_nothing_listens() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    result = probe(env={"MLC_HTTP_PORT": str(closed)})
    assert result.returncode == 1
    assert "did not answer" in result.stderr


def test_a_specific_bind_address_is_probed_there(port: int) -> None:
    assert probe(env={"MLC_HTTP_HOST": "127.0.0.1", "MLC_HTTP_PORT": str(port)}).returncode == 0
