"""The fold: one pure function from a person's events to their state.

Every reader shares it: the aggregate's checks, ``show``, ``replay`` and (later)
the projections. Events arrive in record order; the story is told in valid-time
order. At a valid date V and a record time K, an event counts when it was
recorded at or before K, no retraction recorded at or before K names it, and its
earliest possible day is on or before V. The counted events are sorted by
(earliest day, latest day, a fixed rank per type, record order) and
stepped through the transition table below. The answer is *uncertain* when a
counted event's latest possible day is after V (``2022-01`` read on 9 January).

A step that the timeline cannot allow (released while free, died twice, ...) is
kept out of the state and reported as a conflict; commands refuse any new event
that would cause one, so a stored stream folds without conflicts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Sequence

from casetrail.domain.events import (
    AppealDecided, Appealed, Acquitted, Allegation, Charged, ChargesDropped, Compensated, Designated, Detained,
    Died, Fact, PersonEvent, PlacedUnderHouseArrest, Released, Retracted, Sentenced, SentenceKind, Outcome,
)
from casetrail.domain.money import exact_sum

IN_CUSTODY = ("detained", "house_arrest", "imprisoned")
# What may still be recorded about a person after their death.
AFTER_DEATH = {"designated", "compensated", "appeal_decided", "acquitted", "noted"}
# What may be dated wholly before the person's year of birth: only a note (a family's
# story, a place's history). A death, a detention or a trial before birth is a wrong date.
BEFORE_BIRTH = {"noted"}


@dataclass(frozen=True)
class Period:
    """A stretch of custody (detention, house arrest or prison) in valid time."""

    kind: str
    start: date
    end: date | None  # None: still open at the fold's valid date
    cause: Fact


@dataclass(frozen=True)
class Money:
    awarded: Decimal = Decimal(0)
    claimed: Decimal = Decimal(0)


@dataclass(frozen=True)
class State:
    custody: str = "never_detained"
    custody_event: Fact | None = None  # the fact that put custody where it is
    legal: str = "none"
    appeal_pending: bool = False
    vital: str = "alive"
    designation: str | None = None
    compensation: tuple[tuple[str, Money], ...] = ()
    periods: tuple[Period, ...] = ()
    allegations: tuple[Allegation, ...] = ()
    died: Fact | None = None

    @property
    def headline(self) -> str:
        if self.vital == "deceased":
            return "deceased"
        if self.custody in IN_CUSTODY:
            return self.custody
        return "released" if self.custody == "free" else "at_large"

    def days_in_custody(self, until: date) -> int:
        """Days held (pretrial, house arrest or prison) up to ``until`` or death."""
        stop = min(until, self.died.on.earliest) if self.died else until
        return sum(max(0, ((p.end or stop) - p.start).days) for p in self.periods if p.kind in IN_CUSTODY)

    def money(self) -> dict[str, Money]:
        return dict(self.compensation)


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

    @property
    def events(self) -> list[Fact]:
        return [step.event for step in self.steps]

    @property
    def days_in_custody(self) -> int:
        return self.state.days_in_custody(self.as_of)


# Facts that share their dates are told in this order: custody and courts first,
# then a death, then what may still follow a death (designations, compensation).
STORY_RANK = {name: rank for rank, name in enumerate([
    "detained", "charged", "placed_under_house_arrest", "charges_dropped", "acquitted", "sentenced", "released",
    "allegation", "noted", "appealed", "died", "appeal_decided", "designated", "compensated",
])}


def story_order(event: Fact) -> tuple:
    """Earliest day first; of two dates that start together the narrower one
    ("2022-01" before "2022"); then the type's rank; then record order."""
    return (event.on.earliest, event.on.latest, STORY_RANK[event.type], event.originator_version)


def known(events: Iterable[PersonEvent], known_at: datetime | None) -> list[PersonEvent]:
    return [e for e in events if known_at is None or e.timestamp <= known_at]


def retracted_ids(events: Iterable[PersonEvent]) -> frozenset:
    return frozenset(e.event_id for e in events if isinstance(e, Retracted))


def fold(events: Sequence[PersonEvent], as_of: date, known_at: datetime | None = None) -> Folded:
    """The state of one person at valid date ``as_of`` as recorded by ``known_at`` (None: now)."""
    seen = known(events, known_at)
    gone = retracted_ids(seen)
    counted = sorted(
        (e for e in seen if isinstance(e, Fact) and e.on.earliest <= as_of and (not gone or e.id not in gone)),
        key=story_order,
    )
    state, steps, conflicts = State(), [], []
    for event in counted:
        problem = _refusal(state, event)
        if problem:
            conflicts.append(Conflict(event, problem))
            continue
        before = state.designation
        state = _transition(state, event)
        changed = isinstance(event, Designated) and before is not None and before != state.designation
        steps.append(Step(event, state, before if changed else None))
    uncertain = any(step.event.on.latest > as_of for step in steps)
    return Folded(as_of, known_at, state, tuple(steps), uncertain, tuple(conflicts), gone)


FIX = "retract the wrong event and record it again with the right (or an approximate) date"


def _refusal(state: State, event: Fact) -> str | None:
    """Why ``event`` cannot follow ``state``, or None when it can."""
    on = event.on.text
    if state.died is not None:
        died = state.died
        if isinstance(event, Died):
            return (f"died on {on} but already died on {died.on} (event {short(died.id)}); "
                    f"retract one of the two deaths")
        if event.type not in AFTER_DEATH:
            return (f"{event.type} on {on} comes after the death on {died.on} (event {short(died.id)}); only "
                    f"designated, compensated, appeal_decided, acquitted and noted may follow a death; if a date is wrong, {FIX}")
    if isinstance(event, Released) and state.custody not in IN_CUSTODY:
        where = _custody_words(state)
        return (f"released on {on} but {where}; record the detention first "
                f"(an approximate date such as {event.on.earliest.year}~ will do) or {FIX}")
    if isinstance(event, Detained) and state.custody == "detained":
        since = state.custody_event
        return (f"detained on {on} but already detained since {since.on} (event {short(since.id)}); "
                f"if it is the same detention it is already recorded, otherwise record the release in between")
    if isinstance(event, PlacedUnderHouseArrest) and state.custody == "house_arrest":
        since = state.custody_event
        return (f"placed_under_house_arrest on {on} but already under house arrest since {since.on} "
                f"(event {short(since.id)}); record the release in between or retract one of the two")
    if isinstance(event, ChargesDropped) and state.legal != "accused":
        return (f"charges_dropped on {on} but no charge is pending then (legal status: {state.legal}); "
                f"record the charge first or {FIX}")
    if isinstance(event, AppealDecided) and not state.appeal_pending:
        return (f"appeal_decided on {on} but no appeal is pending then; record the appeal first "
                f"(appealed, an approximate date will do) or {FIX}")
    return None


def _custody_words(state: State) -> str:
    if state.custody_event is None:
        return "no detention is recorded before it"
    since = state.custody_event
    return f"already free then ({since.type} on {since.on}, event {short(since.id)})"


def _enter(state: State, custody: str, event: Fact) -> State:
    periods = list(state.periods)
    if periods and periods[-1].end is None:
        periods[-1] = replace(periods[-1], end=event.on.earliest)
    if custody in IN_CUSTODY:
        periods.append(Period(custody, event.on.earliest, None, event))
    return _with(state, custody=custody, custody_event=event, periods=tuple(periods))


def _with(state: State, **changes: object) -> State:
    """``dataclasses.replace`` for a State, without its per-call look at the fields: the
    projections fold every stream again at each save, and replace was a fifth of it."""
    new = object.__new__(State)
    new.__dict__.update(state.__dict__, **changes)
    return new


def _transition(state: State, event: Fact) -> State:
    """The transition table: how each type of fact changes the state."""
    if isinstance(event, Detained):
        return _enter(state, "detained", event)
    if isinstance(event, PlacedUnderHouseArrest):
        return _enter(state, "house_arrest", event)
    if isinstance(event, Released):
        return _enter(state, "free", event)
    if isinstance(event, Charged):
        return _with(state, legal="accused")
    if isinstance(event, ChargesDropped):
        return _with(state, legal="cleared")
    if isinstance(event, Acquitted):
        return _with(state, legal="acquitted")
    if isinstance(event, Sentenced):
        state = _with(state, legal="convicted")
        return _enter(state, "imprisoned", event) if event.kind == SentenceKind.prison else state
    if isinstance(event, Appealed):
        return _with(state, appeal_pending=True)
    if isinstance(event, AppealDecided):
        legal = "cleared" if event.outcome == Outcome.overturned and state.legal == "convicted" else state.legal
        return _with(state, appeal_pending=False, legal=legal)
    if isinstance(event, Designated):
        return _with(state, designation=event.designation)
    if isinstance(event, Died):
        return _with(state, vital="deceased", died=event)
    if isinstance(event, Compensated):
        money = state.money()
        old = money.get(event.currency, Money())
        money[event.currency] = Money(exact_sum(old.awarded, event.amount), exact_sum(old.claimed, event.claimed or 0))
        return _with(state, compensation=tuple(sorted(money.items())))
    if isinstance(event, Allegation):
        return _with(state, allegations=state.allegations + (event,))
    return state  # noted: a cited fact that changes nothing


def short(event_id: object) -> str:
    """The first 8 hex digits of an event id: enough to name it within one person."""
    return str(event_id).replace("-", "")[:8]
