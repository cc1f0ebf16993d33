"""Questions across everyone, answered from the read models at (valid date V, record time K).

A row holds at (V, K) when ``valid_from <= V < valid_to`` and
``recorded_from <= K < recorded_to`` (as numbers: see ``times.py``); every query here
is that test plus a filter.

On an encrypted store the personal text in the rows is sealed (``sealing.py``): each
query that returns some opens it with ``sealer``, and a search by name filters in Python
(its names and their transliterated spelling are sealed like the rest).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, and_, func, or_, select

from casetrail.domain.facets import FACET, FACETS, INITIAL
from casetrail.domain.names import name_found, search_words

INITIAL_VALUE = dict(zip(FACETS, INITIAL))
from casetrail.domain.rules import Rules
from casetrail.projections.sealing import PLAIN, Sealer
from casetrail.projections.tables import changes, facet_periods, list_periods, people, sources
from casetrail.projections.times import RECORD_OPEN, At, day_of, moment_number, moment_text


def holds(table: Any, at: At) -> Any:
    c = table.c
    day, moment = at.day, at.moment
    return and_(c.valid_from <= day, c.valid_to > day, c.recorded_from <= moment, c.recorded_to > moment)


def list_counts(conn: Connection, rules: Rules, at: At) -> dict[str, int]:
    """How many are on each list at (V, K); possible members (after an exit that may not have
    happened yet) are not counted: ``possible_counts`` gives them."""
    return _counts(conn, rules, at, False)


def possible_counts(conn: Connection, rules: Rules, at: At) -> dict[str, int]:
    """How many are possibly still on each list at (V, K)."""
    return _counts(conn, rules, at, True)


def _counts(conn: Connection, rules: Rules, at: At, possible: bool) -> dict[str, int]:
    lp = list_periods.c
    rows = conn.execute(
        # Naming the lists lets the index be searched list by list from V down, not scanned whole.
        select(lp.list, func.count()).where(lp.list.in_(rules.names), holds(list_periods, at),
                                            lp.possible.is_(possible))
        .group_by(lp.list)
    ).all()
    counts = dict(rows)
    return {name: counts.get(name, 0) for name in rules.names}


def counts_on_days(conn: Connection, rules: Rules, days: list[date], known_at: datetime | None) -> list[dict[str, int]]:
    """``list_counts`` on each of ``days`` at record time K, from two grouped scans instead of one
    count per day: on a day, those on a list are the stays begun by then less those ended by then."""
    lp, moment = list_periods.c, At(date.today(), known_at).moment
    ordinals = [day.toordinal() for day in days]
    last = max(ordinals, default=0)
    recorded = (lp.list.in_(rules.names), lp.possible.is_(False), lp.recorded_from <= moment, lp.recorded_to > moment)
    moves: dict[str, list[tuple[int, int]]] = {name: [] for name in rules.names}
    for column, sign in ((lp.valid_from, 1), (lp.valid_to, -1)):
        for name, day, count in conn.execute(select(lp.list, column, func.count()).where(*recorded, column <= last)
                                             .group_by(lp.list, column)):
            moves[name].append((day, sign * count))
    found = [dict.fromkeys(rules.names, 0) for _ in days]
    for name, changes_of_list in moves.items():
        changes_of_list.sort()
        held, at_most = 0, 0
        for i, day in enumerate(ordinals):  # days in order: each adds the moves up to it
            while at_most < len(changes_of_list) and changes_of_list[at_most][0] <= day:
                held += changes_of_list[at_most][1]
                at_most += 1
            found[i][name] = held
    return found


def first_list_day(conn: Connection, rules: Rules, known_at: datetime | None) -> date | None:
    """The earliest day a fact put anyone on any list, as known at K: where a chart of counts begins
    (a stay from before any fact, on a list of the untouched, has no first day)."""
    lp = list_periods.c
    moment = At(date.today(), known_at).moment
    first = conn.execute(select(func.min(lp.valid_from)).where(
        lp.list.in_(rules.names), lp.cause_event.is_not(None), lp.possible.is_(False), lp.recorded_from <= moment,
        lp.recorded_to > moment)).scalar()
    return None if first is None else day_of(first)


def _unindexed(conn: Connection, column: Any) -> Any:
    """The column as SQLite will not search its index by (``column || ''``), where that index would
    read far more rows than the key the query should follow (the person's)."""
    return column.op("||")("") if conn.dialect.name == "sqlite" else column


def last_reported(conn: Connection, at: At, persons: list[int]) -> dict[int, tuple[int, str]]:
    """Each person's latest facet change on or before V, as recorded at K (timeline.last_reported):
    person -> (its first day as an ordinal, its date as written). Those with none are left out."""
    c, latest = changes.c, {}
    for at_most in range(0, len(persons), 500):
        held = (c.person.in_(persons[at_most:at_most + 500]), _unindexed(conn, c.kind) == "facet",
                c.valid_from <= at.day, c.recorded_from <= at.moment, c.recorded_to > at.moment)
        if conn.dialect.name == "sqlite":  # a bare column beside max() comes from the row holding the max
            wanted = select(c.person, c.valid_from, c.valid_on, func.max(c.seq)).where(*held).group_by(c.person)
        else:
            wanted = (select(c.person, c.valid_from, c.valid_on).where(*held)
                      .distinct(c.person).order_by(c.person, c.seq.desc()))
        latest.update((r.person, (r.valid_from, r.valid_on)) for r in conn.execute(wanted))
    return latest


def list_members(conn: Connection, name: str, at: At, sealer: Sealer = PLAIN, limit: int | None = None,
                 offset: int = 0, size: int | None = None) -> list[dict[str, Any]]:
    """The list's members at (V, K) in key order (possible ones among them); ``limit`` of them from
    ``offset``, for a page (``size``: the list's, when the caller has counted it)."""
    rows = _member_rows(conn, name, at, limit, offset, size)
    heard = last_reported(conn, at, [r.person for r in rows])
    # A possible member's cause is the exit that may not have happened yet; "since" is then its date.
    return [{"person": r.key, "name": sealer.open(r.name), "since": r.since,
             "last_reported": heard.get(r.person, (0, None))[1],
             "uncertain": bool(r.possible or (r.cause_latest and r.cause_latest > at.v)),
             "possibly": bool(r.possible), "contested": bool(r.contested), "cause": r.cause_event,
             "type": r.cause_type, "source": r.source} for r in rows]


def _member_rows(conn: Connection, name: str, at: At, limit: int | None, offset: int, size: int | None) -> list:
    """The rows of a list's members, in key order. A page of a list most people are on (on SQLite):
    walk the people in key order, or back from the last key for a page near the end, looking
    each one's rows up by the key and stopping once the page is full, instead of joining and
    sorting every member to keep a few. A walk takes about (members wanted) x people / size
    steps: it is taken when that is at most size."""
    lp, key = list_periods.c, people.c.key
    columns = (people.c.person, key, people.c.name, lp.since, lp.cause_latest, lp.cause_event, lp.cause_type,
               lp.source, lp.contested, lp.possible)
    if limit is not None and conn.dialect.name == "sqlite":
        size = list_size(conn, name, at) if size is None else size
        everyone = conn.execute(select(func.count()).select_from(people)).scalar_one()
        walk = select(*columns).select_from(people).join(list_periods, and_(
            lp.person == people.c.person, _unindexed(conn, lp.list) == name, holds(list_periods, at)))
        to_end = size - offset
        if (offset + limit) * everyone <= size * size:
            return conn.execute(walk.order_by(key).limit(limit).offset(offset or None)).all()
        if 0 < to_end and to_end * everyone <= size * size:
            back = walk.order_by(key.desc()).limit(min(limit, to_end)).offset(max(0, to_end - limit) or None)
            return conn.execute(back).all()[::-1]
    return conn.execute(select(*columns).join(people, people.c.person == lp.person)
                        .where(lp.list == name, holds(list_periods, at))
                        .order_by(key).limit(limit).offset(offset or None)).all()


def list_size(conn: Connection, name: str, at: At) -> int:
    """How many rows ``list_members`` gives at (V, K), possible members included."""
    lp = list_periods.c
    return conn.execute(select(func.count()).where(lp.list == name, holds(list_periods, at))).scalar_one()


def holding(column: Any, facet: str, value: str) -> Any:
    """A facet's column has the value; a many-valued facet's ("accused+victim") has it among its parts."""
    if not FACET[facet].many or value == INITIAL_VALUE[facet]:
        return column == value
    return or_(column == value, column.like(f"{value}+%"), column.like(f"%+{value}"), column.like(f"%+{value}+%"))


def search_people(conn: Connection, at: At, wanted: dict[str, str], name: str | None = None,
                  limit: int | None = None, sealer: Sealer = PLAIN) -> list[dict[str, Any]]:
    """People whose facets at (V, K) have the wanted values, with all their facets. Today is a
    day like any other: a term that runs out next year holds a person in prison until then."""
    in_sql = not sealer.on  # sealed names are searched in Python, and the limit applied after
    fp = facet_periods.c
    chosen = select(people.c.person, people.c.key, people.c.name, people.c.search, people.c.spelt)
    for facet, value in wanted.items():
        if value == INITIAL_VALUE[facet]:
            # Nobody's first value (before any fact) is stored (projector.py): a person has it
            # when no other value of the facet holds.
            chosen = chosen.where(people.c.person.not_in(
                select(fp.person).where(fp.facet == facet, fp.value != value, holds(facet_periods, at))))
        else:
            chosen = chosen.where(people.c.person.in_(
                select(fp.person).where(fp.facet == facet, holding(fp.value, facet, value), holds(facet_periods, at))))
    if name and in_sql:
        chosen = chosen.where(_name_like(name))
    chosen = chosen.where(people.c.registered_at <= at.k).order_by(people.c.key)
    if at.known_at is None:  # merged into another record: their facts count there (a merge's K is not kept here)
        chosen = chosen.where(people.c.merged_into.is_(None))
    if limit and in_sql:
        chosen = chosen.limit(limit)
    found_people = conn.execute(chosen).all()
    ids = [r.person for r in found_people]
    held: dict[int, dict[str, str]] = {person: dict(INITIAL_VALUE) for person in ids}
    for at_most in range(0, len(ids), 500):
        for r in conn.execute(select(fp.person, fp.facet, fp.value).where(fp.person.in_(ids[at_most:at_most + 500]),
                                                                          holds(facet_periods, at))):
            held[r.person][r.facet] = r.value
    heard = last_reported(conn, at, ids)
    found = [{"person": r.key, "name": r.name, **held[r.person], "last_reported": heard.get(r.person, (0, None))[1]}
             for r in found_people]
    if in_sql:
        return found
    return _opened(found, [(r.search, r.spelt) for r in found_people], name, limit, sealer)


def _opened(found: list[dict], searches: list[tuple[str, str]], name: str | None, limit: int | None,
            sealer: Sealer) -> list[dict]:
    """Sealed rows, in key order: their names opened, those a search for ``name`` finds kept
    (``names.name_found``), at most ``limit`` of them."""
    kept = []
    for row, (search, spelt) in zip(found, searches):
        if name and not name_found(name, sealer.open(search), sealer.open(spelt)):
            continue
        kept.append({**row, "name": sealer.open(row["name"])})
        if limit and len(kept) == limit:
            break
    return kept


def _name_like(text: str) -> Any:
    """The SQL of ``names.name_found``: the text as typed in the case-folded names, or each of
    its transliterated words in the spelt ones."""
    typed = people.c.search.like(f"%{_escaped(text.casefold())}%", escape="\\")
    wanted = search_words(text)
    if not wanted:
        return typed
    return or_(typed, and_(*[people.c.spelt.like(f"%{word}%") for word in wanted]))


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def person_changes(conn: Connection, person_id: str, known_at: datetime | None = None,
                   sealer: Sealer = PLAIN) -> list[dict[str, Any]]:
    """Every change of a facet or list membership of one person, as recorded at K, in story order."""
    k = At(date.max, known_at).moment
    c = changes.c
    person = select(people.c.person).where(people.c.person_id == person_id).scalar_subquery()
    rows = conn.execute(
        select(changes).where(c.person == person, c.recorded_from <= k, c.recorded_to > k)
        .order_by(c.valid_from, c.seq)
    ).all()
    return [_change(r, sealer) for r in rows]


def list_changes(conn: Connection, name: str | None, since: datetime | None = None,
                 sealer: Sealer = PLAIN, until: datetime | None = None) -> list[dict[str, Any]]:
    """Who entered and left a list (``name``; None: every list), in story order. With ``since``: only
    what the record gained after it and still holds at ``until`` (None: now), or withdrew between
    the two (a change believed at ``since``, no longer believed at ``until``)."""
    c = changes.c
    query = (select(changes, people.c.key, people.c.name.label("person_name")).join(people, people.c.person == c.person)
             .where(c.kind == "list"))
    if name is not None:
        query = query.where(c.name == name)
    if since is None:
        query = query.where(c.recorded_to == RECORD_OPEN)
    else:
        s, u = moment_number(since), RECORD_OPEN if until is None else moment_number(until)
        held = c.recorded_to == RECORD_OPEN if until is None else c.recorded_to > u
        gained = and_(c.recorded_from > s, c.recorded_from <= u, held)
        withdrawn = and_(c.recorded_from <= s, c.recorded_to > s, c.recorded_to <= u, c.recorded_to != RECORD_OPEN)
        query = query.where(or_(gained, withdrawn))
    rows = conn.execute(query.order_by(c.valid_from, c.name, people.c.key, c.seq)).all()
    return [{"person": r.key, "name": sealer.open(r.person_name), **_change(r, sealer)} for r in rows]


def _change(r: Any, sealer: Sealer = PLAIN) -> dict[str, Any]:
    data = {
        "facet": r.name if r.kind == "facet" else None, "list": r.name if r.kind == "list" else None,
        "from": r.before, "to": r.after, "valid_on": r.valid_on, "valid_from": day_of(r.valid_from).isoformat(),
        "recorded_at": moment_text(r.recorded_from), "event_id": r.cause_event, "event_type": r.cause_type, "by": sealer.open(r.by),
        "source": r.source,
    }
    if r.kind == "facet" and r.name == "designation":
        data["reclassified"] = r.before != "none"  # a designation replaced by another
    if r.recorded_to != RECORD_OPEN:
        data["withdrawn_at"] = moment_text(r.recorded_to)
    return data


def all_people(conn: Connection, sealer: Sealer = PLAIN) -> list[dict[str, Any]]:
    rows = conn.execute(select(people).order_by(people.c.registered_at, people.c.key)).all()
    found = []
    for r in rows:
        if sealer.on:  # sealed, the aliases column holds {"aliases": [...], "born": year}
            details = orjson.loads(sealer.open(r.aliases))
            aliases, born = details["aliases"], details["born"]
        else:
            aliases, born = orjson.loads(r.aliases), r.born
        found.append({"person": r.key, "name": sealer.open(r.name), "aliases": aliases, "born": born,
                      "place": sealer.open(r.place), "registered_at": r.registered_at, "merged_into": r.merged_into})
    return found


SEALED_SOURCE_COLUMNS = ("url", "outlet", "title", "note")


def all_sources(conn: Connection, sealer: Sealer = PLAIN) -> list[dict[str, Any]]:
    rows = conn.execute(select(sources).order_by(sources.c.registered_at, sources.c.key)).all()
    if not sealer.on:
        return [dict(r._mapping) for r in rows]
    return [{**r._mapping, **{c: sealer.open(r._mapping[c]) for c in SEALED_SOURCE_COLUMNS}} for r in rows]
