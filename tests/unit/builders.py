"""Test helpers: build a person's events without a database.

Two ways, both used by the unit tests:

- ``Stream`` constructs the stored events directly (``model_validate`` with an
  originator id, a version and a record time chosen by the test), so a test can
  fold any record order and any record times, even ones a command would refuse.
- ``new_person`` / ``rec`` go through the ``Person`` aggregate, as the
  application does; the aggregate lives in memory and ``.history`` is its list
  of events.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

from casetrail.domain.events import FACT_TYPES, Corroborated, Fact, Preferred, Retracted
from casetrail.domain.person import Person

# Commands check "not in the future" against the day they are given: fix it.
TODAY = date(2025, 6, 1)
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
SOURCE = "test-source"


class Stream:
    """A person's stream built event by event, each recorded one minute after the last."""

    def __init__(self, start: datetime = T0, originator_id: UUID | None = None) -> None:
        self.id = originator_id or uuid4()
        self.events: list[Any] = []
        self.clock = start

    def _stamp(self, at: datetime | None) -> tuple[int, datetime]:
        self.clock = at if at is not None else self.clock + timedelta(minutes=1)
        return len(self.events) + 2, self.clock  # version 1 is the registration

    def add(self, type_name: str, on: str, *, at: datetime | None = None, **fields: Any) -> Fact:
        version, stamp = self._stamp(at)
        fields.setdefault("source", SOURCE)
        event = FACT_TYPES[type_name].model_validate(
            {"originator_id": self.id, "originator_version": version, "timestamp": stamp, "on": on, **fields}
        )
        self.events.append(event)
        return event

    def retract(self, target: Any, reason: str = "wrong", *, at: datetime | None = None) -> Retracted:
        return self._about(Retracted, target, at, reason=reason)

    def corroborate(self, target: Fact, source: str, claimant: str | None = None, *,
                    at: datetime | None = None) -> Corroborated:
        return self._about(Corroborated, target, at, source=source, claimant=claimant)

    def prefer(self, target: Fact, reason: str = "better sourced", *, at: datetime | None = None) -> Preferred:
        return self._about(Preferred, target, at, reason=reason)

    def _about(self, cls: type, target: Any, at: datetime | None, **fields: Any) -> Any:
        version, stamp = self._stamp(at)
        event = cls.model_validate({"originator_id": self.id, "originator_version": version, "timestamp": stamp,
                                    "event_id": target.id, **fields})
        self.events.append(event)
        return event


def new_person(key: str = "test-person", name: str = "Test Person") -> Person:
    return Person.register(key, name)


def rec(person: Person, type_name: str, on: str, **fields: Any) -> Fact:
    """Record one fact through the aggregate's command, citing the test source."""
    fields.setdefault("source", SOURCE)
    return person.record(type_name, TODAY, on=on, **fields)


def snapshot(person: Person) -> tuple:
    """What a refused command must leave untouched."""
    return person.version, list(person.history), list(person.pending_events)
