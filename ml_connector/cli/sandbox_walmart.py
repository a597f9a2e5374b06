"""``mlc sandbox walmart``: run the Walmart Marketplace simulator until Ctrl-C.

The lead registers ``walmart`` on the ``sandbox`` command group; this module only defines it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

import typer
from walmart_sim import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, WalmartSimulator


async def _serve(sim: WalmartSimulator, host: str, port: int) -> None:
    await sim.start(host=host, port=port)
    typer.echo(f"Walmart Marketplace simulator listening on {sim.url}")
    typer.echo(f"  Walmart API : {sim.url}/v3   (data: {sim.data})")
    typer.echo(f"  Admin API   : {sim.url}/admin   (docs: {sim.url}/admin/docs)")
    typer.echo(f"  client id   : {sim.client_id}")
    typer.echo(f"  secret      : {sim.client_secret}")
    typer.echo("Press Ctrl-C to stop.")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C raises instead
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await sim.stop()
        typer.echo("Walmart Marketplace simulator stopped.")


def walmart(
    port: int = typer.Option(8081, help="TCP port to listen on (0 picks a free one)."),
    host: str = typer.Option("127.0.0.1", help="Address to bind; keep it on loopback."),
    data: str = typer.Option("empty", help="Initial account: 'empty' or 'demo'."),
    client_id: str = typer.Option(DEFAULT_CLIENT_ID, help="Client id the token endpoint accepts."),
    client_secret: str = typer.Option(
        DEFAULT_CLIENT_SECRET, help="Client secret the token endpoint accepts."
    ),
    time_scale: float = typer.Option(
        1.0,
        help="Real seconds per simulated second of waiting (feed stages, webhook retries); "
        "0.01 makes a five-minute retry delay three seconds.",
    ),
) -> None:
    """Run the Walmart Marketplace simulator (Walmart API under /v3, admin API under /admin)."""
    if data not in ("empty", "demo"):
        raise typer.BadParameter("must be 'empty' or 'demo'", param_hint="--data")
    if time_scale <= 0:
        raise typer.BadParameter("must be above 0", param_hint="--time-scale")
    sim = WalmartSimulator(
        client_id=client_id,
        client_secret=client_secret,
        data="demo" if data == "demo" else "empty",
        time_scale=time_scale,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(sim, host, port))
