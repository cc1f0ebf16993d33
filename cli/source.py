"""``casetrail source``: the articles, court records and testimonies that facts cite."""

from __future__ import annotations

import mimetypes
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from casetrail.cli.context import store, views
from casetrail.cli.files import target, written
from casetrail.cli.options import record_time
from casetrail.domain.dates import time_text
from casetrail.domain.errors import BadInput
from casetrail.store.evidence import ENV_MAX, most_bytes
from casetrail.cli.render import JsonFlag, emit_json, print_rows, stamp
from casetrail.domain.dates import parse_day, today_utc
from casetrail.domain.person import Source
from casetrail.domain.words import counted

FileOption = Annotated[Optional[Path], typer.Option(
    "--file", help="A copy of it to keep as evidence (a saved page, a PDF, a screenshot, a video).")]
MediaType = Annotated[Optional[str], typer.Option(
    "--media-type", help="The copy's media type, e.g. application/pdf. Default: guessed from its name.")]
Captured = Annotated[Optional[str], typer.Option(
    "--captured", help="When the copy was made (a date or a UTC date-time). Default: now.")]

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
    file: FileOption = None,
    media_type: MediaType = None,
    captured: Captured = None,
    json: JsonFlag = False,
) -> None:
    """Register a source; with --file, keep a copy of it as evidence (see 'source attach').

    Example: casetrail source add rferl-omarov --url https://www.rferl.org/a/... --outlet "RFE/RL" --published 2024-09-01
    """
    day = parse_day(published, "--published") if published else None
    Source.register(key, url, outlet, title, day, note, today=today_utc())  # refused before a store is made
    copy = _copy(file, media_type, captured) if file else None  # a file it cannot keep is refused first too
    app = store(ctx, create=True)
    source = app.add_source(key, url, outlet, title, day, note)
    kept = app.attach(key, *copy) if copy else None
    if json:
        emit_json({**_row(source.key, source.url, source.outlet, source.title, source.published, source.created_on),
                   **({"copy": _file(kept)} if kept else {})})
    else:
        typer.echo(f"registered source {source.key}" + (f", copy kept: sha256 {kept.sha256}" if kept else ""))


@app.command("attach")
def attach(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The source, e.g. rferl-omarov.")],
    path: Annotated[Path, typer.Argument(help="The copy: a saved page, a PDF, a screenshot, a video file.")],
    media_type: MediaType = None,
    captured: Captured = None,
    json: JsonFlag = False,
) -> None:
    """Keep a copy of what a source is, as evidence: the file itself (encrypted when CASETRAIL_KEY is set),
    its SHA-256, size, media type and when it was captured, in the source's stream. verify checks its hash.

    Example: casetrail source attach rferl-omarov saved/rferl-omarov-2024-09-01.pdf --captured 2024-09-01T10:00
    """
    copy = _copy(path, media_type, captured)
    kept = store(ctx).attach(key, *copy)
    if json:
        emit_json({"source": key, **_file(kept)})
    else:
        typer.echo(f"kept {kept.name or 'the file'} for {key}: sha256 {kept.sha256}, {kept.size:,} bytes, "
                   f"{kept.media_type}")


@app.command("get")
def get(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The source, e.g. rferl-omarov.")],
    out: Annotated[str, typer.Option("-o", "--output", help="Where to write the copy (- for stdout).")],
    sha256: Annotated[Optional[str], typer.Option("--sha256", help="Which copy, by (the start of) its hash. "
                                                                     "Default: the latest.")] = None,
) -> None:
    """Write a source's preserved copy, checked against its SHA-256, to a file.

    Example: casetrail source get rferl-omarov -o rferl-omarov.pdf
    """
    path = target(out, "-o", "rferl-omarov.pdf")  # refused before the copy is read
    kept, content = store(ctx).preserved(key, sha256)
    if path is None:
        sys.stdout.buffer.write(content)
        return
    with written(path) as handle:
        handle.write(content)
    typer.echo(f"wrote {path} ({kept.size:,} bytes, sha256 {kept.sha256})", err=True)


@app.command("list")
def list_(ctx: typer.Context, json: JsonFlag = False) -> None:
    """List every source.

    Example: casetrail source list --json
    """
    copies = store(ctx).attachments()
    rows = [{"source": s["key"], "url": s["url"], "outlet": s["outlet"], "title": s["title"],
             "published": s["published"], "registered_at": s["registered_at"],
             "copies": [_file(f) for f in copies.get(s["key"], [])]} for s in views(ctx).registered_sources()]
    if json:
        emit_json(rows)
        return
    print_rows(counted(len(rows), "source"), ["source", "outlet", "published", "title", "url", "copy"],
               [[r["source"], r["outlet"], r["published"], r["title"], r["url"],
                 f"{r['copies'][-1]['sha256'][:12]} {r['copies'][-1]['media_type']}" if r["copies"] else ""]
                for r in rows])


def _copy(path: Path, media_type: str | None, captured: str | None) -> tuple:
    """What attach takes: the file's bytes, its media type, its name and when it was captured."""
    try:
        if not path.is_file():
            raise BadInput(f"{path} is not a file: give the path of the saved page, PDF, screenshot or video")
        if path.stat().st_size > most_bytes():
            raise BadInput(f"{path} is {path.stat().st_size:,} bytes, more than the {most_bytes() // 2 ** 20} MB a "
                           f"store takes; set {ENV_MAX} to allow more")
        content = path.read_bytes()
    except OSError as error:
        raise BadInput(f"cannot read {path}: {error.strerror}") from None
    kind = media_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return content, kind, path.name, record_time(captured, "--captured")


def _file(kept: Any) -> dict:
    return {"sha256": kept.sha256, "size": kept.size, "media_type": kept.media_type, "name": kept.name,
            "captured_at": time_text(kept.captured_at), "recorded_by": kept.author}


def _row(key, url, outlet, title, published, registered) -> dict:
    return {"source": key, "url": url, "outlet": outlet, "title": title,
            "published": published.isoformat() if published else None, "registered_at": stamp(registered)}
