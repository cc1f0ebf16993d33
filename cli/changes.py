"""``changes``: what the whole store gained or took back in a record-time window, and who entered or
left each list because of it ("what changed since our last publication", asked of everything)."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer
from rich.text import Text

from casetrail.cli.context import store, views
from casetrail.cli.options import record_time
from casetrail.cli.render import JsonFlag, console, emit_json, print_rows, stamp
from casetrail.domain.errors import BadInput
from casetrail.domain.fold import short
from casetrail.domain.words import counted
from casetrail.rendering.shapes import recorded_shape

# What a row of the text answer says of an event, when the event has it.
_WHAT = ("on", "source", "event_id", "reason", "name", "title", "url", "other", "into", "role", "person")


def changes(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(
        "--since", help="Record time K: only what was recorded after it (a date: end of that day, UTC).")],
    until: Annotated[Optional[str], typer.Option(
        "--until", help="Record time K2: only what was recorded by then (a date: end of that day). "
                        "Default: now.")] = None,
    json: JsonFlag = False,
) -> None:
    """Store-wide, what was recorded or retracted after --since (and by --until), and who entered or
    left each list by it: an entry recorded in the window, or one believed at --since and withdrawn by
    --until.

    Example: casetrail changes --since 2024-01-01
    Example: casetrail changes --since 2024-01-01 --until 2024-06-30 --json
    """
    start, end = record_time(since, "--since"), record_time(until, "--until")
    if end is not None and end <= start:
        raise BadInput(f"--until {until} is not after --since {since}; give an earlier --since or a later --until")
    recorded = [recorded_shape(kind, key, event) for kind, key, event in store(ctx).recorded_between(start, end)]
    lists = views(ctx).list_changes(None, start, end)
    if json:
        emit_json({"since": stamp(start), "until": stamp(end), "recorded": recorded, "lists": lists})
        return
    window = f"after {stamp(start)}" + (f", by {stamp(end)}" if end else "")
    console.print(Text.assemble(("changes recorded " + window, "bold"),
                                f": {counted(len(recorded), 'event')}, {counted(len(lists), 'list change')}"))
    print_rows("", ["recorded", "by", "stream", "change", "what"],
               [[r["recorded_at"][:19] + "Z", r["recorded_by"], f"{r['stream']} {r['key']}",
                 r["type"] if r["change"] == "retracted" else f"recorded {r['type']}", _what(r)] for r in recorded])
    print_rows("", ["list", "valid on", "person", "change", "cause", "recorded", "withdrawn"],
               [[c["list"], c["valid_on"], c["person"], "entered" if c["to"] == "in" else "left",
                 f"{c['event_type']} {short(c['event_id'])}", c["recorded_at"][:19] + "Z",
                 (c.get("withdrawn_at") or "")[:19]] for c in lists])


def _what(row: dict[str, Any]) -> str:
    return ", ".join(f"{k} {short(row[k]) if k == 'event_id' else row[k]}" for k in _WHAT if k in row)
