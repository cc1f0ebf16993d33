"""Every answer of the read models equals the fold of each person's stream at (V, K).

Hypothesis records random histories (several people, saves interleaved in
record time, late facts, uncertain dates, retractions, even conflicting facts, merges of
one person's record into another's and their retraction)
into a real store, catches the views up in random batches, in two rounds, and
then asks the views and the fold the same questions at random V and K.
"""

from __future__ import annotations

import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail.store.application import Casetrail
from casetrail.domain.dates import today_utc
from casetrail.domain.events import MergedInto
from casetrail.domain.fold import fold
from casetrail.projections import queries
from casetrail.domain.facets import FACET, FACETS, facet_values, parts
from casetrail.projections.queries import At
from casetrail.domain.rules import load_rules, parse_rules
from casetrail.domain.timeline import last_reported, timeline
from casetrail.projections.views import Views
from tests.conftest import PG_URL, _pg_connect
from tests.recorded import History, Recorded, histories
from tests.integration.views_support import possible_exit

RULES = parse_rules(Path(load_rules().origin).read_text() + """
[lists.untouched]
all = [{ facet = "custody", is = "never_detained" }, { facet = "vital", is = "alive" }]
[lists.troubled]
any = [{ facet = "legal", in = ["accused", "convicted"] }, { facet = "appeal", is = "pending" }]
[lists.accused_or_witness]
all = [{ facet = "case_role", in = ["accused", "witness"] }]
[lists.never_a_victim]
all = [{ facet = "case_role", not = "victim" }]
""")
DAYS = st.dates(min_value=date(2021, 12, 1), max_value=date(2025, 6, 1))


class Store:
    """A fresh store for one hypothesis example."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        if kind == "sqlite":
            self.folder = tempfile.TemporaryDirectory()
            self.url = str(Path(self.folder.name) / "cases.db")
        else:
            self.schema = f"eq_{uuid.uuid4().hex[:12]}"
            self.url = f"{PG_URL}?schema={self.schema}"
        self.app = Casetrail(self.url, recorded_by="tests")
        self.views = Views(self.app, RULES)

    def close(self) -> None:
        self.views.close()
        self.app.close()
        if self.kind == "sqlite":
            self.folder.cleanup()
        else:
            with _pg_connect() as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


def registered(person: Recorded, known_at) -> bool:
    return known_at is None or person.events[0].timestamp <= known_at


def folded_at(history: History, at: At):
    """(person, their fold at (V, K)) of each person registered by K."""
    return [(person, fold(person.story(history.people), at.as_of, at.known_at)) for person in history.people
            if registered(person, at.known_at)]


def expected_members(history: History, name: str, at: At) -> dict[str, tuple]:
    """person -> (first day of the current stay on the list, possible cause dates), by folding."""
    rule = RULES.get(name)
    found = {}
    for person, folded in folded_at(history, at):
        if not rule.matches(facet_values(folded.state)):
            continue
        # Walk back over the days some counted fact starts: the stay began on the
        # last of them on which the person was not on the list the day before.
        days = sorted({s.event.on.earliest for s in folded.steps})
        since = None
        for day in reversed(days):
            if rule.matches(facet_values(fold(person.story(history.people), day - timedelta(days=1), at.known_at).state)):
                continue
            since = day
            break
        disputed = folded.claims.disputed
        causes = {(s.event.on.text, s.event.on.latest > at.as_of, s.event.id in disputed) for s in folded.steps
                  if s.event.on.earliest == since}
        found[person.key] = (since, causes)
    return found


def expected_possible(history: History, name: str, at: At) -> dict[str, tuple]:
    """person -> (since, uncertain, contested) of those possibly still on the list, by folding: off it
    at V, and the fact that last took them off it (the last that changed it) may not have happened
    by V (its latest possible day is after V)."""
    rule = RULES.get(name)
    found = {}
    for person, folded in folded_at(history, at):
        if (exit_ := possible_exit(rule, folded, at)) is not None:
            found[person.key] = (exit_.on.text, True, exit_.id in folded.claims.disputed)
    return found


def check_lists(store: Store, history: History, at: At) -> None:
    with store.views.engine.connect() as conn:
        counts = queries.list_counts(conn, RULES, at)
        possible = queries.possible_counts(conn, RULES, at)
        for rule in RULES.lists:
            expected = expected_members(history, rule.name, at)
            maybe = expected_possible(history, rule.name, at)
            members = queries.list_members(conn, rule.name, at)
            got = {m["person"]: m for m in members if not m["possibly"]}
            assert set(got) == set(expected), (rule.name, at)
            assert counts[rule.name] == len(expected)
            assert {m["person"]: (m["since"], m["uncertain"], m["contested"]) for m in members
                    if m["possibly"]} == maybe, (rule.name, at)
            assert possible[rule.name] == len(maybe)
            for key, (since, causes) in expected.items():
                member = got[key]
                if since is None:  # on the list before any fact
                    assert member["since"] is None and not member["uncertain"] and not member["contested"]
                else:
                    assert (member["since"], member["uncertain"], member["contested"]) in causes, (
                        rule.name, key, member, causes)


def check_people(store: Store, history: History, at: At, facet: str, value_from: int) -> None:
    expected, heard = {}, {}
    for person in history.people:
        if at.known_at is None and person.standing(MergedInto):
            continue  # merged into another record: the search now leaves it out (its facts count there)
        if registered(person, at.known_at):
            expected[person.key] = dict(zip(FACETS, facet_values(fold(person.story(history.people), at.as_of,
                                                                      at.known_at).state)))
            last = last_reported(timeline(person.story(history.people), RULES, at.known_at), at.as_of)
            heard[person.key] = last.on.text if last else None
    # Filter on a value someone actually has (or on none at all); of a many-valued facet
    # (case_role "accused+victim"), one of its parts, which a search finds among the others.
    many = FACET[facet].many
    values = sorted({part for facets in expected.values() for part in (parts(facets[facet]) if many
                                                                       else (facets[facet],))})
    wanted = {facet: values[value_from % len(values)]} if values and value_from >= 0 else {}
    with store.views.engine.connect() as conn:
        got = queries.search_people(conn, at, wanted)
    want = [{"person": k, "name": k.replace("-", " ").title(), **f, "last_reported": heard[k]}
            for k, f in sorted(expected.items())
            if all(v in (parts(f[x]) if many else (f[x],)) for x, v in wanted.items())]
    assert got == want, (at, wanted)


def check_audit(store: Store, history: History, known_at) -> None:
    with store.views.engine.connect() as conn:
        for person in history.people:
            got = queries.person_changes(conn, str(person.id), known_at)
            story = timeline(person.story(history.people), RULES, known_at) if registered(person, known_at) else None
            expected = [(c.kind, c.name, c.before, c.after, str(c.cause.id)) for c in story.changes] if story else []
            assert [("facet" if g["facet"] else "list", g["facet"] or g["list"], g["from"], g["to"], g["event_id"])
                    for g in got] == expected
            for change in got:
                # Recorded when it first came to be believed: at that record time it already held.
                then = queries.At(date.max).k if change["recorded_at"] is None else change["recorded_at"]
                assert known_at is None or then <= queries.At(date.max, known_at).k


def check_first_list_day(store: Store, history: History, known_at) -> None:
    """Where the home page's chart begins: the first day a fact put anyone on a list."""
    expected = min((p.valid_from for person in history.people if registered(person, known_at)
                    for p in timeline(person.story(history.people), RULES, known_at).periods
                    if p.kind == "list" and p.value == "in" and p.cause is not None), default=None)
    assert store.views.first_list_day(known_at) == expected, known_at


def run(kind: str, history: History, data) -> None:
    store = Store(kind)
    try:
        split = data.draw(st.integers(0, len(history.saves)), label="saves before the first catch-up")
        for save in history.saves[:split]:
            store.app.events.put(save)
        store.views.catch_up(batch=data.draw(st.integers(1, 40), label="batch"))
        for save in history.saves[split:]:
            store.app.events.put(save)
        store.views.catch_up(batch=data.draw(st.integers(1, 40), label="batch"))

        times = history.times
        moments = [None, *data.draw(st.lists(st.sampled_from(times), max_size=3), label="K")]
        moments += [t - timedelta(microseconds=1) for t in data.draw(st.lists(st.sampled_from(times), max_size=2))]
        for known_at in moments:
            for day in data.draw(st.lists(DAYS, min_size=1, max_size=3), label="V"):
                at = At(day, known_at)
                check_lists(store, history, at)
                check_people(store, history, at, data.draw(st.sampled_from(FACETS)), data.draw(st.integers(-1, 5)))
            check_audit(store, history, known_at)
            check_first_list_day(store, history, known_at)
        # "Now" answers: today is read like any day (a term that runs out after it still holds).
        check_people(store, history, At(today_utc()), "headline", data.draw(st.integers(-1, 5)))
        check_lists(store, history, At(today_utc()))
    finally:
        store.close()


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@settings(max_examples=60, **SETTINGS)
@given(history=histories(), data=st.data())
def test_views_on_sqlite_answer_as_the_fold_does_at_any_valid_date_and_record_time(history, data):
    run("sqlite", history, data)


@pytest.mark.postgres
@settings(max_examples=20, **SETTINGS)
@given(history=histories(max_people=3), data=st.data())
def test_views_on_postgres_answer_as_the_fold_does_at_any_valid_date_and_record_time(history, data):
    run("postgres", history, data)
