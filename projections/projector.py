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


def _ident(*parts: object) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).hexdigest()


def _cause(cause: Fact | None) -> dict[str, Any]:
    if cause is None:
        return {"since": None, "cause_event": None, "cause_type": None, "cause_latest": None, "source": None}
    return {"since": cause.on.text, "cause_event": str(cause.id), "cause_type": cause.type,
            "cause_latest": cause.on.latest.isoformat(), "source": cause.source}


def period_row(person_id: str, period: Period) -> dict[str, Any]:
    cause = period.cause
    ident = _ident(period.kind, period.name, period.value, period.valid_from, period.valid_to,
                   cause.id if cause else "")
    row = {"person_id": person_id, "valid_from": day_text(period.valid_from), "valid_to": day_text(period.valid_to),
           "ident": ident, **_cause(cause)}
    if period.kind == "facet":
        row.update(facet=period.name, value=period.value)
    else:
        row["list"] = period.name
    return row


def change_row(person_id: str, change: Change) -> dict[str, Any]:
    cause = change.cause
    by = getattr(cause, "by", None)
    return {
        "person_id": person_id, "kind": change.kind, "name": change.name, "before": change.before,
        "after": change.after, "valid_from": change.valid_from.isoformat(), "valid_on": cause.on.text,
        "seq": change.order, "cause_event": str(cause.id), "cause_type": cause.type,
        "by": by.value if isinstance(by, Enum) else by, "source": cause.source,
        "ident": _ident(change.kind, change.name, change.before, change.after, cause.id),
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
    # Speed only: the rows of the last timeline applied (the next step's ``before``), and every
    # period or change row worked out in this batch (most stay the same from one step to the next).
    _last: tuple[Timeline, dict] | None = None
    _memo: dict[tuple, dict] = field(default_factory=dict)

    def apply(self, person_id: str, before: Timeline | None, after: Timeline, at: datetime) -> None:
        """Record that at ``at`` the person's timeline went from ``before`` to ``after``."""
        stamp = time_text(at)
        last = self._last
        old = (last[1] if last is not None and last[0] is before else _rows(person_id, before, self._memo)) \
            if before else {}
        new = _rows(person_id, after, self._memo)
        self._last = (after, new)
        for key, (table, row) in old.items():
            if key not in new:
                self._close(table, row, stamp)
        seal = self.sealer.seal if self.sealer.on else None
        for key, (table, row) in new.items():
            if key not in old:
                row = {**row, "recorded_from": stamp, "recorded_to": OPEN_RECORD}
                if seal and table == "change" and row["by"] is not None:
                    row["by"] = seal(row["by"])
                self.inserts[table].append(row)
                self._open[(table, person_id, row["ident"])] = row
        self.status[person_id] = {"person_id": person_id, **dict(zip(FACETS, after.final)), "changed_at": stamp}

    def _close(self, table: str, row: dict, stamp: str) -> None:
        # A row opened earlier in this same batch is still in memory: close it there.
        pending = self._open.pop((table, row["person_id"], row["ident"]), None)
        if pending is not None:
            pending["recorded_to"] = stamp
            return
        self.closes[table].append({"p_person": row["person_id"], "p_ident": row["ident"], "p_at": stamp})

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


def _rows(person_id: str, timeline: Timeline, memo: dict[tuple, dict] | None = None) -> dict[tuple, tuple[str, dict]]:
    """The rows of a timeline by (kind, ident). ``memo`` keeps rows already worked out, keyed
    by everything a row is made of (the cause's id stands for the cause), so that a period or
    change that did not move is not hashed and formatted again."""
    memo = {} if memo is None else memo
    rows: dict[tuple, tuple[str, dict]] = {}
    for period in timeline.periods:
        cause = period.cause
        key = (person_id, period.kind, period.name, period.value, period.valid_from, period.valid_to,
               cause.id if cause else None)
        row = memo.get(key)
        if row is None:
            row = memo[key] = period_row(person_id, period)
        rows[(period.kind, row["ident"])] = (period.kind, row)
    for change in timeline.changes:
        key = (person_id, "change", change.kind, change.name, change.before, change.after, change.cause.id,
               change.position)
        row = memo.get(key)
        if row is None:
            row = memo[key] = change_row(person_id, change)
        rows[("change", row["ident"])] = ("change", row)
    return rows


def groups_by_time(events: Iterable[Any]) -> list[tuple[datetime, list[Any]]]:
    """Consecutive events that share a record time (one save) form one group."""
    groups: list[tuple[datetime, list[Any]]] = []
    for event in events:
        if groups and groups[-1][0] == event.timestamp:
            groups[-1][1].append(event)
        else:
            groups.append((event.timestamp, [event]))
    return groups
