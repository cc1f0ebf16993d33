"""How answers look: JSON for scripts, rich tables for people. No domain logic here."""

from __future__ import annotations

import contextlib
import os
import sys
from datetime import datetime, timezone
from typing import Annotated, Any, Callable, Iterator

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from casetrail.domain.events import Fact, PersonEvent, Retracted
from casetrail.domain.fold import Folded, Money, State, short
from casetrail.domain.money import amount_text

# Piped output is not cut at 80 columns: COLUMNS wins, then the terminal, then 120.
# markup=False: names and notes are user text, and "[citation needed]" must print as written.
console = Console(highlight=False, soft_wrap=False, markup=False,
                  width=int(os.environ.get("COLUMNS") or 0) or (None if sys.stdout.isatty() else 120))

# The --json flag every reading command takes.
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]

STATUS_KEYS = ("custody", "legal", "appeal_pending", "vital", "designation", "headline", "days_in_custody")


def emit_json(data: Any) -> None:
    typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=str).decode())


def stamp(moment: datetime | None) -> str | None:
    """A record time as ISO 8601 UTC with a Z, to the microsecond so it can be fed back to --known-at."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def short_stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def event_json(event: PersonEvent) -> dict[str, Any]:
    if isinstance(event, Retracted):
        data = {"id": str(event.id), "type": event.type, "recorded_at": stamp(event.timestamp),
                "event_id": str(event.event_id), "reason": event.reason}
        if event.source:
            data["source"] = event.source
        return data
    assert isinstance(event, Fact)
    data = {"id": str(event.id), "type": event.type, "on": event.on.text, "recorded_at": stamp(event.timestamp),
            "source": event.source}
    data.update(event.fields())
    if event.note:
        data["note"] = event.note
    if event.group:
        data["group"] = event.group
    return data


def status_json(state: State, days: int) -> dict[str, Any]:
    return {"custody": state.custody, "legal": state.legal, "appeal_pending": state.appeal_pending,
            "vital": state.vital, "designation": state.designation, "headline": state.headline,
            "days_in_custody": days}


def compensation_json(state: State) -> list[dict[str, str]]:
    return [{"currency": c, "awarded": amount_text(m.awarded, grouped=False),
             "claimed": amount_text(m.claimed, grouped=False)} for c, m in state.compensation]


def details(event: Fact) -> str:
    """The type's own fields in one short line: 'place=Aqtobe by=security forces'."""
    parts = []
    for name, value in event.fields().items():
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        parts.append(f"{name}={value}")
    if event.note:
        parts.append(f"note={event.note}")
    return "  ".join(parts)


def money_text(currency: str, money: Money) -> str:
    text = f"{currency} {amount_text(money.awarded)} awarded"
    if money.claimed:
        text += f" of {amount_text(money.claimed)} claimed"
    return text


def print_rows(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    """A title line (never wrapped, so it can be searched for) above a plain table of strings;
    empty values print as blanks."""
    if title:
        console.print(title, soft_wrap=True)
    table = Table()
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


def events_table(events: list[Fact], title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False, title_justify="left")
    for column in ("id", "on", "type", "details", "source", "recorded"):
        table.add_column(column, overflow="fold")
    for event in events:
        table.add_row(short(event.id), event.on.text, event.type, details(event), event.source,
                      short_stamp(event.timestamp))
    return table


def when_text(folded: Folded) -> str:
    known = "now" if folded.known_at is None else short_stamp(folded.known_at)
    return f"as of {folded.as_of.isoformat()}, known at {known}"


def print_status(state: State, days: int) -> None:
    facets = [
        ("headline", state.headline), ("custody", state.custody), ("legal", state.legal),
        ("appeal pending", "yes" if state.appeal_pending else "no"), ("vital", state.vital),
        ("designation", state.designation or "-"), ("days in custody", str(days)),
    ]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for label, value in facets:
        grid.add_row(label, value)
    for currency, money in state.compensation:
        grid.add_row("compensation", money_text(currency, money))
    console.print(grid)


def warn(message: str) -> None:
    typer.echo(f"Warning: {message}", err=True)


@contextlib.contextmanager
def progress(label: str, start: int, head: int, quiet_below: int = 0) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for work from notification ``start`` to ``head``.

    Quiet (yields None) when there is less than ``quiet_below`` to do, or when an
    implicit catch-up runs without a terminal to draw on.
    """
    if head - start <= 0 or head - start < quiet_below or (quiet_below and not sys.stderr.isatty()):
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=bool(quiet_below)) as bar:
        task = bar.add_task(label, total=head - start)

        def report(position: int, new_head: int) -> None:
            bar.update(task, completed=position - start, total=max(new_head - start, 1))

        try:
            yield report
        except BaseException:
            if not bar.console.is_terminal:
                bar.console.quiet = True  # no half-drawn bar in a log above the one-line error
            raise


@contextlib.contextmanager
def phases() -> Iterator[Callable[[str, int, int], None] | None]:
    """Progress bars on a terminal for work done in named phases (reading, checking, writing).

    A phase reported with total 0 has no known end: it shows a count. Without a
    terminal on stderr it stays quiet.
    """
    if not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        tasks: dict[str, Any] = {}

        def report(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total or None)
            bar.update(tasks[phase], completed=done, total=total or None)

        yield report
