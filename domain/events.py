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
from uuid import UUID, uuid4, uuid5

from eventsourcing.domain import CanInitAggregate, CanMutateAggregate
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic.fields import FieldInfo

from casetrail.domain.dates import FuzzyDate
from casetrail.domain.money import Amount, Currency, check_minor_units, exact_sum
from casetrail.domain.state import (CUSTODIAL, FIX, IN_CUSTODY, Money, State, add_term, court, custody_words, enter,
                                    short, span_text, with_)
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
    colony = "colony"
    restricted_freedom = "restricted_freedom"
    probation = "probation"
    suspended = "suspended"
    fine = "fine"
    ban = "ban"
    no_punishment = "no_punishment"


class Modification(str, Enum):
    reduced = "reduced"
    increased = "increased"
    probation_revoked = "probation_revoked"
    replaced = "replaced"


class AmnestyOutcome(str, Enum):
    applied = "applied"
    refused = "refused"
    eligible = "eligible"


# The kinds of allegation, gravest first: the allegation facet names the gravest alleged. Kinds
# stored before this list existed still load; they count as "other".
ALLEGATION_KINDS = ("torture", "ill_treatment", "enforced_disappearance", "threats", "pressure",
                    "unlawful_detention", "other")


class AppealBy(str, Enum):
    defence = "defence"
    prosecution = "prosecution"
    victim = "victim"
    family = "family"


APPELLANTS = tuple(side.value for side in AppealBy)


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


def _is_none(value: Any) -> bool:
    return value is None


def added_later(field: FieldInfo | None = None) -> Any:
    """A field added to a type after events of it were stored: written only when given, so
    the stored events keep their bytes and chain links."""
    return FieldInfo.merge_field_infos(field or Field(default=None), exclude_if=_is_none)


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
    derived: ClassVar[bool] = False  # made by the fold, never recorded (a term that ran out): not registered
    assumed: ClassVar[bool] = False  # what it says was not reported but follows from another fact
    before_birth: ClassVar[bool] = False  # may be dated wholly before the person's year of birth
    told_after: ClassVar[frozenset[str]] = frozenset()  # types told before it on overlapping dates, whatever the ranks

    # What a claim may also say (issue 12): who asserts it, which account of one happening it
    # disputes, and that it is a different happening from a like one on the same dates. Stored
    # only when given (``exclude_if``: cheaper than a model serializer on every dump), so an event
    # written before they existed keeps its stored form, and the chain link over it.
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
        if "type" in cls.__dict__ and not cls.__dict__.get("derived"):
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
        if state.custody != "detained" or isinstance(state.custody_event, AdministrativeArrest):
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
        # A release may also report what a court's ruling or a term's end implied.
        freed = state.custody == "free" and (state.custody_event.assumed or state.custody_event.category == "court")
        if state.custody in IN_CUSTODY or freed:
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
    after_death: ClassVar[bool] = True  # a posthumous charge

    charge: Text
    article: Text | None = None

    def step(self, state: State) -> State:
        return court(state, legal="accused")


class ChargesDropped(Fact):
    type: ClassVar[str] = "charges_dropped"
    rank: ClassVar[int] = 30
    summary: ClassVar[str] = "Charges withdrawn: legal becomes cleared."
    example: ClassVar[str] = f'--on 2022-03 --reason "no evidence" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"reason": "Why."}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "legal"
    after_death: ClassVar[bool] = True

    reason: Text | None = None

    def step(self, state: State) -> State:
        return court(state, legal="cleared")

    def own_refusal(self, state: State) -> str | None:
        if state.legal == "accused":
            return None
        return (f"charges_dropped on {self.on.text} but no charge is pending then (legal status: {state.legal}); "
                f"record the charge first or {FIX}")


TERM_HELP = {"years": "Term: years.", "months": "Term: months.", "days": "Term: days."}


YEARS, MONTHS, DAYS = (Field(default=None, ge=0, le=100), Field(default=None, ge=0, le=1200),
                       Field(default=None, ge=0, le=36600))


def term_of(fact: Fact, credited: int = 0) -> tuple[int, int, int] | None:
    """A fact's term of years, months and days as (months, days, credited days); None when none is given."""
    given = [fact.__dict__.get(name) for name in ("years", "months", "days", "term_months")]
    if all(value is None for value in given):
        return None
    years, months, days, term_months = (value or 0 for value in given)
    return (years * 12 + months + term_months, days, credited)


class Sentenced(Fact):
    type: ClassVar[str] = "sentenced"
    rank: ClassVar[int] = 50
    summary: ClassVar[str] = ("Convicted and sentenced. Prison or colony holds a person held at the verdict (or later "
                              "taken_into_custody) until the term ends; other kinds free a person held.")
    example: ClassVar[str] = (f'--on 2023-02 --court "Aqtobe court" --kind colony --years 3 --months 1 '
                              f'--credited-days 120 {SOURCE}')
    field_help: ClassVar[dict[str, str]] = {
        "court": COURT, "kind": "The kind of sentence.", "term_months": "Term in months (older form of --months).",
        **TERM_HELP, "amount": "A fine's amount (exact digits).", "currency": "ISO 4217 code, e.g. KZT.",
        "credited_days": "Days already served in pretrial custody, taken off the term.",
        "charges": "What the sentence is for (repeat)."}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "legal"
    verdict: ClassVar[bool] = True
    after_death: ClassVar[bool] = True  # a posthumous conviction, without punishment

    court: Text | None = None
    kind: SentenceKind | None = None  # None: the report does not say
    term_months: int | None = Field(default=None, ge=0, le=1200)
    years: int | None = added_later(YEARS)
    months: int | None = added_later(MONTHS)
    days: int | None = added_later(DAYS)
    amount: Amount | None = added_later()
    currency: Currency | None = added_later()
    credited_days: int | None = added_later(Field(default=None, ge=0, le=36600))
    charges: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _amount_has_currency(self, info: ValidationInfo) -> Sentenced:
        if (self.amount is None) != (self.currency is None):
            raise ValueError("a fine needs both --amount and --currency")
        if not from_store(info):
            check_minor_units(self.amount, self.currency, "amount")
        return self

    def step(self, state: State) -> State:
        kind = self.kind.value if self.kind else "unknown"
        state = court(state, legal="convicted", sentence=kind, term=term_of(self, self.credited_days or 0),
                      term_start=None, pending=None)
        return serve(state, self, kind)

    def own_refusal(self, state: State) -> str | None:
        if state.died is None or self.kind == SentenceKind.no_punishment:
            return None
        return (f"sentenced on {self.on.text} after the death on {state.died.on} (event {short(state.died.id)}): "
                f"a posthumous conviction carries no punishment; give --kind no_punishment")


def serve(state: State, cause: Fact, kind: str) -> State:
    """A sentence of ``kind`` takes effect at ``cause``: prison or colony holds a person held then
    until the term ends (one not held waits for taken_into_custody); another kind frees them."""
    if state.died is not None or state.custody not in IN_CUSTODY:
        return state
    if kind in CUSTODIAL:
        return imprison(state, cause, cause.on)
    return state if kind == "unknown" else enter(state, "free", cause)


def imprison(state: State, cause: Fact, start: FuzzyDate) -> State:
    """Imprisoned from ``cause`` under the standing sentence, its term counted from ``start``."""
    held = enter(state, "imprisoned", cause)
    return with_(held, term_start=start, pending=term_end(held, cause, start))


def term_end(state: State, cause: Fact, start: FuzzyDate) -> Fact | None:
    """The end the standing sentence's term reaches by itself, counted from ``start`` (never before ``cause``)."""
    if state.term is None:
        return None
    months, days, credited = state.term
    return ended(cause, start, months, days - credited, "sentence")


def ended(cause: Fact, start: FuzzyDate, months: int, days: int, ends: str) -> TermEnded:
    earliest = max(add_term(start.earliest, months, days), cause.on.earliest)
    latest = max(add_term(start.latest, months, days), cause.on.latest, earliest)
    text = span_text(earliest, latest)
    on = FuzzyDate(text, earliest, latest, "day" if earliest == latest else "range", "")
    return TermEnded.model_construct(
        originator_id=cause.originator_id, originator_version=cause.originator_version, timestamp=cause.timestamp,
        previous=None, recorded_by=cause.recorded_by, id=uuid5(cause.id, f"{ends}:{text}"), on=on,
        source=cause.source, note=None, group=None, claimant=None, disputes=None, distinct=False, ends=ends)


def cancel(state: State, legal: str, cause: Fact) -> State:
    """The standing sentence is cancelled at ``cause``: its custody ends (free) and legal becomes ``legal``."""
    state = court(state, legal=legal, sentence="none", term=None, term_start=None, pending=None)
    return enter(state, "free", cause) if state.custody == "imprisoned" else state


class Acquitted(Fact):
    type: ClassVar[str] = "acquitted"
    rank: ClassVar[int] = 40
    summary: ClassVar[str] = "Found not guilty: legal becomes acquitted; a person held is free from that day."
    example: ClassVar[str] = f'--on 2023-02 --court "Aqtobe court" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"court": COURT}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "legal"
    after_death: ClassVar[bool] = True
    verdict: ClassVar[bool] = True
    # An acquittal whose dates overlap a sentence or an appeal is the acquittal on appeal: told after them.
    told_after: ClassVar[frozenset[str]] = frozenset({"sentenced", "appealed"})

    court: Text | None = None

    def step(self, state: State) -> State:
        state = court(state, legal="acquitted", sentence="none", term=None, term_start=None, pending=None)
        return enter(state, "free", self) if state.custody in IN_CUSTODY else state


class Appealed(Fact):
    type: ClassVar[str] = "appealed"
    rank: ClassVar[int] = 90
    summary: ClassVar[str] = "An appeal or claim lodged; appeal pending until decided."
    example: ClassVar[str] = (f'--on 2023 --court "Aqtobe court" --by defence --claim 40000000 --currency KZT '
                              f'{SOURCE}')
    field_help: ClassVar[dict[str, str]] = {
        "court": COURT, "by": "Who appealed; for the dead, family or a relative's person key.",
        "claim": "Amount claimed (exact digits).", "currency": "ISO 4217 code, e.g. KZT, USD."}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "appeal"
    repeats: ClassVar[bool] = True
    after_death: ClassVar[bool] = True  # relatives appeal for the dead

    court: Text | None = None
    by: AppealBy | str | None = None  # a side, family, or a relative's person key (checked below)
    claim: Amount | None = None
    currency: Currency | None = None

    @field_validator("by", mode="before")
    @classmethod
    def _appellant(cls, by: Any) -> Any:
        if by is None or by in APPELLANTS or (isinstance(by, str) and CASE_KEY.match(by) and len(by) <= 80):
            return by
        raise ValueError(f"'{str(by)[:40]}' is not who appealed: give {', '.join(APPELLANTS)} or a relative's "
                         "person key, e.g. omarov-aslanbek")

    @model_validator(mode="after")
    def _claim_has_currency(self, info: ValidationInfo) -> Appealed:
        if (self.claim is None) != (self.currency is None):
            raise ValueError("a claim needs both --claim and --currency")
        if not from_store(info):
            check_minor_units(self.claim, self.currency, "claim")
        return self

    def step(self, state: State) -> State:
        return court(state, appeal_pending=True)


class AppealDecided(Fact):
    type: ClassVar[str] = "appeal_decided"
    rank: ClassVar[int] = 110
    summary: ClassVar[str] = "An appeal or claim decided; 'overturned' clears a conviction and ends its custody."
    example: ClassVar[str] = f'--on 2024-08-31 --court "Aqtobe court" --outcome partly_granted {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"court": COURT}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "appeal"
    after_death: ClassVar[bool] = True

    court: Text | None = None
    outcome: Outcome

    def step(self, state: State) -> State:
        state = court(state, appeal_pending=False)
        return cancel(state, "cleared", self) if self.outcome == Outcome.overturned and state.legal == "convicted" \
            else state

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
    summary: ClassVar[str] = "Death: vital and custody become deceased; days in custody stop."
    example: ClassVar[str] = f'--on 2022-01 --cause "gunshot" --place Almaty {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"cause": "Cause of death.", "place": WHERE}
    category: ClassVar[str] = "death"
    facet: ClassVar[str | None] = "vital"

    cause: Text | None = None
    place: Text | None = None

    def step(self, state: State) -> State:
        return death(state, self)

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
    field_help: ClassVar[dict[str, str]] = {
        "kind": f"The kind: {', '.join(ALLEGATION_KINDS)}.",
        "by": "Who alleges it (for the dead: family, or a relative's person key).", "against": "Against whom."}
    category: ClassVar[str] = "allegation"
    repeats: ClassVar[bool] = True
    after_death: ClassVar[bool] = True  # relatives allege for the dead

    kind: Slug  # one of ALLEGATION_KINDS; older stored kinds still load
    by: Text | None = None
    against: Text | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str, info: ValidationInfo) -> str:
        if not from_store(info) and kind not in ALLEGATION_KINDS:
            raise ValueError(f"'{kind}' is not a kind of allegation; choose one of {', '.join(ALLEGATION_KINDS)}")
        return kind

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
    # Named a party with the charge, before any verdict (story order on overlapping dates): an
    # officer accused in "2025-01~" before his sentence that month, a victim after his detention.
    rank: ClassVar[int] = 15
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


def death(state: State, cause: Fact) -> State:
    """Dead from ``cause``: custody becomes deceased (its periods end), and whether they died held is kept."""
    held = state.custody in IN_CUSTODY
    return with_(enter(state, "deceased", cause), vital="deceased", died=cause, died_in_custody=held)


def held_since(state: State, what: str, fact: Fact) -> str | None:
    """Why ``fact`` cannot take a person into custody who is held already; None when they are not."""
    if state.custody not in IN_CUSTODY:
        return None
    since = state.custody_event
    return (f"{what} on {fact.on.text} but already {state.custody.replace('_', ' ')} since {since.on} "
            f"(event {short(since.id)}); record the release in between, or {FIX}")


class TermEnded(Fact):
    """Not recorded: the fold makes one where a term runs out (a sentence's, or an administrative
    arrest's N days) and steps it unless a fact comes first. Custody becomes free, with the
    release not reported (``assumed``)."""

    type: ClassVar[str] = "term_ended"
    rank: ClassVar[int] = 65
    summary: ClassVar[str] = "A term ran out (derived, never recorded): custody becomes free, release not reported."
    example: ClassVar[str] = ""
    category: ClassVar[str] = "custody change"
    facet: ClassVar[str | None] = "custody"
    derived: ClassVar[bool] = True
    assumed: ClassVar[bool] = True

    ends: str  # "sentence" or "administrative_arrest"; its id is made from its cause's, its source is the cause's

    def step(self, state: State) -> State:
        return with_(enter(state, "free", self), term_start=None)


class TakenIntoCustody(Fact):
    type: ClassVar[str] = "taken_into_custody"
    rank: ClassVar[int] = 5
    summary: ClassVar[str] = ("Taken into custody: imprisoned under a standing prison or colony sentence (its term "
                              "counted from this day), else detained.")
    example: ClassVar[str] = f'--on 2023-03 --facility "Aqtobe colony" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"by": BY, "facility": "Where held."}
    category: ClassVar[str] = "custody change"
    facet: ClassVar[str | None] = "custody"

    by: Text | None = None
    facility: Text | None = None

    def step(self, state: State) -> State:
        return imprison(state, self, self.on) if state.sentence in CUSTODIAL else enter(state, "detained", self)

    def own_refusal(self, state: State) -> str | None:
        return held_since(state, self.type, self)


class AdministrativeArrest(Fact):
    type: ClassVar[str] = "administrative_arrest"
    rank: ClassVar[int] = 3
    summary: ClassVar[str] = "Arrested for N days under the administrative code: detained, then free N days later."
    example: ClassVar[str] = f'--on 2022-01-06 --days 15 --by "Almaty court" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"days": "How many days.", "by": BY, "place": WHERE}
    category: ClassVar[str] = "custody change"
    facet: ClassVar[str | None] = "custody"

    days: int = Field(ge=1, le=90)
    by: Text | None = None
    place: Text | None = None

    def step(self, state: State) -> State:
        return with_(enter(state, "detained", self), pending=ended(self, self.on, 0, self.days, "administrative_arrest"))

    def own_refusal(self, state: State) -> str | None:
        return held_since(state, self.type, self)


class SentenceModified(Fact):
    type: ClassVar[str] = "sentence_modified"
    rank: ClassVar[int] = 55
    summary: ClassVar[str] = ("The standing sentence changed (reduced, increased, probation_revoked, replaced): its "
                              "kind and term from this day; a revoked probation imprisons.")
    example: ClassVar[str] = f"--on 2023-09 --change reduced --years 2 {SOURCE}"
    field_help: ClassVar[dict[str, str]] = {"change": "What changed.", "kind": "The new kind (replaced).",
                                            "court": COURT, **{k: f"The new term: {k}." for k in ("years", "months",
                                                                                                  "days")}}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "legal"

    change: Modification
    kind: SentenceKind | None = None
    court: Text | None = None
    years: int | None = YEARS
    months: int | None = MONTHS
    days: int | None = DAYS

    def step(self, state: State) -> State:
        revoked = self.change == Modification.probation_revoked
        kind = self.kind.value if self.kind else ("prison" if revoked else state.sentence)
        credited = state.term[2] if state.term else 0
        state = court(state, sentence=kind, term=term_of(self, credited) or state.term)
        if revoked and kind in CUSTODIAL and state.custody not in IN_CUSTODY:
            return imprison(state, self, self.on)
        if state.custody == "imprisoned" and kind in CUSTODIAL and state.term_start is not None:
            return with_(state, pending=term_end(state, self, state.term_start))
        return serve(state, self, kind)

    def own_refusal(self, state: State) -> str | None:
        return no_sentence(state, self)


def no_sentence(state: State, fact: Fact) -> str | None:
    if state.legal == "convicted" and state.sentence != "none":
        return None
    return (f"{fact.type} on {fact.on.text} but no sentence stands then (legal status: {state.legal}); "
            f"record the sentence first or {FIX}")


class Amnesty(Fact):
    type: ClassVar[str] = "amnesty"
    rank: ClassVar[int] = 115
    summary: ClassVar[str] = ("An amnesty applied, refused or found eligible; applied frees a person imprisoned "
                              "under the sentence, or takes a given term off it.")
    example: ClassVar[str] = f"--on 2022-12 --outcome applied {SOURCE}"
    field_help: ClassVar[dict[str, str]] = {"outcome": "What came of it.", "by": BY,
                                            **{k: f"Taken off the term: {k}." for k in ("years", "months", "days")}}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "custody"

    outcome: AmnestyOutcome
    by: Text | None = None
    years: int | None = YEARS
    months: int | None = MONTHS
    days: int | None = DAYS

    def step(self, state: State) -> State:
        if self.outcome != AmnestyOutcome.applied or state.custody != "imprisoned":
            return state
        off = term_of(self)
        if off is None or state.term is None or state.term_start is None:
            return enter(state, "free", self)
        months, days, credited = state.term
        state = with_(state, term=(months - off[0], days - off[1], credited))
        return with_(state, pending=term_end(state, self, state.term_start))

    def own_refusal(self, state: State) -> str | None:
        return no_sentence(state, self) if self.outcome == AmnestyOutcome.applied else None


class Remanded(Fact):
    type: ClassVar[str] = "remanded"
    rank: ClassVar[int] = 111
    summary: ClassVar[str] = ("Sent back for retrial: the conviction and its sentence are cancelled from this day "
                              "(legal accused again, its custody ends).")
    example: ClassVar[str] = f'--on 2024-06 --court "Supreme Court" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"court": COURT}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "legal"
    after_death: ClassVar[bool] = True

    court: Text | None = None

    def step(self, state: State) -> State:
        return cancel(state, "accused", self)

    def own_refusal(self, state: State) -> str | None:
        if state.legal == "convicted":
            return None
        return (f"remanded on {self.on.text} but no conviction stands then (legal status: {state.legal}); "
                f"record the sentence first or {FIX}")


class Rehabilitated(Fact):
    type: ClassVar[str] = "rehabilitated"
    rank: ClassVar[int] = 125
    summary: ClassVar[str] = "Officially rehabilitated (cleared of the accusation): legal becomes rehabilitated."
    example: ClassVar[str] = f'--on 2024 --by "Supreme Court" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"by": BY}
    category: ClassVar[str] = "court"
    facet: ClassVar[str | None] = "legal"
    after_death: ClassVar[bool] = True

    by: Text | None = None

    def step(self, state: State) -> State:
        return cancel(state, "rehabilitated", self)


class Severity(str, Enum):
    minor = "minor"
    serious = "serious"
    critical = "critical"
    unknown = "unknown"


class Injured(Fact):
    type: ClassVar[str] = "injured"
    rank: ClassVar[int] = 73
    summary: ClassVar[str] = "Injured (wounded, beaten); changes no status."
    example: ClassVar[str] = f'--on 2022-01-06 --severity serious --cause "gunshot" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"severity": "How badly.", "cause": "How.", "by": BY}
    category: ClassVar[str] = "harm"
    repeats: ClassVar[bool] = True

    severity: Severity = Severity.unknown
    cause: Text | None = None
    by: Text | None = None


class Disappeared(Fact):
    type: ClassVar[str] = "disappeared"
    rank: ClassVar[int] = 62
    summary: ClassVar[str] = "Whereabouts unknown: custody becomes missing (any custody ends) until found."
    example: ClassVar[str] = f"--on 2022-01-07 --place Almaty {SOURCE}"
    field_help: ClassVar[dict[str, str]] = {"place": "Where last seen."}
    category: ClassVar[str] = "harm"
    facet: ClassVar[str | None] = "custody"

    place: Text | None = None

    def step(self, state: State) -> State:
        return enter(state, "missing", self)

    def own_refusal(self, state: State) -> str | None:
        if state.custody != "missing":
            return None
        return (f"disappeared on {self.on.text} but missing since {state.custody_event.on} "
                f"(event {short(state.custody_event.id)}); record found in between, or {FIX}")


class Found(Fact):
    type: ClassVar[str] = "found"
    rank: ClassVar[int] = 63
    summary: ClassVar[str] = "A missing person found: alive (custody free) or dead (a death on this day)."
    example: ClassVar[str] = f"--on 2022-01-20 --alive --place Almaty {SOURCE}"
    field_help: ClassVar[dict[str, str]] = {"alive": "Found alive (--alive) or dead (--dead).", "place": WHERE}
    switches: ClassVar[dict[str, str]] = {"alive": "dead"}
    category: ClassVar[str] = "harm"
    facet: ClassVar[str | None] = "custody"

    alive: bool
    place: Text | None = None

    def step(self, state: State) -> State:
        return enter(state, "free", self) if self.alive else death(state, self)

    def own_refusal(self, state: State) -> str | None:
        if state.custody == "missing":
            return None
        return f"found on {self.on.text} but not missing then; record disappeared first or {FIX}"


class BodyFound(Fact):
    type: ClassVar[str] = "body_found"
    rank: ClassVar[int] = 102
    summary: ClassVar[str] = "A body found and identified: a death by this day, when none is recorded."
    example: ClassVar[str] = f"--on 2022-01-15 --place Almaty {SOURCE}"
    field_help: ClassVar[dict[str, str]] = {"place": WHERE}
    category: ClassVar[str] = "death"
    facet: ClassVar[str | None] = "vital"
    after_death: ClassVar[bool] = True

    place: Text | None = None

    def step(self, state: State) -> State:
        return state if state.died is not None else death(state, self)


class Exhumed(Fact):
    type: ClassVar[str] = "exhumed"
    rank: ClassVar[int] = 104
    summary: ClassVar[str] = "The body exhumed (for a forensic examination, ...); changes no status."
    example: ClassVar[str] = f'--on 2022-03 --by "prosecutor" {SOURCE}'
    field_help: ClassVar[dict[str, str]] = {"by": BY, "reason": "Why."}
    category: ClassVar[str] = "death"
    repeats: ClassVar[bool] = True
    after_death: ClassVar[bool] = True

    by: Text | None = None
    reason: Text | None = None

    def own_refusal(self, state: State) -> str | None:
        if state.died is not None:
            return None
        return f"exhumed on {self.on.text} but no death is recorded before it; record died or body_found first"


CONFIRMABLE = ("held", "detained", "house_arrest", "imprisoned", "free", "missing")


class Confirmed(Fact):
    type: ClassVar[str] = "confirmed"
    rank: ClassVar[int] = 85
    summary: ClassVar[str] = ("A status re-reported on a date without changing it (--status held: still held); "
                              "after a term ran out, it says whether they were freed or are still held.")
    example: ClassVar[str] = f"--on 2023-06 --status held {SOURCE}"
    field_help: ClassVar[dict[str, str]] = {"status": f"The custody reported: {', '.join(CONFIRMABLE)}."}
    category: ClassVar[str] = "note"
    facet: ClassVar[str | None] = "custody"
    repeats: ClassVar[bool] = True

    status: Slug

    @field_validator("status")
    @classmethod
    def _known_status(cls, status: str) -> str:
        if status not in CONFIRMABLE:
            raise ValueError(f"'{status}' is not a custody to confirm; choose one of {', '.join(CONFIRMABLE)}")
        return status

    def _matches(self, custody: str) -> bool:
        return custody == self.status or (self.status == "held" and custody in IN_CUSTODY)

    def step(self, state: State) -> State:
        if not getattr(state.custody_event, "assumed", False):
            return state
        if self.status == "free":
            return with_(state, custody_event=self)  # the release the term implied is now reported
        return enter(state, "imprisoned" if self.status == "held" else self.status, self)

    def own_refusal(self, state: State) -> str | None:
        if self._matches(state.custody) or getattr(state.custody_event, "assumed", False):
            return None
        since = f" since {state.custody_event.type} on {state.custody_event.on}" if state.custody_event else ""
        return (f"confirmed --status {self.status} on {self.on.text} but custody reads "
                f"{state.custody.replace('_', ' ')}{since}; record the change first or {FIX}")


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
