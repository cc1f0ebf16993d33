"""The Case aggregate: a proceeding (a criminal case, an investigation, a civil claim) as its own stream.

A case's stream holds its registration, its own dated facts (investigation opened and
closed, charges requalified, trial started, hearings, closure), its parties and the
retractions of any of these. Each case fact type is one class declaring beside itself what
is particular to it, as a person's fact types do (events.py): defining it registers it in
CASE_FACT_TYPES. A party with a name is written to both streams in one save: ``PartyAdded``
here, and ``NamedInCase`` on the person's own stream, so their role is read from their own
fold. A verdict is the accused's own fact with ``case`` set. Nothing else is copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, ClassVar, Sequence
from uuid import UUID, uuid4, uuid5

from eventsourcing.domain import BaseAggregate, CanInitAggregate
from pydantic import Field, ValidationError, model_validator

from casetrail.domain.chain import event_link
from casetrail.domain.dates import FuzzyDate
from casetrail.domain.errors import BadInput, NotFound, TimelineConflict
from casetrail.domain.events import CaseKey, CaseRole, Claimant, Fact, StreamEvent
from casetrail.domain.facts import invalid, make_fact, validated
from casetrail.domain.fold import fold
from casetrail.domain.person import NAMESPACE, Person, check_key
from casetrail.domain.state import short
from casetrail.domain.text import LongText, Reference, Text


def case_id(key: str) -> UUID:
    return uuid5(NAMESPACE, f"case:{key}")


class CaseEvent(StreamEvent):
    """What every event of a case's stream carries (as a person's events do)."""

    type: ClassVar[str] = "case_event"


class CaseRegistered(CaseEvent, CanInitAggregate[UUID]):
    type: ClassVar[str] = "case_registered"

    originator_topic: str
    key: CaseKey
    title: Text
    court: Text | None = None
    articles: list[Text] = Field(default_factory=list)
    source: Reference
    note: LongText | None = None

    def apply(self, aggregate: Any) -> None:
        aggregate.last_event = self


class CaseFact(CaseEvent):
    """A cited, dated fact about the proceeding itself. ``sets`` is the case's status from its date
    (None: the status stays); ``rank`` orders facts that share their dates, in steps of ten."""

    rank: ClassVar[int]
    summary: ClassVar[str]
    example: ClassVar[str]
    field_help: ClassVar[dict[str, str]] = {}
    sets: ClassVar[str | None] = None

    id: UUID = Field(default_factory=uuid4)
    on: FuzzyDate
    source: Reference
    note: LongText | None = None
    claimant: Claimant | None = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "type" in cls.__dict__:
            _register(cls)

    def fields(self) -> dict[str, Any]:
        """The type's own fields, as JSON-ready values."""
        data = self.model_dump(mode="json", exclude_none=True, exclude=set(CaseFact.model_fields))
        return {k: v for k, v in data.items() if v != []}


CASE_FACT_TYPES: dict[str, type[CaseFact]] = {}
CASE_STATUSES = ("registered", "investigation", "investigation_closed", "trial", "closed")


def _register(cls: type[CaseFact]) -> None:
    missing = [name for name in ("rank", "summary", "example") if name not in cls.__dict__]
    if missing:
        raise TypeError(f"case fact type {cls.__name__} must declare {', '.join(missing)}")
    if cls.sets is not None and cls.sets not in CASE_STATUSES:
        raise TypeError(f"case fact type {cls.__name__} sets an unknown status {cls.sets}")
    for other in CASE_FACT_TYPES.values():
        if other.rank == cls.rank and other.type != cls.type:
            raise TypeError(f"case fact types {other.__name__} and {cls.__name__} share the rank {cls.rank}")
    CASE_FACT_TYPES[cls.type] = cls


SOURCE = "--source rferl-omarov"
COURT = "Which court."


class HearingStatus(str, Enum):
    scheduled = "scheduled"
    held = "held"
    postponed = "postponed"


class InvestigationOpened(CaseFact):
    type: ClassVar[str] = "investigation_opened"
    rank: ClassVar[int] = 0
    summary: ClassVar[str] = "A criminal investigation opened: the case is under investigation."
    example: ClassVar[str] = f'--on 2022-01 --by "prosecutor general" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"by": "Who opened it.", "article": "Article of the criminal code."}
    sets: ClassVar[str | None] = "investigation"

    by: Text | None = None
    article: Text | None = None


class ChargesRequalified(CaseFact):
    type: ClassVar[str] = "charges_requalified"
    rank: ClassVar[int] = 10
    summary: ClassVar[str] = "The charge changed (e.g. murder to abuse of power)."
    example: ClassVar[str] = f'--on 2022-06 --from "murder" --to "abuse of power" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"from_charge": "The charge before.", "to_charge": "The charge after."}

    from_charge: Text
    to_charge: Text


class TrialStarted(CaseFact):
    type: ClassVar[str] = "trial_started"
    rank: ClassVar[int] = 20
    summary: ClassVar[str] = "The trial began: the case is at trial."
    example: ClassVar[str] = f'--on 2022-11 --court "Taldykorgan city court" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"court": COURT}
    sets: ClassVar[str | None] = "trial"

    court: Text | None = None


class Hearing(CaseFact):
    type: ClassVar[str] = "hearing"
    rank: ClassVar[int] = 30
    summary: ClassVar[str] = "A hearing scheduled, held or postponed."
    example: ClassVar[str] = f"--on 2022-12-01 --status postponed {SOURCE}"
    field_help: ClassVar[dict[str, str]] = {"status": "scheduled, held or postponed.", "court": COURT}

    status: HearingStatus
    court: Text | None = None


class InvestigationClosed(CaseFact):
    type: ClassVar[str] = "investigation_closed"
    rank: ClassVar[int] = 40
    summary: ClassVar[str] = "The investigation closed without trial (e.g. no elements of a crime)."
    example: ClassVar[str] = f'--on 2022-09 --reason "no elements of a crime" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"reason": "Why."}
    sets: ClassVar[str | None] = "investigation_closed"

    reason: Text | None = None


class CaseClosed(CaseFact):
    type: ClassVar[str] = "case_closed"
    rank: ClassVar[int] = 50
    summary: ClassVar[str] = "The proceeding ended (verdicts final, claim decided, ...)."
    example: ClassVar[str] = f'--on 2023-03 --reason "verdicts in force" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"reason": "Why."}
    sets: ClassVar[str | None] = "closed"

    reason: Text | None = None


class PartyAdded(CaseEvent):
    """A party to the case: a registered person (their own stream gets the matching
    ``named_in_case``, ``fact_id``), or a number of people not named (``unnamed``)."""

    type: ClassVar[str] = "party_added"

    id: UUID = Field(default_factory=uuid4)
    person: CaseKey | None = None
    unnamed: int | None = Field(default=None, ge=1, le=100_000)
    role: CaseRole
    of: CaseKey | None = None
    on: FuzzyDate
    source: Reference
    claimant: Claimant | None = None
    note: LongText | None = None
    fact_id: UUID | None = None

    @model_validator(mode="after")
    def _one_person_or_a_count(self) -> PartyAdded:
        if (self.person is None) == (self.unnamed is None):
            raise ValueError("a party is a person's KEY or --unnamed N, not both or neither")
        return self


class CaseRetracted(CaseEvent):
    """From its record time on, a case fact or a party no longer counts."""

    type: ClassVar[str] = "case_retracted"

    id: UUID = Field(default_factory=uuid4)
    event_id: UUID
    reason: Text
    source: Reference | None = None


def case_order(event: CaseFact | PartyAdded) -> tuple:
    return (event.on.earliest, event.on.latest, getattr(event, "rank", -1), event.originator_version)


@dataclass(frozen=True)
class CaseFolded:
    """A case at valid date ``as_of`` as recorded by ``known_at``."""

    as_of: date
    known_at: datetime | None
    status: str
    facts: tuple[CaseFact, ...]
    parties: tuple[PartyAdded, ...]
    uncertain: bool
    retracted: frozenset


def fold_case(events: Sequence[CaseEvent], as_of: date, known_at: datetime | None = None) -> CaseFolded:
    """The status, facts and parties that count at (V, K), in story order (as a person's fold)."""
    known = [e for e in events if known_at is None or e.timestamp <= known_at]
    gone = frozenset(e.event_id for e in known if isinstance(e, CaseRetracted))
    counted = sorted((e for e in known if isinstance(e, (CaseFact, PartyAdded)) and e.id not in gone
                      and e.on.earliest <= as_of), key=case_order)
    facts = tuple(e for e in counted if isinstance(e, CaseFact))
    status = next((f.sets for f in reversed(facts) if f.sets), "registered")
    uncertain = any(e.on.latest > as_of for e in counted)
    return CaseFolded(as_of, known_at, status, facts, tuple(e for e in counted if isinstance(e, PartyAdded)),
                      uncertain, gone)


class Case(BaseAggregate[UUID]):
    """One proceeding: an append-only stream of cited facts about it, and its parties."""

    def __init__(self, key: str, title: str, court: str | None, articles: list[str], source: str,
                 note: str | None = None, recorded_by: str | None = None) -> None:
        self.key = key
        self.title = title
        self.court = court
        self.articles = list(articles)
        self.source = source
        self.note = note
        self.recorded_by = recorded_by
        self.history: list[CaseEvent] = []

    @classmethod
    def register(cls, key: str, title: str, source: str, court: str | None = None, articles: Sequence[str] = (),
                 note: str | None = None, recorded_by: str | None = None, timestamp: datetime | None = None) -> Case:
        """``timestamp`` keeps an imported registration's record time (None: now)."""
        check_key(key, "case")
        try:
            return cls._create(CaseRegistered, id=case_id(key), key=key, title=title, court=court,
                               articles=list(articles), source=source, note=note, recorded_by=recorded_by,
                               timestamp=timestamp)
        except ValidationError as error:
            raise BadInput(invalid(error, f"case {key}")) from None

    @property
    def registered_at(self) -> datetime:
        return self.created_on

    def record(self, type_name: str, fields: dict[str, Any], today: date, recorded_by: str | None = None) -> CaseFact:
        """Append a fact about the proceeding, made and checked as a person's facts are."""
        fact = make_fact(type_name, fields, today, self._envelope(recorded_by), registry=CASE_FACT_TYPES)
        return self._append(fact)

    def party(self, role: str, fields: dict[str, Any], today: date, person: Person | None = None,
              recorded_by: str | None = None) -> tuple[PartyAdded, Fact | None]:
        """Add a party: ``person`` (their ``named_in_case`` is recorded on their stream, checked as any of
        their facts), or ``fields['unnamed']`` people counted, not named."""
        fields = {**fields, "role": role}
        if person is not None:
            self._check_new_party(person.key, role)
        if not fields.get("on"):
            fields["on"] = self._first_day()
        if not fields.get("source"):
            raise BadInput("case party: --source is required (a source key or URL); every party cites a source")
        fact = None
        if person is not None:
            own = {k: fields.get(k) for k in ("on", "source", "claimant", "note", "of")}
            fact = person.record("named_in_case", today, recorded_by, case=self.key, role=role, **own)
            fields = {**fields, "person": person.key, "fact_id": fact.id}
        fields["on"] = FuzzyDate.parse(str(fields["on"])).not_after(today)
        event = validated(PartyAdded, {**fields, **self._envelope(recorded_by)}, "case party")
        return self._append(event), fact

    def _first_day(self) -> str:
        facts = fold_case(self.history, date.max).facts
        if not facts:
            raise BadInput(f"case {self.key} has no dated fact yet to date the party by: give --on DATE "
                           "(when they became a party, e.g. 2022-01~)")
        return facts[0].on.text

    def _check_new_party(self, person: str, role: str) -> None:
        for party in fold_case(self.history, date.max).parties:
            if party.person == person and party.role.value == role:
                raise TimelineConflict(f"{person} is already {role} in case {self.key} (event {short(party.id)}); "
                                       "nothing was added", str(party.id), party.on.text)

    def retract(self, event_id: str, reason: str, source: str | None = None,
                recorded_by: str | None = None) -> tuple[CaseRetracted, CaseFact | PartyAdded]:
        """Take back a case fact or a party; the caller retracts a named party's ``named_in_case`` too."""
        target = self.find(event_id)
        if target.id in fold_case(self.history, date.max).retracted:
            raise TimelineConflict(f"event {short(target.id)} ({target.type}) of case {self.key} is already "
                                   "retracted", str(target.id))
        event = validated(CaseRetracted, {"event_id": target.id, "reason": reason, "source": source,
                                          **self._envelope(recorded_by)}, "case retract")
        return self._append(event), target

    def adopt(self, template: CaseEvent) -> CaseEvent:
        """Append an imported event as it is (its id and record time); record times may not go back,
        and a retraction must name an event of this case."""
        if template.timestamp < self.last_event.timestamp:
            raise TimelineConflict(f"case {self.key}: recorded_at {template.timestamp.isoformat()} is before the "
                                   f"stream's last record time {self.last_event.timestamp.isoformat()}")
        if isinstance(template, CaseRetracted):
            self.find(template.event_id.hex)
        return self._append(template.model_copy(update={"originator_id": self.id,
                                                        "originator_version": self.version + 1}))

    def find(self, event_id: str) -> CaseFact | PartyAdded:
        wanted = str(event_id).strip().lower().replace("-", "")
        if len(wanted) < 4 or any(c not in "0123456789abcdef" for c in wanted):
            raise BadInput(f"event id '{event_id}' is not valid: give the id that case show printed "
                           "(at least 4 hex digits)")
        matches = [e for e in self.history if isinstance(e, (CaseFact, PartyAdded)) and e.id.hex.startswith(wanted)]
        if not matches:
            raise NotFound(f"case {self.key} has no event {event_id}; run 'casetrail case show {self.key}'")
        if len(matches) > 1:
            raise BadInput(f"event id '{event_id}' matches {len(matches)} events of case {self.key}; give more digits")
        return matches[0]

    def fold(self, as_of: date, known_at: datetime | None = None) -> CaseFolded:
        if known_at is not None and known_at < self.registered_at:
            raise NotFound(f"case {self.key} was not registered yet at {known_at.isoformat(timespec='seconds')}")
        return fold_case(self.history, as_of, known_at)

    def _envelope(self, recorded_by: str | None) -> dict[str, Any]:
        return {"originator_id": self.id, "originator_version": self.version + 1,
                "timestamp": CaseEvent.create_timestamp(), "recorded_by": recorded_by}

    def _append(self, event: CaseEvent) -> Any:
        event = event.model_copy(update={"previous": event_link(self.last_event)})
        event.mutate(self)
        self.pending_events.append(event)
        return event


def outcome(person_events: Sequence[Any], case: str, as_of: date, known_at: datetime | None) -> Fact | None:
    """The accused's latest verdict fact tied to ``case`` that counts at (V, K), from their own fold."""
    verdicts = [e for e in fold(person_events, as_of, known_at).events if e.verdict and e.case == case]
    return verdicts[-1] if verdicts else None
