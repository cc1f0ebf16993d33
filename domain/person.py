"""The Person and Source aggregates.

``Person`` is thin: its command methods decide which event to trigger, after
checking that the person's timeline stays possible by folding the stream with
the new event in its valid-time place. State is never kept on the aggregate
beyond its history: every reader folds.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import BaseAggregate
from pydantic import ValidationError

from casetrail.domain.chain import event_link
from casetrail.domain.errors import BadInput, NotFound, TimelineConflict
from casetrail.domain.claims import cites, resolve, same_claim
from casetrail.domain.events import (
    ABOUT_FACTS, Amended, Corroborated, Fact, FileAttached, Merged, MergedInto, PersonEvent, Preferred, Registered,
    Retracted, SourceRegistered,
)
from casetrail.domain.facts import given, invalid, make_fact, validated
from casetrail.domain.fold import Folded, fold, merged, retracted_ids, short
from casetrail.domain.rules import Rules
from casetrail.domain.text import one_line
from casetrail.domain.timeline import last_reported, timeline

NAMESPACE = uuid5(NAMESPACE_URL, "https://casetrail.org/streams")
# Letters and digits of any script (lower case where the script has case), joined by single hyphens:
# omarov-aslanbek, омаров-асланбек. An ASCII key's stream id is what it always was.
_KEY = re.compile(r"^[^\W_]+(?:-[^\W_]+)*$")
KEY_MAX = 80


def check_key(key: str, what: str = "person") -> str:
    """A readable slug: lowercase letters (of any script) and digits joined by single hyphens."""
    if (not isinstance(key, str) or not _KEY.match(key) or len(key) > KEY_MAX or key != key.lower()
            or unicodedata.normalize("NFC", key) != key):
        shown = key if len(str(key)) <= 40 else str(key)[:40] + "..."
        example = {"person": "omarov-aslanbek", "case": "case-0042"}.get(what, "rferl-omarov")
        raise BadInput(f"{what} key '{shown}' is not valid: use lowercase letters, digits and single hyphens "
                       f"(at most {KEY_MAX} characters), e.g. {example}")
    return key


AUTHOR_MAX = 100


def check_author(name: str | None) -> str | None:
    """Who records: a name or login on one line (None: nobody, the store is only read)."""
    if name is None:
        return None
    cleaned = str(name).strip()
    if not cleaned:
        raise BadInput("who records is empty: give a name or login with --as NAME or CASETRAIL_USER")
    if len(cleaned) > AUTHOR_MAX:
        raise BadInput(f"who records '{cleaned[:40]}...' is longer than {AUTHOR_MAX} characters: give a "
                       "name or login")
    try:
        one_line(cleaned)
    except ValueError as error:
        raise BadInput(f"who records (--as or CASETRAIL_USER) {error}") from None
    return cleaned


def person_id(key: str) -> UUID:
    return uuid5(NAMESPACE, f"person:{key}")


def source_id(key: str) -> UUID:
    return uuid5(NAMESPACE, f"source:{key}")


def identity(events: list[PersonEvent]) -> dict[str, Any]:
    """Who a stream's events say the person is now: the registration with each amendment applied,
    and the key of the record it is merged into (None: not merged)."""
    first = next(e for e in events if isinstance(e, Registered))
    found = {"name": first.name, "aliases": list(first.aliases), "born": first.born, "place": first.place}
    gone = retracted_ids(events)
    pointer = None
    for event in events:
        if isinstance(event, Amended):
            found = {"name": event.name or found["name"],
                     "aliases": found["aliases"] + [a for a in event.aliases if a not in found["aliases"]],
                     "born": found["born"] if event.born is None else event.born, "place": event.place or found["place"]}
        elif isinstance(event, MergedInto) and event.id not in gone:
            pointer = event.into
    return {**found, "merged_into": pointer}


RETRACTABLE = (Fact, Corroborated, Preferred, Merged)  # a source added, a choice or a merge can be taken back too
ABSORBED = (Fact, *ABOUT_FACTS)  # what a merge takes in of the other stream: its facts and what was said of them


def named(event: Any) -> str:
    """An event as a message names it: a fact by its type and date, else by the fact it is about."""
    if isinstance(event, Fact):
        return f"{event.type} on {event.on}"
    if isinstance(event, Merged):
        return f"merge of {event.other}"
    return f"{event.type} of event {short(event.event_id)}"


class Person(BaseAggregate[UUID]):
    """One person's case: an append-only stream of cited facts."""

    def __init__(self, key: str, name: str, aliases: list[str], born: int | None, place: str | None,
                 note: str | None = None, recorded_by: str | None = None) -> None:
        self.key = key
        self.name = name
        self.aliases = list(aliases)
        self.born = born
        self.place = place
        self.note = note
        self.recorded_by = recorded_by  # who registered them (None: before authorship was kept)
        # Who they were registered as: amendments (``Amended``) change the attributes above, not this.
        self.registration = {"name": name, "aliases": list(aliases), "born": born, "place": place, "note": note}
        self.history: list[PersonEvent] = []
        # The events of the streams merged into this one (``Merged``), loaded with it by the application:
        # their facts count while a merge stands (``fold.merged``).
        self.absorbed: list[PersonEvent] = []

    @property
    def story(self) -> list[PersonEvent]:
        """This stream's events and those of the streams merged into it, in record order: what every
        reader folds."""
        if not self.absorbed:
            return self.history
        return sorted(self.history + self.absorbed, key=lambda e: e.timestamp)

    @property
    def pointer(self) -> MergedInto | None:
        """The standing pointer to the record this one was merged into (None: not merged)."""
        gone = retracted_ids(self.history)
        return next((e for e in reversed(self.history) if isinstance(e, MergedInto) and e.id not in gone), None)

    def cases_named(self) -> list[str]:
        """The keys of the cases this person's story names them in (a merged record's roles too, while
        the merge stands), in record order: the lanes their picture draws."""
        return list(dict.fromkeys(e.case for e in merged(self.story) if isinstance(e, Fact)
                                  and e.type == "named_in_case"))

    def merges(self) -> list[Merged]:
        """The standing merges of other records into this one."""
        gone = retracted_ids(self.history)
        return [e for e in self.history if isinstance(e, Merged) and e.id not in gone]

    @classmethod
    def register(cls, key: str, name: str, aliases: list[str] | tuple = (), born: int | None = None,
                 place: str | None = None, note: str | None = None, today: date | None = None,
                 timestamp: datetime | None = None, recorded_by: str | None = None, batch: str | None = None) -> Person:
        """``timestamp`` keeps an imported registration's record time (None: now); ``recorded_by``
        is who registers them."""
        check_key(key)
        if born is not None and today is not None and born > today.year:
            raise BadInput(f"person {key}: --born {born} is in the future; give the year of birth, e.g. 1985")
        try:
            return cls._create(Registered, id=person_id(key), key=key, name=name, aliases=list(aliases),
                               born=born, place=place, note=note, timestamp=timestamp, recorded_by=recorded_by,
                               batch=batch)
        except ValidationError as error:
            raise BadInput(invalid(error, f"person {key}")) from None

    @property
    def registered_at(self) -> datetime:
        return self.created_on

    def record(self, type_name: str, today: date, recorded_by: str | None = None,
               **fields: Any) -> Fact | Corroborated:
        """Append a fact, if the timeline stays possible with it in its valid-time place (or the corroboration
        of a recorded fact it tells again from another source)."""
        return self.record_many([(type_name, fields)], today, recorded_by)[0]

    def record_many(self, facts: list[tuple[str, dict[str, Any]]], today: date,
                    recorded_by: str | None = None) -> list[Fact | Corroborated]:
        """Append several facts at once, all or none.

        They are checked together (their order in the list does not matter, only
        their dates) and share one record time, so no --known-at ever sees half
        of them. A fact that says what a recorded one says, from another source, is
        recorded as a corroboration of it (``claims.same_claim``): that is what returns.
        """
        stamp = PersonEvent.create_timestamp()
        made: list[Fact | Corroborated] = []
        for type_name, fields in facts:
            fields = dict(fields)
            corroborates = fields.pop("corroborates", None)
            if fields.get("disputes") is not None:
                fields["disputes"] = self._live(self.story + made, str(fields["disputes"]), "dispute").id
            envelope = self._envelope(self.version + 1 + len(made), stamp, recorded_by)
            fact = make_fact(type_name, fields, today, envelope)
            target = (self._live(self.story + made, str(corroborates), "corroborate") if corroborates is not None
                      else same_claim(fact, self.story + made, self.key))
            made.append(fact if target is None else self.corroboration(target, fact, self.story + made))
        self._check(self.story + made, [e for e in made if isinstance(e, Fact)])
        return [self._append(event) for event in made]

    def corroboration(self, target: Fact, fact: Fact, events: list[PersonEvent]) -> Corroborated:
        """``fact``'s source (and claimant, note) added to ``target``; the same source twice is refused."""
        if cites(events, target, fact.source):
            raise TimelineConflict(f"{self.key}: {target.type} on {target.on} from {fact.source} is already recorded "
                                   f"as event {short(target.id)}; nothing was added", str(target.id), target.on.text)
        return validated(Corroborated, {"event_id": target.id, **given({"source": fact.source, "claimant": fact.claimant,
                                        "note": fact.note}),
                                        **self._envelope(fact.originator_version, fact.timestamp, fact.recorded_by)},
                         Corroborated.type)

    def corroborate(self, event_id: str, source: str, claimant: str | None = None,
                    note: str | None = None, recorded_by: str | None = None) -> Corroborated:
        """Add a source (and who asserts it there) to a recorded fact: it still counts once."""
        target = self._live(self.story, event_id, "corroborate")
        stamp = Corroborated.create_timestamp()
        cited = validated(Corroborated, {"event_id": target.id, **given({"source": source, "claimant": claimant,
                                         "note": note}), **self._envelope(self.version + 1, stamp, recorded_by)},
                          "corroborate")
        if cites(self.story, target, cited.source):
            raise TimelineConflict(f"{self.key}: event {short(target.id)} ({target.type} on {target.on}) already "
                                   f"cites {cited.source}; nothing was added", str(target.id), target.on.text)
        return self._append(cited)

    def prefer(self, event_id: str, reason: str, source: str | None = None,
               recorded_by: str | None = None) -> Preferred:
        """Choose which account of a disputed happening counts; a later choice replaces this one."""
        target = self._live(self.story, event_id, "prefer")
        if resolve(self.story).dispute_of(target) is None:
            raise TimelineConflict(f"{self.key}: event {short(target.id)} ({target.type} on {target.on}) is not "
                                   "disputed; record the other account with --disputes "
                                   f"{short(target.id)} first", str(target.id), target.on.text)
        return self._about(Preferred, target, {"reason": reason, "source": source}, recorded_by, "prefer it")

    def _live(self, events: list[PersonEvent], event_id: str, doing: str) -> Fact:
        """A fact of this person that is not retracted, for a command that names it."""
        target = self.find(event_id, events)
        if target.id in retracted_ids(events):
            raise TimelineConflict(f"{self.key}: cannot {doing} event {short(target.id)} ({target.type} on "
                                   f"{target.on}): it is retracted", str(target.id), target.on.text)
        return target

    def amend(self, source: str, name: str | None = None, aliases: list[str] | tuple = (), born: int | None = None,
              place: str | None = None, today: date | None = None, recorded_by: str | None = None) -> Amended:
        """Correct or complete who the person is, from a source; the earlier values stay in the stream."""
        fields = given({"name": name if name != self.name else None,
                        "aliases": [a for a in dict.fromkeys(aliases) if a not in self.aliases and a != self.name],
                        "born": born if born != self.born else None, "place": place if place != self.place else None})
        if not fields:
            raise BadInput(f"person {self.key}: nothing to amend: give --name, --alias, --born or --place with a "
                           "value the record does not already hold")
        if born is not None and today is not None and born > today.year:
            raise BadInput(f"person {self.key}: --born {born} is in the future; give the year of birth, e.g. 1985")
        envelope = self._envelope(self.version + 1, Amended.create_timestamp(), recorded_by)
        event = validated(Amended, {**fields, "source": source, **envelope}, f"person {self.key}")
        if event.born is not None:
            early = [f for f in merged(self.story) if isinstance(f, Fact) and not f.before_birth
                     and f.id not in retracted_ids(self.story) and f.on.latest.year < event.born]
            if early:
                raise TimelineConflict(f"{self.key}: --born {event.born} is after {early[0].type} on {early[0].on} "
                                       f"(event {short(early[0].id)}); check the year, or retract that fact first",
                                       str(early[0].id), early[0].on.text)
        return self._append(event)

    def merge(self, other: Person, reason: str, source: str | None = None,
              recorded_by: str | None = None) -> tuple[Merged, MergedInto]:
        """``other`` is the same human: their facts count here from now on, and their record points here.
        Returns the merge (this stream) and the pointer (the other's), to be saved together."""
        self._check_mergeable(other)
        stamp = Merged.create_timestamp()
        merge = validated(Merged, {**given({"other": other.key, "other_id": other.id, "other_version": other.version,
                                            "reason": reason, "source": source}),
                                   **self._envelope(self.version + 1, stamp, recorded_by)}, "merge")
        taken = [e for e in other.history if isinstance(e, ABSORBED)]
        self._check(sorted(self.story + taken, key=lambda e: e.timestamp) + [merge], [], f"merge {other.key} into "
                    f"{self.key}")
        pointer = validated(MergedInto, {"into": self.key, "into_id": self.id, "merge_id": merge.id, "reason": reason,
                                         **other._envelope(other.version + 1, stamp, recorded_by)}, "merge")
        self.absorbed = self.absorbed + taken
        return self._append(merge), other._append(pointer)

    def _check_mergeable(self, other: Person) -> None:
        if other.id == self.id:
            raise BadInput(f"cannot merge {self.key} into itself: give the two keys of one human's two records")
        for who in (self, other):
            if who.pointer is not None:
                raise TimelineConflict(f"{who.key} is already merged into {who.pointer.into}; merge into "
                                       f"{who.pointer.into} instead, or retract that merge first", str(who.pointer.merge_id))
        if other.merges():
            merged_in = other.merges()[0]
            raise TimelineConflict(f"{merged_in.other} is merged into {other.key}: merge {other.key} into "
                                   f"{self.key} after retracting that merge (event {short(merged_in.id)}), or merge "
                                   f"{self.key} into {other.key}", str(merged_in.id))

    def unpoint(self, merge_id: Any, reason: str, recorded_by: str | None, stamp: datetime) -> Retracted:
        """The pointer of a merge being retracted, taken back in this (the other) stream, at the same record time."""
        pointer = self.pointer
        if pointer is None or pointer.merge_id != merge_id:
            raise TimelineConflict(f"{self.key} has no standing pointer for merge {short(merge_id)}", str(merge_id))
        return self._append(validated(Retracted, {"event_id": pointer.id, "reason": reason,
                                                  **self._envelope(self.version + 1, stamp, recorded_by)}, "retract"))

    def _check_born(self, facts: list[Fact]) -> None:
        """Refuse a fact dated wholly before the person's year of birth."""
        for fact in facts:
            if self.born is not None and not fact.before_birth and fact.on.latest.year < self.born:
                raise TimelineConflict(
                    f"{self.key}: {fact.type} on {fact.on} is before {self.key} was born ({self.born}); "
                    "check the date, or the year of birth given with 'person add --born'", None, fact.on.text)

    def _envelope(self, version: int, stamp: datetime, recorded_by: str | None) -> dict[str, Any]:
        return {"originator_id": self.id, "originator_version": version, "timestamp": stamp,
                "recorded_by": recorded_by}

    def retract(self, event_id: str, reason: str, source: str | None = None,
                recorded_by: str | None = None) -> Retracted:
        """Take back a fact; it stays in the stream and in every view of the past."""
        target = self._retractable(self.story, event_id, "; to restore it, record the fact again")
        return self._about(Retracted, target, {"reason": reason, "source": source}, recorded_by, "retract")

    def retract_all(self, event_ids: list[Any], reason: str, recorded_by: str | None = None) -> list[Retracted]:
        """Take back several events at once (what one import added): one record time, one check, one save."""
        stamp = Retracted.create_timestamp()
        made: list[Retracted] = []
        for event_id in event_ids:
            target = self._retractable(self.story + made, event_id.hex)
            made.append(validated(Retracted, {"event_id": target.id, "reason": reason,
                                              **self._envelope(self.version + 1 + len(made), stamp, recorded_by)},
                                  "retract"))
        self._check(self.story + made, [], "undo the import")
        return [self._append(event) for event in made]

    def _about(self, cls: type, target: Any, fields: dict[str, Any], recorded_by: str | None, doing: str) -> Any:
        """An event naming ``target`` (a retraction, a preference), appended if the timeline stays possible."""
        envelope = self._envelope(self.version + 1, cls.create_timestamp(), recorded_by)
        event = validated(cls, {**given({"event_id": target.id, **fields}), **envelope}, cls.type)
        self._check(self.story + [event], [], doing)
        return self._append(event)

    def adopt(self, entries: list[tuple[PersonEvent, str | None]], batch: str | None = None) -> list[PersonEvent]:
        """Append imported events as they are (ids, record times), all or none.

        Each entry is an event template and, for a retraction, the id (or prefix) of
        its target, looked up among the stream and the facts before it. Record times
        may not go back: a stream's record order is its record time order.
        """
        candidates: list[PersonEvent] = []
        last = self.last_event.timestamp
        for template, target in entries:
            if template.timestamp < last:
                raise TimelineConflict(f"{self.key}: recorded_at {template.timestamp.isoformat()} is before the "
                                       f"stream's last record time {last.isoformat()}; record times cannot go back")
            last = template.timestamp
            update: dict[str, Any] = {"originator_id": self.id, "originator_version": self.version + 1 + len(candidates),
                                      "batch": template.batch or batch}  # an exported event keeps its import's
            if isinstance(template, Retracted):  # of a fact, a claim, a merge or (exported) a merge's pointer
                update["event_id"] = self._retractable(self.story + candidates, str(target),
                                                       kinds=(*RETRACTABLE, MergedInto)).id
            elif isinstance(template, (Corroborated, Preferred)):
                named = str(template.event_id) if target is None else str(target)
                update["event_id"] = self._live(self.story + candidates, named, {"corroborated": "corroborate", "preferred": "prefer"}[template.type]).id
            candidates.append(template.model_copy(update=update))
        self._check(self.story + candidates, [c for c in candidates if isinstance(c, Fact)])
        return [self._append(candidate) for candidate in candidates]

    def _retractable(self, events: list[PersonEvent], event_id: str, then: str = "",
                     kinds: tuple = RETRACTABLE) -> Fact:
        """A fact, corroboration, preference or merge to take back, not taken back yet."""
        target = self.find(event_id, events, kinds)
        if target.id in retracted_ids(events):
            raise TimelineConflict(f"event {short(target.id)} ({named(target)}) of {self.key} is already retracted"
                                   f"{then}", str(target.id))
        return target

    def find(self, event_id: str, events: list[PersonEvent] | None = None, kinds: tuple = (Fact,)) -> Any:
        """A fact (or, with ``kinds``, another event) of this person by its id or a unique prefix of it
        (at least 4 hex digits)."""
        events = merged(self.story if events is None else events)  # a fact merged in counts only while the merge stands
        wanted = str(event_id).strip().lower().replace("-", "")
        if len(wanted) < 4 or not re.fullmatch(r"[0-9a-f]+", wanted):
            raise BadInput(f"event id '{event_id}' is not valid: give the id that show or record printed "
                           "(at least 4 hex digits, e.g. 3f2a9c1b)")
        matches = [e for e in events if isinstance(e, kinds) and e.id.hex.startswith(wanted)]
        if not matches:
            raise NotFound(f"{self.key} has no event {event_id}; run 'casetrail show {self.key}' to see the ids")
        if len(matches) > 1:
            raise BadInput(f"event id '{event_id}' matches {len(matches)} events of {self.key}; give more digits")
        return matches[0]

    def fold(self, as_of: date, known_at: datetime | None = None) -> Folded:
        """This person's state at valid date ``as_of``, as recorded by ``known_at`` (None: now)."""
        self.check_registered_by(known_at)
        return fold(self.story, as_of, known_at)

    def last_reported(self, rules: Rules, folded: Folded) -> Fact | None:
        """What we last heard by ``folded``'s valid date that bears on the status: the latest fact of
        their story that set a facet (``timeline.last_reported``)."""
        return last_reported(timeline(self.story, rules, folded.known_at), folded.as_of)

    def check_registered_by(self, known_at: datetime | None) -> None:
        """Refuse a record time before the person was registered: nothing was known of them then."""
        if known_at is not None and known_at < self.registered_at:
            raise NotFound(f"person {self.key} was not registered yet at {known_at.isoformat(timespec='seconds')}; "
                           f"the record starts {self.registered_at.isoformat(timespec='seconds')}")

    def _append(self, event: PersonEvent) -> Any:
        # What trigger_event() does, without building the event a second time:
        # this one is already validated and checked against the timeline. It is
        # chained to the stream's last event here, the one place events are appended.
        event = event.model_copy(update={"previous": event_link(self.last_event)})
        event.mutate(self)
        self.pending_events.append(event)
        return event

    def _check(self, events: list[PersonEvent], new: list[Fact], doing: str = "retract") -> None:
        """Fold the whole story (all valid time, all record time); refuse any conflict.

        ``new`` are the facts being recorded (none for a retraction or a preference, ``doing``).
        """
        self._check_born(new)
        result = fold(events, date.max)
        if not result.conflicts:
            return
        conflict = result.conflicts[0]
        culprit = "" if conflict.event in new else f" (event {short(conflict.event.id)})"
        if not new:
            raise TimelineConflict(f"cannot {doing}: it would leave {conflict.message.split(';')[0]}{culprit}; "
                                   "retract the later event first", str(conflict.event.id), conflict.event.on.text)
        # A new fact has no id yet that a user could look up: call it what it is.
        message = conflict.message
        for fact in new:
            message = message.replace(f"event {short(fact.id)}", "the fact being recorded")
        raise TimelineConflict(f"{self.key}: {message}{culprit}", str(conflict.event.id), conflict.event.on.text)


class Source(BaseAggregate[UUID]):
    """Where a fact comes from. Facts cite a source by its key."""

    def __init__(self, key: str, url: str | None, outlet: str | None, title: str | None,
                 published: date | None, note: str | None = None, recorded_by: str | None = None) -> None:
        self.key = key
        self.url = url
        self.outlet = outlet
        self.title = title
        self.published = published
        self.note = note
        self.recorded_by = recorded_by  # who registered it (None: before authorship was kept)
        self.files: list[FileAttached] = []  # copies kept as evidence, oldest first

    def attach(self, sha256: str, size: int, media_type: str, name: str | None, captured_at: datetime,
               recorded_by: str | None = None) -> FileAttached:
        """Keep a copy of what this source is (the file itself is stored by its hash)."""
        fields = {"sha256": sha256, "size": size, "media_type": media_type, "name": name,
                  "captured_at": captured_at, "recorded_by": recorded_by,
                  "originator_id": self.id, "originator_version": self.version + 1,
                  "timestamp": PersonEvent.create_timestamp(),
                  "previous": event_link(self.last_event)}
        event = validated(FileAttached, fields, f"source {self.key}")
        event.mutate(self)
        self.pending_events.append(event)
        return event

    @classmethod
    def register(cls, key: str, url: str | None = None, outlet: str | None = None, title: str | None = None,
                 published: date | None = None, note: str | None = None, today: date | None = None,
                 recorded_by: str | None = None) -> Source:
        check_key(key, "source")
        if url is not None and not re.match(r"^[a-z][a-z0-9+.-]*://[^/\s]+\S*$", url.strip(), re.IGNORECASE):
            raise BadInput(f"source {key}: --url '{url}' is not a web address: give it in full, "
                           "e.g. https://www.rferl.org/a/...")
        if published is not None and today is not None and published > today:
            raise BadInput(f"source {key}: --published {published} is in the future (today is {today})")
        try:
            return cls._create(SourceRegistered, id=source_id(key), key=key, url=url, outlet=outlet,
                               title=title, published=published, note=note, recorded_by=recorded_by)
        except ValidationError as error:
            raise BadInput(invalid(error, f"source {key}")) from None
