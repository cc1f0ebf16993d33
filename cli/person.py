"""``casetrail person``: register people and list them."""

from __future__ import annotations

from typing import Annotated, Optional

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
    person = store(ctx, create=True).add_person(key, name, alias or [], born, place, note)
    if json:
        emit_json({"person": person.key, "name": person.name, "aliases": person.aliases,
                   "registered_at": stamp(person.registered_at)})
    else:
        typer.echo(f"registered {person.key}: {visible(person.name)}")


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
               [[r["person"], r["name"], "; ".join(r["aliases"]), r["born"], r["place"]] for r in rows])
