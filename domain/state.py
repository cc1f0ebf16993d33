"""A person's state, and the small helpers each event type's ``step`` and ``refusal`` use.

It sits below the events (events.py imports it; it imports nothing of casetrail's at run
time) so that every event class can declare beside itself how it changes a State and
what it refuses, while the fold only sorts the events and loops over them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the annotations: events.py imports this module
    from casetrail.domain.events import Allegation, Fact

IN_CUSTODY = ("detained", "house_arrest", "imprisoned")
CUSTODIAL = ("prison", "colony")  # the sentence kinds that hold a person
# The non-custodial kinds that restrict a free person: custody reads "free (restricted)" under them.
RESTRICTING = ("restricted_freedom", "probation", "suspended", "ban")

FIX = "retract the wrong event and record it again with the right (or an approximate) date"


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
    case_roles: tuple[tuple[str, str, str | None], ...] = ()  # (case, role, of whom) of each case they are party to
    # The standing sentence (issue 13): its kind ("none" when no sentence stands, "unknown" when
    # the report does not say), its term as (months, days, credited days) or None when none is
    # given, the day custody under it began, and the end it will reach by itself (a TermEnded
    # fact the fold steps on that day unless another fact comes first).
    sentence: str = "none"
    term: tuple[int, int, int] | None = None
    term_start: date | None = None
    pending: Fact | None = None
    posthumous: bool = False  # a proceeding went on after the death
    died_in_custody: bool = False
    ever_detained: bool = False

    @property
    def release_reported(self) -> bool | None:
        """Whether the release that made custody free was reported (False: a term ran out, or an
        arrest of N days ended, and no release was reported); None when not free."""
        if self.custody != "free":
            return None
        return not getattr(self.custody_event, "assumed", False)

    @property
    def headline(self) -> str:
        if self.vital == "deceased":
            return "deceased"
        if self.custody in IN_CUSTODY or self.custody == "missing":
            return self.custody
        return "released" if self.custody == "free" else "at_large"

    def days_in_custody(self, until: date) -> int:
        """Days held (pretrial, house arrest or prison) up to ``until`` or death."""
        stop = min(until, self.died.on.earliest) if self.died else until
        return sum(max(0, ((p.end or stop) - p.start).days) for p in self.periods if p.kind in IN_CUSTODY)

    def money(self) -> dict[str, Money]:
        return dict(self.compensation)


def with_(state: State, **changes: object) -> State:
    """``dataclasses.replace`` for a State, without its per-call look at the fields: the
    projections fold every stream again at each save, and replace was a fifth of it."""
    new = object.__new__(State)
    new.__dict__.update(state.__dict__, **changes)
    return new


def enter(state: State, custody: str, event: Fact) -> State:
    """Custody becomes ``custody`` at the event: the open period (if any) ends, a new one opens."""
    periods = list(state.periods)
    if periods and periods[-1].end is None:
        periods[-1] = replace(periods[-1], end=event.on.earliest)
    held = custody in IN_CUSTODY
    if held:
        periods.append(Period(custody, event.on.earliest, None, event))
    return with_(state, custody=custody, custody_event=event, periods=tuple(periods), pending=None,
                 ever_detained=state.ever_detained or held)


def court(state: State, **changes: object) -> State:
    """A proceeding's change: after the death it is marked posthumous."""
    return with_(state, posthumous=state.posthumous or state.died is not None, **changes)


def custody_words(state: State) -> str:
    """Why a release cannot happen now, in words: never held, or already free since a fact."""
    if state.custody_event is None:
        return "no detention is recorded before it"
    since = state.custody_event
    return f"already free then ({since.type} on {since.on}, event {short(since.id)})"


def short(event_id: object) -> str:
    """The first 8 hex digits of an event id: enough to name it within one person."""
    return str(event_id).replace("-", "")[:8]


def add_term(day: date, months: int, days: int) -> date:
    """``day`` plus a term of months and days (a month from 31 January is the last day of February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - date.resolution).day
    return date(year, month, min(day.day, last)) + timedelta(days=days)


def span_text(earliest: date, latest: date) -> str:
    """A derived date as text: the day, the whole month or year it spans, else its first day with ~."""
    if earliest == latest:
        return earliest.isoformat()
    if earliest.day == 1 and add_term(earliest, 1, -1) == latest:
        return earliest.isoformat()[:7]
    if (earliest.month, earliest.day, latest.month, latest.day) == (1, 1, 12, 31) and earliest.year == latest.year:
        return str(earliest.year)
    return earliest.isoformat() + "~"
