"""`mlc dlq list|show|replay|purge`: parked messages on RabbitMQ or the embedded bus alike.

A replay puts the message back on its queue with its original message id, so whatever it
causes is recognised by the consumers' idempotency (inbox, the agent's duplicate check): it
can never post twice. Fix the cause first (the reason says what it is, e.g. an unmapped SKU:
``mlc mapping set sku ...``), then replay.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sync_orchestrator.dead_letters import DeadLetter, DeadLetters, UnknownQueue, connector_queues
from sync_orchestrator.dispatch import FLOWS
from sync_orchestrator.tenants import TenantDirectory

from ml_connector.cli.context import (
    EXIT_NOT_FOUND,
    JsonOption,
    fail,
    opened_bus,
    opened_store,
    print_json,
    print_json_list,
    print_table,
    run,
    settings,
    when,
)

app = typer.Typer(help="Dead letters: list, show, replay, purge.", no_args_is_help=True)
T = TypeVar("T")

Queue = Annotated[
    str | None, typer.Option("--queue", help="one work queue, e.g. tally.acme.commands")
]


def _with_letters(work: Callable[[DeadLetters], Awaitable[T]]) -> T:
    config = settings()

    async def main() -> T:
        async with opened_store(config) as store, opened_bus(config, store) as bus:
            tenants = await TenantDirectory(store, config, FLOWS).tenants()
            return await work(DeadLetters(bus, connector_queues(tenants)))

    try:
        return run(main())
    except UnknownQueue as exc:
        fail(str(exc), 2)


@app.command("list")
def list_command(
    queue: Queue = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="per queue")] = 100,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """Parked messages with the reason each was parked."""
    letters = _with_letters(lambda d: d.list(queue, limit))
    if as_json:
        print_json_list(letters)
        return
    if not letters:
        typer.echo("no parked messages.")
        return
    print_table(
        f"Parked messages ({len(letters)})",
        ("id", "queue", "type", "tenant", "parked", "attempts", "reason"),
        [
            (
                letter.message_id,
                letter.queue,
                letter.type or "(not a valid envelope)",
                letter.tenant or "",
                when(letter.parked_at),
                len(letter.attempts),
                letter.reason,
            )
            for letter in letters
        ],
    )


@app.command()
def show(
    message_id: Annotated[str, typer.Argument(metavar="ID", help="the message id")],
    queue: Queue = None,
    as_json: Annotated[bool, JsonOption] = False,
) -> None:
    """One parked message: reason, attempts, payload."""
    letter = _with_letters(lambda d: d.find(message_id, queue))
    if letter is None:
        fail(f"no parked message {message_id!r}", EXIT_NOT_FOUND)
    if as_json:
        print_json(letter)
        return
    _describe(letter)


def _describe(letter: DeadLetter) -> None:
    typer.echo(f"message   {letter.message_id}")
    typer.echo(f"queue     {letter.queue}")
    typer.echo(f"type      {letter.type or '(not a valid envelope)'}")
    typer.echo(f"tenant    {letter.tenant or ''}")
    typer.echo(f"run       {letter.correlation_id or ''}")
    typer.echo(f"parked    {when(letter.parked_at)}")
    typer.echo(f"reason    {letter.reason}")
    for attempt in letter.attempts:
        typer.echo(f"attempt {attempt['attempt']} at {attempt['at']}: {attempt['error']}")
    typer.echo("payload:" if letter.payload is not None else "body:")
    typer.echo(
        json.dumps(letter.payload, indent=2, ensure_ascii=False)
        if letter.payload is not None
        else (letter.body or "")
    )


@app.command()
def replay(
    message_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="the message id")] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="every parked message")] = False,
    queue: Queue = None,
) -> None:
    """Put a parked message (or, with --all, every one) back on its queue, same message id."""
    if (message_id is None) == (not replay_all):
        fail("give one message ID or --all", 2)
    count = _with_letters(lambda d: d.replay(message_id, queue))
    if message_id is not None and count == 0:
        fail(f"no parked message {message_id!r}", EXIT_NOT_FOUND)
    typer.echo(f"{count} message(s) replayed.")


@app.command()
def purge(
    message_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="one message id; default: all")
    ] = None,
    queue: Queue = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")] = False,
) -> None:
    """Delete parked messages for good (asks first unless --yes)."""
    what = f"parked message {message_id}" if message_id else "every parked message"
    where = f" of {queue}" if queue else ""
    if not yes and not typer.confirm(f"Delete {what}{where} for good?", default=False):
        fail("nothing deleted.", 1)
    count = _with_letters(lambda d: d.purge(message_id, queue))
    if message_id is not None and count == 0:
        fail(f"no parked message {message_id!r}", EXIT_NOT_FOUND)
    typer.echo(f"{count} message(s) deleted.")
