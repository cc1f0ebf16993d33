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
from typing import Any, Iterable

from casetrail.domain.events import Fact, Registered, SourceRegistered
from casetrail.projections.facets import FACETS
from casetrail.projections.sealing import PLAIN, Sealer
from casetrail.projections.times import OPEN_RECORD, day_text, time_text
from casetrail.projections.timeline import Change, Period, Timeline


# A timeline's rows, as (table, ident) by everything the row is made of (the cause's id standing
# for the cause): two timelines of one person are compared without hashing, and what is kept
# of a person between saves is small.
Rows = dict[tuple, tuple[str, str]]


def _ident(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()


_NO_CAUSE = {"since": None, "cause_event": None, "cause_type": None, "cause_latest": None, "source": None}


def _cause(cause: Fact | None, memo: dict) -> dict[str, Any]:
    """The columns that name a row's cause; worked out once per fact (``memo``, by its id)."""
    if cause is None:
        return _NO_CAUSE
    columns = memo.get(cause.id)
    if columns is None:
        by = getattr(cause, "by", None)
        columns = memo[cause.id] = {
            "since": cause.on.text, "cause_event": str(cause.id), "cause_type": cause.type,
            "cause_latest": cause.on.latest.isoformat(), "source": cause.source,
            "by": by.value if isinstance(by, Enum) else by, "valid_on": cause.on.text,
            "valid_from": cause.on.earliest.isoformat(),
        }
    return columns


def period_row(person_id: str, period: Period, memo: dict) -> dict[str, Any]:
    kind, name, value, valid_from, valid_to, cause = period
    named = _cause(cause, memo)
    since, until = day_text(valid_from), day_text(valid_to)
    row = {"person_id": person_id, "valid_from": since, "valid_to": until,
           "ident": _ident(kind, name, value, since, until, named["cause_event"] or ""),
           "since": named["since"], "cause_event": named["cause_event"], "cause_type": named["cause_type"],
           "cause_latest": named["cause_latest"], "source": named["source"]}
    if kind == "facet":
        row["facet"] = name
        row["value"] = value
    else:
        row["list"] = name
    return row


def change_row(person_id: str, change: Change, memo: dict) -> dict[str, Any]:
    kind, name, before, after, cause, _, order = change
    named = _cause(cause, memo)
    return {
        "person_id": person_id, "kind": kind, "name": name, "before": before, "after": after,
        "valid_from": named["valid_from"], "valid_on": named["valid_on"], "seq": order,
        "cause_event": named["cause_event"], "cause_type": named["cause_type"], "by": named["by"],
        "source": named["source"], "ident": _ident(kind, name, before, after, named["cause_event"]),
    }


@dataclass
class Batch:
    """Everything one batch of notifications does to the views, written in one transaction.

    With a sealer that is on (an encrypted store), names, aliases, birth years, places,
    sources' URLs, outlets, titles and notes, and a change's ``by`` are written sealed
    (see ``sealing.py``)."""

    sealer: Sealer = PLAIN
    people: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    status: dict[str, dict] = field(default_factory=dict)  # person_id -> the row as of the batch's end
    inserts: dict[str, list[dict]] = field(default_factory=lambda: {"facet": [], "list": [], "change": []})
    closes: dict[str, list[dict]] = field(default_factory=lambda: {"facet": [], "list": [], "change": []})
    _open: dict[tuple, dict] = field(default_factory=dict)  # rows inserted by this batch and still open
    _causes: dict = field(default_factory=dict)  # the columns naming each cause, by its id (speed only)

    def apply(self, person_id: str, before: Rows, after: Timeline, at: datetime) -> Rows:
        """Record that at ``at`` the person's timeline went from the one whose rows are
        ``before`` (empty for a new person) to ``after``; returns the rows of ``after``."""
        stamp = time_text(at)
        new, built = rows_of(person_id, after, before, self._causes)
        for key, (table, ident) in before.items():
            if key not in new:
                self._close(table, person_id, ident, stamp)
        seal = self.sealer.seal if self.sealer.on else None
        for table, row in built:
            row.update(recorded_from=stamp, recorded_to=OPEN_RECORD)
            if seal and table == "change" and row["by"] is not None:
                row["by"] = seal(row["by"])
            self.inserts[table].append(row)
            self._open[(table, person_id, row["ident"])] = row
        self.status[person_id] = {"person_id": person_id, **dict(zip(FACETS, after.final)), "changed_at": stamp}
        return new

    def slim(self) -> None:
        """Keep only what is written: to hand the batch to another process."""
        self.sealer, self._open, self._causes = PLAIN, {}, {}

    def _close(self, table: str, person_id: str, ident: str, stamp: str) -> None:
        # A row opened earlier in this same batch is still in memory: close it there.
        pending = self._open.pop((table, person_id, ident), None)
        if pending is not None:
            pending["recorded_to"] = stamp
            return
        self.closes[table].append({"p_person": person_id, "p_ident": ident, "p_at": stamp})

    def register(self, event: Registered) -> None:
        search = " | ".join([event.name, *event.aliases]).casefold()
        if self.sealer.on:
            # Sealed, the birth year travels inside the aliases' sealed JSON: the column is an integer.
            seal = self.sealer.seal
            row = {"name": seal(event.name), "aliases": seal(orjson.dumps({"aliases": event.aliases,
                                                                              "born": event.born}).decode()),
                   "born": None, "place": seal(event.place), "search": seal(search)}
        else:
            row = {"name": event.name, "aliases": orjson.dumps(event.aliases).decode(), "born": event.born,
                   "place": event.place, "search": search}
        self.people.append({"person_id": str(event.originator_id), "key": event.key, **row,
                            "registered_at": time_text(event.timestamp)})

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


def rows_of(person_id: str, timeline: Timeline, previous: Rows | None = None,
            causes: dict | None = None) -> tuple[Rows, list[tuple[str, dict]]]:
    """The rows of a timeline, and the (table, row) of those that ``previous`` (the person's
    rows before) does not have: most periods and changes stay the same from one save to the
    next, and are not formatted and hashed again."""
    previous = {} if previous is None else previous
    causes = {} if causes is None else causes
    rows: Rows = {}
    built: list[tuple[str, dict]] = []
    for period in timeline.periods:
        cause = period.cause
        key = (*period[:5], cause.id if cause else None)
        rows[key] = previous.get(key) or _built(built, period.kind, period_row(person_id, period, causes))
    for change in timeline.changes:
        key = ("change", *change[:4], change.cause.id, change.position)
        rows[key] = previous.get(key) or _built(built, "change", change_row(person_id, change, causes))
    return rows, built


def _built(built: list[tuple[str, dict]], table: str, row: dict) -> tuple[str, str]:
    built.append((table, row))
    return table, row["ident"]


def groups_by_time(events: Iterable[Any]) -> list[tuple[datetime, list[Any]]]:
    """Consecutive events that share a record time (one save) form one group."""
    groups: list[tuple[datetime, list[Any]]] = []
    for event in events:
        if groups and groups[-1][0] == event.timestamp:
            groups[-1][1].append(event)
        else:
            groups.append((event.timestamp, [event]))
    return groups
