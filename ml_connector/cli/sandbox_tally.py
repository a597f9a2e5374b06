"""`mlc sandbox tally`: run the TallyPrime simulator until Ctrl-C.

The Tally port speaks TallyPrime's XML/JSON over HTTP; the admin API (seeding, inspection,
fault knobs; docs/tally-simulator.md) listens on its own port.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated

import typer
from tally_sim import TallySimulator

_DATA = ("empty", "demo")
_PROFILES = ("licensed", "educational")


async def _serve(
    host: str, port: int, admin_port: int, data: str, companies: list[str], profile: str
) -> None:
    sim = TallySimulator(
        companies=companies,
        data="demo" if data == "demo" else "empty",
        profile="educational" if profile == "educational" else "licensed",
    )
    try:
        await sim.start(host=host, port=port, admin_port=admin_port)
    except OSError as error:
        raise typer.BadParameter(f"cannot listen on {host}: {error.strerror or error}") from error
    typer.echo(f"TallyPrime simulator listening on {sim.url}  (admin API {sim.admin_url})")
    if sim.demo_company:
        typer.echo(f"Demo company: {sim.demo_company}")
    loaded = [c.name for c in sim.state.loaded()]
    typer.echo(
        f"Companies loaded: {', '.join(loaded) if loaded else 'none (add one through the admin API)'}"
    )
    typer.echo("Press Ctrl-C to stop.")
    try:
        await asyncio.Event().wait()
    finally:
        await sim.stop()


def tally(
    port: Annotated[int, typer.Option(help="Tally XML/JSON port")] = 9000,
    admin_port: Annotated[int, typer.Option(help="admin API port")] = 9001,
    data: Annotated[str, typer.Option(help="empty | demo (a realistic trading company)")] = "empty",
    company: Annotated[
        list[str] | None,
        typer.Option("--company", help="load an empty company with this name (repeatable)"),
    ] = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    profile: Annotated[str, typer.Option(help="licensed | educational")] = "licensed",
) -> None:
    """Run a simulated TallyPrime on PORT until Ctrl-C."""
    if data not in _DATA:
        raise typer.BadParameter(f"--data must be one of {', '.join(_DATA)}")
    if profile not in _PROFILES:
        raise typer.BadParameter(f"--profile must be one of {', '.join(_PROFILES)}")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(host, port, admin_port, data, list(company or []), profile))
    typer.echo("TallyPrime simulator stopped.")
