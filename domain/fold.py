"""The fold: one pure function from a person's events to their state.

Every reader shares it: the aggregate's checks, ``show``, ``replay`` and (later)
the projections. Events arrive in record order; the story is told in valid-time
order (``story``): by their dates where those say which came first, and where two facts'
dates overlap, by what must come first (a detention before its charge, a sentence before
its appeal: the types' ranks). Told in that order, a fact cannot have happened before one
told ahead of it, nor after one told behind it, so each fact's date is narrowed to that
(a charge in "2022-01" told after a detention on 9 January is from 9 to 31 January), and an
open end (``../2023-03-09``) takes its bound from the facts that must come before (or after) it.

At a valid date V and a record time K, an event counts when it was recorded at or before
K, no retraction recorded at or before K names it, and its earliest possible day (so
narrowed) is on or before V: a prefix of the story. Each is checked by its type's
``refusal`` and stepped by its ``step`` (events.py). The answer is *uncertain* when a
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
    told: Told | None = field(default=None, compare=False)  # the whole story, to tell a longer one from

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
    """Where ``story`` starts from: earliest day first; of two dates that start together the
    narrower one ("2022-01" before "2022"); then the type's rank; then record order (in a merged
    person's story, two streams' versions tie in the order the story lists them: record time)."""
    return (event.on.earliest, event.on.latest, event.rank, event.originator_version)


def comes_first(fact: Fact, other: Fact) -> bool:
    """Whether ``fact`` must be told before ``other`` when their dates overlap: a type may
    declare the types it follows whatever the ranks (``told_after``); else the lower rank."""
    if fact.type in other.told_after:
        return True
    if other.type in fact.told_after:
        return False
    return fact.rank < other.rank


def _overlap(a: Fact, b: Fact) -> bool:
    return a.on.earliest <= b.on.latest and b.on.earliest <= a.on.latest


def story(facts: Sequence[Fact]) -> list[Fact]:
    """A person's facts in the one story order every reader tells, each dated within what the
    story allows.

    From ``story_order``, each fact in turn moves back past the facts before it whose dates
    overlap its own and that must come after it (``comes_first``); it never moves past one
    wholly before it, and none wholly after it can move past it, so the order never
    contradicts two dates that say which came first. Deterministic: the same facts give the
    same story, whatever order they were recorded in."""
    told: list[Fact] = []
    for fact in sorted(_bounded(facts), key=story_order):
        at = len(told)
        while at and _overlap(fact, told[at - 1]) and comes_first(fact, told[at - 1]):
            at -= 1
        told.insert(at, fact)
    return _narrowed(told)


def _bounded(facts: Sequence[Fact]) -> Sequence[Fact]:
    """Open ends given the bound the person's other facts allow. ``../TO`` (on or before) starts
    at the latest start of a dated fact that must come before it and could; none: at TO (it
    surely happened by then, nothing says since when). ``FROM/..`` (on or after) ends at the
    earliest end of a dated fact that must come after it (a death among them) and could; none:
    at FROM. Within that range an answer is uncertain."""
    if not any(f.on.open for f in facts):
        return facts
    dated = [f for f in facts if not f.on.open]
    bounded = []
    for fact in facts:
        on = fact.on
        if on.open:
            earliest, latest = on.earliest, on.latest
            if on.open_start:
                earliest = max((g.on.earliest for g in dated if comes_first(g, fact) and g.on.earliest <= latest),
                               default=latest)
            if on.open_end:
                latest = min((g.on.latest for g in dated if comes_first(fact, g) and g.on.latest >= earliest),
                             default=earliest)
            fact = fact.model_copy(update={"on": on.within(earliest, latest)})
        bounded.append(fact)
    return bounded


def _narrowed(told: list[Fact]) -> list[Fact]:
    """Each fact no earlier than the start of any told before it, no later than the end of any
    told after it (so the starts never go down along the story: the counted facts at any V are
    a prefix of it)."""
    ceilings, ceiling = [], date.max
    for fact in reversed(told):
        ceiling = min(ceiling, fact.on.latest)
        ceilings.append(ceiling)
    ceilings.reverse()
    floor, narrowed = date.min, []
    for fact, ceiling in zip(told, ceilings):
        on = fact.on
        floor = max(floor, on.earliest)
        if floor == on.earliest and ceiling == on.latest:  # the usual case: nothing to narrow
            narrowed.append(fact)
            continue
        within = on.within(min(floor, on.latest), max(ceiling, floor, on.earliest))
        narrowed.append(fact if within is on else fact.model_copy(update={"on": within}))
    return narrowed


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


def fold(events: Sequence[PersonEvent], as_of: date, known_at: datetime | None = None,
         earlier: Told | None = None) -> Folded:
    """The state of one person at valid date ``as_of`` as recorded by ``known_at`` (None: now).
    ``earlier``: the story of fewer of the same events, told before (``Folded.told``), whose
    steps are taken over as far as the new story begins as it did (the same answer, sooner)."""
    claims = resolve(merged(known(events, known_at), events))
    told = _told(claims.facts, earlier)
    steps = tuple(step for step in told.steps if step.event.on.earliest <= as_of)  # a prefix of the story
    state = steps[-1].state if steps else _BEFORE
    conflicts = tuple(c for c in told.refused if c.event.on.earliest <= as_of)
    uncertain = state.release_reported is False or any(step.event.on.latest > as_of for step in steps)
    return Folded(as_of, known_at, state, steps, uncertain, conflicts, claims.gone, claims, told)


_BEFORE = State()  # before any fact (a State never changes: each step makes a new one)


@dataclass(frozen=True)
class Told:
    """A story told: its facts (as narrowed) in story order, the steps, how many steps there
    were once each fact had been told (a pending end may come before it), the facts refused,
    and how many steps were taken over from an earlier story."""

    facts: tuple[Fact, ...]
    steps: tuple[Step, ...]
    marks: tuple[int, ...]
    refused: tuple[Conflict, ...] = ()
    reused: int = 0

    def kept_in(self, facts: Sequence[Fact]) -> int:
        """How many facts ``facts`` begins with that this story began with too, the same dates."""
        count = 0
        for new, old in zip(facts, self.facts):
            if new is not old and (new.id.int != old.id.int or new.on.earliest != old.on.earliest
                                   or new.on.latest != old.on.latest):
                break
            count += 1
        return count


def _told(facts: Sequence[Fact], earlier: Told | None = None) -> Told:
    """The whole story stepped fact by fact, a pending end (a term that runs out) stepped in its
    place, and the facts it refused. A refused fact is told as if it were not there: the story is
    told again without it (its dates would otherwise narrow the others'). Stored streams have no
    conflicts, so this is one pass.

    The fold is a left fold: where the story begins with the same facts as ``earlier``, each is
    stepped from the same state, so their steps are taken over and the rest stepped from there
    (a person's later news usually comes later in the story)."""
    refused: list[Conflict] = []
    left = list(facts)
    while True:
        story_ = story(left)
        kept = earlier.kept_in(story_) if earlier is not None and not refused and not earlier.refused else 0
        reused = earlier.marks[kept - 1] if kept else 0
        steps = list(earlier.steps[:reused]) if kept else []
        marks = list(earlier.marks[:kept]) if kept else []
        state = steps[-1].state if steps else _BEFORE
        for event in story_[kept:]:
            state = _lapse(state, steps, story_order(event))
            problem = event.refusal(state)
            if problem:
                refused.append(Conflict(event, problem))
                left = [f for f in left if f.id != event.id]
                break
            before = state.designation
            state = event.step(state)
            changed = isinstance(event, Designated) and before is not None and before != state.designation
            steps.append(Step(event, state, before if changed else None))
            marks.append(len(steps))
        else:
            _lapse(state, steps, None)
            return Told(tuple(story_), tuple(steps), tuple(marks), tuple(refused), reused)
