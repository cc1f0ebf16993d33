"""Import: many records into the store, checked in full before anything is written.

Three passes, memory bounded by one person at a time:

1. read: each record is validated alone and staged in a scratch file (domain/scratch.py,
   encrypted under a key of the run);
2. check: event ids given twice in the file or held by another person in the store are
   found first; then person by person (the staging sorts them), the new events are built
   as the aggregate builds them, already-present ones are skipped, and the timeline is
   checked; what would be stored is staged, encoded;
3. write: only if no record failed (or with ``keep_going``), the encoded events are
   inserted in large transactions.

A record is left out when it is invalid, or when it depends on a record that was left
out: its person's record, its source's record, a retraction's target, or an earlier
fact its timeline needs. Everything else goes in, so ``--keep-going`` adds exactly the
valid records and ``--dry-run`` counts exactly that.

An event with an id is that event: the same id again with the same content is already
there (skipped), with other content or on another person it is refused. An event
without one is identified by its content (person, type, date, source and fields), so
importing the same file twice adds nothing. A write interrupted half-way (a killed
process, a full disk) is finished by importing the same file again.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import groupby
from typing import Any, Callable, Iterable, Iterator
from uuid import UUID, uuid4

import orjson
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from casetrail.store.application import Casetrail, _project, is_url
from casetrail.domain.dates import today_utc
from casetrail.domain.errors import BadInput, CasetrailError, NotFound, StoreError, TimelineConflict
from casetrail.domain.claims import cites, same_claim
from casetrail.domain.events import ABOUT_FACTS, FACT_TYPES, IDENTITY_EVENTS, Fact, MergedInto, Retracted
from casetrail.domain.fold import retracted_ids
from casetrail.store.formats import Raw
from casetrail.domain.person import RETRACTABLE, Person, Source, person_id, source_id
from casetrail.domain.case import Case, case_id
from casetrail.store.records import (
    CaseRecord, EventRecord, PersonRecord, identity, read_case, read_case_event, read_event, read_person, read_source,
)
from casetrail.store.scratch import Scratch
from casetrail.store.storage import store_errors
from casetrail.domain.words import counted

WRITE_BATCH = 5000  # events per transaction
Progress = Callable[[str, int, int], None]  # phase, done, total
_EVENT_TOPICS = [get_topic(cls) for cls in (*FACT_TYPES.values(), *ABOUT_FACTS)]


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
    copies_left: int = 0  # preserved copies the file's sources name: their files are not in it
    records: int = 0
    problems: list[Problem] = field(default_factory=list)  # one per record left out
    written: bool = False
    batch: str | None = None  # the id stored on every event this import adds
    registered: list[str] = field(default_factory=list)  # the keys of the people it registers

    def as_dict(self) -> dict[str, Any]:
        return {"batch": self.batch if self.events_added or self.people_added else None, "records": self.records, "people_added": self.people_added, "sources_added": self.sources_added,
                "events_added": self.events_added, "events_skipped": self.events_skipped,
                "copies_not_imported": self.copies_left,
                "records_left_out": len(self.problems), "written": self.written,
                "problems": [{"where": p.where, "error": p.message} for p in self.problems]}


class ImportFailed(BadInput):
    """Some records are bad; nothing was written."""

    def __init__(self, summary: Summary):
        first = summary.problems[0]
        more = len(summary.problems) - 1
        tail = f" (and {more} more {counted(more, 'problem').split(' ', 1)[1]}; --dry-run lists them all)" if more else ""
        super().__init__(f"{first}{tail}; nothing was imported")
        self.summary = summary


@dataclass
class _Case:
    """One person's check: what their stream holds, what the file adds, what was left out."""

    person: Person
    ids: dict[str, str]  # event id -> content identity, stored and accepted
    contents: set[str]
    gone: dict[str, str]  # event id -> where its record was left out
    dropped: list[str]  # where this person's records were left out
    entries: list[tuple[str, Any, str | None, str | None]] = field(default_factory=list)  # where, event, target, URL
    same: dict[str, str] = field(default_factory=dict)  # a skipped record's event id -> the stored one it repeats

    @classmethod
    def of(cls, person: Person, gone: dict[str, str], dropped: list[str]) -> _Case:
        ids = {str(e.id): identity(person.key, e) for e in person.history
               if isinstance(e, (Fact, *ABOUT_FACTS, *IDENTITY_EVENTS))}
        # A record without an id that tells a retracted event again is no repeat: it goes in (after
        # 'import undo', the corrected file's unchanged facts count again).
        taken_back = {str(e) for e in retracted_ids(person.history)}
        return cls(person, ids, {mark for event_id, mark in ids.items() if event_id not in taken_back}, gone, dropped)

    def present(self, mark: str, given: str | None) -> bool:
        """Already there (skip it); raises when its id names another event of this person.
        ``mark`` is the event's content identity (``records.identity``)."""
        if given is None:
            return mark in self.contents
        if given not in self.ids:
            return False
        if self.ids[given] != mark:
            raise BadInput(f"event id {given} is already used by another event of {self.person.key}: give this "
                           "record another id, or leave id out and casetrail assigns one")
        return True

    def id_of(self, mark: str) -> str:
        return next(event_id for event_id, known in self.ids.items() if known == mark)

    def add(self, where: str, event: Any, mark: str, target: str | None, url: str | None) -> None:
        self.ids[str(event.id)] = mark
        self.contents.add(mark)
        self.entries.append((where, event, target, url))

    def left_target(self, target: str | None) -> str | None:
        """Where the record a retraction's target (an id or a prefix) came from, if it was left out."""
        wanted = (target or "").strip().lower().replace("-", "")
        found = [where for event_id, where in self.gone.items() if event_id.replace("-", "").startswith(wanted)]
        return found[0] if wanted and found else None

    def leave_out(self, where: str, event_id: str | None) -> None:
        self.dropped.append(where)
        if event_id:
            self.gone[event_id] = where


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
        self.case_rows: list[tuple[str, CaseRecord]] = []
        self.case_keys: set[str] = set()  # cases a fact may name: in the store or in the file
        # Stored on every event this import adds, so that 'import undo' can take them back.
        self.summary.batch = f"{self.now:%Y%m%d}-{uuid4().hex[:8]}"

    def run(self, raws: Iterable[Raw]) -> Summary:
        with Scratch.opened() as self.stage:
            self._read(raws)
            with store_errors(self.app.store):  # the checks read the store: locked or gone is one line
                self.elsewhere = self._ids_held_elsewhere()
                self.reused = self._reused_ids()
                sources = self._check_sources()
                cases = self._check_cases()
                self._check_people()
            if self.summary.problems and (self.dry_run or not self.keep_going):
                if self.dry_run:
                    return self.summary
                raise ImportFailed(self.summary)
            if not self.dry_run:
                self._write([*sources, *cases])
            return self.summary

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
                self._remember_refused(raw)
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
        elif raw.record in ("case", "case_event"):  # few: kept in memory, in file order
            self.case_rows.append((raw.where, (read_case if raw.record == "case" else read_case_event)(raw.data)))
        else:
            for record in read_event(raw.data, self.today):
                self.stage.add("events", record.person, raw.where, record,
                               str(record.event.id) if record.given_id else None)

    def _remember_refused(self, raw: Raw) -> None:
        """What a refused record was about, so that the records depending on it are left out too."""
        data = raw.data if isinstance(raw.data, dict) else {}
        if raw.record != "event":
            self.stage.refuse(raw.record, _text(data.get("key")), None, raw.where)
            return
        people = data.get("persons") or [data.get("person")]
        for key in people if isinstance(people, list) else str(people).split("|"):
            self.stage.refuse("event", _text(key), _event_id(data.get("id")), raw.where)

    # -- 2. check: ids ---------------------------------------------------------------------------

    def _ids_held_elsewhere(self) -> dict[str, UUID]:
        """The file's event ids that the store holds on another person: id -> that person's stream."""
        if not self.stage.given_ids() or not self.app.recorder.max_notification_id():
            return {}
        found: dict[str, UUID] = {}
        for stream, event_id in self._stored_ids():
            for key in self.stage.holders(event_id):
                if person_id(key) != stream:
                    found.setdefault(event_id, stream)
        return found

    def _stored_ids(self) -> Iterator[tuple[UUID, str]]:
        start = 1
        while page := self.app.recorder.select_notifications(start, 1000, topics=_EVENT_TOPICS):
            for notification in page:
                state = orjson.loads(self.app.mapper.decode_state(notification.state))
                yield notification.originator_id, state["id"]
            start = page[-1].id + 1

    def _reused_ids(self) -> dict[int, str | None]:
        """Records whose id an earlier record of the file has: None when it is the same event
        again (skipped), else why it is refused."""
        found: dict[int, str | None] = {}
        for event_id, rows in groupby(self.stage.reused_ids(), key=lambda row: row[0]):
            (_, key, _, where, first), *later = rows
            for _, other_key, seq, _, record in later:
                same = other_key == key and record.event == first.event and record.target == first.target
                found[seq] = None if same else (f"event id {event_id} is given twice in the file (first at "
                                                f"{where}, {first.event.type} of {key}): give each event its own "
                                                "id, or leave id out and casetrail assigns one")
        return found

    def _holder(self, event_id: str) -> str:
        stream = self.elsewhere[event_id]
        try:
            return self.app.repository.get(stream, projector_func=_project).key
        except AggregateNotFoundError:  # pragma: no cover - the scan found it there
            return str(stream)

    # -- 2. check: sources -----------------------------------------------------------------------

    def _check_sources(self) -> list[Source]:
        """The file's sources that are new; one that exists must say the same."""
        self.cited: set[str] = set()
        self.left_sources: dict[str, str] = dict(self.stage.refused_keys("source"))
        new: list[Source] = []
        for key, rows in groupby(self.stage.rows("sources"), key=lambda row: row[0]):
            (_, where, record), *others = rows
            for _, other_where, other in others:
                if other != record:
                    self._leave_source_out(key, other_where, f"source {key} is given twice, differently (first at "
                                                             f"{where})")
            stored = self._stored_source(key)
            if stored is None:
                try:
                    author = record.recorded_by or self.app.author
                    new.append(Source.register(key, today=self.today, recorded_by=author, **record.fields))
                except CasetrailError as error:
                    self._leave_source_out(key, where, str(error))
            elif not record.same_as(stored):
                self._leave_source_out(key, where, f"source {key} is already in the store with other details; "
                                                   "give it a new key or leave the record out")
            if key not in self.left_sources:
                self.cited.add(key)
                self.summary.copies_left += record.copies
        self.summary.sources_added += len(new)
        return new

    def _check_cases(self) -> list[Case]:
        """The file's cases and their events that are not in the store yet, each checked as its
        stream is appended to (record times in order, sources known, retractions naming its events)."""
        cases: dict[str, Case] = {}
        for where, record in sorted(self.case_rows, key=lambda row: row[1].recorded_at or self.now):
            try:
                case = cases.get(record.key) or self._stored_case(record.key)
                if record.event is None:
                    if case is None:
                        # Without a record time, the import's own (as its events get): never after them.
                        case = Case.register(record.key, **record.fields, timestamp=record.recorded_at or self.now,
                                             recorded_by=record.recorded_by or self.app.author)
                        self.summary.events_added += 1
                    else:
                        self.summary.events_skipped += 1  # registered already: importing again adds nothing
                elif case is None:
                    raise NotFound(f"case {record.key} is not in the store or the file: add a case record first")
                elif record.event.id in {getattr(e, "id", None) for e in case.history}:
                    self.summary.events_skipped += 1  # importing the same file twice adds nothing
                else:
                    self._check_cited(getattr(record.event, "source", None))
                    case.adopt(record.event.model_copy(update={"timestamp": record.recorded_at or self.now,
                                                               "recorded_by": record.recorded_by or self.app.author}))
                    self.summary.events_added += 1
                cases[record.key] = case
            except CasetrailError as error:
                self._problem(where, f"{record.event.type if record.event else 'case'} of {record.key}: {error}")
        self.case_keys = set(cases)
        return list(cases.values())

    def _check_cited(self, source: str | None) -> None:
        if source is not None and source not in self.cited and not self.app._exists(source_id(source)):
            raise NotFound(f"no source '{source}' in the store or the file: add a sources record for it")

    def _stored_case(self, key: str) -> Case | None:
        try:
            return self.app.repository.get(case_id(key), projector_func=_project)
        except AggregateNotFoundError:
            return None

    def _leave_source_out(self, key: str, where: str, message: str) -> None:
        self._problem(where, message)
        self.left_sources.setdefault(key, where)

    # -- 2. check: people ------------------------------------------------------------------------

    def _check_people(self) -> None:
        total = self.stage.count("people_and_events")
        done = 0
        for key, rows in groupby(self.stage.people_and_events(), key=lambda row: row[0]):
            rows = list(rows)
            done += len(rows)
            people = [(where, record) for _, kind, _, where, record in rows if kind == 0]
            events = [(seq, where, record) for _, kind, seq, where, record in rows if kind == 1]
            self._check_person(key, people, events)
            self.progress("checking", done, total)
        self.stage.commit()

    def _check_person(self, key: str, people: list[tuple[str, PersonRecord]],
                      events: list[tuple[int, str, EventRecord]]) -> None:
        person, left_at = self._person(key, people, events)
        if left_at is not None or person is None:
            reason = (f"left out with the person record at {left_at}; fix that record and import again" if left_at
                      else f"person {key} is not in the store or the file: add a persons record for {key}, or "
                           "register them first")
            for _, where, record in events:
                self._problem(where, f"{record.event.type} of {key}: {reason}")
        else:
            self._append(person, events)
        if person is not None and person.pending_events:
            if person.version == len(person.pending_events):  # registered by this import
                self.summary.people_added += 1
                self.summary.registered.append(key)
            self.stage.add_encoded([self.app.mapper.to_stored_event(e) for e in person.collect_events()])

    def _person(self, key: str, people: list[tuple[str, PersonRecord]],
                events: list[tuple[int, str, EventRecord]]) -> tuple[Person | None, str | None]:
        """The person the events go to, and where a record of theirs was left out (then no event goes in)."""
        left = self.stage.refused_places("person", key)
        for where, record in people[1:]:
            if record != people[0][1]:
                self._problem(where, f"person {key} is given twice, differently (first at {people[0][0]})")
                left.append(where)
        stored = self._stored_person(key)
        if stored is not None:
            if people and not people[0][1].same_as(stored):
                self._problem(people[0][0], f"person {key} is already in the store with other details (name, "
                                            "aliases, born, place or note); leave the record out or use another key")
                left.insert(0, people[0][0])
            return stored, (left[0] if left else None)
        if not people:
            return None, (left[0] if left else None)
        where, record = people[0]
        stamp = record.recorded_at or min([e.recorded_at for _, _, e in events if e.recorded_at] or [self.now])
        try:
            return Person.register(key, today=self.today, timestamp=stamp, **record.fields,
                                   recorded_by=record.recorded_by or self.app.author, batch=self.summary.batch), \
                (left[0] if left else None)
        except CasetrailError as error:
            self._problem(where, str(error))
            return None, where

    def _append(self, person: Person, events: list[tuple[int, str, EventRecord]]) -> None:
        dropped = self.stage.refused_places("event", person.key)
        case = _Case.of(person, self.stage.refused_ids(person.key), dropped)
        for seq, where, record in sorted(events, key=lambda row: row[2].recorded_at or self.now):
            self._candidate(case, seq, where, record)
        accepted = self._adopted(case)
        for _, event, _, url in accepted:
            key = None if url is None else self.app.url_key(url)
            if key is not None and key not in self.cited:
                self.stage.add_encoded([self.app.mapper.to_stored_event(e)
                                        for e in Source.register(key, url=url, recorded_by=self.app.author)
                                        .collect_events()])
                self.cited.add(key)
                self.summary.sources_added += 1
        self.summary.events_added += len(accepted)

    def _candidate(self, case: _Case, seq: int, where: str, record: EventRecord) -> None:
        """The record's event for this person, unless it is already there or refused (reported)."""
        given = str(record.event.id) if record.given_id else None
        try:
            if seq in self.reused and self.reused[seq] is None:
                self.summary.events_skipped += 1
                return
            if seq in self.reused:
                raise BadInput(self.reused[seq])
            if given in self.elsewhere:
                raise BadInput(f"event id {given} is already in the store, on person {self._holder(given)}: give "
                               "this record another id, or leave id out and casetrail assigns one")
            # The record's event as it will be stored, made in one copy: its record time, its
            # source as a key, a retraction's full target id (the stream and version come in adopt).
            update: dict[str, Any] = {"timestamp": record.recorded_at or self.now,
                                      "recorded_by": record.recorded_by or self.app.author}
            url = None
            if "source" in type(record.event).model_fields:  # a merge pointer cites none
                update["source"], url = self._cited(record)
            if record.batch is not None:
                update["batch"] = record.batch
            named = getattr(record.event, "case", None)
            if named is not None and named not in self.case_keys and self._stored_case(named) is None:
                raise NotFound(f"no case '{named}' in the store or the file: add a case record for it, or "
                               f"'casetrail case add {named} ...' first")
            if isinstance(record.event, ABOUT_FACTS):
                update["event_id"] = self._target(case, record)
            event = record.event.model_copy(update=update)
            mark = identity(case.person.key, event)
            if case.present(mark, given):
                case.same[str(event.id)] = case.id_of(mark)  # what names this record's fact names that one
                self.summary.events_skipped += 1
                return
            if isinstance(event, Fact) and given is None:
                claimed = self._claimed(case, event)
                if claimed is None:  # another record of a fact already there, from a source it cites
                    self.summary.events_skipped += 1
                    return
                if claimed is not event:  # a corroboration of the recorded fact: its own identity
                    event, mark = claimed, identity(case.person.key, claimed)
        except CasetrailError as error:
            self._problem(where, f"{record.event.type} of {case.person.key}: {error}")
            case.leave_out(where, given)
            return
        case.add(where, event, mark, record.target, url)

    def _cited(self, record: EventRecord) -> tuple[str | None, str | None]:
        """The source as a key, and the URL when it names a source to register."""
        source = record.event.source
        if source is None or source in self.cited:
            return source, None
        if source in self.left_sources:
            raise BadInput(f"left out with the record of its source {source} at {self.left_sources[source]}; fix "
                           "that record and import again")
        if is_url(source):
            key = self.app.url_key(source)
            if key in self.cited or self._stored_source(key) is not None:
                self.cited.add(key)
                return key, None
            Source.register(key, url=source)  # a URL it cannot register: this record's problem, now
            return key, source
        if self._stored_source(source) is None:
            raise BadInput(f"source '{source}' is not in the file or the store; add it to sources, or cite a URL")
        self.cited.add(source)
        return source, None

    def _claimed(self, case: _Case, fact: Fact) -> Any | None:
        """A new fact, or the corroboration of a recorded one it tells again from another source;
        a likely second account of a recorded one is refused as the command line refuses it."""
        events = case.person.history + [e for _, e, _, _ in case.entries]
        target = same_claim(fact, events, case.person.key, in_file=True)
        if target is None:
            return fact
        if cites(events, target, fact.source):
            return None
        return case.person.corroboration(target, fact, events)

    def _target(self, case: _Case, record: EventRecord) -> UUID:
        """A retraction (corroboration, preference) names its target by id (or a prefix); its identity
        needs the full id."""
        target = case.same.get(record.target or "", record.target or "")
        kinds = (*RETRACTABLE, MergedInto) if isinstance(record.event, Retracted) else (Fact,)
        try:
            return case.person.find(target, case.person.history + [e for _, e, _, _ in case.entries], kinds).id
        except NotFound:
            left = case.left_target(record.target)
            if left:
                raise BadInput(f"left out with its target {record.target}, whose record at {left} was left out; "
                               "fix that record and import again") from None
            raise

    def _adopted(self, case: _Case) -> list[tuple[str, Any, str | None, str | None]]:
        """The entries the person's timeline takes: all at once, or else one by one in record
        order, each one that makes the timeline impossible left out (and reported)."""
        if not case.entries:
            return []
        try:
            case.person.adopt([(event, target) for _, event, target, _ in case.entries], self.summary.batch)
            return case.entries
        except CasetrailError:
            pass
        kept: list[tuple[str, Any, str | None, str | None]] = []
        for entry in case.entries:
            try:
                _trial(case.person).adopt([(event, target) for _, event, target, _ in kept + [entry]])
                kept.append(entry)
            except CasetrailError as error:
                self._leave_out(case, entry, error)
        if kept:
            case.person.adopt([(event, target) for _, event, target, _ in kept], self.summary.batch)
        return kept

    def _leave_out(self, case: _Case, entry: tuple[str, Any, str | None, str | None], error: CasetrailError) -> None:
        where, event, target, _ = entry
        message = str(error) if isinstance(error, TimelineConflict) else f"{event.type} of {case.person.key}: {error}"
        target_left = case.left_target(target)
        if isinstance(error, NotFound) and target_left:
            message = (f"{event.type} of {case.person.key}: left out with its target {target}, whose record at "
                       f"{target_left} was left out; fix that record and import again")
        elif case.dropped:
            message += f" (this person's records left out before it: {', '.join(case.dropped[:3])})"
        self._problem(where, message)
        case.leave_out(where, str(event.id))

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

    # -- 3. write --------------------------------------------------------------------------------

    def _write(self, sources: list[Source | Case]) -> None:
        stored = [self.app.mapper.to_stored_event(e) for source in sources for e in source.collect_events()]
        total = len(stored) + self.stage.count("encoded")
        done = 0
        try:
            with store_errors(self.app.store):  # a locked or read-only store is one line, like any other command's
                try:
                    if stored:
                        self.app.recorder.insert_events(stored)
                        done += len(stored)
                    for batch in self.stage.encoded(WRITE_BATCH):
                        self.app.recorder.insert_events(batch)
                        done += len(batch)
                        self.progress("writing", done, total)
                except IntegrityError:
                    raise _Raced("another process recorded some of these people while this import ran") from None
        except CasetrailError as error:
            if done == 0 and isinstance(error, _Raced):
                raise StoreError(f"{error}; import the same file again: it adds only what is still missing") from None
            if done == 0:
                raise  # nothing was written: the store's own line says it all
            raise StoreError(f"{error}; the import is partial: {done} of {counted(total, 'event')} were written; run "
                             "the same command again to finish it (it adds only what is missing)") from error
        self.summary.written = True


class _Raced(StoreError):
    """Another writer stored some of the same streams first."""


def _trial(person: Person) -> Person:
    """A copy of the person to try entries on: its stream and pending events are its own."""
    trial = copy.copy(person)
    trial.history = list(person.history)
    trial._pending_events = list(person.pending_events)
    return trial


def _what(raw: Raw) -> str:
    data = raw.data
    if raw.record == "event":
        who = data.get("person") or data.get("persons")
        return f"{data.get('type') or 'event'} of {who}" if who else "event"
    return f"{raw.record} {data.get('key')}" if data.get("key") else raw.record


def _text(value: Any) -> str | None:
    return str(value).strip() if value not in (None, "") else None


def _event_id(value: Any) -> str | None:
    try:
        return str(UUID(str(value).strip())) if value not in (None, "") else None
    except ValueError:
        return None
