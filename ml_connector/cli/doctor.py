"""`mlc doctor`: check the configuration, the broker, the database, TallyPrime, Walmart, the
mapping and the webhook subscriptions with the configured settings; one line per check
(OK, WARN or FAIL and what to do). Exit status 0 when nothing failed, 1 otherwise.
Secrets are never printed: URLs are shown without credentials and every line passes the
log redactor."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from mlc_shared.logging import configure_logging

from ml_connector.doctor.report import passed
from ml_connector.doctor.run import diagnose


def doctor(
    as_json: Annotated[
        bool, typer.Option("--json", help="one JSON object per line instead of text")
    ] = False,
) -> None:
    # The clients log their own alerts while we probe; the doctor's lines say it all.
    configure_logging("CRITICAL", "console")
    results = asyncio.run(diagnose())
    for result in results:
        if as_json:
            typer.echo(json.dumps(result.as_json()))
        else:
            typer.echo(result.line())
    failed = sum(r.status == "FAIL" for r in results)
    warned = sum(r.status == "WARN" for r in results)
    if not as_json:
        typer.echo(
            f"{len(results)} checks: {len(results) - failed - warned} OK, {warned} WARN, "
            f"{failed} FAIL"
        )
    raise typer.Exit(0 if passed(results) else 1)
