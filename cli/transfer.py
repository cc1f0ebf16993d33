"""``import`` and ``export``: whole datasets in and out."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, Any, Iterator, Optional

import orjson
import typer

from casetrail.cli import files
from casetrail.cli.context import store
from casetrail.cli.person import warn_duplicates
from casetrail.cli.options import AsOf, KnownAt, record_time, valid_day
from casetrail.cli.render import JsonFlag, emit_json, phases
from casetrail.domain.errors import BadInput
from casetrail.store.exporter import Exporter, Selection
from casetrail.store.formats import FORMATS, format_of, read_records, write_csv, write_jsonl
from casetrail.store.importer import Importer
from casetrail.store.redaction import NEUTRAL, Report
from casetrail.domain.words import counted
from casetrail.rendering.shapes import event_record

EXPORT_FORMATS = ("jsonl", "csv", "timelinejs")


def import_(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A .yaml, .json, .jsonl or .csv file of records, or - for stdin.")],
    fmt: Annotated[Optional[str], typer.Option("--format", help=f"One of {', '.join(FORMATS)}; default: from "
                                                                "the file's extension.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every record and report every problem; "
                                                           "write nothing.")] = False,
    keep_going: Annotated[bool, typer.Option("--keep-going", help="Import the valid records, report the rest "
                                                                 "(exit code 1 if any).")] = False,
    batch: Annotated[Optional[str], typer.Argument(help="With 'undo': the batch id an import printed.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="With 'undo': why the import is taken back.")] = None,
    json: JsonFlag = False,
) -> None:
    """Import sources, persons, cases and their events, and events; all or nothing, and only what is not there yet.
    Prints the import's batch id; 'casetrail import undo BATCH --reason R' retracts everything that import added
    (a file called undo: give it as ./undo).

    Example: casetrail import examples/january2022.yaml
    """
    if file == "undo":
        return _undo(ctx, batch, reason, json)
    if batch is not None or reason is not None:
        raise BadInput("give one file to import (or: casetrail import undo BATCH --reason R)")
    if dry_run and keep_going:
        raise BadInput("choose one of --dry-run or --keep-going")
    kind = format_of(file, fmt)
    app = store(ctx, create=not dry_run, stand_in=dry_run)  # a dry run makes no store
    with _opened(file) as stream, phases() as report:
        summary = Importer(app, dry_run=dry_run, keep_going=keep_going, progress=report).run(
            read_records(stream, kind, "stdin" if file == "-" else file))
    if json:
        emit_json({"file": file, "dry_run": dry_run, **summary.as_dict()})
    else:
        _print_summary(file, summary, dry_run)
    if summary.written and summary.registered:
        warn_duplicates(app, set(summary.registered))
    if summary.problems:
        raise typer.Exit(1)


def export(
    ctx: typer.Context,
    person: Annotated[Optional[str], typer.Option("--person", help="Only this person (a key).")] = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="jsonl (default), csv or timelinejs "
                                                                "(TimelineJS 3 JSON).")] = None,
    redact: Annotated[bool, typer.Option("--redact", help="Pseudonyms for people and sources; names scrubbed "
                                                          "from text; notes, aliases, birth years, source URLs and "
                                                          "titles dropped. For publication.")] = False,
    keep_sources: Annotated[bool, typer.Option("--keep-sources", help="With --redact: keep each source's outlet "
                                                                     "and publication day.")] = False,
    output: Annotated[str, typer.Option("-o", "--output", help="The file to write (replaced whole), or - for "
                                                               "stdout.")] = "-",
    with_files: Annotated[Optional[Path], typer.Option(
        "--with-files", help="Also write each exported source's preserved copies into this folder, named by "
                             "their SHA-256 (the records carry the hashes).")] = None,
) -> None:
    """Export records that 'casetrail import' reads back, or a TimelineJS timeline.

    Example: casetrail export --format csv --redact -o cases.csv
    Example: casetrail export -o all.jsonl --with-files evidence/
    """
    fmt = fmt or _format_of_output(output)
    if keep_sources and not redact:
        raise BadInput("--keep-sources goes with --redact (an export without --redact keeps every source whole)")
    if with_files is not None and (redact or not with_files.is_dir()):
        raise BadInput("--with-files takes an existing folder, and no --redact (a redacted export carries no copies "
                       "of sources: they would name people)" if redact else
                       f"--with-files {with_files}: no such folder; create it first")
    if fmt not in EXPORT_FORMATS:
        raise BadInput(f"--format '{fmt}' is not known: use one of {', '.join(EXPORT_FORMATS)}")
    as_of_day = valid_day(as_of) if as_of else None
    selection = Selection(person, as_of_day, record_time(known_at), redact, keep_sources)
    exporter = Exporter(store(ctx), selection)
    with _output(output) as out:
        if fmt == "timelinejs":
            out.write(orjson.dumps(_timelinejs(exporter, selection), option=orjson.OPT_INDENT_2))
            count = None
        else:
            count = (write_jsonl if fmt == "jsonl" else write_csv)(exporter.records(event_record), out)
    if output != "-":
        typer.echo(f"wrote {output}" + (f": {counted(count, 'record')}" if count is not None else ""), err=True)
    if with_files is not None:
        _write_copies(exporter, with_files)
    if exporter.redactor:
        _print_redaction(exporter.redactor.report())


def _write_copies(exporter: Exporter, folder: Path) -> None:
    """Each exported source's preserved copies, checked against their hashes, as FOLDER/SHA256."""
    written_count = 0
    for key, sha256 in exporter.copies():
        _, content = exporter.app.preserved(key, sha256)
        with files.written(folder / sha256, "--with-files") as handle:
            handle.write(content)
        written_count += 1
    typer.echo(f"wrote {written_count} preserved {'copy' if written_count == 1 else 'copies'} into {folder}", err=True)


def _timelinejs(exporter: Exporter, selection: Selection) -> dict[str, Any]:
    from casetrail.domain.dates import today_utc
    from casetrail.rendering.story import Story
    from casetrail.rendering.timelinejs import timelinejs_document

    told, sources = exporter.stories()
    stories = [Story(key, name, tuple(events)) for key, name, events in told]
    title = stories[0].name if len(stories) == 1 else "casetrail"
    return timelinejs_document(stories, sources, selection.as_of or today_utc(), selection.known_at, title)


def _format_of_output(output: str) -> str:
    if output.endswith(".csv"):
        return "csv"
    return "jsonl"


@contextmanager
def _opened(file: str) -> Iterator[IO[bytes]]:
    if file == "-":
        yield sys.stdin.buffer
        return
    path = Path(file)
    if not path.is_file():
        raise BadInput(f"no file '{file}'" + (" (it is a folder)" if path.is_dir() else "") +
                       ": give the path of a .yaml, .json, .jsonl or .csv file, or - for stdin")
    try:
        with path.open("rb") as stream:
            yield stream
    except PermissionError:
        raise BadInput(f"cannot read '{file}': permission denied") from None


@contextmanager
def _output(output: str) -> Iterator[IO[bytes]]:
    """stdout, or the named file, written whole or not at all."""
    path = files.target(output, "-o", "cases.jsonl")
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with files.written(path) as out:
        yield out


def _print_redaction(report: Report, shown: int = 40) -> None:
    """What --redact did, and the words it left that a person should look at before publishing."""
    people, sources = counted(report.people, "person"), counted(report.sources, "source")
    cases = f", {counted(report.cases, 'case')}" if report.cases else ""
    replaced = counted(report.by_pseudonym + report.by_neutral, "name")
    typer.echo(f"redacted: {people}{cases} and {sources} as pseudonyms; {replaced} in text replaced ({report.by_pseudonym} by a "
               f"pseudonym, {report.by_neutral} by {NEUTRAL})", err=True)
    words = report.to_review()
    if words:
        more = f" and {len(words) - shown} more" if len(words) > shown else ""
        typer.echo("check before publishing, capitalised words left that may be names: "
                   + ", ".join(words[:shown]) + more, err=True)


def _undo(ctx: typer.Context, batch: str | None, reason: str | None, json: bool) -> None:
    if not batch or not reason:
        raise BadInput("give the batch id and a reason: casetrail import undo 20261207-1a2b3c4d --reason \"wrong file\"")
    undone = store(ctx).undo_import(batch, reason)
    if json:
        emit_json({"batch": batch, "retracted": undone})
    else:
        typer.echo(f"undid import {batch}: {counted(sum(undone.values()), 'event')} retracted for "
                   f"{counted(len(undone), 'person')}")


def _print_summary(file: str, summary: Any, dry_run: bool) -> None:
    added = (f"{counted(summary.people_added, 'person')}, {counted(summary.sources_added, 'source')} and "
             f"{counted(summary.events_added, 'event')}")
    skipped = f"{counted(summary.events_skipped, 'event')} already present"
    if summary.copies_left:
        copies = "1 preserved copy" if summary.copies_left == 1 else f"{summary.copies_left} preserved copies"
        typer.echo(f"{copies} of sources named in the file not imported (an "
                   "export carries their hashes, not the files): keep them again with 'casetrail source attach'",
                   err=True)
    left_out = counted(len(summary.problems), "record")
    for problem in summary.problems:
        typer.echo(f"problem: {problem}", err=True)
    if dry_run:
        head = f"checked {file}: {counted(summary.records, 'record')}"
        if summary.problems:
            typer.echo(f"{head}, {counted(len(summary.problems), 'problem')}, nothing written; an import would add "
                       f"nothing, --keep-going would add {added} and leave out {left_out}; {skipped}")
        else:
            typer.echo(f"{head}, no problems; would add {added}; {skipped}")
        return
    note = f"; {left_out} left out" if summary.problems else ""
    batch = f"; batch {summary.batch} (undo: casetrail import undo {summary.batch} --reason ...)" \
        if summary.events_added or summary.people_added else ""
    typer.echo(f"imported {file}: {added} added; {skipped}{note}{batch}")
