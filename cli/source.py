"""``casetrail source``: the articles, court records and testimonies that facts cite."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from casetrail.cli.context import store, views
from casetrail.cli.render import JsonFlag, emit_json, print_rows, stamp
from casetrail.domain.dates import parse_day, today_utc
from casetrail.domain.person import Source
from casetrail.domain.words import counted

app = typer.Typer(help="Register the sources that facts cite, and list them.\n\n"
                       "Example: casetrail source add rferl-omarov --url https://www.rferl.org/a/33000000.html", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="A short slug to cite it by, e.g. rferl-omarov.")],
    url: Annotated[Optional[str], typer.Option("--url", help="Where to read it.")] = None,
    outlet: Annotated[Optional[str], typer.Option("--outlet", help="Who published it, e.g. RFE/RL.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="Its headline or title.")] = None,
    published: Annotated[Optional[str], typer.Option("--published", help="Publication day, YYYY-MM-DD.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="Anything else worth keeping.")] = None,
    json: JsonFlag = False,
) -> None:
    """Register a source.

    Example: casetrail source add rferl-omarov --url https://www.rferl.org/a/... --outlet "RFE/RL" --published 2024-09-01
    """
    day = parse_day(published, "--published") if published else None
    Source.register(key, url, outlet, title, day, note, today=today_utc())  # refused before a store is made
    source = store(ctx, create=True).add_source(key, url, outlet, title, day, note)
    if json:
        emit_json(_row(source.key, source.url, source.outlet, source.title, source.published, source.created_on))
    else:
        typer.echo(f"registered source {source.key}")


@app.command("list")
def list_(ctx: typer.Context, json: JsonFlag = False) -> None:
    """List every source.

    Example: casetrail source list --json
    """
    rows = [{"source": s["key"], "url": s["url"], "outlet": s["outlet"], "title": s["title"],
             "published": s["published"], "registered_at": s["registered_at"]} for s in views(ctx).registered_sources()]
    if json:
        emit_json(rows)
        return
    print_rows(counted(len(rows), "source"), ["source", "outlet", "published", "title", "url"],
               [[r["source"], r["outlet"], r["published"], r["title"], r["url"]] for r in rows])


def _row(key, url, outlet, title, published, registered) -> dict:
    return {"source": key, "url": url, "outlet": outlet, "title": title,
            "published": published.isoformat() if published else None, "registered_at": stamp(registered)}
