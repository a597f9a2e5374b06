"""The `mlc sandbox tally` command function, run as a real process until Ctrl-C."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

import httpx

_RUNNER = (
    "import typer\n"
    "from ml_connector.cli.sandbox_tally import tally\n"
    "app = typer.Typer()\n"
    "app.command()(tally)\n"
    "app()\n"
)


async def test_cli_runs_demo_until_interrupted(client: httpx.AsyncClient) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _RUNNER, "--port", "0", "--admin-port", "0", "--data", "demo",
        "--company", "Acme Traders", "--company", "Beta Co",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    lines: list[str] = []
    while not any("Press Ctrl-C" in line for line in lines):
        line = (await process.stdout.readline()).decode()
        assert line, f"the command ended early: {lines}"
        lines.append(line)
    output = "".join(lines)
    urls = re.findall(r"http://127\.0\.0\.1:\d+", output)
    assert len(urls) == 2
    assert "Demo company: Sundaram Home & Kitchen Pvt Ltd" in output
    assert "Acme Traders, Beta Co" in output
    assert (await client.get(urls[0])).text.startswith("<RESPONSE>TallyPrime Server is Running")
    assert (await client.get(f"{urls[1]}/health")).json()["tally_port_running"] is True
    process.send_signal(signal.SIGINT)
    rest = (await process.stdout.read()).decode()
    assert await process.wait() == 0
    assert "stopped" in rest


async def test_cli_rejects_unknown_data() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _RUNNER,
        "--data",
        "full",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output = (await process.communicate())[0].decode()
    assert process.returncode != 0
    assert "--data must be one of empty, demo" in output
