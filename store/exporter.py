"""Export: the store (or part of it) as records that ``import`` reads back.

A record carries its event's id and record time, so a store exported and imported
into an empty one answers every question, at every valid date and record time, as
the original does. ``known_at`` exports the record as it stood then; ``as_of``
leaves out facts that happened after that valid date (and retractions of them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterator

from casetrail.store.application import Casetrail
from casetrail.domain.events import ABOUT_FACTS, IDENTITY_EVENTS, Fact, Merged, PersonEvent
from casetrail.domain.person import Person
from casetrail.domain.case import Case, PartyAdded
from casetrail.store.records import case_event_record, case_record, person_record, source_record
from casetrail.store.redaction import Redactor


@dataclass(frozen=True)
class Selection:
    person: str | None = None  # one person's key, or everyone
    as_of: date | None = None
    known_at: datetime | None = None
    redact: bool = False
    keep_sources: bool = False  # with redact: keep each source's outlet and publication day


class Exporter:
    def __init__(self, app: Casetrail, selection: Selection) -> None:
        self.app = app
        self.selection = selection
        registrations = app.people()  # registration order: what pseudonyms number
        self.redactor = (Redactor(registrations, app.sources(), selection.keep_sources, app.cases())
                         if selection.redact else None)
        # Loaded now: an unknown key is an error before anything is written.
        # A record merged into another is exported as stored (its pointer too), not as the one it points to.
        self.one = app.person(selection.person, follow=False) if selection.person else None
        if selection.person:
            self.keys = [selection.person]
        else:
            self.keys = [r.key for r in registrations if self._known(r.timestamp)]

    def records(self, event_record: Callable[[str, PersonEvent], dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Sources first, then each person followed by their events, one person in memory at a time.

        ``event_record`` is the one shape of an event every output uses (``rendering.shapes``,
        which this layer may not import: the command passes it in)."""
        for key in self._source_keys():
            yield self._out(source_record(self.app.source(key)))
        for case in self._cases():
            yield self._out(case_record(case))
            for event in self._case_events(case):
                yield self._out(case_event_record(case.key, event))
        for key, person in self._people():
            yield self._out(person_record(person))
            for event in self.events(person):
                yield self._out(event_record(key, event))

    def copies(self) -> Iterator[tuple[str, str]]:
        """(source key, SHA-256) of each exported source's preserved copies."""
        for key in self._source_keys():
            for copy in self.app.source(key).files:
                yield key, copy.sha256

    def stories(self) -> tuple[list[tuple[str, str, list[PersonEvent]]], dict[str, Any]]:
        """(key, shown name, events) per person, and the sources they cite by key, redacted if
        asked, for pictures (which hold everyone at once)."""
        stories, sources = [], {}
        for key, person in self._people():
            events = self.events(person)
            for cited in {e.source for e in events if getattr(e, "source", None)}:
                if cited not in sources:
                    sources[cited] = self.app.source(cited)
            if self.redactor:
                events = [self.redactor.event(e) for e in events]
                key, name = self.redactor.key(key), self.redactor.name(key)
            else:
                name = person.name
            stories.append((key, name, events))
        if self.redactor:
            sources = {self.redactor.source_key(key): self.redactor.source(s) for key, s in sources.items()}
        return stories, sources

    def events(self, person: Person) -> list[PersonEvent]:
        kept: list[PersonEvent] = []
        ids: set = set()
        for event in person.history:
            if not self._known(event.timestamp):
                continue
            if isinstance(event, Fact) and self.selection.as_of and event.on.earliest > self.selection.as_of:
                continue
            if isinstance(event, ABOUT_FACTS) and event.event_id not in ids:
                continue
            if isinstance(event, IDENTITY_EVENTS):
                event = self._identity(event)
                if event is None:
                    continue
            ids.add(getattr(event, "id", None))
            kept.append(event)
        return kept

    def _identity(self, event: PersonEvent) -> PersonEvent | None:
        """An amendment, merge or merge pointer as the file carries it; None when it cannot be: in a
        redacted file (it names the person), or when the other record of a merge is not in the file.
        A merge takes in the other's events up to a version: that version among what is exported."""
        if self.redactor is not None:
            return None
        other = event.other if isinstance(event, Merged) else getattr(event, "into", None)
        if other is not None and other not in self.keys:
            return None
        if not isinstance(event, Merged):
            return event
        taken = [e for e in self.events(self.app.person(other, follow=False))
                 if e.timestamp <= event.timestamp and getattr(e, "merge_id", None) != event.id]  # not its pointer
        return event.model_copy(update={"other_version": 1 + len(taken)})  # version 1: the registration

    def _cases(self) -> Iterator[Case]:
        """Every case registered by K (one person's: those their facts name), before the people
        whose facts may name them, so that the export imports into an empty store."""
        named = {getattr(e, "case", None) for e in self.events(self.one)} if self.one else None
        for registered in self.app.cases():
            if self._known(registered.timestamp) and (named is None or registered.key in named):
                yield self.app.case(registered.key)

    def _case_events(self, case: Case) -> Iterator[Any]:
        """A case's events known at K and not after V; in one person's export, of its named
        parties only that person (the others are not in the file)."""
        for event in case.history:
            if not self._known(event.timestamp) or self._after(event):
                continue
            if self.one and isinstance(event, PartyAdded) and event.person not in (None, self.one.key):
                continue
            yield event

    def _after(self, event: Any) -> bool:
        on = getattr(event, "on", None)
        return bool(self.selection.as_of and on is not None and on.earliest > self.selection.as_of)

    def _people(self) -> Iterator[tuple[str, Person]]:
        for key in self.keys:
            person = self.one or self.app.person(key, follow=False)
            if self._known(person.registered_at):
                yield key, person

    def _source_keys(self) -> list[str]:
        """With one person, the sources their facts cite; otherwise every source known at K."""
        if self.one:
            cited = {e.source for e in self.events(self.one) if getattr(e, "source", None)}
            for case in self._cases():
                cited |= {case.source, *(e.source for e in self._case_events(case) if getattr(e, "source", None))}
            return sorted(cited)
        return [s.key for s in self.app.sources() if self._known(s.timestamp)]

    def _known(self, stamp: datetime) -> bool:
        return self.selection.known_at is None or stamp <= self.selection.known_at

    def _out(self, record: dict[str, Any]) -> dict[str, Any]:
        return self.redactor.record(record) if self.redactor else record
