"""``casetrail person``: register people and list them."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer
from casetrail.cli.context import store, views
from casetrail.cli.render import JsonFlag, emit_json, print_rows, stamp, visible
from casetrail.domain.dates import today_utc
from casetrail.domain.person import Person
from casetrail.domain.words import counted

app = typer.Typer(help="Register the people whose cases you follow, and list them.\n\n"
                       "Example: casetrail person add omarov-aslanbek --name \"Aslanbek Omarov\"", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="A readable slug that names the stream, e.g. omarov-aslanbek.")],
    name: Annotated[str, typer.Option("--name", help="Full name as usually written.")],
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help="Another spelling or script (repeat).")] = None,
    born: Annotated[Optional[int], typer.Option("--born", help="Year of birth.")] = None,
    place: Annotated[Optional[str], typer.Option("--place", help="Home town or region.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="Anything else worth keeping.")] = None,
    json: JsonFlag = False,
) -> None:
    """Register a person.

    Example: casetrail person add omarov-aslanbek --name "Aslanbek Omarov" --alias "Асланбек Омаров"
    """
    Person.register(key, name, alias or [], born, place, note, today=today_utc())  # refused before a store is made
    app = store(ctx, create=True)
    person = app.add_person(key, name, alias or [], born, place, note)
    warn_duplicates(app, {key})
    if json:
        emit_json({"person": person.key, "name": person.name, "aliases": person.aliases,
                   "registered_at": stamp(person.registered_at)})
    else:
        typer.echo(f"registered {person.key}: {visible(person.name)}")


def warn_duplicates(store_app: Any, new: set[str]) -> None:
    """A warning on stderr for each new person whose name is like someone else's (the command succeeded)."""
    for pair in store_app.likely_duplicates(new):
        (one, other), names = pair["people"], pair["names"]
        if one in new and other not in new:  # the new one is named first
            (one, other), names = (other, one), names[::-1]
        typer.echo(f"Warning: {other} may be {one} ({visible(names[1])} / {visible(names[0])}, score "
                   f"{pair['score']}); if they are one human: casetrail person merge {one} {other} --reason ...",
                   err=True)


@app.command("duplicates")
def duplicates(ctx: typer.Context, json: JsonFlag = False) -> None:
    """List pairs of people whose names or aliases are alike across scripts, case and small misspellings,
    best first (100: one spelling once transliterated).

    Example: casetrail person duplicates --json
    """
    pairs = store(ctx).likely_duplicates()
    if json:
        emit_json(pairs)
        return
    print_rows(counted(len(pairs), "likely duplicate"), ["score", "person", "other", "names"],
               [[p["score"], p["people"][0], p["people"][1], " / ".join(p["names"])] for p in pairs])


@app.command("list")
def list_(ctx: typer.Context, json: JsonFlag = False) -> None:
    """List every registered person, in the order they were registered.

    Example: casetrail person list --json
    """
    rows = views(ctx).registered_people()
    if json:
        emit_json(rows)
        return
    print_rows(counted(len(rows), "person"), ["person", "name", "aliases", "born", "place"],
               [[r["person"] + (f" (merged into {r['merged_into']})" if r["merged_into"] else ""), r["name"],
                 "; ".join(r["aliases"]), r["born"], r["place"]] for r in rows])


@app.command("amend")
def amend(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The person's key.")],
    source: Annotated[str, typer.Option("--source", help="Where the corrected value is read (a source key or URL).")],
    name: Annotated[Optional[str], typer.Option("--name", help="The name as it should now be written.")] = None,
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help="Another spelling or script to add (repeat).")] = None,
    born: Annotated[Optional[int], typer.Option("--born", help="Year of birth.")] = None,
    place: Annotated[Optional[str], typer.Option("--place", help="Home town or region.")] = None,
    json: JsonFlag = False,
) -> None:
    """Correct or complete who a person is; the old values stay in the record and in audit.

    Example: casetrail person amend omarov-aslanbek --alias "Omarov Aslanbek" --born 1985 --source rferl-omarov
    """
    event = store(ctx).amend(key, source, name, alias or [], born, place)
    if json:
        emit_json({"person": key, "event_id": str(event.id), **event.model_dump(mode="json", include={
            "name", "aliases", "born", "place", "source", "recorded_by"}), "recorded_at": stamp(event.timestamp)})
    else:
        typer.echo(f"amended {key} ({event.id})")


@app.command("merge")
def merge(
    ctx: typer.Context,
    keep: Annotated[str, typer.Argument(help="The record to keep.")],
    other: Annotated[str, typer.Argument(help="The other record of the same human: its facts count for KEEP.")],
    reason: Annotated[str, typer.Option("--reason", help="Why they are one human.")],
    source: Annotated[Optional[str], typer.Option("--source", help="Where that is read (a source key or URL).")] = None,
    json: JsonFlag = False,
) -> None:
    """Join two records of one human: OTHER's facts count for KEEP from now on, OTHER's key points to KEEP.
    Undo it with 'casetrail retract KEEP MERGE_EVENT_ID --reason R'.

    Example: casetrail person merge omarov-aslanbek омаров-асланбек --reason "same man: same court, same date"
    """
    merged, pointer = store(ctx).merge(keep, other, reason, source)
    if json:
        emit_json({"person": keep, "merged": other, "event_id": str(merged.id), "pointer_id": str(pointer.id),
                   "reason": merged.reason, "recorded_at": stamp(merged.timestamp)})
    else:
        typer.echo(f"merged {other} into {keep} ({merged.id}); undo with: casetrail retract {keep} {merged.id} "
                   "--reason ...")
