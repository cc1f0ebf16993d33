"""The fold: one pure function from a person's events to their state.

Every reader shares it: the aggregate's checks, ``show``, ``replay`` and (later)
the projections. Events arrive in record order; the story is told in valid-time
order. At a valid date V and a record time K, an event counts when it was
recorded at or before K, no retraction recorded at or before K names it, and its
earliest possible day is on or before V. The counted events are sorted by
(earliest day, latest day, a fixed rank per type, record order); each is checked
by its type's ``refusal`` and stepped by its ``step`` (events.py). The answer is *uncertain* when a
counted event's latest possible day is after V (``2022-01`` read on 9 January).

Some facts set an end that comes by itself (a prison term, an administrative arrest of N
days): the state holds it as ``pending``, a derived ``TermEnded`` fact, which the fold steps
in its place in the story unless a fact before it (a release, a death, a change of sentence)
replaces it. After it custody reads free, uncertain, the release not reported.

A step that the timeline cannot allow (released while free, died twice, ...) is
kept out of the state and reported as a conflict; commands refuse any new event
that would cause one, so a stored stream folds without conflicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Sequence

from casetrail.domain.claims import EMPTY, Claims, Dispute, resolve
from casetrail.domain.events import Designated, Fact, Merged, MergedInto, PersonEvent, Retracted
# The state and its helpers live in state.py, below the events that step it; readers import them from here.
from casetrail.domain.state import FIX, IN_CUSTODY, Money, Period, State, short  # noqa: F401


@dataclass(frozen=True)
class Step:
    """One counted event and the state right after it."""

    event: Fact
    state: State
    reclassified_from: str | None = None  # set on a designation that changed the designation


@dataclass(frozen=True)
class Conflict:
    event: Fact
    message: str


@dataclass(frozen=True)
class Folded:
    as_of: date
    known_at: datetime | None
    state: State
    steps: tuple[Step, ...]
    uncertain: bool
    conflicts: tuple[Conflict, ...]
    retracted: frozenset = frozenset()
    claims: Claims = field(default=EMPTY, compare=False)  # each fact's sources, and the disputes resolved before the fold

    @property
    def disputes(self) -> tuple[Dispute, ...]:
        """The disputes an answer on ``as_of`` depends on: some account of each has happened by then."""
        return tuple(d for d in self.claims.disputes if d.reaches(self.as_of))

    @property
    def contested(self) -> bool:
        return bool(self.disputes)

    @property
    def events(self) -> list[Fact]:
        return [step.event for step in self.steps]

    @property
    def days_in_custody(self) -> int:
        return self.state.days_in_custody(self.as_of)


def story_order(event: Fact) -> tuple:
    """Earliest day first; of two dates that start together the narrower one
    ("2022-01" before "2022"); then the type's rank; then record order (in a merged person's story,
    two streams' versions tie in the order the story lists them: record time)."""
    return (event.on.earliest, event.on.latest, event.rank, event.originator_version)


def known(events: Iterable[PersonEvent], known_at: datetime | None) -> list[PersonEvent]:
    return [e for e in events if known_at is None or e.timestamp <= known_at]


def retracted_ids(events: Iterable[PersonEvent]) -> frozenset:
    return frozenset(e.event_id for e in events if isinstance(e, Retracted))


def _lapse(state: State, steps: list[Step], before: tuple | None) -> State:
    """The state once a pending end that comes before ``before`` in the story (None: any) has come."""
    pending = state.pending
    if pending is None or (before is not None and story_order(pending) >= before):
        return state
    state = pending.step(state)
    steps.append(Step(pending, state))
    return state


def merged(seen: list[PersonEvent], everything: Sequence[PersonEvent] | None = None) -> list[PersonEvent]:
    """Who the events are about, at one record time (``seen``: the events of ``everything`` recorded by then).

    A person's story is their own stream and, for each ``Merged`` event in it, the other stream's
    events it took in (``Person.story``). Those count only while the merge stands (recorded, not
    retracted); a stream whose ``MergedInto`` pointer stands counts nothing of its own (its facts
    count for the person it points to)."""
    everything = seen if everything is None else everything
    others = {e.other_id for e in everything if type(e) is Merged}
    pointers = [e for e in seen if type(e) is MergedInto]
    if not others and not pointers:
        return seen
    gone = retracted_ids(seen)
    if any(e.id not in gone for e in pointers):
        return [e for e in seen if not isinstance(e, Fact)]
    standing = {e.other_id for e in seen if type(e) is Merged and e.id not in gone}
    return [e for e in seen if e.originator_id not in others or e.originator_id in standing]


def fold(events: Sequence[PersonEvent], as_of: date, known_at: datetime | None = None) -> Folded:
    """The state of one person at valid date ``as_of`` as recorded by ``known_at`` (None: now)."""
    claims = resolve(merged(known(events, known_at), events))
    counted = sorted((e for e in claims.facts if e.on.earliest <= as_of), key=story_order)
    state, steps, conflicts = State(), [], []
    for event in counted:
        state = _lapse(state, steps, story_order(event))
        problem = event.refusal(state)
        if problem:
            conflicts.append(Conflict(event, problem))
            continue
        before = state.designation
        state = event.step(state)
        changed = isinstance(event, Designated) and before is not None and before != state.designation
        steps.append(Step(event, state, before if changed else None))
    if state.pending is not None and state.pending.on.earliest <= as_of:
        state = _lapse(state, steps, None)
    uncertain = state.release_reported is False or any(step.event.on.latest > as_of for step in steps)
    return Folded(as_of, known_at, state, tuple(steps), uncertain, tuple(conflicts), claims.gone, claims)
