"""A person's whole valid-time story at one record time: facet periods, list periods, changes.

Pure, like the fold it is built on. The state at a valid date V is the fold of
the facts whose earliest day is on or before V; sorted by earliest day first,
those facts are a prefix of the story, so one pass over the fold's steps gives
the state for every V at once. The state can change only on a day some fact
starts: each such day closes the periods whose value changed and opens new ones.

The projections write these periods as rows, and ``why`` reads them: one
function decides what every list and facet was, for every reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import Iterable, NamedTuple, Sequence

from casetrail.domain.claims import EMPTY, Claims
from casetrail.domain.events import Fact, PersonEvent
from casetrail.domain.fold import Step, fold
from casetrail.domain.facets import FACETS, INITIAL, facet_values
from casetrail.domain.rules import Rules

BEGINNING = date.min  # the first period of every facet starts here: before any fact
OPEN = date.max  # the valid_to of a period that has not ended


class Period(NamedTuple):
    """A stretch of valid time [valid_from, valid_to) in which a facet had one value,
    or in which the person was on a list (value "in")."""

    kind: str  # "facet" or "list"
    name: str
    value: str  # a facet's value; for a list "in", or "possibly": after an exit that may not have happened yet
    valid_from: date
    valid_to: date
    cause: Fact | None  # the fact that opened it; None for the state before any fact
    contested: bool = False  # its cause is one account of a disputed happening (claims.py)
    ended_by: Fact | None = None  # for a stay on a list that ended: the fact that ended it

    def holds_on(self, day: date) -> bool:
        return self.valid_from <= day < self.valid_to

    def uncertain_on(self, day: date) -> bool:
        """The fact that opened the period may not have happened yet on ``day``."""
        return self.cause is not None and self.cause.on.latest > day


class Change(NamedTuple):
    """A facet changed value, or the person entered ("in") or left ("out") a list."""

    kind: str
    name: str
    before: str
    after: str
    cause: Fact
    position: int  # the facet's or list's place, to order changes made by one fact
    # Sorts changes as the story is told: by their cause's dates as the story narrows them, its place
    # among the told facts with those very dates (``tie``), then by facet. Along the story the
    # dates never go down, so this is the story's order; it stays the same when a fact is told
    # elsewhere in the story, so the views' rows of the other changes stay as they are.
    order: tuple

    @property
    def valid_from(self) -> date:
        return self.cause.on.earliest

    @property
    def seq(self) -> str:
        """``order`` as text that sorts the same (the views' ``seq`` column)."""
        earliest, latest, tie, position = self.order
        return f"{earliest.isoformat()}|{latest.isoformat()}|{tie:04d}|{position:03d}"


def _change(kind: str, name: str, before: str, after: str, cause: Fact, tie: int, position: int) -> Change:
    on = cause.on
    return Change(kind, name, before, after, cause, position, (on.earliest, on.latest, tie, position))


def _ties(steps: Sequence[Step]) -> list[int]:
    """Each step's place among the consecutive steps whose facts have the same dates (0 for the first)."""
    ties, previous, tie = [], None, 0
    for step in steps:
        bounds = (step.event.on.earliest, step.event.on.latest)
        tie = tie + 1 if bounds == previous else 0
        ties.append(tie)
        previous = bounds
    return ties


@dataclass(frozen=True)
class Timeline:
    periods: tuple[Period, ...]
    changes: tuple[Change, ...]
    final: tuple[str, ...]  # the facets once every fact has happened (the state now)
    claims: Claims = field(default=EMPTY, compare=False)  # each fact's sources, and the disputes

    def period(self, kind: str, name: str, day: date) -> Period | None:
        """The facet's value, or the stay on the list ("in" or "possibly"), that holds on ``day``."""
        return next((p for p in self.periods if p.kind == kind and p.name == name and p.holds_on(day)), None)


def timeline(events: Sequence[PersonEvent], rules: Rules, known_at: datetime | None = None) -> Timeline:
    """Every facet and list of one person across all valid time, as recorded by ``known_at``."""
    folded = fold(events, OPEN, known_at)
    steps = folded.steps
    if not steps:  # registered, nothing reported yet (or all of it retracted): the same for everyone
        return Timeline(_unreported(rules), (), INITIAL, folded.claims)
    ties = _ties(steps)
    disputed = folded.claims.disputed if folded.claims.disputes else None
    n = len(FACETS)
    values = INITIAL
    asked = rules.claimant_facets  # facets whose rule tests ask who says so: usually none
    causes: list[Fact | None] = [None] * n  # the fact that set each facet's value, for those tests
    members = rules.members(values, _claimed(asked, causes, folded.claims) if asked else None)
    facet_open: list[tuple[date, Fact | None]] = [(BEGINNING, None)] * n
    list_open: list[tuple[date, Fact | None]] = [(BEGINNING, None)] * len(members)
    periods: list[Period] = []
    changes: list[Change] = []
    i, count, last = 0, len(steps), None
    while i < count:
        day = steps[i].event.on.earliest
        start_values, start_members = values, members
        facet_cause: dict[int, int] = {}  # facet -> the step that moved it last this day
        list_cause: dict[int, int] = {}
        # Facts that start on the same day change the state together; within the day,
        # the last fact that moved a facet (or list) is the one that set it.
        while i < count and steps[i].event.on.earliest == day:
            event, state = steps[i].event, steps[i].state
            new_values = values if state is last else facet_values(state)  # a step may keep the state
            last = state
            if new_values != values:  # a fact may change nothing (noted, an allegation)
                for k in range(n):
                    if new_values[k] != values[k]:
                        facet_cause[k] = i
                        causes[k] = event
                new_members = rules.members(new_values, _claimed(asked, causes, folded.claims) if asked else None)
                if new_members is not members:  # rules.members returns one tuple per facet values
                    for k in range(len(members)):
                        if new_members[k] != members[k]:
                            list_cause[k] = i
                values, members = new_values, new_members
            i += 1
        for k in _in_order(facet_cause):  # only a facet some fact moved can have changed
            if values[k] != start_values[k]:
                began, cause = facet_open[k]
                periods.append(_period("facet", FACETS[k], start_values[k], began, day, cause, disputed))
                at = facet_cause[k]
                facet_open[k] = (day, steps[at].event)
                changes.append(_change("facet", FACETS[k], start_values[k], values[k], steps[at].event, ties[at], k))
        for k in _in_order(list_cause):
            if members[k] != start_members[k]:
                at = list_cause[k]
                if start_members[k]:
                    began, cause = list_open[k]
                    periods.append(_period("list", rules.lists[k].name, "in", began, day, cause, disputed,
                                           steps[at].event))
                list_open[k] = (day, steps[at].event)
                # Leaving a list is told before entering another on the same fact.
                changes.append(_change("list", rules.lists[k].name, _word(start_members[k]), _word(members[k]),
                                       steps[at].event, ties[at], n + k + (0 if start_members[k] else len(members))))
    periods += _still_open(facet_open, values, list_open, members, rules, disputed)
    periods += _possibly(periods, disputed)
    return Timeline(tuple(periods), tuple(sorted(changes, key=_ORDER)), values, folded.claims)


def _still_open(facet_open: list, values: tuple, list_open: list, members: tuple, rules: Rules,
                disputed: frozenset | None) -> list[Period]:
    """The periods that last to the end of time: each facet's last value (a facet no fact moved
    still has its first one), each list still held."""
    periods = [_period("facet", FACETS[k], values[k], began, OPEN, cause, disputed) if cause else _UNMOVED[k]
               for k, (began, cause) in enumerate(facet_open)]
    periods += [_period("list", rule.name, "in", list_open[k][0], OPEN, list_open[k][1], disputed)
                for k, rule in enumerate(rules.lists) if members[k]]
    return periods


def _unreported(rules: Rules) -> tuple[Period, ...]:
    """The periods of a person with no fact: each facet's first value, and any list that holds of it."""
    periods = _UNREPORTED.get(rules.fingerprint)
    if periods is None:
        asked = rules.claimant_facets
        members = rules.members(INITIAL, tuple(frozenset() for _ in FACETS) if asked else None)
        periods = _UNREPORTED[rules.fingerprint] = tuple(
            _still_open([(BEGINNING, None)] * len(FACETS), INITIAL, [(BEGINNING, None)] * len(members), members,
                        rules, None))
    return periods


def last_reported(story: Timeline, day: date) -> Fact | None:
    """What we last heard that bears on the status on ``day``: the latest fact, as the story tells them,
    that set a facet's value on or before it (None: nothing yet). ``show``, ``people`` and list
    members answer with its date (the views: the latest facet change in the changes table)."""
    return next((c.cause for c in reversed(story.changes) if c.kind == "facet" and c.valid_from <= day), None)


def _possibly(periods: list[Period], disputed: frozenset | None) -> list[Period]:
    """After each exit from a list whose fact may not have happened yet (died "2022-03~", read on
    15 March), the person is possibly still on it: from the exit until the fact's latest day (when
    it has surely happened), or until they are on the list again. Its cause is the exit's fact."""
    stays: dict[str, list[Period]] = {}
    for period in periods:
        if period.kind == "list":
            stays.setdefault(period.name, []).append(period)
    possible = []
    for name, on in stays.items():
        on.sort(key=_FROM)
        for stay, after in zip(on, [*on[1:], None]):
            exit_ = stay.ended_by if stay.valid_to != OPEN else None
            if exit_ is None or exit_.on.latest <= stay.valid_to:
                continue
            # On its latest day the exit has certainly happened (the fold is then certain too).
            until = min(exit_.on.latest, after.valid_from if after else OPEN)
            if until > stay.valid_to:
                possible.append(_period("list", name, "possibly", stay.valid_to, until, exit_, disputed))
    return possible


_ORDER = itemgetter(6)  # Change.order
_UNREPORTED: dict[str, tuple[Period, ...]] = {}  # by the rules' fingerprint
_UNMOVED = tuple(Period("facet", name, value, BEGINNING, OPEN, None) for name, value in zip(FACETS, INITIAL))
_FROM = itemgetter(3)  # Period.valid_from


def _period(kind: str, name: str, value: str, began: date, until: date, cause: Fact | None,
            disputed: frozenset | None, ended_by: Fact | None = None) -> Period:
    return Period(kind, name, value, began, until, cause, bool(disputed and cause and cause.id in disputed), ended_by)


def _claimed(asked: tuple[int, ...], causes: list[Fact | None], claims: Claims) -> tuple[frozenset, ...]:
    """Who asserts the fact that set each facet a rule asks about (empty for the others)."""
    return tuple(claims.claimant_kinds(causes[k]) if k in asked else frozenset() for k in range(len(causes)))


def _in_order(moved: dict[int, Fact]) -> Iterable[int]:
    return sorted(moved) if len(moved) > 1 else moved  # usually one: no sort


def _word(member: bool) -> str:
    return "in" if member else "out"


class Moved(NamedTuple):
    """What one fact changed: facets as (before, after), the lists entered and left."""

    step: Step
    facets: dict[str, tuple[str, str]]
    entered: tuple[str, ...]
    left: tuple[str, ...]


def fact_by_fact(steps: Sequence[Step], rules: Rules) -> list[Moved]:
    """What each fact changed, in story order (``replay``). ``timeline`` tells the same day by
    day, where the facts of one day change the state together: both read the facets and lists
    as declared, so a status is made of the same things for every reader."""
    values, members = INITIAL, rules.members(INITIAL)
    moved = []
    for step in steps:
        new_values = facet_values(step.state)
        new_members = rules.members(new_values)
        facets = {name: (was, now) for name, was, now in zip(FACETS, values, new_values) if was != now}
        pairs = list(zip(rules.lists, members, new_members))
        moved.append(Moved(step, facets, tuple(r.name for r, was, now in pairs if now and not was),
                           tuple(r.name for r, was, now in pairs if was and not now)))
        values, members = new_values, new_members
    return moved
