"""``lists``, ``list`` and ``people``: questions across everyone, from the read models."""

from __future__ import annotations

import csv
import sys
import inspect
import typing
from typing import Annotated, Callable, Optional

import typer

from casetrail.cli.context import views
from casetrail.cli.options import AsOf, KnownAt, record_time, valid_day
from casetrail.cli.render import JsonFlag, emit_json, print_rows, stamp
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
    counts = current.counts(at)
    shape = lists_shape(current.rules, counts, at.as_of, at.known_at)
    rows = shape["lists"]
    if json:
        emit_json(shape)
        return
    print_rows(f"{counted(len(rows), 'list')}, {_when(at)}", ["list", "title", "members"],
               [[r["list"], r["title"], r["members"]] for r in rows])


def list_(ctx: typer.Context, name: ListName, as_of: AsOf = None, known_at: KnownAt = None, json: JsonFlag = False,
          as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (person,name,since,uncertain,source).")] = False,
          ) -> None:
    """The people on a list, each with the date they entered it and whether that date is uncertain.

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
    print_rows(f"{name}: {rule.title} - {_when(at)} - {len(members)} {'member' if len(members) == 1 else 'members'}",
               ["person", "name", "since", "uncertain", *(["contested"] if contested else []), "source"],
               [[m["person"], m["name"], m["since"] or "-", "yes" if m["uncertain"] else "",
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
    json: JsonFlag = False,
    **facets: Optional[str],
) -> None:
    """Find people by their status on a date: headline, custody, legal status, appeal, vital, designation,
    compensation, sentence, ever detained, died in custody, posthumous, allegation, name.

    Custody is deceased from a death: --died-in-custody yes finds those who died held.

    Example: casetrail people --headline detained --as-of 2022-01-20
    """
    wanted = search_filters(facets)
    at = _at(as_of, known_at)
    found = views(ctx).people(at, wanted, name, limit)
    if json:
        emit_json({"as_of": at.v, "known_at": stamp(at.known_at), "filters": {**wanted, "name": name},
                   "people": found})
        return
    columns = ["person", "name", "headline", "custody", "legal", "designation"]
    print_rows(f"{len(found)} {'person' if len(found) == 1 else 'people'}, {_when(at)}", columns,
               [[p[c] for c in columns] for p in found])
