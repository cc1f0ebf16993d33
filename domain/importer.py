"""Import: many records into the store, checked in full before anything is written.

Three passes, memory bounded by one person at a time:

1. read: each record is validated alone and staged in a scratch SQLite file;
2. check: person by person (the staging sorts them), the new events are built as
   the aggregate builds them, already-present ones are skipped (by identity), and
   the timeline is checked; what would be stored is staged, encoded;
3. write: only if no record failed (or with ``keep_going``), the encoded events are
   inserted in large transactions.

Importing the same file twice adds nothing. A write interrupted half-way (a killed
process) is finished by importing the same file again.
"""

from __future__ import annotations

import pickle
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import groupby
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from casetrail.domain.application import Casetrail, _project, is_url
from casetrail.domain.dates import today_utc
from casetrail.domain.errors import BadInput, CasetrailError, StoreError
from casetrail.domain.events import Retracted
from casetrail.domain.formats import Raw
from casetrail.domain.person import Person, Source, person_id, source_id
from casetrail.domain.records import (
    EventRecord, PersonRecord, identity, read_event, read_person, read_source,
)
from casetrail.domain.storage import store_errors

WRITE_BATCH = 5000  # events per transaction
Progress = Callable[[str, int, int], None]  # phase, done, total


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Summary:
    people_added: int = 0
    sources_added: int = 0
    events_added: int = 0
    events_skipped: int = 0  # already in the store (or twice in the file)
    records: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"records": self.records, "people_added": self.people_added, "sources_added": self.sources_added,
                "events_added": self.events_added, "events_skipped": self.events_skipped,
                "written": self.written, "problems": [{"where": p.where, "error": p.message} for p in self.problems]}


class ImportFailed(BadInput):
    """Some records are bad; nothing was written."""

    def __init__(self, summary: Summary):
        first = summary.problems[0]
        more = len(summary.problems) - 1
        tail = f" (and {more} more problem{'s' * (more > 1)}; --dry-run lists them all)" if more else ""
        super().__init__(f"{first}{tail}; nothing was imported")
        self.summary = summary


class Importer:
    def __init__(self, app: Casetrail, dry_run: bool = False, keep_going: bool = False,
                 progress: Progress | None = None) -> None:
        self.app = app
        self.dry_run = dry_run
        self.keep_going = keep_going
        self.progress = progress or (lambda phase, done, total: None)
        self.summary = Summary()
        self.now = datetime.now(timezone.utc)
        self.today = today_utc()

    def run(self, raws: Iterable[Raw]) -> Summary:
        with tempfile.TemporaryDirectory(prefix="casetrail-import-") as scratch:
            self.stage = _Staging(Path(scratch) / "staging.db")
            try:
                self._read(raws)
                with store_errors(self.app.store):  # the checks read the store: locked or gone is one line
                    sources = self._check_sources()
                    self._check_people()
                if self.summary.problems and not (self.keep_going and not self.dry_run):
                    if self.dry_run:
                        return self.summary
                    raise ImportFailed(self.summary)
                if not self.dry_run:
                    self._write(sources)
                return self.summary
            finally:
                self.stage.close()

    # -- 1. read ---------------------------------------------------------------------------------

    def _read(self, raws: Iterable[Raw]) -> None:
        for raw in raws:
            self.summary.records += 1
            if raw.record is None:
                self._problem(raw.where, raw.data)
                continue
            try:
                self._stage_one(raw)
            except CasetrailError as error:
                self._problem(raw.where, f"{_what(raw)}: {error}")
            if self.summary.records % 10_000 == 0:
                self.progress("reading", self.summary.records, 0)
        self.stage.commit()

    def _stage_one(self, raw: Raw) -> None:
        if raw.record == "source":
            record = read_source(raw.data)
            self.stage.add("sources", record.key, raw.where, record)
        elif raw.record == "person":
            record = read_person(raw.data)
            self.stage.add("people", record.key, raw.where, record)
        else:
            for record in read_event(raw.data, self.today):
                self.stage.add("events", record.person, raw.where, record)

    # -- 2. check --------------------------------------------------------------------------------

    def _check_sources(self) -> list[Source]:
        """The file's sources that are new; one that exists must say the same."""
        self.cited: set[str] = set()
        new: list[Source] = []
        for key, rows in groupby(self.stage.rows("sources"), key=lambda row: row[0]):
            (_, where, record), *others = rows
            for _, other_where, other in others:
                if other != record:
                    self._problem(other_where, f"source {key} is given twice, differently (first at {where})")
            stored = self._stored_source(key)
            if stored is None:
                new.append(Source.register(key, today=self.today, **record.fields))
            elif not record.same_as(stored):
                self._problem(where, f"source {key} is already in the store with other details; "
                                     "give it a new key or leave the record out")
            self.cited.add(key)
        return new

    def _check_people(self) -> None:
        total = self.stage.count("people_and_events")
        done = 0
        for key, rows in groupby(self.stage.people_and_events(), key=lambda row: row[0]):
            rows = list(rows)
            done += len(rows)
            people = [(where, record) for _, kind, where, record in rows if kind == 0]
            events = [(where, record) for _, kind, where, record in rows if kind == 1]
            try:
                self._check_person(key, people, events)
            except _Skip:
                pass
            self.progress("checking", done, total)
        self.stage.commit()

    def _check_person(self, key: str, people: list[tuple[str, PersonRecord]],
                      events: list[tuple[str, EventRecord]]) -> None:
        person = self._stored_person(key)
        for where, record in people[1:]:
            if record != people[0][1]:
                self._fail(where, f"person {key} is given twice, differently (first at {people[0][0]})")
        if person is None:
            if not people:
                self._fail(events[0][0], f"person {key} is not in the store or the file: add a persons record "
                                         f"for {key}, or register them first")
            where, record = people[0]
            stamp = record.recorded_at or min([e.recorded_at for _, e in events if e.recorded_at] or [self.now])
            person = Person.register(key, today=self.today, timestamp=stamp, **record.fields)
        elif people and not people[0][1].same_as(person):
            self._fail(people[0][0], f"person {key} is already in the store with other details (name, aliases, "
                                     "born, place or note); leave the record out or use another key")
        self._append(person, events)
        self.summary.people_added += person.version == len(person.pending_events)  # registered by this import
        if person.pending_events:
            self.stage.add_encoded([self.app.mapper.to_stored_event(e) for e in person.collect_events()])

    def _append(self, person: Person, events: list[tuple[str, EventRecord]]) -> None:
        present = {identity(person.key, e) for e in person.history}
        entries, places = [], {}
        ordered = sorted(events, key=lambda pair: pair[1].recorded_at or self.now)
        for where, record in ordered:
            template = self._cited(where, record)
            if template is None:
                continue
            if isinstance(template, Retracted):
                template = self._resolved(person, entries, where, record, template)
                if template is None:
                    continue
            mark = identity(person.key, template)
            if mark in present:
                self.summary.events_skipped += 1
                continue
            present.add(mark)
            stamped = template.model_copy(update={"timestamp": record.recorded_at or self.now})
            entries.append((stamped, record.target))
            places[str(stamped.id)] = where
        if not entries:
            return
        try:
            person.adopt(entries)
        except CasetrailError as error:
            culprit = places.get(getattr(error, "event_id", None) or "", ordered[0][0])
            self._fail(culprit, str(error))
        self.summary.events_added += len(entries)

    def _cited(self, where: str, record: EventRecord) -> Any:
        """The event with its source as a key: a URL is registered as a source on first use."""
        source = record.event.source
        if source is None or source in self.cited:
            return record.event
        if is_url(source):
            try:
                key = self.app.url_key(source)
                known = key in self.cited or self._stored_source(key) is not None
                new = None if known else Source.register(key, url=source)
            except CasetrailError as error:  # a URL it cannot register: a problem of this record, not the end
                self._problem(where, f"{record.event.type} of {record.person}: {error}")
                return None
            if new is not None:
                self.stage.add_encoded([self.app.mapper.to_stored_event(e) for e in new.collect_events()])
                self.summary.sources_added += 1
            self.cited.add(key)
            return record.event.model_copy(update={"source": key})
        if self._stored_source(source) is None:
            self._problem(where, f"{record.event.type} of {record.person}: source '{source}' is not in the file "
                                 "or the store; add it to sources, or cite a URL")
            return None
        self.cited.add(source)
        return record.event

    def _resolved(self, person: Person, entries: list, where: str, record: EventRecord,
                  template: Retracted) -> Retracted | None:
        """A retraction names its target by id; its identity needs the full id."""
        try:
            target = person.find(record.target or "", person.history + [e for e, _ in entries])
        except CasetrailError as error:
            self._problem(where, f"retracted of {record.person}: {error}")
            return None
        return template.model_copy(update={"event_id": target.id})

    def _stored_person(self, key: str) -> Person | None:
        try:
            return self.app.repository.get(person_id(key), projector_func=_project)
        except AggregateNotFoundError:
            return None

    def _stored_source(self, key: str) -> Source | None:
        try:
            return self.app.repository.get(source_id(key))
        except AggregateNotFoundError:
            return None

    def _problem(self, where: str, message: str) -> None:
        self.summary.problems.append(Problem(where, message))

    def _fail(self, where: str, message: str) -> None:
        """A problem that leaves this person's records out."""
        self._problem(where, message)
        raise _Skip()

    # -- 3. write --------------------------------------------------------------------------------

    def _write(self, sources: list[Source]) -> None:
        total = self.stage.count("encoded")
        stored = [self.app.mapper.to_stored_event(e) for source in sources for e in source.collect_events()]
        self.summary.sources_added += len(sources)
        done = 0
        with store_errors(self.app.store):  # a locked or read-only store is one line, like any other command's
            try:
                if stored:
                    self.app.recorder.insert_events(stored)
                for batch in self.stage.encoded(WRITE_BATCH):
                    self.app.recorder.insert_events(batch)
                    done += len(batch)
                    self.progress("writing", done, total)
            except IntegrityError:
                raise StoreError("another process recorded some of these people while this import ran; import "
                                 "the same file again: it adds only what is still missing") from None
        self.summary.written = True


class _Skip(Exception):
    """This person's records are left out (a problem was reported)."""


def _what(raw: Raw) -> str:
    data = raw.data
    if raw.record == "event":
        who = data.get("person") or data.get("persons")
        return f"{data.get('type') or 'event'} of {who}" if who else "event"
    return f"{raw.record} {data.get('key')}" if data.get("key") else raw.record


class _Staging:
    """A scratch SQLite file: records in, sorted by person out, so memory stays flat."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE sources (key TEXT, seq INTEGER PRIMARY KEY, place TEXT, record BLOB);
            CREATE TABLE people (key TEXT, seq INTEGER PRIMARY KEY, place TEXT, record BLOB);
            CREATE TABLE events (key TEXT, seq INTEGER PRIMARY KEY, place TEXT, record BLOB);
            CREATE TABLE encoded (seq INTEGER PRIMARY KEY, event BLOB);
        """)

    def add(self, table: str, key: str, where: str, record: Any) -> None:
        self.db.execute(f"INSERT INTO {table} (key, place, record) VALUES (?, ?, ?)",
                        (key, where, pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)))

    def add_encoded(self, stored: list[Any]) -> None:
        self.db.executemany("INSERT INTO encoded (event) VALUES (?)",
                            [(pickle.dumps(s, protocol=pickle.HIGHEST_PROTOCOL),) for s in stored])

    def rows(self, table: str) -> Iterator[tuple[str, str, Any]]:
        for key, where, record in self.db.execute(f"SELECT key, place, record FROM {table} ORDER BY key, seq"):
            yield key, where, pickle.loads(record)

    def people_and_events(self) -> Iterator[tuple[str, int, str, Any]]:
        query = """SELECT key, 0, seq, place, record FROM people UNION ALL
                   SELECT key, 1, seq, place, record FROM events ORDER BY 1, 2, 3"""
        for key, kind, _, where, record in self.db.execute(query):
            yield key, kind, where, pickle.loads(record)

    def count(self, what: str) -> int:
        if what == "people_and_events":
            return sum(self.count(table) for table in ("people", "events"))
        return self.db.execute(f"SELECT count(*) FROM {what}").fetchone()[0]

    def encoded(self, size: int) -> Iterator[list[Any]]:
        cursor = self.db.execute("SELECT event FROM encoded ORDER BY seq")
        while rows := cursor.fetchmany(size):
            yield [pickle.loads(row[0]) for row in rows]

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.close()
