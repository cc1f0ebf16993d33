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
from casetrail.domain.fold import Folded, Step, Told, fold
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


class Mark(NamedTuple):
    """Where the walk along a story stood at the start of a day: enough to go on from there."""

    step: int  # the day's first step
    values: tuple[str, ...]
    members: tuple[bool, ...]
    facet_open: tuple  # each facet's (since, cause)
    list_open: tuple  # each list's (since, cause)
    periods: int  # periods made by then
    changes: int  # changes made by then
    brief: int  # brief stays by then
    last: object  # the state of the step before


@dataclass(frozen=True)
class Walked:
    """A timeline's walk, kept to make the timeline of a longer story from (``timeline(after=)``):
    the story told, and at the start of each day where the walk stood."""

    told: Told
    fingerprint: str  # of the rules it walked by
    disputed: frozenset | None
    marks: tuple[Mark, ...]
    periods: tuple[Period, ...]  # those the walk made (not those still open at its end)
    changes: tuple[Change, ...]  # in the order made
    brief: tuple[Period, ...]  # stays begun and ended on one day

    def mark_for(self, folded: Folded, rules: Rules, disputed: frozenset | None) -> int | None:
        """The last day the walk of ``folded`` may go on from (its index in ``marks``): one that
        starts within the steps the fold took over, so everything before it is as it was; None:
        walk it all (other rules or disputes, a rule asking who says so, nothing taken over)."""
        reused, steps = folded.told.reused, folded.steps
        if not reused or self.fingerprint != rules.fingerprint or self.disputed != disputed or rules.claimant_facets:
            return None
        for at in range(len(self.marks) - 1, 0, -1):
            step = self.marks[at].step
            # A mark where the steps taken over end starts a day only if the next step starts another.
            if step < reused or (step == reused and (step == len(steps) or steps[step].event.on.earliest
                                                       != steps[step - 1].event.on.earliest)):
                return at
        return None


@dataclass(frozen=True)
class Timeline:
    periods: tuple[Period, ...]
    changes: tuple[Change, ...]
    claims: Claims = field(default=EMPTY, compare=False)  # each fact's sources, and the disputes
    walked: Walked | None = field(default=None, compare=False, repr=False)

    def period(self, kind: str, name: str, day: date) -> Period | None:
        """The facet's value, or the stay on the list ("in" or "possibly"), that holds on ``day``."""
        return next((p for p in self.periods if p.kind == kind and p.name == name and p.holds_on(day)), None)


def timeline(events: Sequence[PersonEvent], rules: Rules, known_at: datetime | None = None,
             after: Timeline | None = None) -> Timeline:
    """Every facet and list of one person across all valid time, as recorded by ``known_at``.

    ``after``: the timeline of fewer of the same events (the projections' last one of this
    person): the walk goes on from the last day its story still begins the same (the same
    timeline, sooner)."""
    earlier = after.walked if after is not None else None
    folded = fold(events, OPEN, known_at, earlier.told if earlier else None)
    if not folded.steps:  # registered, nothing reported yet (or all of it retracted): the same for everyone
        return Timeline(_unreported(rules), (), folded.claims)
    disputed = folded.claims.disputed if folded.claims.disputes else None
    at = earlier.mark_for(folded, rules, disputed) if earlier else None
    walk = _Walk(folded, rules, disputed, earlier, at)
    walk.go()
    walked = Walked(folded.told, rules.fingerprint, disputed, tuple(walk.marks), tuple(walk.periods),
                    tuple(walk.changes), tuple(walk.brief))
    periods = walk.periods + _still_open(walk.facet_open, walk.values, walk.list_open, walk.members, rules, disputed)
    periods += _possibly([*periods, *walk.brief], disputed)
    return Timeline(tuple(periods), tuple(sorted(walk.changes, key=_ORDER)), folded.claims, walked)


class _Walk:
    """The walk along a story's steps, day by day, that makes a timeline's periods and changes:
    the state can change only on a day some fact starts, so each such day closes the periods
    whose value changed and opens new ones. It starts from nothing, or from an earlier walk's mark."""

    def __init__(self, folded: Folded, rules: Rules, disputed: frozenset | None, earlier: Walked | None,
                 at: int | None) -> None:
        self.steps, self.rules, self.claims, self.disputed = folded.steps, rules, folded.claims, disputed
        self.ties = _ties(self.steps)
        self.asked = rules.claimant_facets  # facets whose rule tests ask who says so: usually none
        n = len(FACETS)
        self.causes: list[Fact | None] = [None] * n  # the fact that set each facet's value, for those tests
        if at is None:
            self.values = INITIAL
            self.members = rules.members(INITIAL, self._claimed())
            self.facet_open: list[tuple[date, Fact | None]] = [(BEGINNING, None)] * n
            self.list_open: list[tuple[date, Fact | None]] = [(BEGINNING, None)] * len(self.members)
            self.periods: list[Period] = []
            self.changes: list[Change] = []
            self.brief: list[Period] = []  # on a list and off it again within one day: none of it is a period,
            # but the fact that took them off may not have happened yet (_possibly)
            self.marks: list[Mark] = []
            self.i, self.last = 0, None
            return
        mark = earlier.marks[at]
        self.values, self.members, self.last, self.i = mark.values, mark.members, mark.last, mark.step
        self.facet_open, self.list_open = list(mark.facet_open), list(mark.list_open)
        self.periods, self.changes = list(earlier.periods[:mark.periods]), list(earlier.changes[:mark.changes])
        self.brief = list(earlier.brief[:mark.brief])
        self.marks = list(earlier.marks[:at])

    def _claimed(self) -> tuple[frozenset, ...] | None:
        return _claimed(self.asked, self.causes, self.claims) if self.asked else None

    def go(self) -> None:
        steps, count = self.steps, len(self.steps)
        while self.i < count:
            self.marks.append(Mark(self.i, self.values, self.members, tuple(self.facet_open), tuple(self.list_open),
                                   len(self.periods), len(self.changes), len(self.brief), self.last))
            day = steps[self.i].event.on.earliest
            start_values, start_members = self.values, self.members
            facet_cause, list_cause = self._day(day)
            self._close(day, start_values, start_members, facet_cause, list_cause)

    def _day(self, day: date) -> tuple[dict[int, int], dict[int, int]]:
        """Step through the facts that start on ``day``: they change the state together, and the
        last fact that moved a facet (or list) is the one that set it. Returns, for each facet and
        list some fact moved, the step that moved it last."""
        steps, rules, n = self.steps, self.rules, len(FACETS)
        values, members, last, i, count = self.values, self.members, self.last, self.i, len(steps)
        facet_cause: dict[int, int] = {}
        list_cause: dict[int, int] = {}
        while i < count and steps[i].event.on.earliest == day:
            event, state = steps[i].event, steps[i].state
            new_values = values if state is last else facet_values(state)  # a step may keep the state
            last = state
            if new_values != values:  # a fact may change nothing (noted, an allegation)
                for k in range(n):
                    if new_values[k] != values[k]:
                        facet_cause[k] = i
                        self.causes[k] = event
                new_members = rules.members(new_values, self._claimed())
                if new_members is not members:  # rules.members returns one tuple per facet values
                    for k in range(len(members)):
                        if new_members[k] != members[k]:
                            list_cause[k] = i
                values, members = new_values, new_members
            i += 1
        self.values, self.members, self.last, self.i = values, members, last, i
        return facet_cause, list_cause

    def _close(self, day: date, start_values: tuple, start_members: tuple, facet_cause: dict[int, int],
               list_cause: dict[int, int]) -> None:
        """The periods that ended on ``day`` and the changes it made."""
        steps, ties, values, disputed = self.steps, self.ties, self.values, self.disputed
        for k in _in_order(facet_cause):  # only a facet some fact moved can have changed
            if values[k] != start_values[k]:
                began, cause = self.facet_open[k]
                self.periods.append(_period("facet", FACETS[k], start_values[k], began, day, cause, disputed))
                at = facet_cause[k]
                self.facet_open[k] = (day, steps[at].event)
                self.changes.append(_change("facet", FACETS[k], start_values[k], values[k], steps[at].event,
                                            ties[at], k))
        for k in _in_order(list_cause):
            self._close_list(day, k, start_members[k], steps[list_cause[k]].event, ties[list_cause[k]])

    def _close_list(self, day: date, k: int, was: bool, cause: Fact, tie: int) -> None:
        """List ``k`` on ``day``, which ``cause`` moved last: left, entered, or on and off again."""
        now, name, disputed = self.members[k], self.rules.lists[k].name, self.disputed
        if now == was:
            if not now:  # on and off again this day: no stay, but the fact that ended it may not have happened yet
                self.brief.append(_period("list", name, "in", day, day, None, disputed, cause))
            return
        if was:
            began, opened_by = self.list_open[k]
            self.periods.append(_period("list", name, "in", began, day, opened_by, disputed, cause))
        self.list_open[k] = (day, cause)
        # Leaving a list is told before entering another on the same fact.
        n, count = len(FACETS), len(self.members)
        self.changes.append(_change("list", name, _word(was), _word(now), cause, tie, n + k + (0 if was else count)))


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
