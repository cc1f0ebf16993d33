"""``casetrail projections``: look after the read models (status, catch-up, rebuild, follow)."""

from __future__ import annotations

import re
import signal
import threading
from typing import Annotated, Callable

import typer

from casetrail.cli.context import views
from casetrail.cli.render import JsonFlag, emit_json, print_rows, progress
from casetrail.domain.errors import BadInput, StoreError
from casetrail.projections.views import Stop
from casetrail.projections.tuning import BATCH, HELP_FROM, MOST_BATCH, MOST_HELPERS, REMEMBERED
from casetrail.store.storage import lost_connection
from casetrail.domain.words import counted

app = typer.Typer(help="Look after the read models that lists, people and audit answer from.\n\n"
                       "Example: casetrail projections status", no_args_is_help=True)

BatchSize = Annotated[int, typer.Option("--batch-size", min=1, max=MOST_BATCH,
                                        help="Events applied per transaction.")]
Helpers = Annotated[str, typer.Option(
    "--helpers", metavar="auto|0|N",
    help=f"Helper processes that work out the next events while this one writes: auto (one per core, at most "
         f"{MOST_HELPERS}, when more than {HELP_FROM:,} events wait and there are two cores), 0 for none, or N.")]
Memory = Annotated[str, typer.Option(
    "--memory", metavar="EVENTS",
    help="Events of recent people each process keeps in memory, so their next events are applied without "
         "reading their earlier ones again (the default takes a few hundred MiB a process; more makes "
         "rebuilding a store of many more events faster).")]
MOST_ASKED_HELPERS = 16  # each helper is a process with its own memory of streams


_WHOLE = re.compile(r"[0-9]{1,12}")


def helper_count(text: str) -> int | None:
    """``--helpers``: None for auto, else how many helper processes to start."""
    choice = text.strip().lower()
    if choice == "auto":
        return None
    if _WHOLE.fullmatch(choice) and int(choice) <= MOST_ASKED_HELPERS:
        return int(choice)
    raise BadInput(f"--helpers is '{text}': give auto (the default: one per core, at most {MOST_HELPERS}, when "
                   f"more than {HELP_FROM:,} events wait), 0 for none, or a number of helper processes up to "
                   f"{MOST_ASKED_HELPERS}")


def memory_events(text: str) -> int:
    """``--memory``: how many events each process may keep (1,000,000 and 1_000_000 will do)."""
    digits = text.strip().replace(",", "").replace("_", "")
    if _WHOLE.fullmatch(digits):
        return int(digits)
    raise BadInput(f"--memory is '{text}': give how many events each process may keep in memory, such as 1000000 "
                   f"(the default is {REMEMBERED:,}; 0 keeps none)")


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
def catch_up(ctx: typer.Context, batch_size: BatchSize = BATCH, helpers: Helpers = "auto",
             memory: Memory = str(REMEMBERED), json: JsonFlag = False) -> None:
    """Apply the events recorded since the views were last brought up to date.

    Every query command does this first; run it yourself after a large import.

    The options change how fast it goes and how much memory it takes, never what the views hold.

    Example: casetrail projections catch-up --helpers 0
    """
    count, events = helper_count(helpers), memory_events(memory)
    current = views(ctx, catch_up=False)
    with progress("catching up", current.position(), current.head()) as report:
        applied = current.catch_up(batch_size, report, count, events)
    _done(current, "caught up", applied, json)


@app.command("rebuild")
def rebuild(ctx: typer.Context, batch_size: BatchSize = BATCH, helpers: Helpers = "auto",
            memory: Memory = str(REMEMBERED), json: JsonFlag = False) -> None:
    """Drop the views and build them again from every event.

    Safe to interrupt: the next command (or this one again) carries on from where it stopped.

    The options are those of catch-up.

    Example: casetrail projections rebuild --memory 1000000
    """
    count, events = helper_count(helpers), memory_events(memory)  # before anything is dropped
    current = views(ctx, catch_up=False)
    with progress("rebuilding", 0, current.head()) as report:
        applied = current.rebuild(batch_size, report, count, events)
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
    stop = Stop()
    # SIGTERM (a service manager stopping us) ends the loop like Ctrl-C does.
    signal.signal(signal.SIGINT, _asks(stop))
    signal.signal(signal.SIGTERM, _asks(stop))
    try:
        _follow_through_drops(current, stop)
    except KeyboardInterrupt:
        pass
    typer.echo(f"stopped at position {current.position()}", err=True)


def _asks(stop: Stop) -> Callable[[int, object], None]:
    """A signal handler that asks the follower to stop where it safely can; a second signal
    stops it at once. It hands ``stop.set`` to a thread: a handler runs inside whatever the
    main thread was doing, maybe holding the very lock ``set`` needs."""
    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        threading.Thread(target=stop.set, daemon=True).start()
    return handler


FIRST_PAUSE, LONGEST_PAUSE = 1.0, 30.0  # seconds between attempts to reconnect


def _follow_through_drops(current, stop: Stop) -> None:
    def report(position: int) -> None:
        typer.echo(f"applied up to {position}")

    while not stop.is_set():
        try:
            current.follow(on_batch=report, stop=stop)
            if stop.is_set():
                return
            problem = "the server stopped sending notifications"  # it returns only if the subscription ended
        except StoreError as error:
            if not lost_connection(error):
                raise
            problem = str(error)
        typer.echo(f"lost the connection to {current.store.shown} ({problem}); reconnecting", err=True)
        _reconnect(current, report, stop)


def _reconnect(current, report: Callable[[int], None], stop: Stop) -> None:
    """Wait until the store answers again, a little longer after each failed try; then apply
    what was recorded meanwhile (no notification will come for it)."""
    pause = FIRST_PAUSE
    while True:
        stop.sleep(pause)
        if stop.is_set():
            return
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
