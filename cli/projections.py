"""``casetrail projections``: look after the read models (status, catch-up, rebuild, follow)."""

from __future__ import annotations

import signal
import time
from typing import Annotated, Callable

import typer

from casetrail.cli.context import views
from casetrail.cli.render import JsonFlag, emit_json, print_rows, progress
from casetrail.domain.errors import StoreError
from casetrail.store.storage import lost_connection
from casetrail.domain.words import counted

app = typer.Typer(help="Look after the read models that lists, people and audit answer from.\n\n"
                       "Example: casetrail projections status", no_args_is_help=True)

BatchSize = Annotated[int, typer.Option("--batch-size", min=1, max=100_000,
                                        help="Events applied per transaction.")]


@app.command("status")
def status(ctx: typer.Context, json: JsonFlag = False) -> None:
    """Where the views are in the event log, how far behind, and how many rows they hold.

    Example: casetrail projections status --json
    """
    current = views(ctx, catch_up=False)
    s = current.status()
    data = {"position": s.position, "head": s.head, "lag": s.lag, "processed": s.processed,
            "rules": current.rules.origin, "rules_fingerprint": s.rules, "updated_at": s.updated_at, "rows": s.rows}
    if json:
        emit_json(data)
        return
    print_rows(f"views: position {s.position} of {s.head}, {s.lag} behind", ["", ""],
               [["events applied", s.processed], ["list rules", current.rules.origin], ["updated", s.updated_at],
                *[[f"rows in {table}", n] for table, n in s.rows.items()]])


@app.command("catch-up")
def catch_up(ctx: typer.Context, batch_size: BatchSize = 2000, json: JsonFlag = False) -> None:
    """Apply the events recorded since the views were last brought up to date.

    Every query command does this first; run it yourself after a large import.

    Example: casetrail projections catch-up
    """
    current = views(ctx, catch_up=False)
    with progress("catching up", current.position(), current.head()) as report:
        applied = current.catch_up(batch_size, report)
    _done(current, "caught up", applied, json)


@app.command("rebuild")
def rebuild(ctx: typer.Context, batch_size: BatchSize = 2000, json: JsonFlag = False) -> None:
    """Drop the views and build them again from every event.

    Safe to interrupt: the next command (or this one again) carries on from where it stopped.

    Example: casetrail projections rebuild
    """
    current = views(ctx, catch_up=False)
    with progress("rebuilding", 0, current.head()) as report:
        applied = current.rebuild(batch_size, report)
    _done(current, "rebuilt", applied, json)


@app.command("follow")
def follow(ctx: typer.Context) -> None:
    """Keep the views current while others record, until Ctrl-C. On PostgreSQL it wakes on each new
    event (LISTEN/NOTIFY); on SQLite it looks once a second. When the connection drops it says so
    on stderr, reconnects (waiting 1 s, then longer, up to 30 s) and goes on.

    Example: casetrail --db postgresql://127.0.0.1:5432/cases projections follow
    """
    current = views(ctx, catch_up=False)
    how = "listening for new events" if current.store.kind == "postgres" else "polling every second"
    typer.echo(f"following {current.store.shown}, {how}; Ctrl-C to stop", err=True)
    # SIGTERM (a service manager stopping us) ends the loop like Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        _follow_through_drops(current)
    except KeyboardInterrupt:
        pass
    typer.echo(f"stopped at position {current.position()}", err=True)


FIRST_PAUSE, LONGEST_PAUSE = 1.0, 30.0  # seconds between attempts to reconnect


def _follow_through_drops(current) -> None:
    def report(position: int) -> None:
        typer.echo(f"applied up to {position}")

    while True:
        try:
            current.follow(on_batch=report)
            problem = "the server stopped sending notifications"  # it returns only if the subscription ended
        except StoreError as error:
            if not lost_connection(error):
                raise
            problem = str(error)
        typer.echo(f"lost the connection to {current.store.shown} ({problem}); reconnecting", err=True)
        _reconnect(current, report)


def _reconnect(current, report: Callable[[int], None]) -> None:
    """Wait until the store answers again, a little longer after each failed try; then apply
    what was recorded meanwhile (no notification will come for it)."""
    pause = FIRST_PAUSE
    while True:
        time.sleep(pause)
        try:
            applied = current.catch_up()
            position = current.position()
        except StoreError as error:
            if not lost_connection(error):
                raise
            pause = min(pause * 2, LONGEST_PAUSE)
            typer.echo(f"still cannot reach {current.store.shown}; trying again in {pause:.0f} s", err=True)
            continue
        typer.echo(f"reconnected to {current.store.shown} at position {position}", err=True)
        if applied:
            report(position)
        return


def _done(current, verb: str, applied: int, json: bool) -> None:
    s = current.status()
    if json:
        emit_json({"applied": applied, "lost_races": current.lost_races, "position": s.position,
                   "head": s.head, "lag": s.lag, "rows": s.rows})
        return
    typer.echo(f"{verb}: applied {counted(applied, 'event')}; position {s.position} of {s.head}")
    if current.lost_races:
        typer.echo(f"another process applied {current.lost_races} of the batches first", err=True)
