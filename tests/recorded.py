"""Hypothesis strategies for whole recorded histories: several people, their saves
interleaved in record time, facts arriving late and out of valid-time order,
uncertain dates, and retractions recorded later.

Events are built directly (not through the commands), so streams may hold
conflicting facts too: the fold leaves those out, and every reader must agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.utils import get_topic
from hypothesis import strategies as st

from casetrail.domain.events import (
    FACT_TYPES, Corroborated, Fact, Merged, MergedInto, PersonEvent, Preferred, Registered, Retracted,
)
from casetrail.domain.person import ABSORBED, Person, person_id
from tests.unit.builders import SOURCE, T0
from tests.unit.test_properties import candidate_facts


@dataclass
class Recorded:
    """One person's stream as recorded."""

    key: str
    id: UUID
    events: list[PersonEvent] = field(default_factory=list)

    def known(self, at: datetime | None) -> list[PersonEvent]:
        return [e for e in self.events if at is None or e.timestamp <= at]

    def story(self, people: list[Recorded]) -> list[PersonEvent]:
        """Their events and those each merge into them took in (as ``Casetrail.person`` loads them)."""
        taken = [e for m in self.events if isinstance(m, Merged) for other in people if other.id == m.other_id
                 for e in other.events[:m.other_version] if isinstance(e, ABSORBED)]
        return sorted(self.events + taken, key=lambda e: e.timestamp) if taken else self.events

    def standing(self, cls: type) -> list[PersonEvent]:
        gone = {e.event_id for e in self.events if isinstance(e, Retracted)}
        return [e for e in self.events if isinstance(e, cls) and e.id not in gone]


@dataclass
class History:
    people: list[Recorded]
    saves: list[list[PersonEvent]]  # in record order; the events of one save share a record time

    @property
    def times(self) -> list[datetime]:
        return [save[0].timestamp for save in self.saves]


@st.composite
def histories(draw, max_people: int = 4, max_facts: int = 8) -> History:
    count = draw(st.integers(1, max_people))
    plans = []
    for n in range(count):
        facts = draw(candidate_facts(min_size=0, max_size=max_facts))
        facts = [facts[i] for i in draw(st.permutations(range(len(facts))))]  # arrive in any valid-time order
        saves: list[list[Any]] = [[("registered",)]]
        for fact in facts:
            # Claims (issue 12): another account of an earlier fact, another source for one, a preference.
            if draw(st.integers(0, 4)) == 0:
                fact = ("dispute", draw(st.integers(0, 100)), fact)
            if draw(st.integers(0, 5)) == 0:
                saves.append([(draw(st.sampled_from(["corroborate", "prefer"])), draw(st.integers(0, 100)))])
            if saves[-1][0][0] not in _ALONE and draw(st.integers(0, 3)) == 0:
                saves[-1].append(fact)  # recorded together with the previous ones
            else:
                saves.append([fact])
            if draw(st.integers(0, 5)) == 0:
                saves.append([("retract", draw(st.integers(0, 100)))])
        plans.append((f"person-{n}", saves))
    # Interleave the people's saves in record time, each person's in their own order.
    queue = [i for i, (_, saves) in enumerate(plans) for _ in saves]
    order = [queue[i] for i in draw(st.permutations(range(len(queue))))]
    # Identity (issue 12): merges of one record into another, and their retraction, at any point after both
    # are registered (a record merged away takes no saves of its own: its commands act on the kept one).
    for _ in range(draw(st.integers(0, 3)) if count > 1 else 0):
        at = draw(st.integers(0, len(order)))
        order.insert(at, ("merge", draw(st.integers(0, count - 1)), draw(st.integers(0, count - 1))))
    people = [Recorded(key, person_id(key)) for key, _ in plans]
    cursor = [0] * count
    clock = T0
    recorded: list[list[PersonEvent]] = []
    for who in order:
        clock += timedelta(minutes=draw(st.integers(1, 600)), microseconds=draw(st.integers(0, 999)))
        if isinstance(who, tuple):
            events = _merge_or_undo(people[who[1]], people[who[2]], clock)
        else:
            key, saves = plans[who]
            save = saves[cursor[who]]
            cursor[who] += 1
            if people[who].events and people[who].standing(MergedInto):
                continue
            events = _build(people[who], save, clock)
        if events:
            recorded.append(events)
    return History(people, recorded)


def _merge_or_undo(keep: Recorded, other: Recorded, at: datetime) -> list[PersonEvent]:
    """Merge ``other`` into ``keep`` (both saved at once), or retract that merge if it stands."""
    if keep is other or not keep.events or not other.events:
        return []
    standing = [m for m in keep.standing(Merged) if m.other_id == other.id]
    if standing:
        pointer = other.standing(MergedInto)[0]
        events = [_retraction(keep, standing[0].id, at), _retraction(other, pointer.id, at)]
    elif keep.standing(MergedInto) or other.standing(MergedInto) or other.standing(Merged):
        return []
    else:
        merge = Merged.model_validate({**_common(keep, at), "other": other.key, "other_id": other.id,
                                       "other_version": len(other.events), "reason": "one human"})
        keep.events.append(merge)
        pointer = MergedInto.model_validate({**_common(other, at), "into": keep.key, "into_id": keep.id,
                                             "merge_id": merge.id, "reason": "one human"})
        other.events.append(pointer)
        return [merge, pointer]
    keep.events.append(events[0])
    other.events.append(events[1])
    return events


def _common(person: Recorded, at: datetime) -> dict[str, Any]:
    return {"originator_id": person.id, "originator_version": len(person.events) + 1, "timestamp": at}


def _retraction(person: Recorded, target: UUID, at: datetime) -> Retracted:
    return Retracted.model_validate({**_common(person, at), "event_id": target, "reason": "two humans"})


_ALONE = ("retract", "corroborate", "prefer")  # saved on their own


def _build(person: Recorded, save: list[Any], at: datetime) -> list[PersonEvent]:
    built: list[PersonEvent] = []
    for item in save:
        facts = [e for e in person.events if isinstance(e, Fact)]
        version = len(person.events) + 1
        common = {"originator_id": person.id, "originator_version": version, "timestamp": at}
        if item[0] == "registered":
            event = Registered.model_validate({**common, "originator_topic": get_topic(Person), "key": person.key,
                                               "name": person.key.replace("-", " ").title()})
        elif item[0] == "retract":
            gone = {e.event_id for e in person.events if isinstance(e, Retracted)}
            targets = [e for e in person.events if e.type not in ("registered", "retracted", "merged", "merged_into") and e.id not in gone]
            if not targets:
                continue
            event = Retracted.model_validate({**common, "event_id": targets[item[1] % len(targets)].id,
                                              "reason": "wrong"})
        elif item[0] in ("corroborate", "prefer"):
            if not facts:
                continue
            target = facts[item[1] % len(facts)].id
            event = (Corroborated.model_validate({**common, "event_id": target, "source": "another-source"})
                     if item[0] == "corroborate" else Preferred.model_validate({**common, "event_id": target,
                                                                                "reason": "better sourced"}))
        else:
            disputes = None
            if item[0] == "dispute":
                disputes = facts[item[1] % len(facts)].id if facts else None
                item = item[2]
            type_name, on, fields = item
            event = FACT_TYPES[type_name].model_validate({**common, "id": uuid4(), "on": on, "source": SOURCE,
                                                          "disputes": disputes, **fields})
        person.events.append(event)
        built.append(event)
    return built
