"""Files of records: YAML, JSON, JSONL and CSV in, JSONL and CSV out.

Readers yield one ``Raw`` per record with where it came from ("cases.jsonl line 12",
"cases.yaml line 40 (events #3)"), so every error can point at it. JSONL and CSV are read a
line at a time (bounded memory for any size); YAML and JSON are read whole, so big
datasets belong in JSONL or CSV. A line that cannot be parsed is yielded as a
problem, not raised, so ``--dry-run`` can report every bad line. No record may be longer
than ``MAX_RECORD``, and no key may be given twice in one record (a CSV column twice).

CSV cells are written for spreadsheets: a cell that a spreadsheet would run as a formula
gets an apostrophe first (``guard_cell``), which reading takes off again, and a list is a
JSON array (its items may hold the '|' that separates items typed by hand).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

import orjson

from casetrail.store.documents import Duplicate, Records, Unreadable, load_json, load_yaml, unique_pairs
from casetrail.domain.errors import BadInput
from casetrail.domain.events import ABOUT_FACTS, FACT_TYPES, IDENTITY_EVENTS
from casetrail.domain.case import CaseRegistered
from casetrail.store.records import CASE_EVENT_TYPES, PERSON_FIELDS, RECORDS, SOURCE_FIELDS

FORMATS = ("yaml", "json", "jsonl", "csv")
_EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
               ".csv": "csv"}
# A document's sections, in the order they are read: a case cites a source, and a person's fact may name a case.
SECTIONS = {"sources": "source", "persons": "person", "cases": "case", "case_events": "case_event", "events": "event"}
SECTION_NAMES = ", ".join(list(SECTIONS)[:-1]) + " and " + list(SECTIONS)[-1]
LIST_FIELDS = ("aliases", "charges", "persons", "sources", "claimants")
MAX_RECORD = 128 * 1024  # bytes (characters in CSV, YAML and JSON); far more than any real record, and the
                         # csv module's own limit on a cell
_MAYBE_KEY = re.compile(rb'"[ \t\r\n]*:')
_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula (OWASP)


@dataclass(frozen=True)
class Raw:
    where: str
    record: str | None  # source, person, event; None when the line could not be read
    data: Any  # the record's mapping, or why it could not be read


def format_of(path: str, given: str | None) -> str:
    if given:
        if given not in FORMATS:
            raise BadInput(f"--format '{given}' is not known: use one of {', '.join(FORMATS)}")
        return given
    if path == "-":
        raise BadInput("reading stdin: say what it holds with --format yaml, json, jsonl or csv")
    found = _EXTENSIONS.get(Path(path).suffix.lower())
    if not found:
        raise BadInput(f"cannot tell the format of '{path}' from its extension: name it .yaml, .json, .jsonl "
                       "or .csv, or give --format")
    return found


def read_records(stream: IO[bytes], fmt: str, name: str) -> Iterator[Raw]:
    if fmt == "jsonl":
        return _jsonl(stream, name)
    if fmt == "csv":
        return _csv(stream, name)
    return _document(stream, fmt, name)


def _jsonl(stream: IO[bytes], name: str) -> Iterator[Raw]:
    for number, line in enumerate(_bounded_lines(stream), 1):
        where = f"{name} line {number}"
        if line is None:
            yield _too_big(where)
        elif line.strip():
            try:
                yield _tagged(where, json_record(line))
            except Duplicate as error:
                yield Raw(where, None, str(error))
            except ValueError as error:
                yield Raw(where, None, f"not valid JSON ({str(error).split(':')[0]})")


def _bounded_lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """The lines of a stream; None for one longer than a record may be, read past without keeping it."""
    while line := stream.readline(MAX_RECORD + 1):
        if len(line) <= MAX_RECORD or line.endswith(b"\n"):
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = stream.readline(MAX_RECORD)
        yield None


def json_record(text: bytes) -> Any:
    """orjson for strict JSON (no NaN, no lone surrogates). orjson silently keeps the last of a key
    given twice, so the slower standard parser looks for one unless every place in the text that
    may be a key (a key, or a string that holds '":') is a key of the record: then none is twice."""
    data = orjson.loads(text)
    if not isinstance(data, dict) or len(data) != len(_MAYBE_KEY.findall(text)):
        json.loads(text, object_pairs_hook=unique_pairs)
    return data


def _csv(stream: IO[bytes], name: str) -> Iterator[Raw]:
    # Bytes that are not UTF-8 are kept as surrogates and refused row by row, so the error names
    # its line: the text is decoded a block at a time, ahead of the rows read.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.DictReader(text)
    try:
        yield from _csv_rows(reader, name)
    except csv.Error as error:
        where = f"{name} line {reader.reader.line_num}"  # the DictReader's own count lags a row behind
        if "field larger than field limit" in str(error):
            raise BadInput(f"{where}: {_too_big(where).data}") from None
        raise BadInput(f"{where}: not valid CSV ({_first_line(error)})") from None


def _csv_rows(reader: csv.DictReader, name: str) -> Iterator[Raw]:
    columns = _csv_header(reader, name)
    for row in reader:
        where = f"{name} line {reader.line_num}"
        if None in row:
            yield Raw(where, None, f"has {len(columns) + len(row[None])} cells; the header has {len(columns)}")
            continue
        cells = {k: unguard_cell(v) for k, v in row.items() if v is not None and v.strip() != ""}
        _utf8(where, cells.items())
        if sum(len(v) for v in cells.values()) > MAX_RECORD:
            yield _too_big(where)
            continue
        yield _tagged(where, {k: _list_cell(v) if k in LIST_FIELDS else v for k, v in cells.items()})


def _csv_header(reader: csv.DictReader, name: str) -> list[str]:
    columns = reader.fieldnames or []
    where = f"{name} line {reader.line_num} (the header)"
    _utf8(where, [("", column) for column in columns])
    if "record" not in columns:
        raise BadInput(f"{name}: a CSV file needs a header row with a 'record' column "
                       "(source, person or event on each row)")
    twice = [column for number, column in enumerate(columns) if column in columns[:number]]
    if twice:
        raise BadInput(f"{where}: column '{twice[0][:40]}' is given twice; keep one")
    return list(columns)


def _utf8(where: str, cells: Iterable[tuple[str, str]]) -> None:
    for column, value in cells:
        bad = _UNDECODED.search(value)
        if bad:
            place = f" in column '{column[:40]}'" if column else ""
            raise BadInput(f"{where}: not UTF-8 text (the byte 0x{ord(bad.group()) - 0xDC00:02X}{place}); save the "
                           "file as UTF-8")


def _list_cell(cell: str) -> Any:
    """A list as export writes it (a JSON array of texts), or the text typed, which the record
    reader splits at '|'."""
    if cell.lstrip().startswith("["):
        try:
            items = orjson.loads(cell)
        except orjson.JSONDecodeError:
            return cell
        if isinstance(items, list) and all(isinstance(item, str) for item in items):
            return items
    return cell


def _document(stream: IO[bytes], fmt: str, name: str) -> Iterator[Raw]:
    try:
        document = (load_yaml if fmt == "yaml" else load_json)(stream.read())
    except Unreadable as error:
        raise BadInput(f"{name} line {error.line}: {error}") from None
    if isinstance(document, Records):
        yield from _located(document, name, "record", None)
        return
    if not isinstance(document, dict):
        raise BadInput(f"{name}: expected sections {SECTION_NAMES} (a mapping), found "
                       f"{'nothing' if document is None else 'a single value'}")
    unknown = [key for key in document if key not in SECTIONS]
    if unknown:
        raise BadInput(f"{name}: unknown section '{unknown[0]}': use {SECTION_NAMES}")
    for section, record in SECTIONS.items():
        items = document.get(section) or Records([], [])
        if not isinstance(items, Records):
            raise BadInput(f"{name}: section '{section}' must be a list of records")
        yield from _located(items, name, section, record)


def _located(items: Records, name: str, label: str, record: str | None) -> Iterator[Raw]:
    for number, (data, place) in enumerate(zip(items, items.places), 1):
        where = f"{name} line {place.line} ({label} #{number})"
        if place.size > MAX_RECORD:
            yield _too_big(where)
            continue
        if record and isinstance(data, dict):
            data = {"record": record, **data}
        yield _tagged(where, data)


def _too_big(where: str) -> Raw:
    return Raw(where, None, f"is longer than a record may be ({MAX_RECORD:,} bytes): a text or note holds at "
                            "most 10,000 characters")


def _tagged(where: str, data: Any) -> Raw:
    if not isinstance(data, dict):
        return Raw(where, None, "is not a record (expected an object with a 'record' field)")
    record = data.get("record")
    if record not in RECORDS:
        return Raw(where, None, f"field 'record' must be source, person, event, case or case_event (got '{record}')")
    return Raw(where, record, data)


def _first_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200]


# -- writing -------------------------------------------------------------------------------------

def csv_columns() -> list[str]:
    """Every field any record can have, in a fixed order, so a CSV can be written as it streams."""
    last = ("id", "recorded_at", "recorded_by", "copies")
    columns = ["record", "key", "person", "type", "on", "source",
               *(name for name in PERSON_FIELDS[1:] if name not in last), *SOURCE_FIELDS[1:], "group"]
    for cls in (*FACT_TYPES.values(), *ABOUT_FACTS, *IDENTITY_EVENTS, CaseRegistered, *CASE_EVENT_TYPES.values()):
        columns += [name for name in cls.model_fields
                    if name not in ("originator_id", "originator_version", "timestamp", "originator_topic",
                                    "other_id", "into_id", *last)]
    return [*dict.fromkeys([*columns, "sources", "claimants"]), *last]


def write_jsonl(records: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    count = 0
    for record in records:
        out.write(orjson.dumps(record, default=_default) + b"\n")
        count += 1
    return count


def write_csv(records: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.DictWriter(text, fieldnames=csv_columns())
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow({k: csv_cell(v) for k, v in record.items()})
        count += 1
    text.flush()
    text.detach()
    return count


def csv_cell(value: Any) -> str:
    """A value as a CSV cell that a spreadsheet shows as text: a list as a JSON array (its items
    may hold '|'), and formula injection guarded."""
    if value is None:
        return ""
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    return guard_cell(str(value))


def guard_cell(text: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets an apostrophe
    first, as OWASP advises; so does one that already starts with an apostrophe before one of
    those, so that ``unguard_cell`` can tell the two apart and give back exactly the text."""
    if text.startswith(_FORMULA) or (text.startswith("'") and text[1:2] in (*_FORMULA, "'")):
        return "'" + text
    return text


def unguard_cell(cell: str) -> str:
    """The text that ``guard_cell`` was given."""
    if cell.startswith("'") and cell[1:2] in (*_FORMULA, "'"):
        return cell[1:]
    return cell


def _default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
