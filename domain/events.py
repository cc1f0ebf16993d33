"""The event vocabulary: small frozen pydantic models named in the past tense.

Each class's ``type`` is the snake_case name the CLI, the import format and the
JSON output use. The class path (``casetrail.domain.events:Detained``) is the
topic stored with every event: never rename or move a class; register the old
topic with ``eventsourcing.utils.register_topic`` if you must.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import CanInitAggregate, CanMutateAggregate
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo,
                      model_validator)

from casetrail.domain.dates import FuzzyDate
from casetrail.domain.money import Amount, Currency, check_minor_units, exact_sum
from casetrail.domain.state import FIX, IN_CUSTODY, Money, State, custody_words, enter, short, with_
from casetrail.domain.text import LongText, Reference, Text, from_store
from casetrail.domain.words import listed

UNKNOWN_AUTHOR = "unknown"  # who recorded an event stored before authorship was kept
SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


def _slug(value: str) -> str:
    value = value.strip().lower().replace("-", "_").replace(" ", "_")
    if not SLUG.match(value) or len(value) > 60:
        raise ValueError(f"'{value}' must be a short snake_case word such as accidental_victim")
    return value


Slug = Annotated[str, AfterValidator(_slug)]

# Who asserts a fact (the source is where we read it): the kinds a list rule or a reader can tell apart.
CLAIMANTS = ("official", "court", "family", "lawyer", "witness", "ngo", "media", "self")


def _claimant(value: str) -> str:
    word = value.strip()
    if word.lower() in CLAIMANTS:
        return word.lower()
    kind, colon, text = word.partition(":")
    if colon and kind.strip().lower() == "other" and text.strip():
        return "other:" + text.strip()
    raise ValueError(f"must be one of {', '.join(CLAIMANTS)}, or other:TEXT such as other:neighbour")


Claimant = Annotated[str, AfterValidator(_claimant)]


class SentenceKind(str, Enum):
    prison = "prison"
    restricted_freedom = "restricted_freedom"
    suspended = "suspended"
    fine = "fine"


class AppealBy(str, Enum):
    defence = "defence"
    prosecution = "prosecution"
    victim = "victim"
    family = "family"


class Outcome(str, Enum):
    upheld = "upheld"
    overturned = "overturned"
    reduced = "reduced"
    granted = "granted"
    partly_granted = "partly_granted"
    rejected = "rejected"


class CaseRole(str, Enum):
    """What a person is in a proceeding (domain/case.py)."""

    accused = "accused"
    victim = "victim"
    claimant = "claimant"
    witness = "witness"
    relative = "relative"


CASE_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _case_key(value: str) -> str:
    if not CASE_KEY.match(value) or len(value) > 80:
        raise ValueError(f"'{value[:40]}' is not a case key: use lowercase letters, digits and single hyphens, "
                         "e.g. case-0042")
    return value


CaseKey = Annotated[str, AfterValidator(_case_key)]


class Recipient(str, Enum):
    person = "person"
    family = "family"


class StreamEvent(BaseModel, CanMutateAggregate[UUID]):
    """What every event of a person's or a case's stream carries: the stream, its place in
    record order, the record time eventsourcing stamps on it, its link and its author."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    previous: str | None = None  # the link (domain/chain.py) of the stream's event before this one
    recorded_by: Text | None = None  # who recorded it (None: stored before authorship was kept)
    batch: str | None = None  # the import that added it (``import undo``); stored only when given

    @property
    def recorded_at(self) -> datetime:
        return self.timestamp

    @property
    def author(self) -> str:
        return self.recorded_by or UNKNOWN_AUTHOR

    def apply(self, aggregate: Any) -> None:
        aggregate.history.append(self)
        aggregate.last_event = self


class PersonEvent(StreamEvent):
    """An event of a person's stream (a case's are domain/case.py's CaseEvent)."""

    type: ClassVar[str] = "event"


class Registered(PersonEvent, CanInitAggregate[UUID]):
    type: ClassVar[str] = "registered"

    originator_topic: str
    key: str
    name: Text
    aliases: list[Text] = Field(default_factory=list)
    born: int | None = Field(default=None, ge=1850, le=2100)
    place: Text | None = None
    note: LongText | None = None

    def apply(self, aggregate: Any) -> None:
        aggregate.last_event = self


def _not_given(value: Any) -> bool:
    return not value


class Fact(PersonEvent):
    """A cited fact about the world, with the day (fuzzy) it happened.

    Everything particular to a type is declared on its class, once: the class
    variables below (not fields, so nothing stored changes), how it changes a State
    (``step``) and what it refuses (``own_refusal``). Defining the class registers it in
    FACT_TYPES; the CLI, the picture and the fold read it from there.
    """

    # Story order among facts that share their dates (fold.story_order), in steps of ten so that a
    # new type can sit between two: custody and courts
    # first, then a death, then what may still follow a death (designations, compensation).
    rank: ClassVar[int]
    summary: ClassVar[str]  # one line: what it is and what it changes
    example: ClassVar[str]  # the options of a `casetrail record KEY TYPE` that works
    field_help: ClassVar[dict[str, str]] = {}  # --help words of its own fields
    category: ClassVar[str]  # what the picture calls its markers, and colours them by
    after_death: ClassVar[bool] = False  # may still be recorded after the person's death
    before_birth: ClassVar[bool] = False  # may be dated wholly before the person's year of birth

    # What a claim may also say (issue 12): who asserts it, which account of one happening it
    # disputes, and that it is a different happening from a like one on the same dates. Stored
    # only when given (``exclude_if``: cheaper than a model serializer on every dump), so an event written before they existed
    # keeps its stored form, and the chain link over it.
    repeats: ClassVar[bool] = False  # two of the type on overlapping dates are ordinarily different happenings
    facet: ClassVar[str | None] = None  # the facet an account of it decides, for a dispute (None: its type)
    verdict: ClassVar[bool] = False  # a court's verdict on an accused: `case record CASE TYPE --accused KEY` routes it

    id: UUID = Field(default_factory=uuid4)
    on: FuzzyDate
    source: Reference
    note: LongText | None = None
    group: Text | None = None
    claimant: Claimant | None = Field(None, exclude_if=_not_given)
    disputes: UUID | None = Field(None, exclude_if=_not_given)
    distinct: bool = Field(False, exclude_if=_not_given)
    # The proceeding (domain/case.py) it belongs to, stored only when given like the claim fields.
    # Not one of _COMMON: it is part of what a fact says (two like facts of two cases differ).
    case: CaseKey | None = Field(None, exclude_if=_not_given)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "type" in cls.__dict__:
            _register(cls)

    def fields(self) -> dict[str, Any]:
        """The type's own fields, as JSON-ready values, without the envelope."""
        data = self.model_dump(mode="json", exclude=_COMMON, exclude_none=True)
        return {k: v for k, v in data.items() if v != []}

    def step(self, state: State) -> State:
        """The state right after this fact; by default it changes nothing (a cited note)."""
        return state

    def refusal(self, state: State) -> str | None:
        """Why this fact cannot follow ``state``, or None when it can: a death first (only the
        types declared ``after_death`` may follow one), then the type's ``own_refusal``."""
        died = state.died
        if died is None or self.after_death:
            return self.own_refusal(state)
        allowed = listed([name for name, cls in FACT_TYPES.items() if cls.after_death])
        return (f"{self.type} on {self.on.text} comes after the death on {died.on} (event {short(died.id)}); "
                f"only {allowed} may follow a death; if a date is wrong, {FIX}")

    def own_refusal(self, state: State) -> str | None:
        """What this type refuses to follow besides a death; by default nothing."""
        return None


FACT_TYPES: dict[str, type[Fact]] = {}  # every type, in the order the CLI lists them
_DECLARED = ("rank", "summary", "example", "category")


def _register(cls: type[Fact]) -> None:
    """Add a type to FACT_TYPES, refusing one that lacks a declaration or repeats a name or rank:
    a mistake here would otherwise show only when a user met it."""
    missing = [name for name in _DECLARED if name not in cls.__dict__]
    if missing:
        raise TypeError(f"fact type {cls.__name__} must declare {', '.join(missing)}")
    own = set(cls.model_fields) - set(Fact.model_fields)
    stray = set(cls.field_help) - own
    if stray:
        raise TypeError(f"fact type {cls.__name__} has help for fields it does not have: {', '.join(sorted(stray))}")
    for other in FACT_TYPES.values():
        if other.rank == cls.rank and other.type != cls.type:
            raise TypeError(f"fact types {other.__name__} and {cls.__name__} share the rank {cls.rank}")
    FACT_TYPES[cls.type] = cls


BY = "Who did it (an authority, a court, a party)."
COURT = "Which court."
WHERE = "Where."
SOURCE = "--source rferl-omarov"


class Detained(Fact):
    type: ClassVar[str] = "detained"
    rank: ClassVar[int] = 0
    summary: ClassVar[str] = "Taken into custody: custody becomes detained."
    example: ClassVar[str] = f'--on 2022-01-09 --place Aqtobe --by "security forces" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"place": WHERE, "by": BY, "facility": "Where held."}
    category: ClassVar[str] = "custody change"
    facet: ClassVar[str | None] = "custody"

    place: Text | None = None
    by: Text | None = None
    facility: Text | None = None

    def step(self, state: State) -> State:
        return enter(state, "detained", self)

    def own_refusal(self, state: State) -> str | None:
        if state.custody != "detained":
            return None
        since = state.custody_event
        return (f"detained on {self.on.text} but already detained since {since.on} (event {short(since.id)}); "
                f"if it is the same detention it is already recorded, otherwise record the release in between")


class PlacedUnderHouseArrest(Fact):
    type: ClassVar[str] = "placed_under_house_arrest"
    rank: ClassVar[int] = 20
    summary: ClassVar[str] = "Moved to (or put under) house arrest."
    example: ClassVar[str] = f'--on 2022-05~ --by "Aqtobe court" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"by": BY}
    category: ClassVar[str] = "custody change"
    facet: ClassVar[str | None] = "custody"

    by: Text | None = None

    def step(self, state: State) -> State:
        return enter(state, "house_arrest", self)

    def own_refusal(self, state: State) -> str | None:
        if state.custody != "house_arrest":
            return None
        since = state.custody_event
        return (f"placed_under_house_arrest on {self.on.text} but already under house arrest since {since.on} "
                f"(event {short(since.id)}); record the release in between or retract one of the two")


class Released(Fact):
    type: ClassVar[str] = "released"
    rank: ClassVar[int] = 60
    summary: ClassVar[str] = "Let go from any custody: custody becomes free."
    example: ClassVar[str] = f'--on 2022-10~ --grounds "end of house arrest" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"grounds": "Why released: bail, end of term, amnesty, acquittal, ..."}
    category: ClassVar[str] = "custody change"
    facet: ClassVar[str | None] = "custody"

    grounds: Text | None = None

    def step(self, state: State) -> State:
        return enter(state, "free", self)

    def own_refusal(self, state: State) -> str | None:
        if state.custody in IN_CUSTODY:
            return None
        return (f"released on {self.on.text} but {custody_words(state)}; record the detention first "
                f"(an approximate date such as {self.on.earliest.year}~ will do) or {FIX}")


class Charged(Fact):
    type: ClassVar[str] = "charged"
    rank: ClassVar[int] = 10
    summary: ClassVar[str] = "Accused of a crime: legal becomes accused."
    example: ClassVar[str] = f'--on 2022-01 --charge "organizing mass disorder" --article 272 {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"charge": "The accusation.", "article": "Article of the criminal code."}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "legal"
    repeats: ClassVar[bool] = True

    charge: Text
    article: Text | None = None

    def step(self, state: State) -> State:
        return with_(state, legal="accused")


class ChargesDropped(Fact):
    type: ClassVar[str] = "charges_dropped"
    rank: ClassVar[int] = 30
    summary: ClassVar[str] = "Charges withdrawn: legal becomes cleared."
    example: ClassVar[str] = f'--on 2022-03 --reason "no evidence" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"reason": "Why."}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "legal"

    reason: Text | None = None

    def step(self, state: State) -> State:
        return with_(state, legal="cleared")

    def own_refusal(self, state: State) -> str | None:
        if state.legal == "accused":
            return None
        return (f"charges_dropped on {self.on.text} but no charge is pending then (legal status: {state.legal}); "
                f"record the charge first or {FIX}")


class Sentenced(Fact):
    type: ClassVar[str] = "sentenced"
    rank: ClassVar[int] = 50
    summary: ClassVar[str] = "Convicted and sentenced; a prison sentence makes custody imprisoned."
    example: ClassVar[str] = (f'--on 2023-02 --court "Aqtobe court" --kind restricted_freedom --term-months 36 '
                              f'{SOURCE}')
    field_help: ClassVar[dict[str, str]] = {"court": COURT, "kind": "The kind.", "term_months": "Term in months.",
                                            "charges": "What the sentence is for (repeat)."}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "legal"
    verdict: ClassVar[bool] = True

    court: Text | None = None
    kind: SentenceKind | None = None  # None: the report does not say
    term_months: int | None = Field(default=None, ge=0, le=1200)
    charges: list[Text] = Field(default_factory=list)

    def step(self, state: State) -> State:
        state = with_(state, legal="convicted")
        return enter(state, "imprisoned", self) if self.kind == SentenceKind.prison else state


class Acquitted(Fact):
    type: ClassVar[str] = "acquitted"
    rank: ClassVar[int] = 40
    summary: ClassVar[str] = "Found not guilty: legal becomes acquitted."
    example: ClassVar[str] = f'--on 2023-02 --court "Aqtobe court" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"court": COURT}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "legal"
    after_death: ClassVar[bool] = True
    verdict: ClassVar[bool] = True

    court: Text | None = None

    def step(self, state: State) -> State:
        return with_(state, legal="acquitted")


class Appealed(Fact):
    type: ClassVar[str] = "appealed"
    rank: ClassVar[int] = 90
    summary: ClassVar[str] = "An appeal or claim lodged; appeal pending until decided."
    example: ClassVar[str] = (f'--on 2023 --court "Aqtobe court" --by defence --claim 40000000 --currency KZT '
                              f'{SOURCE}')
    field_help: ClassVar[dict[str, str]] = {"court": COURT, "by": BY, "claim": "Amount claimed (exact digits).",
                                            "currency": "ISO 4217 code, e.g. KZT, USD."}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "appeal"
    repeats: ClassVar[bool] = True

    court: Text | None = None
    by: AppealBy | None = None
    claim: Amount | None = None
    currency: Currency | None = None

    @model_validator(mode="after")
    def _claim_has_currency(self, info: ValidationInfo) -> Appealed:
        if (self.claim is None) != (self.currency is None):
            raise ValueError("a claim needs both --claim and --currency")
        if not from_store(info):
            check_minor_units(self.claim, self.currency, "claim")
        return self

    def step(self, state: State) -> State:
        return with_(state, appeal_pending=True)


class AppealDecided(Fact):
    type: ClassVar[str] = "appeal_decided"
    rank: ClassVar[int] = 110
    summary: ClassVar[str] = "An appeal or claim decided; 'overturned' clears a conviction."
    example: ClassVar[str] = f'--on 2024-08-31 --court "Aqtobe court" --outcome partly_granted {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"court": COURT}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "appeal"
    after_death: ClassVar[bool] = True

    court: Text | None = None
    outcome: Outcome

    def step(self, state: State) -> State:
        cleared = self.outcome == Outcome.overturned and state.legal == "convicted"
        return with_(state, appeal_pending=False, legal="cleared" if cleared else state.legal)

    def own_refusal(self, state: State) -> str | None:
        if state.appeal_pending:
            return None
        return (f"appeal_decided on {self.on.text} but no appeal is pending then; record the appeal first "
                f"(appealed, an approximate date will do) or {FIX}")


class Designated(Fact):
    type: ClassVar[str] = "designated"
    rank: ClassVar[int] = 120
    summary: ClassVar[str] = "Officially labelled (terrorist, accidental_victim, ...); a change is a reclassification."
    example: ClassVar[str] = f'--on 2022-01 --designation terrorist --by "prosecutor general" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {
        "designation": "The label: terrorist, accidental_victim, victim, participant, ...", "by": BY}
    category: ClassVar[str] = "designation"
    facet: ClassVar[str | None] = "designation"
    repeats: ClassVar[bool] = True
    after_death: ClassVar[bool] = True

    designation: Slug
    by: Text | None = None

    def step(self, state: State) -> State:
        return with_(state, designation=self.designation)


class Died(Fact):
    type: ClassVar[str] = "died"
    rank: ClassVar[int] = 100
    summary: ClassVar[str] = "Death: vital becomes deceased."
    example: ClassVar[str] = f'--on 2022-01 --cause "gunshot" --place Almaty {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"cause": "Cause of death.", "place": WHERE}
    category: ClassVar[str] = "death"
    facet: ClassVar[str | None] = "vital"

    cause: Text | None = None
    place: Text | None = None

    def step(self, state: State) -> State:
        return with_(state, vital="deceased", died=self)

    def refusal(self, state: State) -> str | None:
        # A second death: this says more than the rule every type follows after a death.
        died = state.died
        if died is None:
            return None
        return (f"died on {self.on.text} but already died on {died.on} (event {short(died.id)}); "
                f"retract one of the two deaths")


class Compensated(Fact):
    type: ClassVar[str] = "compensated"
    rank: ClassVar[int] = 130
    summary: ClassVar[str] = "Compensation awarded (exact amount and ISO currency)."
    example: ClassVar[str] = f"--on 2024-08-31 --amount 3500000 --currency KZT --claimed 40000000 {SOURCE}"
    field_help: ClassVar[dict[str, str]] = {
        "amount": "Amount awarded (exact digits).", "currency": "ISO 4217 code, e.g. KZT, USD.",
        "claimed": "Amount claimed.", "payer": "Who pays."}
    category: ClassVar[str] = "compensation"
    facet: ClassVar[str | None] = "compensation"
    after_death: ClassVar[bool] = True

    amount: Amount
    currency: Currency
    claimed: Amount | None = None
    payer: Text | None = None
    recipient: Recipient = Recipient.person

    @model_validator(mode="after")
    def _amounts_fit_currency(self, info: ValidationInfo) -> Compensated:
        if not from_store(info):
            check_minor_units(self.amount, self.currency, "amount")
            check_minor_units(self.claimed, self.currency, "claimed")
        return self

    def step(self, state: State) -> State:
        money = state.money()
        old = money.get(self.currency, Money())
        money[self.currency] = Money(exact_sum(old.awarded, self.amount), exact_sum(old.claimed, self.claimed or 0))
        return with_(state, compensation=tuple(sorted(money.items())))


class Allegation(Fact):
    type: ClassVar[str] = "allegation"
    rank: ClassVar[int] = 70
    summary: ClassVar[str] = "An allegation of torture, ill-treatment, ..."
    example: ClassVar[str] = f'--on 2022-01~ --kind torture --by "Aslanbek Omarov" --against police {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"kind": "The kind.", "by": BY, "against": "Against whom."}
    category: ClassVar[str] = "allegation"
    repeats: ClassVar[bool] = True

    kind: Slug
    by: Text | None = None
    against: Text | None = None

    def step(self, state: State) -> State:
        return with_(state, allegations=state.allegations + (self,))


class Noted(Fact):
    type: ClassVar[str] = "noted"
    rank: ClassVar[int] = 80
    summary: ClassVar[str] = "A cited fact that fits no other type; changes nothing."
    example: ClassVar[str] = f'--on 2023-02 --text "sentenced with 15 others" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"text": "The fact, in words."}
    category: ClassVar[str] = "note"
    repeats: ClassVar[bool] = True
    after_death: ClassVar[bool] = True
    # A family's story or a place's history may reach back before a birth; a death, a
    # detention or a trial before birth is a wrong date.
    before_birth: ClassVar[bool] = True

    text: LongText


class NamedInCase(Fact):
    """The person's side of a party event on a case's stream (``casetrail case party``): written to
    their own stream in the same save, so a list rule tests their role from their own fold.
    Nothing else of the case is copied here."""

    type: ClassVar[str] = "named_in_case"
    rank: ClassVar[int] = 86
    summary: ClassVar[str] = "A party to a case (accused, victim, ...): recorded by 'casetrail case party'."
    example: ClassVar[str] = f"--case case-0042 --role victim --on 2022-01 {SOURCE}"
    field_help: ClassVar[dict[str, str]] = {"role": "What they are in the case.",
                                            "of": "For a relative: whose (a person key)."}
    category: ClassVar[str] = "case"
    facet: ClassVar[str | None] = "case_role"
    repeats: ClassVar[bool] = True  # one person may be a party to several cases at once
    after_death: ClassVar[bool] = True  # a victim killed is named in the case after their death

    role: CaseRole
    of: CaseKey | None = None  # a person key (the same spelling as a case key)

    @model_validator(mode="after")
    def _names_its_case(self) -> NamedInCase:
        if self.case is None:
            raise ValueError("named_in_case needs --case: record it with 'casetrail case party CASE KEY --role R'")
        return self

    def step(self, state: State) -> State:
        return with_(state, case_roles=state.case_roles + ((self.case, self.role.value, self.of),))


class AboutFact(PersonEvent):
    """An event that says something about a recorded fact, named by its id."""

    id: UUID = Field(default_factory=uuid4)
    event_id: UUID


class Retracted(AboutFact):
    """A correction: from its record time on, the target event no longer counts."""

    type: ClassVar[str] = "retracted"
    reason: Text
    source: Reference | None = None


class Corroborated(AboutFact):
    """Another source (and who asserts it there) says what a recorded fact says: the fact keeps
    counting once, with one more source."""

    type: ClassVar[str] = "corroborated"
    source: Reference
    claimant: Claimant | None = None
    note: LongText | None = None


class Preferred(AboutFact):
    """The team's reasoned choice among disputed accounts of one happening; a later one replaces it."""

    type: ClassVar[str] = "preferred"
    reason: Text  # why this account
    source: Reference | None = None


ABOUT_FACTS = (Retracted, Corroborated, Preferred)  # events that name a fact by its id


class Amended(PersonEvent):
    """Who the person is, corrected or completed from a source: a new name, another alias, a year of
    birth, a place. Only what is given is stored; the registration and earlier amendments stay in the
    stream (and in ``audit``), and every reader uses the latest values."""

    type: ClassVar[str] = "amended"
    id: UUID = Field(default_factory=uuid4)
    name: Text | None = Field(None, exclude_if=_not_given)
    aliases: list[Text] = Field(default_factory=list, exclude_if=_not_given)  # added to those already known
    born: int | None = Field(default=None, ge=1850, le=2100, exclude_if=_not_given)
    place: Text | None = Field(None, exclude_if=_not_given)
    source: Reference

    def apply(self, aggregate: Any) -> None:
        super().apply(aggregate)
        aggregate.name = self.name or aggregate.name
        aggregate.aliases = aggregate.aliases + [a for a in self.aliases if a not in aggregate.aliases]
        aggregate.born = self.born if self.born is not None else aggregate.born
        aggregate.place = self.place or aggregate.place


class Merged(PersonEvent):
    """Another record (``other``) is the same human as this one: from this record time on, the other
    stream's events up to ``other_version`` count in this person's fold. Saved with a ``MergedInto``
    pointer in the other stream; a retraction of this event (and of the pointer) undoes it."""

    type: ClassVar[str] = "merged"
    id: UUID = Field(default_factory=uuid4)
    other: str  # the other person's key
    other_id: UUID
    other_version: int = Field(ge=1)  # the other stream's events taken in: versions 1 to this
    reason: Text
    source: Reference | None = None


class MergedInto(PersonEvent):
    """This record is the same human as ``into``: while this pointer stands, nothing counts here (the
    facts count there) and commands given this key act on ``into``."""

    type: ClassVar[str] = "merged_into"
    id: UUID = Field(default_factory=uuid4)
    into: str  # the kept person's key
    into_id: UUID
    merge_id: UUID  # the Merged event in the kept person's stream
    reason: Text


IDENTITY_EVENTS = (Amended, Merged, MergedInto)  # events about who the person is, not about a fact
CLAIM_FIELDS = ("claimant", "disputes", "distinct")
ONLY_WHEN_GIVEN = (*CLAIM_FIELDS, "case")  # new fields of every fact: stored only when given
_COMMON = {"originator_id", "originator_version", "timestamp", "previous", "recorded_by", "batch", "id", "on", "source", "note",
           "group", *CLAIM_FIELDS}


class SourceRegistered(BaseModel, CanInitAggregate[UUID]):
    """A source that facts cite: an article, a court record, a testimony."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    originator_topic: str
    key: str
    url: Text | None = None
    outlet: Text | None = None
    title: Text | None = None
    published: date | None = None
    note: LongText | None = None
    recorded_by: Text | None = None  # who registered it (None: before authorship was kept)

    @property
    def author(self) -> str:
        return self.recorded_by or UNKNOWN_AUTHOR

    def apply(self, aggregate: Any) -> None:
        aggregate.last_event = self  # what the source's next event links to


class FileAttached(BaseModel, CanMutateAggregate[UUID]):
    """A copy of what a source is (a page, a PDF, a screenshot, a video), kept as evidence: the
    file itself is stored by its SHA-256 beside the events; this event says which, and when it
    was captured."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    previous: str | None = None  # the link of the source's event before this one
    recorded_by: Text | None = None
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    size: int = Field(ge=0)
    media_type: Annotated[str, Field(pattern=r"^[a-z0-9.+-]+/[a-zA-Z0-9.+_-]+$", max_length=127)]
    name: Text | None = None  # the file's name when it was attached
    captured_at: datetime  # when the copy was made (the page saved, the screenshot taken)

    @property
    def author(self) -> str:
        return self.recorded_by or UNKNOWN_AUTHOR

    def apply(self, aggregate: Any) -> None:
        aggregate.files.append(self)
        aggregate.last_event = self
