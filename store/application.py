"""The application: load a person, call a command, save. A few lines each.

Optimistic concurrency: two writers may load the same person at once; the
second save fails with eventsourcing's IntegrityError. We then reload, let the
command check the timeline again against what the other writer stored, and
retry, so nothing is lost and nothing impossible slips in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import time
import re
from datetime import date, datetime, timezone
from functools import wraps
from typing import Any, Callable, Iterator, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.utils import get_topic

from casetrail.domain.dates import today_utc
from casetrail.domain.errors import AlreadyExists, BadInput, NotFound, StoreError
from casetrail.domain.events import (
    FACT_TYPES, Amended, Corroborated, Fact, FileAttached, Merged, MergedInto, PersonEvent, Preferred, Registered, Retracted,
    SourceRegistered,
)
from casetrail.domain.fold import Folded, retracted_ids
from casetrail.domain.case import (
    Case, CaseFact, CaseFolded, CaseRegistered, CaseRetracted, PartyAdded, case_id, outcome,
)
from casetrail.domain.facts import fact_class
from casetrail.domain.names import likely_duplicates
from casetrail.domain.person import ABSORBED, RETRACTABLE, Person, Source, check_author, check_key, person_id, source_id
from casetrail.store.evidence import ENV_MAX, Files, most_bytes
from casetrail.store.ledger import Ledger, leaf_of, log_secret
from casetrail.store.notes import Checkpoint, Signer, Verifier
from casetrail.store.proofs import prove
from casetrail.store.verify import Log, Verification, verify
from casetrail.store.storage import OrjsonTranscoder, PydanticMapper, StoreURL, enforce_append_only, store_errors

RETRIES = 20
_TAKEN_BACK_TOPICS = frozenset(get_topic(cls) for cls in (*FACT_TYPES.values(), Corroborated, Preferred))
_STREAM_KINDS = {Registered: "person", CaseRegistered: "case", SourceRegistered: "source"}  # a stream's first event
T = TypeVar("T")


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    @wraps(method)
    def wrapper(self: Casetrail, *args: Any, **kwargs: Any) -> T:
        with store_errors(self.store):
            return method(self, *args, **kwargs)

    return wrapper


class Casetrail(Application[UUID]):
    """Person and source streams in one store."""

    name = "casetrail"

    def __init__(self, url: str | None = None, *, recorded_by: str | None, create: bool = True) -> None:
        """Open the store at ``url``; without ``create``, refuse one that does not exist yet.

        ``recorded_by`` is who records every event this application writes (a documenter's
        name or login); required, so that no write goes unattributed by mistake. None opens
        the store for reading: a write is then refused."""
        self.url = url  # as given (None: $CASETRAIL_DB or the default), to open the store again elsewhere
        self.recorded_by = check_author(recorded_by)
        self.store = StoreURL.parse(url)
        self.retries = 0  # saves lost to a concurrent writer and retried
        self._known_sources: set[str] = set()  # sources are never removed: once seen, always there
        self._url_secret = url_secret(self.store.env.get("CIPHER_KEY"))
        self._log_secret = log_secret(self.store.env.get("CIPHER_KEY"))
        self._url_keys: dict[str, str] = {}  # URL -> its source's key in this store
        self.on_redirect: Callable[[str, str], None] | None = None  # told when a merged key is followed
        self.store.waiting_for_lock(lambda: self._open(create))

    def _open(self, create: bool) -> None:
        try:
            with self.store.opening(create), store_errors(self.store):
                super().__init__(env=self.store.env)
            with store_errors(self.store):  # after opening lets go of its lock
                enforce_append_only(self.store, self.recorder)
                self._check_key()
        except Exception:
            # Close the half-built connection pool now, not from a garbage collector's thread.
            if getattr(self, "factory", None) is not None:
                self.factory.close()
            raise

    def construct_mapper(self) -> PydanticMapper:
        mapper = PydanticMapper(transcoder=OrjsonTranscoder(), compressor=self.factory.compressor(),
                                cipher=self.factory.cipher())
        mapper.store_name = self.store.shown
        mapper.sample = self._first_states
        return mapper

    def _check_key(self) -> None:
        """Refuse a wrong key, a missing one or one the store was not written with, on opening:
        before any command writes (a new person reads nothing first) or reads."""
        first = self.recorder.select_notifications(1, 1)
        if first:
            self.mapper.check(first[0].state)

    def _first_states(self) -> list[bytes]:
        return [n.state for n in self.recorder.select_notifications(1, 20)]

    # -- people -------------------------------------------------------------

    @_guarded
    def add_person(self, key: str, name: str, aliases: list[str] | tuple = (), born: int | None = None,
                   place: str | None = None, note: str | None = None,
                   facts: list[tuple[str, dict[str, Any]]] = ()) -> Person:
        """Register a person, with their first facts if given: one save, all or none."""
        person = Person.register(key, name, aliases, born, place, note, today=today_utc(), recorded_by=self.author)
        self._check_cases(list(facts))
        citations = [self._citation(f["source"]) if f.get("source") else (None, None) for _, f in facts]
        if facts:
            person.record_many([(t, {**f, "source": key_}) for (t, f), (key_, _) in zip(facts, citations)],
                               today_utc(), self.author)
        urls = [url for _, url in citations if url]
        for _ in range(2):  # a second try only if another writer registered one of the sources meanwhile
            try:
                self._save_citing(person, urls)  # the person, their facts and the sources they cite: all or none
                return person
            except IntegrityError:
                if self._exists(person.id):
                    raise AlreadyExists(f"person {key} is already registered; choose another key, "
                                        f"e.g. {key}-2") from None
        raise StoreError(f"could not register {key}: its sources kept changing under it; try again")

    @_guarded
    def person(self, key: str, follow: bool = True, known_at: datetime | None = None) -> Person:
        """The person ``key`` names, with the events of the records merged into them. A record merged into
        another points to it: with ``follow`` (and a pointer recorded by ``known_at``), that one is given,
        and ``on_redirect(key, into)`` is told."""
        person = self._load(key)
        pointer = person.pointer if follow else None
        if pointer is not None and (known_at is None or pointer.timestamp <= known_at):
            if self.on_redirect is not None:
                self.on_redirect(key, pointer.into)
            person = self._load(pointer.into)
        return person

    def _load(self, key: str) -> Person:
        check_key(key)
        try:
            person = self.repository.get(person_id(key), projector_func=_project)
        except AggregateNotFoundError:
            raise NotFound(f"no person '{key}'; see 'casetrail person list' or add one with "
                           f"'casetrail person add {key} --name ...'") from None
        for merge in (e for e in person.history if isinstance(e, Merged)):
            person.absorbed += self.absorbed(merge)
        return person

    def absorbed(self, merge: Merged) -> list[PersonEvent]:
        """What ``merge`` took in of the other stream: its facts and what was said of them, up to the merge."""
        stored = self.recorder.select_events(merge.other_id, lte=merge.other_version)
        return [e for e in map(self.mapper.to_domain_event, stored) if isinstance(e, ABSORBED)]

    @_guarded
    def amend(self, key: str, source: str, name: str | None = None, aliases: list[str] | tuple = (),
              born: int | None = None, place: str | None = None) -> Amended:
        """Correct or complete a person's name, aliases, year of birth or place, citing a source."""
        person = self.person(key)
        source, url = self._citation(source)
        author = self.author
        return self._retrying(person, lambda p: p.amend(source, name, aliases, born, place, today_utc(), author), [url])

    @_guarded
    def merge(self, keep: str, other: str, reason: str, source: str | None = None) -> tuple[Merged, MergedInto]:
        """Join two records of one human: ``other``'s facts count for ``keep`` from now on; one save of both."""
        source, url = self._citation(source) if source else (None, None)
        kept, taken = self.person(keep, follow=False), self.person(other, follow=False)
        events = kept.merge(taken, reason, source, self.author)
        try:
            self._save_citing(kept, [url], taken)
        except IntegrityError:
            raise StoreError(f"{keep} or {other} was written by someone else meanwhile; run the merge again") from None
        return events

    @_guarded
    def people(self) -> list[Registered]:
        """Every registration, in the order they were recorded."""
        return list(self._registrations(Registered))

    @_guarded
    def names(self) -> list[tuple[str, list[str]]]:
        """Each person's key with their names and aliases as amended, in registration order; a record merged
        into another is left out (its names are the kept one's concern)."""
        found = {r.originator_id: (r.key, [r.name, *r.aliases]) for r in self._registrations(Registered)}
        for amended in self._registrations(Amended):
            key, names = found[amended.originator_id]
            names += [n for n in [amended.name, *amended.aliases] if n and n not in names]
        for pointer in self._registrations(MergedInto):
            if pointer.originator_id in found and self._load(found[pointer.originator_id][0]).pointer is not None:
                del found[pointer.originator_id]
        return list(found.values())

    def likely_duplicates(self, new: set[str] | None = None) -> list[dict[str, Any]]:
        """Pairs of people whose names or aliases are alike (``names.likely_duplicates``), best first."""
        return likely_duplicates(self.names(), new)

    # -- sources ------------------------------------------------------------

    @_guarded
    def add_source(self, key: str, url: str | None = None, outlet: str | None = None, title: str | None = None,
                   published: date | None = None, note: str | None = None) -> Source:
        source = Source.register(key, url, outlet, title, published, note, today=today_utc(),
                                 recorded_by=self.author)
        try:
            self.save(source)
        except IntegrityError:
            raise AlreadyExists(f"source {key} is already registered; cite it as --source {key}") from None
        return source

    @_guarded
    def source(self, key: str) -> Source:
        check_key(key, "source")
        try:
            return self.repository.get(source_id(key))
        except AggregateNotFoundError:
            raise NotFound(f"no source '{key}'; see 'casetrail source list' or add one with "
                           f"'casetrail source add {key} --url ...'") from None

    @_guarded
    def sources(self) -> list[SourceRegistered]:
        return list(self._registrations(SourceRegistered))

    @_guarded
    def cite(self, reference: str) -> str:
        """The key of the source a fact cites: an existing key, or a URL registered on first use."""
        reference = (reference or "").strip()
        if reference in self._known_sources:
            return reference
        if not is_url(reference):
            if not self._exists(source_id(check_key(reference, "source"))):
                raise NotFound(f"no source '{reference}'; add it with 'casetrail source add {reference} --url ...' "
                               "or give --source a URL")
            self._known_sources.add(reference)
            return reference
        key = self.url_key(reference)
        if key not in self._known_sources and not self._exists(source_id(key)):
            try:
                self.save(Source.register(key, url=reference, recorded_by=self.author))
            except IntegrityError:
                pass  # another writer registered the same URL a moment ago: same key, same source
        self._known_sources.add(key)
        return key

    @_guarded
    def url_key(self, url: str) -> str:
        """The key of the source for ``url`` in this store. On an encrypted store it is an HMAC of
        the URL, unless the URL was registered before under the older key (its host and SHA-256),
        which it keeps: citing it again must not register it twice."""
        key = self._url_keys.get(url)
        if key is None:
            key = key_for_url(url, self._url_secret)
            if self._url_secret is not None and not self._exists(source_id(key)):
                older = key_for_url(url)
                if self._stored_url(older) == url:  # the same URL, not a clash of short hashes
                    key = older
            self._url_keys[url] = key
        return key

    @_guarded
    def attach(self, key: str, content: bytes, media_type: str, name: str | None = None,
               captured_at: datetime | None = None) -> FileAttached:
        """Keep a copy of what a source is, as evidence: the file (encrypted when the store is) and an
        event in the source's stream with its SHA-256, size, media type and when it was captured."""
        if len(content) > most_bytes():
            raise BadInput(f"the file is {len(content):,} bytes, more than the {most_bytes() // 2 ** 20} MB a store "
                           f"takes; set {ENV_MAX} to allow more")
        source = self.source(key)
        author = self.author
        digest = hashlib.sha256(content).hexdigest()
        event = source.attach(digest, len(content), media_type, name, captured_at or datetime.now(timezone.utc),
                              author)  # refused before anything is written
        self.files.put(content)
        self.save(source)
        return event

    @_guarded
    def preserved(self, key: str, sha256: str | None = None) -> tuple[FileAttached, bytes]:
        """A source's preserved copy (the latest, or the one whose hash starts with ``sha256``)."""
        files = self.source(key).files
        chosen = [f for f in files if f.sha256.startswith((sha256 or "").lower())]
        if not chosen:
            raise NotFound(f"source {key} has no preserved copy" + (f" {sha256}" if sha256 else "") +
                           f"; keep one with 'casetrail source attach {key} PATH'")
        found = chosen[-1]
        content = self.files.get(found.sha256)
        if hashlib.sha256(content).hexdigest() != found.sha256:
            raise StoreError(f"the preserved copy of source {key} was changed after it was stored; run "
                             "'casetrail verify'")
        return found, content

    @_guarded
    def attachments(self) -> dict[str, list[FileAttached]]:
        """Every source's preserved copies, by the source's key."""
        found: dict[str, list[FileAttached]] = {}
        keys = {s.originator_id: s.key for s in self.sources()}
        for event in self._registrations(FileAttached):
            found.setdefault(keys.get(event.originator_id, str(event.originator_id)), []).append(event)
        return found

    @property
    def files(self) -> Files:
        return Files(self.ledger, self.mapper.cipher)

    # -- facts --------------------------------------------------------------

    @_guarded
    def record(self, key: str, type_name: str, **fields: Any) -> Fact | Corroborated:
        """Append one fact to a person's stream; returns the stored event: the fact, or the corroboration
        of a recorded fact that it tells again from another source."""
        person = self.person(key)
        self._check_cases([(type_name, fields)])
        url = None
        if fields.get("source"):
            fields["source"], url = self._citation(fields["source"])
        author = self.author
        return self._retrying(person, lambda p: p.record_many([(type_name, dict(fields))], today_utc(), author)[0],
                              [url])

    @_guarded
    def record_many(self, key: str, facts: list[tuple[str, dict[str, Any]]]) -> list[Fact | Corroborated]:
        """Append several facts to one person in one save (all or none)."""
        person = self.person(key)
        self._check_cases(facts)
        citations = [self._citation(f["source"]) if f.get("source") else (None, None) for _, f in facts]
        cited = [(t, {**f, "source": key_}) for (t, f), (key_, _) in zip(facts, citations)]
        today = today_utc()
        author = self.author
        return self._retrying(person, lambda p: p.record_many(cited, today, author), [url for _, url in citations])

    @_guarded
    def retract(self, key: str, event_id: str, reason: str, source: str | None = None) -> Retracted:
        """Take back a fact (or a corroboration, a preference, a merge: its pointer is taken back with it)."""
        person = self.person(key)
        target = person.find(event_id, kinds=RETRACTABLE)
        if target.type == "named_in_case":  # the case's party event goes with it, in one save
            raise BadInput(f"event {str(target.id)[:8]} is {key}'s role in case {target.case}: take it back with "
                           f"'casetrail case retract {target.case} PARTY_ID' (the id 'case show {target.case}' "
                           "prints), which retracts the party on both streams")
        source, url = self._citation(source) if source else (None, None)
        author = self.author
        merge = target
        if not isinstance(merge, Merged):
            return self._retrying(person, lambda p: p.retract(event_id, reason, source, author), [url])
        retraction = person.retract(event_id, reason, source, author)
        other = self.person(merge.other, follow=False)
        other.unpoint(merge.id, reason, author, retraction.timestamp)
        try:
            self._save_citing(person, [url], other)
        except IntegrityError:
            raise StoreError(f"{person.key} or {merge.other} was written by someone else meanwhile; retract the "
                             "merge again") from None
        return retraction

    @_guarded
    def undo_import(self, batch: str, reason: str) -> dict[str, int]:
        """Retract every fact, corroboration and preference import ``batch`` added, one save per person
        (people and sources it registered stay registered). Returns how many were retracted, per person."""
        added: dict[UUID, list[UUID]] = {}
        for notification in self._notifications(1):
            if notification.topic in _TAKEN_BACK_TOPICS:
                event = self.mapper.to_domain_event(notification)
                if event.batch == batch:
                    added.setdefault(event.originator_id, []).append(event.id)
        if not added:
            raise NotFound(f"no fact, corroboration or preference was added by import {batch}; give the batch id an "
                           "import printed ('imported FILE: ... batch 20261207-1a2b3c4d')")
        author, undone = self.author, {}
        for stream_id, ids in added.items():
            person = self.repository.get(stream_id, projector_func=_project)
            gone = retracted_ids(person.history)
            wanted = [i for i in ids if i not in gone]
            if wanted:
                self._retrying(self.person(person.key, follow=False), lambda p: p.retract_all(wanted, reason, author))
            undone[person.key] = len(wanted)
        return undone

    @_guarded
    def recorded_between(self, since: datetime, until: datetime | None = None) -> list[tuple[str, str, Any]]:
        """Every event recorded after ``since`` and by ``until`` (None: now), store-wide, in record-time
        order, with what its stream is (person, case, source) and its key: ``casetrail changes``.
        Record times live in the events' states, so every event is read once."""
        streams: dict[UUID, tuple[str, str]] = {}
        found = []
        for notification in self._notifications(1):
            event = self.mapper.to_domain_event(notification)
            kind = _STREAM_KINDS.get(type(event))
            if kind is not None:
                streams[event.originator_id] = (kind, event.key)
            if event.timestamp > since and (until is None or event.timestamp <= until):
                found.append(event)
        found.sort(key=lambda e: e.timestamp)
        return [(*streams.get(e.originator_id, ("stream", str(e.originator_id))), e) for e in found]

    @_guarded
    def corroborate(self, key: str, event_id: str, source: str, claimant: str | None = None,
                    note: str | None = None) -> Corroborated:
        person = self.person(key)
        source, url = self._citation(source)
        author = self.author
        return self._retrying(person, lambda p: p.corroborate(event_id, source, claimant, note, author), [url])

    @_guarded
    def prefer(self, key: str, event_id: str, reason: str, source: str | None = None) -> Preferred:
        person = self.person(key)
        source, url = self._citation(source) if source else (None, None)
        author = self.author
        return self._retrying(person, lambda p: p.prefer(event_id, reason, source, author), [url])

    @_guarded
    def fold(self, key: str, as_of: date | None = None, known_at: datetime | None = None) -> Folded:
        return self.person(key).fold(as_of or today_utc(), known_at)

    # -- cases --------------------------------------------------------------

    @_guarded
    def add_case(self, key: str, title: str, source: str, court: str | None = None, articles: Any = (),
                 note: str | None = None) -> Case:
        """Register a proceeding (with the source it is read from, registered too if a new URL)."""
        Case.register(key, title, source or "-", court, articles, note)  # bad input refused before any write
        if not source:
            raise BadInput("case add: --source is required (a source key or URL); every case cites a source")
        cited, url = self._citation(source)
        case = Case.register(key, title, cited, court, articles, note, recorded_by=self.author)
        try:
            self._save_citing(case, [url])
        except IntegrityError:
            raise AlreadyExists(f"case {key} is already registered; see 'casetrail case show {key}'") from None
        return case

    @_guarded
    def case(self, key: str) -> Case:
        check_key(key, "case")
        try:
            return self.repository.get(case_id(key), projector_func=_project)
        except AggregateNotFoundError:
            raise NotFound(f"no case '{key}'; see 'casetrail case list' or add one with "
                           f"'casetrail case add {key} --title ... --source ...'") from None

    @_guarded
    def cases(self) -> list[CaseRegistered]:
        """Every case's registration, in the order they were recorded."""
        return list(self._registrations(CaseRegistered))

    @_guarded
    def record_case(self, key: str, type_name: str, **fields: Any) -> CaseFact:
        """Append a fact about a proceeding to its stream."""
        cited = self._cited(fields)
        author = self.author
        return self._saving(lambda: [self.case(key)],
                            lambda case: case.record(type_name, dict(cited[0]), today_utc(), author), cited[1])

    @_guarded
    def add_party(self, key: str, role: str, person: str | None = None, **fields: Any) -> PartyAdded:
        """A party to a case: a person (their role written to their own stream, in the same save) or
        ``unnamed`` people counted."""
        cited = self._cited(fields)
        author = self.author

        def load() -> list[Any]:
            return [self.case(key), *([self.person(person)] if person else [])]

        return self._saving(load, lambda case, *who: case.party(role, dict(cited[0]), today_utc(), *who,
                                                                 recorded_by=author)[0], cited[1])

    @_guarded
    def retract_case(self, key: str, event_id: str, reason: str, source: str | None = None) -> CaseRetracted:
        """Take back a case fact or a party (and a named party's role on their own stream), in one save."""
        source, url = self._citation(source) if source else (None, None)
        author = self.author
        loaded: list[Any] = []

        def load() -> list[Any]:
            case = self.case(key)
            target = case.find(event_id)
            person = getattr(target, "person", None)
            loaded[:] = [case, *([self.person(person)] if person else [])]
            return loaded

        def command(case: Case, *who: Person) -> CaseRetracted:
            retraction, target = case.retract(event_id, reason, source, author)
            for person in who:
                person.retract(str(target.fact_id), reason, source, author)
            return retraction

        return self._saving(load, command, url)

    @_guarded
    def record_verdict(self, key: str, accused: str, type_name: str, **fields: Any) -> Fact | Corroborated:
        """A verdict on one accused of the case: their own fact, with ``case`` set, recorded as ``record`` does."""
        cls = fact_class(type_name)
        if not cls.verdict:
            verdicts = ", ".join(t for t, c in FACT_TYPES.items() if c.verdict)
            raise BadInput(f"{type_name} is not a verdict; a case records {verdicts} for an accused")
        parties = self.case(key).fold(date.max).parties
        if not any(p.person == accused and p.role.value == "accused" for p in parties):
            raise NotFound(f"{accused} is not accused in case {key}; add them first with 'casetrail case party "
                           f"{key} {accused} --role accused --source ...'")
        return self.record(accused, type_name, **{**fields, "case": key})

    @_guarded
    def case_answer(self, key: str, as_of: date | None = None, known_at: datetime | None = None
                    ) -> tuple[Case, CaseFolded, dict[str, Fact | None], dict[str, str]]:
        """A case at (V, K), each named accused's verdict in it (read from their own stream), and the
        record that holds each named party at K (a party added under a record merged since is the
        record it was merged into)."""
        case = self.case(key)
        day = as_of or today_utc()
        folded = case.fold(day, known_at)
        held: dict[str, Person] = {}  # each named key's record at K, loaded once
        for party in folded.parties:
            for named in {party.person, party.of} - {None} - set(held):
                held[named] = self.person(named, known_at=known_at)
        verdicts = {p.person: outcome(held[p.person].story, key, day, known_at) for p in folded.parties
                    if p.person and p.role.value == "accused"}
        return case, folded, verdicts, {named: person.key for named, person in held.items()}

    def _cited(self, fields: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """The fields with their source's key, and the URL to register with them (None: a known source)."""
        if not fields.get("source"):
            return fields, None
        key, url = self._citation(fields["source"])
        return {**fields, "source": key}, url

    def _check_cases(self, facts: list[tuple[str, dict[str, Any]]]) -> None:
        """Refuse a fact tied to a case that is not registered."""
        for type_name, fields in facts:
            case = fields.get("case")
            if case and not self._exists(case_id(check_key(str(case), "case"))):
                raise NotFound(f"{type_name}: no case '{case}'; add it with 'casetrail case add {case} --title ... "
                               "--source ...' or see 'casetrail case list'")

    def _saving(self, load: Callable[[], list[Any]], command: Callable[..., T], url: str | None) -> T:
        """Load the aggregates, run the command, save them all in one transaction; on a concurrent
        write, load them again and run it again."""
        for attempt in range(RETRIES):
            aggregates = load()
            result = command(*aggregates)
            try:
                sources = [Source.register(self.url_key(url), url=url, recorded_by=self.author)
                           for url in [url] if url and not self._exists(source_id(self.url_key(url)))]
                self.save(*sources, *aggregates)
                self._known_sources.update(source.key for source in sources)
                return result
            except IntegrityError:
                self.retries += 1
                time.sleep(random.uniform(0, min(0.5, 0.002 * 2 ** attempt)))
        raise StoreError(f"gave up after {RETRIES} tries: the case is being written by many processes at once; "
                         "try again")

    # -- integrity ----------------------------------------------------------

    @_guarded
    def verify(self, against: str | None = None, progress: Callable[[int, int], None] | None = None,
               trusted: list[Verifier] = (), kept: Checkpoint | None = None) -> Verification:
        """Check every stream's chain of links (and, with ``against``, the heads at an earlier stamp),
        the store-wide log against its stored checkpoints and ``kept`` (one kept elsewhere), and
        their signatures against ``trusted`` keys and those the store trusts."""
        log = Log(self.ledger, self._log_secret, [*trusted, *self.ledger.trusted()], kept, self.files.problem)
        return verify(self.recorder, self.mapper.decode_state, against, progress, log)

    @_guarded
    def checkpoint(self, signer: Signer) -> Checkpoint:
        """Seal the log's head: keep the leaves of the events stored since the last checkpoint and
        store a checkpoint over all of them, signed by ``signer``."""
        self.ledger.create()
        _, last = self.ledger.sealed_count()
        new = [(n.id, leaf_of(n.id, n.originator_id.hex, n.originator_version, n.topic,
                              self.mapper.decode_state(n.state), self._log_secret))
               for n in self._notifications(last + 1)]
        return self.ledger.seal(new, signer, None)

    @_guarded
    def trust(self, verifier: Verifier) -> None:
        """Trust checkpoints signed by ``verifier`` when verifying this store."""
        self.ledger.trust(verifier)

    @_guarded
    def prove(self, event_id: str) -> dict[str, Any]:
        """What a third party needs to check that one event is in the latest checkpoint."""
        return prove(self.ledger, self._notifications(1), self.mapper.decode_state, event_id, self._log_secret)

    # -- helpers ------------------------------------------------------------

    @property
    def author(self) -> str:
        """Who records what this application writes; refused when it was opened for reading."""
        if self.recorded_by is None:
            raise BadInput("this store was opened for reading (recorded_by=None): say who records, "
                           "with --as NAME, CASETRAIL_USER, or Casetrail(url, recorded_by=...)")
        return self.recorded_by

    def _citation(self, reference: str) -> tuple[str, str | None]:
        """The key of the source a fact cites, and the URL when it names a source not registered
        yet: that source is saved with the fact (``_retrying``), so a refused fact leaves none behind."""
        reference = (reference or "").strip()
        if reference in self._known_sources or not is_url(reference):
            return self.cite(reference), None  # an existing key: nothing is written
        key = self.url_key(reference)
        if key in self._known_sources or self._exists(source_id(key)):
            self._known_sources.add(key)
            return key, None
        Source.register(key, url=reference)  # a URL it refuses is refused now, before the fact
        return key, reference

    def _save_citing(self, person: Person | Case, urls: list[str | None], *also: Person) -> None:
        """Save the person (and ``also``: the other of a merge) with the sources their new facts cite by URLs
        not in the store yet, in one transaction (IntegrityError if another writer got there first)."""
        sources = [Source.register(self.url_key(url), url=url, recorded_by=self.author) for url in dict.fromkeys(urls)
                   if url and not self._exists(source_id(self.url_key(url)))]
        self.save(*sources, person, *also)
        self._known_sources.update(source.key for source in sources)

    def _retrying(self, person: Person, command: Callable[[Person], T], urls: list[str | None] = ()) -> T:
        """Run the command and save, with the sources it cites by new URLs, in one transaction;
        on a concurrent write, reload and run it again."""
        for attempt in range(RETRIES):
            result = command(person)
            try:
                self._save_citing(person, urls)
                return result
            except IntegrityError:
                self.retries += 1
                # Another writer got there first. Back off a random while, so that
                # writers in a tight loop do not keep colliding, then reload.
                time.sleep(random.uniform(0, min(0.5, 0.002 * 2 ** attempt)))
                person = self.person(person.key)
        raise StoreError(f"gave up after {RETRIES} tries: {person.key} is being written by many processes at once; "
                         "try again")

    @property
    def ledger(self) -> Ledger:
        return Ledger(self.store, self.recorder)

    def _notifications(self, start: int) -> Iterator[Any]:
        """Every stored event from notification ``start`` on, a page at a time."""
        while page := self.recorder.select_notifications(start, 5000):
            yield from page
            start = page[-1].id + 1

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def _stored_url(self, key: str) -> str | None:
        try:
            return self.repository.get(source_id(key)).url
        except AggregateNotFoundError:
            return None

    def _registrations(self, cls: type) -> Iterator[Any]:
        topic = get_topic(cls)
        start = 1
        while True:
            page = self.recorder.select_notifications(start, 1000, topics=[topic])
            for notification in page:
                yield self.mapper.to_domain_event(notification)
            if len(page) < 1000:
                return
            start = page[-1].id + 1


def _project(aggregate: Any, events: Any) -> Any:
    # eventsourcing's default projector asserts a runtime Protocol on every event,
    # which costs more than the mutation itself; our events are all PersonEvents.
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def is_url(text: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE))


def url_secret(cipher_key: str | None) -> bytes | None:
    """The secret that source keys of URLs are made with on an encrypted store (None: no encryption).
    Derived, not the cipher key itself, so that no use of one can weaken the other."""
    if not cipher_key:
        return None
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"casetrail source keys for URLs")
    return derive.derive(base64.b64decode(cipher_key))


def key_for_url(url: str, secret: bytes | None = None) -> str:
    """A stable source key for a URL. Without a secret (a store without encryption, which holds the
    URL in plain text anyway): its host and a short SHA-256, readable. With one: an HMAC of the URL
    and no host, so that the key confirms no guessed URL to anyone without the store's key."""
    try:
        parts = urlsplit(url)  # raises on a bracketed host that is not an IPv6 address
    except ValueError as error:
        raise BadInput(f"source URL '{url}' is not valid ({error}): give a full URL such as "
                       "https://www.rferl.org/a/...") from None
    if not parts.netloc:
        raise BadInput(f"source URL '{url}' has no host: give a full URL such as https://www.rferl.org/a/...")
    if secret is not None:
        return "url-" + hmac.new(secret, url.encode(), hashlib.sha256).hexdigest()[:16]
    host = parts.hostname or ""
    host = re.sub(r"^www\.", "", host)
    words = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:40] or "source"
    digest = hashlib.sha256(url.encode()).hexdigest()[:8]
    return f"{words}-{digest}"
