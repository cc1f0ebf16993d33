"""Load: 8 processes append at once to the same 50 people, on SQLite and on PostgreSQL.

Each worker is a real process that loads casetrail, waits behind a gate file, and then
records its facts through the Python API (``Casetrail.record``, which reloads and
retries when another process saved the same person first). At every step the workers
march over the people in step with each other, four of them on one person and four on
another, so they collide as often as real contention would make them.

Afterwards every fact (each carries a unique label) is stored exactly once, every
stream verifies, and the read models, caught up from scratch, answer the lists and
the designation search as folding each person's stream does. The test prints the
throughput and the number of retries (``pytest -s`` shows them; so does a failure).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import date, datetime, timezone

import orjson

from casetrail.store.application import Casetrail
from casetrail.domain.rules import load_rules
from casetrail.projections.times import At
from casetrail.projections.views import Views
from tests.integration.views_support import _env, members_by_fold, members_by_views, wait_for

WORKERS = 8
PEOPLE = 50
FACTS = 30  # per worker
SOURCE = "load-src"
DESIGNATIONS = ("accidental_victim", "victim", "terrorist", "participant")
DAYS = (date(2022, 1, 1), date(2022, 1, 20), date(2022, 3, 15), date(2022, 8, 1), date(2024, 1, 1))


def key(n: int) -> str:
    return f"load-{n:02d}"


def plan(worker: int) -> list[tuple[str, str, dict]]:
    """(person, type, fields) for each of a worker's facts, in the order it records them.

    At step i the even workers write to one person and the odd ones to another; over
    30 steps the two groups cover every one of the 50 people. Every fifth fact is a
    designation (valid in any order, even after a death): lists and searches depend on it.
    """
    facts = []
    for i in range(FACTS):
        person = key((i * 17 + (worker % 2) * 25) % PEOPLE)
        label = f"w{worker}-f{i}"
        month = 1 + (i + worker) % 9
        if i % 5 == worker % 5:
            designation = DESIGNATIONS[(i + worker) % len(DESIGNATIONS)]
            facts.append((person, "designated", {"on": f"2022-{month:02d}", "designation": designation,
                                                 "note": label, "source": SOURCE}))
        else:
            on = f"2022-{month:02d}-{1 + (i * 3 + worker) % 28:02d}" if i % 2 else f"2022-{month:02d}~"
            facts.append((person, "noted", {"on": on, "text": label, "source": SOURCE}))
    return facts


WORKER = textwrap.dedent("""
    import json, pathlib, sys, time
    from casetrail.store.application import Casetrail
    url, gate, ready, plan = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]), json.loads(sys.argv[4])
    app = Casetrail(url, recorded_by="tests")
    ready.touch()
    while not gate.exists():
        time.sleep(0.002)
    started = time.perf_counter()
    for person, type_name, fields in plan:
        app.record(person, type_name, **fields)
    print(json.dumps({"retries": app.retries, "events": len(plan), "seconds": time.perf_counter() - started}))
    app.close()
""")


def label(event) -> str:
    return event.text if event.type == "noted" else event.note


def run_workers(store_url: str, plans: dict, tmp_path) -> tuple[list, list, float]:
    """Start every worker, let them go at once, and wait for them: (processes, outputs, seconds)."""
    gate = tmp_path / "go"
    workers = []
    for w in range(WORKERS):
        ready = tmp_path / f"ready-{w}"
        process = subprocess.Popen([sys.executable, "-c", WORKER, store_url, str(gate), str(ready),
                                    orjson.dumps(plans[w]).decode()],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
        workers.append((process, ready))
    wait_for(lambda: all(ready.exists() or process.poll() is not None for process, ready in workers), 90,
             "every worker to open the store")
    started = time.perf_counter()
    gate.touch()
    results = [process.communicate(timeout=180) for process, _ in workers]
    return [process for process, _ in workers], results, time.perf_counter() - started


def assert_views_equal_the_fold(app, histories: dict, before_load, events: int, measured: str) -> None:
    """The read models equal the fold: at dates across the year, before the load, half-way
    through it (as recorded by the median record time) and now."""
    times = sorted(event.timestamp for person in histories.values() for event in person.history)
    at_points = [At(day, known) for known in (before_load, times[len(times) // 2], None) for day in DAYS]
    views = Views(app, load_rules())
    try:
        assert views.catch_up(batch=97) == events
        expected_lists = members_by_fold(app, views, list(histories), at_points)
        assert members_by_views(views, at_points) == expected_lists, measured
        # Those off a list by a fact that may not have happened yet ("2022-08" read on 1 August)
        # are possibly still on it, by the views as by the fold.
        possible = members_by_fold(app, views, list(histories), at_points, possibly=True)
        assert members_by_views(views, at_points, possibly=True) == possible, measured
        assert any(possible.values()), "no one was possibly on a list: the check proved nothing"
        for at in at_points:
            assert views.counts(at) == {name: len(expected_lists[(at.v, at.k, name)])
                                        for name in views.rules.names}, measured
        assert any(expected_lists.values()), "no list had members: the check proved nothing"
        for at in at_points[-len(DAYS):]:
            for designation in DESIGNATIONS:
                found = {row["person"] for row in views.people(at, {"designation": designation})}
                folded = {k for k, person in histories.items()
                          if person.fold(at.as_of, at.known_at).state.designation == designation}
                assert found == folded, (measured, at, designation)
    finally:
        views.close()


def test_eight_processes_appending_to_the_same_fifty_people_store_each_fact_once(store_url, tmp_path):
    app = Casetrail(store_url, recorded_by="tests")
    app.add_source(SOURCE, url="https://example.org/load")
    for n in range(PEOPLE):
        app.add_person(key(n), f"Load Person {n}")
    time.sleep(0.002)
    before_load = datetime.now(timezone.utc)
    plans = {w: plan(w) for w in range(WORKERS)}

    processes, results, elapsed = run_workers(store_url, plans, tmp_path)

    assert [process.returncode for process in processes] == [0] * WORKERS, [err for _, err in results]
    reports = [orjson.loads(out) for out, _ in results]
    total = sum(report["events"] for report in reports)
    retries = sum(report["retries"] for report in reports)
    kind = "PostgreSQL" if store_url.startswith("postgresql") else "SQLite"
    measured = (f"load on {kind}: {WORKERS} processes wrote {total} events to {PEOPLE} people in {elapsed:.2f} s "
                f"({total / elapsed:.0f} events/s, slowest worker {max(r['seconds'] for r in reports):.2f} s), "
                f"{retries} retries (per worker: {[r['retries'] for r in reports]})")
    print(f"\n{measured}")

    # Every fact is stored exactly once, on the person it was meant for.
    expected = Counter((person, fields.get("text") or fields["note"]) for facts in plans.values()
                       for person, _, fields in facts)
    histories = {key(n): app.person(key(n)) for n in range(PEOPLE)}
    stored = Counter((person_key, label(event)) for person_key, person in histories.items()
                     for event in person.history)
    assert stored == expected, f"{measured}; missing {expected - stored}, extra {stored - expected}"
    per_person = Counter(person for person, _ in expected.elements())
    assert {k: person.version for k, person in histories.items()} == {k: 1 + per_person[k] for k in histories}
    assert len(per_person) == PEOPLE, "some people were never written to: the plan does not cover them"

    # Every stream's chain holds, and every event is counted once in the log.
    verification = app.verify()
    assert verification.sound, (measured, verification.breaks)
    assert (verification.events, verification.streams) == (1 + PEOPLE + total, 1 + PEOPLE), measured
    try:
        assert_views_equal_the_fold(app, histories, before_load, verification.events, measured)
    finally:
        app.close()
