"""Files of records: YAML, JSON, JSONL and CSV in, JSONL and CSV out.

Readers yield one ``Raw`` per record with where it came from ("cases.jsonl line 12",
"cases.yaml events #3"), so every error can point at it. JSONL and CSV are read a
line at a time (bounded memory for any size); YAML and JSON are read whole, so big
datasets belong in JSONL or CSV. A line that cannot be parsed is yielded as a
problem, not raised, so ``--dry-run`` can report every bad line.
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

from casetrail.domain.errors import BadInput
from casetrail.domain.events import FACT_TYPES, Retracted
from casetrail.domain.records import PERSON_FIELDS, RECORDS, SOURCE_FIELDS

FORMATS = ("yaml", "json", "jsonl", "csv")
_EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
               ".csv": "csv"}
SECTIONS = {"sources": "source", "persons": "person", "events": "event"}
LIST_SEPARATOR = " | "


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
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            yield Raw(where, None, f"not valid JSON ({str(error).split(':')[0]})")
            continue
        yield _tagged(where, data)


def _csv(stream: IO[bytes], name: str) -> Iterator[Raw]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    try:
        yield from _csv_rows(reader, name)
    except UnicodeDecodeError:  # decoded a block at a time: the bad bytes are somewhere after the last line read
        raise BadInput(f"{name} is not UTF-8 text (after line {reader.line_num}); save it as UTF-8") from None
    except csv.Error as error:
        raise BadInput(f"{name} line {reader.line_num}: not valid CSV ({_first_line(error)})") from None


def _csv_rows(reader: csv.DictReader, name: str) -> Iterator[Raw]:
    if not reader.fieldnames or "record" not in reader.fieldnames:
        raise BadInput(f"{name}: a CSV file needs a header row with a 'record' column "
                       "(source, person or event on each row)")
    for row in reader:
        where = f"{name} line {reader.line_num}"
        if None in row:
            yield Raw(where, None, f"has {len(reader.fieldnames) + len(row[None])} cells; the header has "
                                   f"{len(reader.fieldnames)}")
            continue
        yield _tagged(where, {k: v for k, v in row.items() if v is not None and v.strip() != ""})


def _document(stream: IO[bytes], fmt: str, name: str) -> Iterator[Raw]:
    content = stream.read()
    try:
        document = _load_yaml(content) if fmt == "yaml" else json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadInput(f"{name} is not valid {fmt.upper()}: {_first_line(error)}") from None
    except Exception as error:  # yaml.YAMLError: its message names the line and column
        raise BadInput(f"{name} is not valid {fmt.upper()}: {_first_line(error)}") from None
    if isinstance(document, list):
        for number, data in enumerate(document, 1):
            yield _tagged(f"{name} record #{number}", data)
        return
    if not isinstance(document, dict):
        raise BadInput(f"{name}: expected sections sources, persons and events (a mapping), found "
                       f"{type(document).__name__}")
    unknown = [key for key in document if key not in SECTIONS]
    if unknown:
        raise BadInput(f"{name}: unknown section '{unknown[0]}': use sources, persons and events")
    for section, record in SECTIONS.items():
        items = document.get(section) or []
        if not isinstance(items, list):
            raise BadInput(f"{name}: section '{section}' must be a list of records")
        for number, data in enumerate(items, 1):
            if isinstance(data, dict):
                data = {"record": record, **data}
            yield _tagged(f"{name} {section} #{number}", data)


def _load_yaml(content: bytes) -> Any:
    import yaml  # only imports read YAML

    return yaml.load(content, Loader=_yaml_loader(yaml))


def _yaml_loader(yaml: Any) -> Any:
    """A safe loader of YAML 1.2 booleans: YAML 1.1 reads the key ``on:`` (every fact has one)
    as True, and ``no``/``yes``/``off`` as booleans too."""
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                 list("tTfF"))
    return Loader


def _tagged(where: str, data: Any) -> Raw:
    if not isinstance(data, dict):
        return Raw(where, None, "is not a record (expected an object with a 'record' field)")
    record = data.get("record")
    if record not in RECORDS:
        return Raw(where, None, f"field 'record' must be source, person or event (got '{record}')")
    return Raw(where, record, data)


def _first_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200]


# -- writing -------------------------------------------------------------------------------------

def csv_columns() -> list[str]:
    """Every field any record can have, in a fixed order, so a CSV can be written as it streams."""
    columns = ["record", "key", "person", "type", "on", "source", *PERSON_FIELDS[1:-1], *SOURCE_FIELDS[1:], "group"]
    for cls in (*FACT_TYPES.values(), Retracted):
        columns += [name for name in cls.model_fields
                    if name not in ("originator_id", "originator_version", "timestamp", "id")]
    return [*dict.fromkeys(columns), "id", "recorded_at"]


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
        writer.writerow({k: LIST_SEPARATOR.join(v) if isinstance(v, list) else v for k, v in record.items()})
        count += 1
    text.flush()
    text.detach()
    return count


def _default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
