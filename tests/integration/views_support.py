"""Helpers for the tests that run the projections in real processes: a populated store,
the casetrail command line, the views' tables as multisets, and the lists by folding."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import func, select

from casetrail.store.application import Casetrail
from casetrail.domain.fold import fold
from casetrail.domain.facets import INITIAL as INITIAL_FACETS, facet_values
from casetrail.projections.times import At
from casetrail.projections.tables import VIEW_TABLES
from casetrail.projections.views import Views

SOURCE = "src"
DAYS = (date(2022, 1, 5), date(2022, 1, 8), date(2022, 2, 15), date(2022, 7, 1), date(2023, 6, 1), date(2025, 1, 1))


def _fact(type_name: str, on: str, **fields: Any) -> tuple[str, dict[str, Any]]:
    return type_name, {"on": on, "source": SOURCE, **fields}


# Four kinds of case, each with seven facts and the index of one that is retracted later
# without making the timeline impossible (a sentence, a death, a prison term, a designation).
CASES: list[tuple[Callable[[int], list], int]] = [
    (lambda i: [_fact("detained", f"2022-01-0{i % 9 + 1}"), _fact("charged", "2022-01", charge="mass disorder"),
                _fact("placed_under_house_arrest", "2022-02~"), _fact("released", "2022-06"),
                _fact("sentenced", "2022-09", kind="restricted_freedom", term_months=36), _fact("appealed", "2022-10"),
                _fact("compensated", "2024-08-31", amount="3500000", currency="KZT")], 4),
    (lambda i: [_fact("detained", "2022-01-06"), _fact("died", "2022-01-07"),
                _fact("designated", "2022-02", designation="accidental_victim"), _fact("noted", "2022-03", text="buried"),
                _fact("compensated", "2023", amount=str(1_000_000 + i), currency="KZT"),
                _fact("designated", "2022-04", designation="victim"), _fact("acquitted", "2023-05")], 1),
    (lambda i: [_fact("detained", "2022-01-05"), _fact("charged", "2022-01-10", charge="terrorism"),
                _fact("sentenced", "2022-06", kind="prison", term_months=60), _fact("appealed", "2022-07"),
                _fact("appeal_decided", "2022-12", outcome="overturned"), _fact("released", "2022-12-20"),
                _fact("designated", "2023", designation="participant")], 2),
    (lambda i: [_fact("allegation", "2022-01~", kind="torture"), _fact("detained", "2022"),
                _fact("released", "2022-01-20"), _fact("charged", "2022-02", charge="hooliganism"),
                _fact("charges_dropped", "2022-03"), _fact("noted", "2022-04", text="questioned"),
                _fact("designated", "2022-05", designation="accidental_victim")], 6),
]


@dataclass
class Populated:
    keys: list[str]
    before_corrections: datetime  # a record time after every registration, before any later save


def populate(app: Casetrail, people: int) -> Populated:
    """``people`` people with seven facts each in one save; then, interleaved in record time,
    a retraction for every fifth person and two more facts (one save) for every sixth."""
    app.add_source(SOURCE, url="https://example.org/a")
    keys = [f"person-{i:04d}" for i in range(people)]
    for i, key in enumerate(keys):
        facts, _ = CASES[i % len(CASES)]
        app.add_person(key, f"Person {i}", facts=facts(i))
    time.sleep(0.002)
    middle = datetime.now(timezone.utc)
    time.sleep(0.002)
    for i, key in enumerate(keys):
        if i % 5 == 0:
            person = app.person(key)
            app.retract(key, str(person.history[CASES[i % len(CASES)][1]].id), "the report was wrong")
        if i % 6 == 3:
            app.record_many(key, [_fact("noted", "2024-01", text="a later report"),
                                  _fact("designated", "2024-02", designation="victim")])
    return Populated(keys, middle)


def casetrail(url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "casetrail.cli.main", "--db", url, *args]


def start(url: str, *args: str) -> subprocess.Popen:
    """``casetrail --db URL ARGS...`` as a real process, its output piped."""
    return subprocess.Popen(casetrail(url, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env())


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CASETRAIL_DB", "CASETRAIL_LISTS")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


GATED = """
import pathlib, sys, time
from casetrail.cli.main import app
import casetrail.projections.views  # the heavy imports too, before the gate opens
gate, ready = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
ready.touch()
while not gate.exists():
    time.sleep(0.002)
sys.argv = ["casetrail", *sys.argv[3:]]
app()
"""


def start_gated(gate: Path, url: str, *args: str) -> tuple[subprocess.Popen, Path]:
    """The casetrail command, loaded and then held until ``gate`` exists; and the file it
    creates once loaded. Two of them then start their work within milliseconds of each other."""
    ready = gate.with_name(f"{gate.name}-ready-{uuid.uuid4().hex[:8]}")
    process = subprocess.Popen([sys.executable, "-c", GATED, str(gate), str(ready), "--db", url, *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    return process, ready


def run(url: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    process = start(url, *args)
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"casetrail {' '.join(args)} failed ({process.returncode}): {err}"
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def wait_for(condition: Callable[[], Any], timeout: float, what: str, every: float = 0.01) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def notification_count(app: Casetrail) -> int:
    count, first = 0, 1
    while page := app.recorder.select_notifications(first, 1000):
        count += len(page)
        first = page[-1].id + 1
    return count


def dump(views: Views) -> dict[str, Counter]:
    """Every view table as a multiset of rows, without surrogate ids."""
    tables = {}
    with views.engine.connect() as conn:
        for table in VIEW_TABLES:
            columns = [c for c in table.c if c.name != "id"]
            tables[table.name] = Counter(tuple(row) for row in conn.execute(select(*columns)))
    return tables


def differences(before: dict[str, Counter], after: dict[str, Counter]) -> dict[str, tuple[int, int, list]]:
    """table -> (rows only before, rows only after, a few examples), for the tables that differ."""
    found = {}
    for name in before:
        extra, missing = before[name] - after[name], after[name] - before[name]
        if extra or missing:
            found[name] = (sum(extra.values()), sum(missing.values()), list(extra)[:2] + list(missing)[:2])
    return found


def table_counts(views: Views) -> dict[str, int]:
    with views.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in VIEW_TABLES}


def points(populated: Populated) -> list[At]:
    """(V, K) points: before anyone was registered, before the corrections, and now."""
    first = populated.before_corrections - timedelta(days=1)
    return [At(day, known) for known in (first, populated.before_corrections, None) for day in DAYS]


def members_by_fold(app: Casetrail, views: Views, keys: list[str], at_points: list[At],
                    possibly: bool = False) -> dict:
    """(V, K, list) -> the people on it, each person's stream folded at (V, K). With ``possibly``,
    instead those possibly still on it: off it at V, but the fact that last took them off may not
    have happened by V (its latest possible day is after V)."""
    histories = {key: app.person(key) for key in keys}
    expected: dict[tuple, set[str]] = {}
    for at in at_points:
        for key, person in histories.items():
            if at.known_at is not None and person.registered_at > at.known_at:
                continue
            folded = fold(person.history, at.as_of, at.known_at)
            for rule in views.rules.lists:
                if (possible_exit(rule, folded, at) is not None if possibly else rule.matches(facet_values(folded.state))):
                    expected.setdefault((at.v, at.k, rule.name), set()).add(key)
    return {(at.v, at.k, name): expected.get((at.v, at.k, name), set())
            for at in at_points for name in views.rules.names}


def possible_exit(rule, folded, at: At):
    """The fact that last took the person off the list, if it may not have happened by V (its
    latest possible day is after V): they are then possibly still on it. Else None."""
    on, exit_ = rule.matches(INITIAL_FACETS), None
    for step in folded.steps:
        now = rule.matches(facet_values(step.state))
        if now != on:
            on, exit_ = now, (None if now else step.event)
    return exit_ if not on and exit_ is not None and exit_.on.latest > at.as_of else None


def members_by_views(views: Views, at_points: list[At], possibly: bool = False) -> dict:
    """(V, K, list) -> its members by the read models: the sure ones, or with ``possibly`` those
    possibly still on it."""
    return {(at.v, at.k, name): {m["person"] for m in views.members(name, at) if m["possibly"] == possibly}
            for at in at_points for name in views.rules.names}
