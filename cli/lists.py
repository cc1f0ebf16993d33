"""``lists``, ``list`` and ``people``: questions across everyone, from the read models."""

from __future__ import annotations

import csv
from datetime import date
import sys
import inspect
import typing
from typing import Annotated, Callable, Optional

import typer

from casetrail.cli.context import views
from casetrail.cli.options import AsOf, KnownAt, record_time, valid_day
from casetrail.cli.render import JsonFlag, emit_json, print_rows, stamp
from casetrail.domain.dates import FuzzyDate, parse_day
from casetrail.domain.errors import BadInput
from casetrail.store.formats import csv_cell
from casetrail.domain.facets import LISTED, Facet, search_filters
from casetrail.projections.times import At
from casetrail.rendering.shapes import list_shape, lists_shape
from casetrail.domain.words import counted

ListName = Annotated[str, typer.Argument(help="A list, e.g. fatalities (see 'casetrail lists').")]


def _at(as_of: str | None, known_at: str | None) -> At:
    return At(valid_day(as_of), record_time(known_at))


def _when(at: At) -> str:
    return f"as of {at.as_of}, known at {stamp(at.known_at) or 'now'}"


def lists(ctx: typer.Context, as_of: AsOf = None, known_at: KnownAt = None, json: JsonFlag = False) -> None:
    """Every list with its title and how many people are on it.

    Example: casetrail lists --as-of 2022-02-01 --known-at 2024-01-01
    """
    at = _at(as_of, known_at)
    current = views(ctx)
    shape = lists_shape(current.rules, current.counts(at), at.as_of, at.known_at, current.possible(at))
    rows = shape["lists"]
    if json:
        emit_json(shape)
        return
    print_rows(f"{counted(len(rows), 'list')}, {_when(at)}", ["list", "title", "members", "possibly"],
               [[r["list"], r["title"], r["members"], r["possibly"] or ""] for r in rows])


def list_(ctx: typer.Context, name: ListName, as_of: AsOf = None, known_at: KnownAt = None, json: JsonFlag = False,
          as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (person,name,since,uncertain,source).")] = False,
          ) -> None:
    """The people on a list, each with the date they entered it and whether that date is uncertain;
    and those possibly still on it (uncertain: "possibly"), after an exit that may not have happened yet.

    Example: casetrail list accidental_victims --as-of 2022-02-01
    """
    if json and as_csv:
        raise BadInput("choose one of --json or --csv")
    at = _at(as_of, known_at)
    current = views(ctx)
    rule = current.rules.get(name)
    members = current.members(name, at)
    if json:
        emit_json(list_shape(name, rule.title, members, at.as_of, at.known_at))
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["person", "name", "since", "uncertain", "source"])
        writer.writerows([csv_cell(cell) for cell in (m["person"], m["name"], m["since"], "yes" if m["uncertain"]
                                                      else "no", m["source"])] for m in members)
        return
    # The contested column only when someone's entry rests on disputed accounts: most lists have none.
    contested = any(m["contested"] for m in members)
    possibly = sum(m["possibly"] for m in members)
    on = len(members) - possibly
    print_rows(f"{name}: {rule.title} - {_when(at)} - {on} {'member' if on == 1 else 'members'}"
               + (f", {possibly} possibly" if possibly else ""),
               ["person", "name", "since", "uncertain", *(["contested"] if contested else []), "source"],
               [[m["person"], m["name"], m["since"] or "-",
                 f"possibly ({m['type']} {m['since']} may not have happened yet)" if m["possibly"]
                 else "yes" if m["uncertain"] else "",
                 *(["yes" if m["contested"] else ""] if contested else []), m["source"]] for m in members])


def _facet_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give the people search one option per facet (domain/facets.py), the summary first, before its own."""

    def option(facet: Facet) -> inspect.Parameter:
        words = f"Only people whose {facet.name} is this ({facet.choices})."
        annotation = Annotated[Optional[str], typer.Option(f"--{facet.name.replace('_', '-')}", help=words)]
        return inspect.Parameter(facet.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)

    hints = typing.get_type_hints(command, include_extras=True)  # the annotations are strings here
    own = [p.replace(annotation=hints[p.name]) for p in inspect.signature(command).parameters.values()
           if p.kind != p.VAR_KEYWORD]
    params = [own[0], *(option(facet) for facet in LISTED), *(p.replace(kind=p.KEYWORD_ONLY) for p in own[1:])]
    command.__signature__ = inspect.Signature(params)
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


@_facet_options
def people(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Option(
        "--name", help="Part of a name or alias, in any case, accent or script (Омаров finds Omarov).")] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="At most this many people.")] = None,
    not_reported_since: Annotated[Optional[str], typer.Option(
        "--not-reported-since", metavar="DATE",
        help="Only those whose status rests on older news: nothing that set it reported on or after DATE.")] = None,
    json: JsonFlag = False,
    **facets: Optional[str],
) -> None:
    """Find people by their status on a date: headline, custody, legal status, appeal, vital, designation,
    compensation, sentence, ever detained, died in custody, posthumous, allegation, name.

    Custody is deceased from a death: --died-in-custody yes finds those who died held.

    Example: casetrail people --custody detained --not-reported-since 2022-06-01
    """
    wanted = search_filters(facets)
    at = _at(as_of, known_at)
    since = None if not_reported_since is None else parse_day(not_reported_since, "--not-reported-since")
    found = views(ctx).people(at, wanted, name, None if since else limit)
    if since is not None:
        found = [p for p in found if _heard_before(p["last_reported"], since)][:limit]
    if json:
        emit_json({"as_of": at.v, "known_at": stamp(at.known_at), "filters": {**wanted, "name": name},
                   "not_reported_since": since and since.isoformat(), "people": found})
        return
    columns = ["person", "name", "headline", "custody", "legal", "designation", "last_reported"]
    print_rows(f"{len(found)} {'person' if len(found) == 1 else 'people'}, {_when(at)}", columns,
               [["-" if p[c] is None else p[c] for c in columns] for p in found])


def _heard_before(last_reported: str | None, since: date) -> bool:
    """Nothing that set the status was reported on or after ``since`` (all of the last report's
    dates lie before it), or nothing at all."""
    return last_reported is None or FuzzyDate.parse(last_reported).latest < since
