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
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from casetrail.domain.dates import FuzzyDate
from casetrail.domain.money import Amount, Currency, check_minor_units
from casetrail.domain.text import LongText, Reference, Text, from_store

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


def _slug(value: str) -> str:
    value = value.strip().lower().replace("-", "_").replace(" ", "_")
    if not SLUG.match(value) or len(value) > 60:
        raise ValueError(f"'{value}' must be a short snake_case word such as accidental_victim")
    return value


Slug = Annotated[str, AfterValidator(_slug)]


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


class Recipient(str, Enum):
    person = "person"
    family = "family"


class PersonEvent(BaseModel, CanMutateAggregate[UUID]):
    """What every event of a person's stream carries: the stream, its place in
    record order, and the record time eventsourcing stamps on it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    previous: str | None = None  # the link (domain/chain.py) of the stream's event before this one

    type: ClassVar[str] = "event"

    @property
    def recorded_at(self) -> datetime:
        return self.timestamp

    def apply(self, aggregate: Any) -> None:
        aggregate.history.append(self)
        aggregate.last_event = self


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


class Fact(PersonEvent):
    """A cited fact about the world, with the day (fuzzy) it happened."""

    id: UUID = Field(default_factory=uuid4)
    on: FuzzyDate
    source: Reference
    note: LongText | None = None
    group: Text | None = None

    def fields(self) -> dict[str, Any]:
        """The type's own fields, as JSON-ready values, without the envelope."""
        data = self.model_dump(mode="json", exclude=_COMMON, exclude_none=True)
        return {k: v for k, v in data.items() if v != []}


class Detained(Fact):
    type: ClassVar[str] = "detained"
    place: Text | None = None
    by: Text | None = None
    facility: Text | None = None


class Charged(Fact):
    type: ClassVar[str] = "charged"
    charge: Text
    article: Text | None = None


class PlacedUnderHouseArrest(Fact):
    type: ClassVar[str] = "placed_under_house_arrest"
    by: Text | None = None


class ChargesDropped(Fact):
    type: ClassVar[str] = "charges_dropped"
    reason: Text | None = None


class Acquitted(Fact):
    type: ClassVar[str] = "acquitted"
    court: Text | None = None


class Sentenced(Fact):
    type: ClassVar[str] = "sentenced"
    court: Text | None = None
    kind: SentenceKind | None = None  # None: the report does not say
    term_months: int | None = Field(default=None, ge=0, le=1200)
    charges: list[Text] = Field(default_factory=list)


class Released(Fact):
    type: ClassVar[str] = "released"
    grounds: Text | None = None


class Appealed(Fact):
    type: ClassVar[str] = "appealed"
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


class AppealDecided(Fact):
    type: ClassVar[str] = "appeal_decided"
    court: Text | None = None
    outcome: Outcome


class Allegation(Fact):
    type: ClassVar[str] = "allegation"
    kind: Slug
    by: Text | None = None
    against: Text | None = None


class Designated(Fact):
    type: ClassVar[str] = "designated"
    designation: Slug
    by: Text | None = None


class Compensated(Fact):
    type: ClassVar[str] = "compensated"
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


class Noted(Fact):
    type: ClassVar[str] = "noted"
    text: LongText


class Died(Fact):
    type: ClassVar[str] = "died"
    cause: Text | None = None
    place: Text | None = None


class Retracted(PersonEvent):
    """A correction: from its record time on, the target event no longer counts."""

    type: ClassVar[str] = "retracted"
    id: UUID = Field(default_factory=uuid4)
    event_id: UUID
    reason: Text
    source: Reference | None = None


_COMMON = {"originator_id", "originator_version", "timestamp", "previous", "id", "on", "source", "note", "group"}

FACT_TYPES: dict[str, type[Fact]] = {
    cls.type: cls
    for cls in (
        Detained, PlacedUnderHouseArrest, Released, Charged, ChargesDropped, Sentenced, Acquitted,
        Appealed, AppealDecided, Designated, Died, Compensated, Allegation, Noted,
    )
}


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
