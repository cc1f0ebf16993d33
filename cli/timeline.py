"""``timeline``: one person's story, or everyone on a list, drawn as a self-contained HTML page."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated, Any, Optional

import typer

from casetrail.cli import files
from casetrail.cli.context import cited_sources, list_rules, store, views
from casetrail.cli.options import AsOf, KnownAt, record_time, valid_day
from casetrail.domain.errors import BadInput
from casetrail.domain.events import Corroborated, Fact
from casetrail.rendering.picture import timeline_page, when_text
from casetrail.domain.rules import Rules
from casetrail.rendering.story import Story
from casetrail.projections.times import At


def timeline(
    ctx: typer.Context,
    key: Annotated[Optional[str], typer.Argument(help="The person, e.g. zhubanazarov-ruslanbek.")] = None,
    list_name: Annotated[Optional[str], typer.Option(
        "--list", help="Draw everyone on this list at --as-of and --known-at instead of one person.")] = None,
    html_file: Annotated[Optional[str], typer.Option(
        "--html", metavar="FILE",
        help="Write the page to FILE (replaced whole, never half-written); - for stdout.")] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> None:
    """Draw a timeline as one HTML page that needs no network: custody as bars, each fact that counts
    at its date (a fuzzy date as the range it may mean, a reclassification marked), list memberships
    as bands, and each fact's note and source on hover.

    Example: casetrail timeline zhubanazarov-ruslanbek --html zhubanazarov.html
    Example: casetrail timeline --list fatalities --as-of 2022-04-01 --html fatalities.html
    """
    if key is None and list_name is None:
        raise BadInput("give a person (casetrail timeline KEY --html FILE) or a list "
                       "(casetrail timeline --list NAME --html FILE)")
    if key is not None and list_name is not None:
        raise BadInput("give a person or --list NAME, not both")
    if not html_file:
        raise BadInput("give --html FILE to write the page to (--html - for standard output)")
    target = files.target(html_file, "--html", "timeline.html")
    day, moment = valid_day(as_of), record_time(known_at)
    if key is not None:
        stories, rules, title = _person(ctx, key, moment)
    else:
        stories, rules, title = _members(ctx, list_name, At(day, moment))
    cited = (e.source for story in stories for e in story.history if isinstance(e, (Fact, Corroborated)))
    page = timeline_page(stories, cited_sources(ctx, cited), rules, day, moment, title)
    drawn = page.facts
    if target is None:
        sys.stdout.write(page.html)
        sys.stdout.flush()
    else:
        with files.written(target, "--html") as out:
            out.write(page.html.encode())
    people = f"{len(stories)} {'person' if len(stories) == 1 else 'people'}"
    typer.echo(f"wrote {target or 'standard output'}: {people}, {drawn} {'event' if drawn == 1 else 'events'} "
               f"({when_text(day, moment)})", err=target is None)  # stdout carries the page itself


def _person(ctx: typer.Context, key: str, moment: datetime | None) -> tuple[list[Story], Rules, str]:
    person = store(ctx).person(key)
    person.check_registered_by(moment)
    # One person's lists come from their own stream: no need to bring the read models up to date.
    return [_story(ctx, person)], list_rules(ctx), f"{person.name} ({key})"


def _story(ctx: typer.Context, person: Any) -> Story:
    """A person's story with the cases it names (each drawn as a lane with its parties)."""
    return Story(person.key, person.name, tuple(person.story), tuple(store(ctx).case(c) for c in person.cases_named()))


def _members(ctx: typer.Context, name: str, at: At) -> tuple[list[Story], Rules, str]:
    current = views(ctx)
    rule = current.rules.get(name)
    app = store(ctx)
    stories = []
    for member in current.members(name, at):
        person = app.person(member["person"])
        stories.append(_story(ctx, person))
    return stories, current.rules, f"{rule.title} ({name})"
