"""Questions across everyone, answered from the read models at (valid date V, record time K).

A row holds at (V, K) when ``valid_from <= V < valid_to`` and
``recorded_from <= K < recorded_to``; every query here is that test plus a filter.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, and_, func, or_, select

from casetrail.projections.facets import FACETS
from casetrail.projections.rules import Rules
from casetrail.projections.tables import changes, facet_periods, list_periods, people, sources, status
from casetrail.projections.times import OPEN_RECORD, At, time_text

def holds(table: Any, at: At) -> Any:
    c = table.c
    return and_(c.valid_from <= at.v, c.valid_to > at.v, c.recorded_from <= at.k, c.recorded_to > at.k)


def list_counts(conn: Connection, rules: Rules, at: At) -> dict[str, int]:
    rows = conn.execute(
        # Naming the lists lets the index be searched list by list from V down, not scanned whole.
        select(list_periods.c.list, func.count()).where(list_periods.c.list.in_(rules.names), holds(list_periods, at))
        .group_by(list_periods.c.list)
    ).all()
    counts = dict(rows)
    return {name: counts.get(name, 0) for name in rules.names}


def list_members(conn: Connection, name: str, at: At) -> list[dict[str, Any]]:
    lp = list_periods.c
    rows = conn.execute(
        select(people.c.key, people.c.name, lp.since, lp.cause_latest, lp.cause_event, lp.cause_type, lp.source,
               lp.valid_from)
        .join(people, people.c.person_id == lp.person_id)
        .where(lp.list == name, holds(list_periods, at))
        .order_by(people.c.key)
    ).all()
    return [{"person": r.key, "name": r.name, "since": r.since, "uncertain": bool(r.cause_latest and r.cause_latest > at.v),
             "cause": r.cause_event, "type": r.cause_type, "source": r.source} for r in rows]


def search_people(conn: Connection, at: At, wanted: dict[str, str], name: str | None = None,
                  limit: int | None = None) -> list[dict[str, Any]]:
    """People whose facets at (V, K) have the wanted values, with all their facets."""
    if at.is_now:
        return _search_now(conn, wanted, name, limit)
    fp = facet_periods.c
    chosen = select(people.c.person_id)
    for facet, value in wanted.items():
        chosen = chosen.where(people.c.person_id.in_(
            select(fp.person_id).where(fp.facet == facet, fp.value == value, holds(facet_periods, at))))
    if name:
        chosen = chosen.where(_name_like(name))
    chosen = chosen.where(people.c.registered_at <= at.k).order_by(people.c.key)
    if limit:
        chosen = chosen.limit(limit)
    ids = chosen.subquery()
    rows = conn.execute(
        select(people.c.key, people.c.name, fp.facet, fp.value)
        .join(facet_periods, fp.person_id == people.c.person_id)
        .where(people.c.person_id.in_(select(ids.c.person_id)), holds(facet_periods, at))
        .order_by(people.c.key)
    ).all()
    found: dict[str, dict[str, Any]] = {}
    for r in rows:
        found.setdefault(r.key, {"person": r.key, "name": r.name})[r.facet] = r.value
    return list(found.values())


def _search_now(conn: Connection, wanted: dict[str, str], name: str | None, limit: int | None) -> list[dict]:
    query = select(people.c.key, people.c.name, *[status.c[f] for f in FACETS]).join(
        status, status.c.person_id == people.c.person_id)
    for facet, value in wanted.items():
        query = query.where(status.c[facet] == value)
    if name:
        query = query.where(_name_like(name))
    query = query.order_by(people.c.key)
    if limit:
        query = query.limit(limit)
    return [{"person": r.key, "name": r.name, **{f: r._mapping[f] for f in FACETS}} for r in conn.execute(query)]


def _name_like(text: str) -> Any:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return people.c.search.like(f"%{escaped}%", escape="\\")


def person_changes(conn: Connection, person_id: str, known_at: datetime | None = None) -> list[dict[str, Any]]:
    """Every change of a facet or list membership of one person, as recorded at K, in story order."""
    k = At(date.max, known_at).k
    c = changes.c
    rows = conn.execute(
        select(changes).where(c.person_id == person_id, c.recorded_from <= k, c.recorded_to > k)
        .order_by(c.valid_from, c.seq)
    ).all()
    return [_change(r) for r in rows]


def list_changes(conn: Connection, name: str, since: datetime | None = None) -> list[dict[str, Any]]:
    """Who entered and left a list, in story order. With ``since``: only what the record
    gained after it (``recorded_from > since``) or withdrew after it (a change believed then,
    no longer believed now)."""
    c = changes.c
    query = (select(changes, people.c.key, people.c.name.label("person_name")).join(people, people.c.person_id == c.person_id)
             .where(c.kind == "list", c.name == name))
    if since is None:
        query = query.where(c.recorded_to == OPEN_RECORD)
    else:
        s = time_text(since)
        gained = and_(c.recorded_from > s, c.recorded_to == OPEN_RECORD)
        withdrawn = and_(c.recorded_from <= s, c.recorded_to > s, c.recorded_to != OPEN_RECORD)
        query = query.where(or_(gained, withdrawn))
    rows = conn.execute(query.order_by(c.valid_from, people.c.key, c.seq)).all()
    return [{"person": r.key, "name": r.person_name, **_change(r)} for r in rows]


def _change(r: Any) -> dict[str, Any]:
    data = {
        "facet": r.name if r.kind == "facet" else None, "list": r.name if r.kind == "list" else None,
        "from": r.before, "to": r.after, "valid_on": r.valid_on, "valid_from": r.valid_from,
        "recorded_at": r.recorded_from, "event_id": r.cause_event, "event_type": r.cause_type, "by": r.by,
        "source": r.source,
    }
    if r.kind == "facet" and r.name == "designation":
        data["reclassified"] = r.before != "none"  # a designation replaced by another
    if r.recorded_to != OPEN_RECORD:
        data["withdrawn_at"] = r.recorded_to
    return data


def person_row(conn: Connection, key: str) -> Any:
    return conn.execute(select(people).where(people.c.key == key)).one_or_none()


def all_people(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(people).order_by(people.c.registered_at, people.c.key)).all()
    return [{"person": r.key, "name": r.name, "aliases": orjson.loads(r.aliases), "born": r.born, "place": r.place,
             "registered_at": r.registered_at} for r in rows]


def all_sources(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(sources).order_by(sources.c.registered_at, sources.c.key)).all()
    return [dict(r._mapping) for r in rows]


