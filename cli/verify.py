"""``verify``: prove the store was not altered behind casetrail's back."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from casetrail.cli.context import store
from casetrail.cli.render import JsonFlag, emit_json, progress
from casetrail.domain.words import counted


def verify(
    ctx: typer.Context,
    against: Annotated[Optional[str], typer.Option(
        "--against", help="A stamp an earlier verify printed (POSITION:DIGEST): also prove that every event "
                          "recorded by then, the newest of each stream included, is unchanged.")] = None,
    json: JsonFlag = False,
) -> None:
    """Walk every stream and check each event's link to the one before; exit 1 if anything is wrong.

    Keep the stamp it prints somewhere else (an email to your lawyer, a published note):
    verify --against that stamp later also catches a changed or removed newest event.

    Example: casetrail verify --against 1234:9f86d081884c7d65...
    """
    app = store(ctx)
    head = app.recorder.max_notification_id() or 0
    with progress("verifying", 0, head, quiet_below=100_000) as report:
        result = app.verify(against, report)
    if json:
        emit_json({"sound": result.sound, "events": result.events, "streams": result.streams,
                   "stamp": result.stamp, "breaks": [b.as_dict() for b in result.breaks]})
    else:
        for found in result.breaks:
            where = "the store" if found.stream == "*" else f"{found.stream} version {found.version}"
            typer.echo(f"BROKEN {where}: {found.problem}", err=True)
        verdict = "sound" if result.sound else counted(len(result.breaks), "problem")
        typer.echo(f"verified {counted(result.events, 'event')} in {counted(result.streams, 'stream')}: {verdict}")
        typer.echo(f"stamp {result.stamp}")
    if not result.sound:
        raise typer.Exit(1)
