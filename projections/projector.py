"""From a person's successive timelines to the rows that record them, bitemporally.

Each time a person's stream grows (one record time T), their timeline is worked
out again. Rows that still hold stay as they are; rows that no longer hold are
closed at T (``recorded_to = T``); new rows open at T. So the tables keep every
belief the record ever held, and "known at K" is a range test.
"""

from __future__ import annotations

import hashlib
import orjson
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Iterable, NamedTuple

from casetrail.domain.events import Fact, Registered, SourceRegistered
from casetrail.domain.names import search_text
from casetrail.projections.sealing import PLAIN, Sealer
from casetrail.projections.tables import CHANGE_COLUMNS
from casetrail.domain.dates import time_text
from casetrail.projections.times import RECORD_OPEN, moment_number
from casetrail.domain.timeline import Change, Period, Timeline


# A timeline's rows, as (table, the period or change), by everything the row is made of (the
# cause's id standing for the cause): two timelines of one person are compared without
# formatting or hashing a row, and a row's ident is worked out only when it is written or
# closed (most rows of the timeline before a save are neither).
Rows = dict[tuple, tuple[str, "Period | Change"]]
Row = tuple  # a row's values in its table's column order (tables.py: FACET_COLUMNS, ...)

_BY = CHANGE_COLUMNS.index("by")


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


class Cause(NamedTuple):
    """The columns that name a row's cause (all None for a row without one)."""

    since: str | None  # the fact's date as written, for a period ("2022-01~")
    event: str | None  # the fact's id
    type: str | None
    latest: str | None  # the latest day the date allows: the row is uncertain before it
    source: str | None
    by: str | None
    valid_on: str | None  # the fact's date as written, for a change
    valid_from: int | None  # its earliest day, as a day number
    latest_day: str  # its latest day's number as text, in a period's ident ("" without a cause)


_NO_CAUSE = Cause(None, None, None, None, None, None, None, None, "")


def _cause(cause: Fact | None, memo: dict) -> Cause:
    """The columns naming ``cause``, worked out once per fact (``memo``, by its id)."""
    if cause is None:
        return _NO_CAUSE
    on = cause.on
    key = (cause.id.int, on.earliest, on.latest)  # the story may narrow a fact's dates from one save to the next
    columns = memo.get(key)
    if columns is None:
        by = cause.__dict__.get("by")  # getattr on a pydantic model without the field is slow
        columns = memo[key] = Cause(on.text, str(cause.id), cause.type, on.latest.isoformat(), cause.source,
                                    by.value if isinstance(by, Enum) else by, on.text, on.earliest.toordinal(),
                                    str(on.latest.toordinal()))
    return columns


def ident_of(item: Period | Change) -> str:
    """What a row is, to close it by when it no longer holds: its period or change, and its
    cause. A period's cause counts with its latest day as the story narrows it: when a later
    save narrows it (so an answer is no longer uncertain), the row is closed and written anew."""
    cause = item.cause
    event = str(cause.id) if cause else ""
    if type(item) is Period:
        latest = str(cause.on.latest.toordinal()) if cause else ""
        return _period_ident(item, item.valid_from.toordinal(), item.valid_to.toordinal(), event, latest)
    return _change_ident(item, event, item.seq)


def _period_ident(period: Period, start: int, end: int, event: str, latest: str) -> str:
    text = f"{period.kind}\x1f{period.name}\x1f{period.value}\x1f{start}\x1f{end}\x1f{event}\x1f{latest}"
    return _hash(text + "\x1fcontested" if period.contested else text)


def _change_ident(change: Change, event: str, seq: str) -> str:
    return _hash(f"{change.kind}\x1f{change.name}\x1f{change.before}\x1f{change.after}\x1f{event}\x1f{seq}")


def period_row(person: int, period: Period, memo: dict) -> Row:
    """A period's row, less its record times (FACET_COLUMNS or LIST_COLUMNS without the last two)."""
    kind, name, value, valid_from, valid_to, cause, contested, _ = period
    since, event, type_, latest, source, _, _, _, latest_day = _cause(cause, memo)
    start, end = valid_from.toordinal(), valid_to.toordinal()
    ident = _period_ident(period, start, end, event or "", latest_day)
    if kind == "facet":
        return (person, ident, name, value, start, end, since, event, type_, latest, source, contested)
    return (person, ident, name, start, end, since, event, type_, latest, source, contested, value == "possibly")


def change_row(person: int, change: Change, memo: dict) -> Row:
    """A change's row, less its record times (CHANGE_COLUMNS without the last two)."""
    kind, name, before, after, cause, _, _ = change
    _, event, type_, _, source, by, valid_on, valid_from, _ = _cause(cause, memo)
    seq = change.seq
    return (person, _change_ident(change, event, seq), kind, name, before, after, valid_from, valid_on, seq, event,
            type_, by, source)


@dataclass
class Batch:
    """Everything one batch of notifications does to the views, written in one transaction.

    ``inserts`` holds each table's new rows as tuples in its column order; ``closes`` the
    (time, person, ident) of each row it supersedes. With a sealer that is on (an encrypted
    store), names, aliases, birth years, places, sources' URLs, outlets, titles and notes,
    and a change's ``by`` are written sealed (see ``sealing.py``)."""

    sealer: Sealer = PLAIN
    people: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    updates: dict[int, dict] = field(default_factory=dict)  # person -> their amended people row
    inserts: dict[str, list[Row]] = field(default_factory=lambda: {"facet": [], "list": [], "change": []})
    closes: dict[str, list[tuple]] = field(default_factory=lambda: {"facet": [], "list": [], "change": []})
    _open: dict[tuple, int] = field(default_factory=dict)  # rows inserted by this batch and still open: where
    _causes: dict = field(default_factory=dict)  # the columns naming each cause, by its id (speed only)

    def apply(self, person: int, before: Rows, after: Timeline, at: datetime) -> Rows:
        """Record that at ``at`` the person's timeline went from the one whose rows are
        ``before`` (empty for a new person) to ``after``; returns the rows of ``after``."""
        stamp = moment_number(at)
        new, added = rows_of(after, before)
        for key, (table, item) in before.items():
            if key not in new:
                self._close(table, person, ident_of(item), stamp)
        seal = self.sealer.seal if self.sealer.on else None
        times = (stamp, RECORD_OPEN)
        causes = self._causes
        for table, item in added:
            if table == "change":
                row = change_row(person, item, causes)
                if seal and row[_BY] is not None:
                    row = (*row[:_BY], seal(row[_BY]), *row[_BY + 1:])
            else:
                row = period_row(person, item, causes)
            rows = self.inserts[table]
            self._open[(table, person, row[1])] = len(rows)
            rows.append(row + times)
        return new

    def merge(self, other: Batch) -> None:
        """Add the rows of another share of the same notifications (other people's)."""
        self.people += other.people
        self.sources += other.sources
        self.updates.update(other.updates)
        for table in self.inserts:
            self.inserts[table] += other.inserts[table]
            self.closes[table] += other.closes[table]

    def slim(self) -> None:
        """Keep only what is written: to hand the batch to another process."""
        self.sealer, self._open, self._causes = PLAIN, {}, {}

    def _close(self, table: str, person: int, ident: str, stamp: int) -> None:
        # A row opened earlier in this same batch is still in memory: close it there.
        pending = self._open.pop((table, person, ident), None)
        if pending is not None:
            rows = self.inserts[table]
            rows[pending] = rows[pending][:-1] + (stamp,)
            return
        self.closes[table].append((stamp, person, ident))

    def register(self, event: Registered, person: int) -> None:
        row = self._who(event.name, event.aliases, event.born, event.place)
        self.people.append({"person": person, "person_id": str(event.originator_id), "key": event.key, **row,
                            "merged_into": None, "registered_at": time_text(event.timestamp)})

    def amend(self, person: int, who: dict[str, Any]) -> None:
        """The person's row as amended (or merged into another, or no longer): ``person.identity``."""
        self.updates[person] = {"p_person": person, **self._who(who["name"], who["aliases"], who["born"],
                                                                   who["place"]), "merged_into": who["merged_into"]}

    def _who(self, name: str, aliases: list[str], born: int | None, place: str | None) -> dict[str, Any]:
        search = " | ".join([name, *aliases]).casefold()
        spelt = search_text([name, *aliases])
        if self.sealer.on:
            # Sealed, the birth year travels inside the aliases' sealed JSON: the column is an integer.
            seal = self.sealer.seal
            return {"name": seal(name), "aliases": seal(orjson.dumps({"aliases": aliases, "born": born}).decode()),
                    "born": None, "place": seal(place), "search": seal(search), "spelt": seal(spelt)}
        return {"name": name, "aliases": orjson.dumps(aliases).decode(), "born": born, "place": place, "search": search,
                "spelt": spelt}

    def register_source(self, event: SourceRegistered) -> None:
        seal = self.sealer.seal
        self.sources.append({
            "key": event.key, "url": seal(event.url), "outlet": seal(event.outlet), "title": seal(event.title),
            "published": event.published.isoformat() if event.published else None, "note": seal(event.note),
            "registered_at": time_text(event.timestamp),
        })

    @property
    def rows(self) -> int:
        return sum(map(len, self.inserts.values()))


def rows_of(timeline: Timeline, previous: Rows | None = None) -> tuple[Rows, list[tuple[str, Period | Change]]]:
    """The rows of a timeline, and the (table, period or change) of those that ``previous``
    (the person's rows before) does not have: most stay the same from one save to the next."""
    previous = {} if previous is None else previous
    rows: Rows = {}
    added: list[tuple[str, Period | Change]] = []
    for period in timeline.periods:
        cause = period.cause
        if cause is None and period.kind == "facet":
            continue  # a facet's first value, before any fact: not stored (see queries.search_people)
        # All it is made of (kind, name, value, valid_from, valid_to), its cause's id as an int (a
        # UUID's own hash is Python code) with its latest day as the story narrows it (a later
        # save may narrow it), and whether that is disputed. A slice, as the key is made for every row.
        key = (*period[:5], cause.id.int if cause else None, cause.on.latest if cause else None, period.contested)
        rows[key] = previous.get(key) or _added(added, period.kind, period)
    for change in timeline.changes:
        key = ("change", *change[:4], change.cause.id.int, change.order)  # [:4]: kind, name, before, after
        rows[key] = previous.get(key) or _added(added, "change", change)
    return rows, added


def _added(added: list, table: str, item: Period | Change) -> tuple[str, Period | Change]:
    added.append((table, item))
    return table, item


def groups_by_time(events: Iterable[Any]) -> list[tuple[datetime, list[Any]]]:
    """Consecutive events that share a record time (one save) form one group."""
    groups: list[tuple[datetime, list[Any]]] = []
    for event in events:
        if groups and groups[-1][0] == event.timestamp:
            groups[-1][1].append(event)
        else:
            groups.append((event.timestamp, [event]))
    return groups
