"""How answers look: JSON for scripts, rich tables for people. No domain logic here."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from datetime import datetime, timezone
from typing import Annotated, Any, Callable, Iterator

import orjson
import typer
from rich.console import Console, Group, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from casetrail.domain.claims import Cited, Claims, Dispute, details as claim_details
from casetrail.domain.dates import time_text
from casetrail.domain.events import Fact
from casetrail.domain.facets import LISTED
from casetrail.domain.fold import Folded, Money, State, short
from casetrail.domain.money import amount_text

# What would steer a terminal instead of printing (C0 controls, DEL, C1 controls: ESC [2J clears the
# screen, ESC ]0; retitles the window) or reorder the text around it (bidi overrides, isolates and
# marks; line and paragraph separators). Stored names and notes may hold them.
_BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"  # JSON leaves these raw
_HIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f{_BEYOND_C0}]")  # not tab or newline: layout, which steers nothing
_RAW_IN_JSON = re.compile(f"[{_BEYOND_C0}]")


def visible(text: str) -> str:
    """The text with every control character shown as an escape (ESC as \\x1b, U+202E as \\u202e)."""
    return _HIDDEN.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class _Console(Console):
    """A console that prints user text as it is, but never a control character (see ``visible``):
    the table cells and plain strings pass through ``render_str``, assembled texts through ``print``."""

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(visible(text), **options)

    def print(self, *objects: Any, **options: Any) -> None:
        super().print(*(self._visible(o) if isinstance(o, Text) else o for o in objects), **options)

    def _visible(self, text: Text) -> Text:
        if not _HIDDEN.search(text.plain):
            return text
        pieces = [(visible(piece.text), piece.style) for piece in text.render(self)]
        return Text.assemble(*pieces, justify=text.justify, overflow=text.overflow, no_wrap=text.no_wrap, end=text.end)


# markup=False: names and notes are user text, and "[citation needed]" must print as written.
console = _Console(highlight=False, soft_wrap=False, markup=False)


def fit_width() -> None:
    """Size the tables for this invocation. Piped output is not cut at 80 columns: COLUMNS wins,
    then the terminal, then 120."""
    console.width = int(os.environ.get("COLUMNS") or 0) or (None if sys.stdout.isatty() else 120)


# The --json flag every reading command takes.
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def emit_json(data: Any) -> None:
    typer.echo(json_text(data))


def json_text(data: Any) -> str:
    """JSON escapes C0 controls itself; the others (DEL, C1, bidi) become \\u escapes too, which
    decode to the same strings (they can stand only inside strings)."""
    text = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=str).decode()
    return _RAW_IN_JSON.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def stamp(moment: datetime | None) -> str | None:
    """A record time as every output spells it (``dates.time_text``); None stays None."""
    return None if moment is None else time_text(moment)


def short_stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


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
    console.print(word_table(columns, [["" if v is None else str(v) for v in row] for row in rows]))


WORD_MOST = 24  # a longer word may be folded


def word_table(columns: list[str], rows: list[list[str]], title: str | None = None, **options: Any) -> RenderableType:
    """Rows for people to read, never splitting a word of up to WORD_MOST characters ("designa ted"
    was split at 80 columns): a table whose columns are each at least as wide as their longest
    word, the columns of running text giving up the room; or, when even that is too wide for the
    terminal, each row as a block of "column  value" lines (as psql's expanded display)."""
    texts = [[visible(column), *(visible(row[n]) for row in rows)] for n, column in enumerate(columns)]
    narrowest = [min(max((cell_len(word) for text in cells for word in text.split()), default=1), WORD_MOST)
                 for cells in texts]
    room = console.width - 3 * len(columns) - 1  # each column: a border and two of padding
    if sum(narrowest) > room:
        return _blocks(columns, rows, title)
    table = Table(title=title, title_justify="left", **options)
    natural = [max(max(cell_len(line) for text in cells for line in text.splitlines() or [""]), least)
               for cells, least in zip(texts, narrowest)]
    for column, width in zip(columns, _shared(narrowest, natural, room)):
        table.add_column(column, overflow="fold", width=width)
    for row in rows:
        table.add_row(*row)
    return table


def _shared(least: list[int], most: list[int], room: int) -> list[int]:
    """Column widths within ``room``: each at least ``least``; the room left over goes first to
    the columns that want least more, so short columns show their lines whole and the long
    running text wraps. Fixed here, not left to rich, whose own sharing let a table of long
    running text grow past the terminal and be cut off."""
    widths, spare = list(least), room - sum(least)
    wanting = sorted(range(len(least)), key=lambda n: most[n] - least[n])
    for place, n in enumerate(wanting):
        given = min(most[n] - least[n], spare // (len(wanting) - place))
        widths[n] += given
        spare -= given
    return widths


def _blocks(columns: list[str], rows: list[list[str]], title: str | None) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for n, row in enumerate(rows):
        if n:
            grid.add_row("", "")
        for column, value in zip(columns, row):
            grid.add_row(column, value)
    return Group(title, grid) if title else grid


def events_table(events: list[Fact], title: str | None = None, claims: Claims | None = None,
                 died: Fact | None = None) -> RenderableType:
    """The facts; after ``died``, a fact is marked posthumous, and a term's end the fold derived is marked so."""
    def type_text(event: Fact) -> str:
        if event.derived:
            return f"{event.type}\n(derived, not recorded)"
        after = died is not None and event.on.earliest > died.on.latest
        return f"{event.type}\n(posthumous)" if after else event.type

    rows = [[short(event.id), event.on.text, type_text(event), details(event), sources_text(event, claims),
             f"{short_stamp(event.timestamp)}\nby {event.author}"] for event in events]
    return word_table(["id", "on", "type", "details", "source", "recorded"], rows, title)


def sources_text(fact: Fact, claims: Claims | None = None) -> str:
    """Every source of a fact, each with who asserts it there: 'rferl-omarov (media), azattyq'."""
    cited = claims.sources(fact) if claims else (Cited(fact.source, fact.claimant, fact.id),)
    return ", ".join(c.source + (f" ({c.claimant})" if c.claimant else "") for c in cited)


def dispute_text(dispute: Dispute, claims: Claims) -> str:
    """The accounts of one happening in one line, the one that counts first named as such."""
    chosen = dispute.preference
    why = f"preferred: {chosen.reason}" if chosen else "first recorded, no preference yet"
    accounts = "; ".join(f"{'*' if a is dispute.preferred else ''}{short(a.id)} {a.type} {claim_details(a)} "
                         f"[{sources_text(a, claims)}]" for a in dispute.accounts)
    return f"{dispute.facet}: {accounts} (* counts, {why})"


def when_text(folded: Folded) -> str:
    known = "now" if folded.known_at is None else short_stamp(folded.known_at)
    return f"as of {folded.as_of.isoformat()}, known at {known}"


def print_status(state: State, days: int) -> None:
    rows = [(facet.label, (facet.shown or facet.read)(state)) for facet in LISTED if facet.label]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    if state.release_reported is False:
        rows.append(("release", f"not reported ({state.custody_event.on}: the term ended)"))
    for label, value in [*rows, ("days in custody", str(days))]:
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
