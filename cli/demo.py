"""``demo``: the example dataset in a store of its own, and the questions casetrail answers."""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path
from typing import Annotated, Optional

import typer

from casetrail.cli import audit, case, cases, lists, timeline
from casetrail.cli.context import Context, store
from casetrail.store.formats import read_records
from casetrail.store.importer import Importer
from casetrail.domain.words import counted

DATASET = "january2022.yaml"  # examples/january2022.yaml, shipped in the package as cli/data/


def demo(
    ctx: typer.Context,
    folder: Annotated[Optional[Path], typer.Option(
        "--folder", help="Where to put the demo store and the timeline page. Default: a new temporary folder.")] = None,
) -> None:
    """Load the January 2022 dataset into a new store and show what casetrail answers: a case replayed,
    a proceeding and its parties, an audit, a list before and after March 2022, and a timeline page.
    Your own store is not touched.

    Example: casetrail demo
    """
    folder = _folder(folder)
    root = ctx.find_root()
    root.obj.close()
    root.obj = Context(str(folder / "casetrail.db"), root.obj.lists, root.obj.recorded_by)
    with resources.files("casetrail.cli").joinpath("data", DATASET).open("rb") as stream:
        summary = Importer(store(ctx, create=True)).run(read_records(stream, "yaml", DATASET))
    # Records, not humans: the dataset keeps one human under two spellings, merged (an event too).
    typer.echo(f"Loaded the January 2022 dataset ({counted(summary.people_added, 'person record')}, "
               f"{counted(summary.events_added, 'event')}, {counted(summary.sources_added, 'source')}) "
               f"into {folder / 'casetrail.db'}")

    _heading("Aslanbek Omarov, fact by fact: detained, house arrest, released, sentenced, compensated")
    case.replay(ctx, "omarov-aslanbek")
    _heading("The trial of 16 in Aqtobe: one case, Omarov named and the 15 others counted")
    cases.show(ctx, "aqtobe-2023-02")
    _heading("Faizulla Nurgeldin's audit: an accidental victim in January 2022, a fatality when he died")
    audit.audit(ctx, "nurgeldin-faizulla")
    for day in ("2022-02-01", "2022-04-01"):
        _heading(f"Who was on the accidental victims list on {day}")
        lists.list_(ctx, "accidental_victims", as_of=day)
    _heading("A picture of Ruslanbek Zhubanazarov's case: 'terrorist', then 'accidental victim'")
    page = folder / "zhubanazarov-ruslanbek.html"
    timeline.timeline(ctx, "zhubanazarov-ruslanbek", html_file=str(page))
    typer.echo(f"\nOpen {page} in a browser. Ask more with: casetrail --db {folder / 'casetrail.db'} lists")


def _folder(folder: Path | None) -> Path:
    if folder is None:
        return Path(tempfile.mkdtemp(prefix="casetrail-demo-"))
    if (folder / "casetrail.db").exists():
        raise typer.BadParameter(f"{folder} already holds a demo store; choose a new folder", param_hint="--folder")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _heading(text: str) -> None:
    typer.echo(f"\n== {text} ==")
