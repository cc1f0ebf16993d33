"""The read models survive being killed and being raced, as real processes on both stores.

Each test fills a store in-process, then runs ``casetrail projections ...`` in
subprocesses: SIGKILLed part-way, restarted, or two at once. Afterwards the
views must have applied every event exactly once (``processed`` equals the
number of notifications), hold exactly the rows a rebuild from scratch makes
(multisets, without surrogate ids), and answer the lists as folding each
person's stream does, and the store still verifies (test_kill_and_rerun.py does the
same for an import).
"""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import orjson
import pytest

from casetrail.store.application import Casetrail
from casetrail.domain.errors import StoreError
from casetrail.projections.tables import people
from casetrail.domain.rules import load_rules
from casetrail.projections.tuning import REMEMBERED
from casetrail.projections.views import Views
from casetrail.projections.working import Helper, Task
from tests.integration.views_support import (
    CASES, Populated, _fact, differences, dump, members_by_fold, members_by_views, notification_count, points, populate, run, start,
    start_gated, wait_for,
)

PEOPLE = 120  # about 1,000 events: a second or so of catch-up in batches of 10
RACERS_PEOPLE = 60


@pytest.fixture
def filled(store_url):
    """Fills the test's store with so many people; the URL, the application, the views
    (their tables made, nothing applied yet) and what was recorded."""
    opened = []

    def fill(people: int = PEOPLE):
        app = Casetrail(store_url, recorded_by="tests")
        populated = populate(app, people)
        views = Views(app, load_rules())
        opened.append((app, views))
        return store_url, app, views, populated

    yield fill
    for app, views in opened:
        views.close()
        app.close()


def kill_when(process, views: Views, reached) -> int:
    """SIGKILL the process as soon as the views' position satisfies ``reached``; the position then."""
    try:
        wait_for(lambda: reached(views.position()) or process.poll() is not None, 60, "the views to move")
    finally:
        process.kill()
        process.wait(timeout=10)
    return views.position()


def assert_applied_once_and_as_rebuilt(app: Casetrail, views: Views, populated) -> None:
    verification = app.verify()  # the kills touched the views only: the events are whole and unchanged
    assert verification.sound, verification.breaks[:3]
    assert verification.events == notification_count(app)
    status = views.status()
    assert (status.position, status.lag) == (status.head, 0)
    assert status.processed == notification_count(app)
    tables = dump(views)
    expected_lists = members_by_fold(app, views, populated.keys, points(populated))
    assert members_by_views(views, points(populated)) == expected_lists
    assert (members_by_views(views, points(populated), possibly=True)
            == members_by_fold(app, views, populated.keys, points(populated), possibly=True))

    views.rebuild()

    assert differences(tables, dump(views)) == {}
    assert sum(len(people) for people in expected_lists.values()) > 0


def test_catch_up_killed_again_and_again_applies_every_event_exactly_once(filled):
    url, app, views, populated = filled()
    head = views.head()
    kills = []

    for share in (0.25, 0.6):
        catch_up = start(url, "projections", "catch-up", "--batch-size", "10")
        kills.append(kill_when(catch_up, views, lambda position, share=share: position >= head * share))
    finish = run(url, "projections", "catch-up", "--batch-size", "10", "--json")

    assert any(0 < position < head for position in kills), kills
    assert kills == sorted(kills)
    assert orjson.loads(finish.stdout)["applied"] == head - kills[-1]
    assert_applied_once_and_as_rebuilt(app, views, populated)


def test_rebuild_killed_half_way_is_finished_by_the_next_query(filled):
    url, app, views, populated = filled()
    views.catch_up()
    head = views.head()
    old = dump(views)

    rebuild = start(url, "projections", "rebuild", "--batch-size", "10")
    killed_at = kill_when(rebuild, views, lambda position: 0 < position < head / 2)
    halfway = views.status()
    lists = run(url, "lists", "--json")

    assert 0 < killed_at < head
    assert halfway.processed == killed_at  # the rebuild started counting again from nothing
    assert sum(halfway.rows.values()) < sum(sum(rows.values()) for rows in old.values())
    assert {row["list"] for row in orjson.loads(lists.stdout)["lists"]} == set(views.rules.names)
    assert_applied_once_and_as_rebuilt(app, views, populated)
    assert differences(old, dump(views)) == {}


def test_two_processes_catching_up_at_once_apply_each_event_once_between_them(filled, tmp_path):
    url, app, views, populated = filled(RACERS_PEOPLE)
    head = views.head()

    gate = tmp_path / "go"
    gated = [start_gated(gate, url, "projections", "catch-up", "--batch-size", "5", "--json") for _ in range(2)]
    wait_for(lambda: all(ready.exists() or racer.poll() is not None for racer, ready in gated), 60,
             "both processes to load casetrail")
    gate.touch()
    racers = [racer for racer, _ in gated]
    results = [racer.communicate(timeout=120) for racer in racers]

    assert [racer.returncode for racer in racers] == [0, 0], [err for _, err in results]
    reports = [orjson.loads(out) for out, _ in results]
    applied = [report["applied"] for report in reports]
    assert sum(applied) == notification_count(app), reports
    # They did overlap: each applied batches or lost a race to the other (SQLite's lock is not
    # fair, so one process may win every batch while the other keeps finding its work done).
    assert all(report["applied"] > 0 or report["lost_races"] > 0 for report in reports), reports
    assert views.position() == head
    assert_applied_once_and_as_rebuilt(app, views, populated)



@pytest.mark.parametrize("enabled", [True, False])
def test_a_catch_up_leaves_the_garbage_collector_as_it_found_it(filled, enabled):
    # catch_up pauses the cyclic collector while it works (see views._young_objects_only).
    _, _, views, _ = filled(3)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        assert views.catch_up() > 0
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


# -- helper processes working out batches while the caller writes (working.Helper) ------------------


@pytest.mark.parametrize("helpers", [1, 3])
def test_a_helped_catch_up_applies_every_event_once_and_makes_the_rows_of_one_alone(filled, helpers):
    url, app, views, populated = filled()

    applied = views.catch_up(batch=10, helpers=helpers)

    assert applied == views.head() == notification_count(app)
    assert_applied_once_and_as_rebuilt(app, views, populated)  # the rebuild there works alone


def _handed_over(task: Task) -> tuple[bool, list[tuple]]:
    """Whether the helper was forked, and what it handed over (positions and rows)."""
    with Helper(task) as helper:
        return helper.process is None, [(w.start, w.end, w.count, w.batch.inserts, w.batch.closes, w.batch.people)
                                        for w in helper.batches()]


def test_a_helper_is_forked_only_from_a_single_thread_and_hands_over_the_same_batches_either_way(filled):
    # A fork inherits every lock another thread holds: with another thread running (a web
    # server's, PostgreSQL's pool) the helper is a fresh interpreter instead.
    url, app, views, populated = filled(30)
    task = Task(app.url, views.rules, 0, 50, part=0, parts=2, memory=REMEMBERED)
    alone = threading.active_count() == 1
    forked, alone_batches = _handed_over(task)
    waiting = threading.Event()
    other = threading.Thread(target=waiting.wait)
    other.start()
    try:
        fresh_forked, fresh_batches = _handed_over(task)
    finally:
        waiting.set()
        other.join()

    assert forked is alone
    assert fresh_forked is False
    assert len(alone_batches) > 1
    assert alone_batches == fresh_batches


def test_a_helped_catch_up_after_earlier_ones_finds_the_people_already_applied(filled):
    # The rows name a person by a number: the helpers learn those of people registered before
    # they began from the views, and those of new people from their registrations.
    url, app, views, populated = filled()
    views.catch_up(batch=10)
    for key in populated.keys[:40]:
        app.record_many(key, [_fact("noted", "2025-03", text="later news")])
    new = [f"new-{i:02d}" for i in range(20)]
    for i, key in enumerate(new):
        app.add_person(key, f"New {i}", facts=CASES[i % len(CASES)][0](i))
    before = views.position()

    applied = views.catch_up(batch=10, helpers=2)

    assert applied == notification_count(app) - before == 40 + 20 * 8
    assert_applied_once_and_as_rebuilt(app, views, Populated(populated.keys + new, populated.before_corrections))


@pytest.mark.parametrize("helpers", [0, 2])
def test_a_catch_up_that_may_remember_no_stream_reads_each_again_and_makes_the_same_rows(filled, helpers):
    url, app, views, populated = filled()
    forgetful = Views(app, load_rules())

    try:
        applied = forgetful.catch_up(batch=10, helpers=helpers, memory=0)  # the helpers are told it too

        assert forgetful.worker.memory.streams == {}
        assert applied == notification_count(app)
    finally:
        forgetful.close()
    assert_applied_once_and_as_rebuilt(app, views, populated)


def test_views_missing_a_registration_they_should_hold_say_to_rebuild_them(filled):
    url, app, views, populated = filled(3)
    views.catch_up()
    with views.writer.begin() as conn:  # as if the people table had lost a row
        conn.execute(people.delete().where(people.c.key == populated.keys[0]))
    app.record_many(populated.keys[0], [_fact("noted", "2025-03", text="later news")])
    later = Views(app, load_rules())  # as the next command would: it has seen nobody register

    try:
        with pytest.raises(StoreError) as raised:
            later.catch_up()
        assert "the views have no registration for person" in str(raised.value)
        assert "casetrail projections rebuild" in str(raised.value)
        later.rebuild()
        assert later.status().lag == 0
    finally:
        later.close()


def test_a_helper_that_cannot_open_the_store_leaves_the_work_to_the_caller(filled, tmp_path):
    url, app, views, populated = filled()
    app.url = str(tmp_path / "no such folder" / "cases.db")  # what the helper is told to open

    applied = views.catch_up(batch=10, helpers=2)

    assert applied == notification_count(app)
    assert_applied_once_and_as_rebuilt(app, views, populated)


def test_a_helped_catch_up_killed_part_way_takes_its_helper_down_and_is_finished_by_the_next(filled):
    url, app, views, populated = filled()
    head = views.head()
    catch_up = start(url, "projections", "catch-up", "--batch-size", "10", "--helpers", "2")
    try:
        wait_for(lambda: views.position() >= head * 0.3 or catch_up.poll() is not None, 60, "the views to move")
        helpers = children(catch_up.pid)
    finally:
        catch_up.kill()
        catch_up.wait(timeout=10)
    killed_at = views.position()

    assert helpers, "the catch-up had no helper process"
    wait_for(lambda: not any(alive(pid) for pid in helpers), 30, "the orphaned helper to exit")
    finish = run(url, "projections", "catch-up", "--batch-size", "10", "--json")
    assert 0 < killed_at < head
    assert orjson.loads(finish.stdout)["applied"] == head - killed_at
    assert_applied_once_and_as_rebuilt(app, views, populated)


REFUSED_OPTIONS = [
    ("--helpers", "yes", "Error: --helpers is 'yes': give auto (the default: one per core, at most 4, when more than "
                         "40,000 events wait), 0 for none, or a number of helper processes up to 16"),
    ("--memory", "lots", "Error: --memory is 'lots': give how many events each process may keep in memory, such as "
                         "1000000 (the default is 100,000; 0 keeps none)"),
]


@pytest.mark.parametrize("command", ["catch-up", "rebuild"])
@pytest.mark.parametrize(("option", "value", "message"), REFUSED_OPTIONS)
def test_a_tuning_option_not_understood_gets_one_line_and_drops_nothing(filled, command, option, value, message):
    url, _, views, _ = filled(3)
    views.catch_up()
    before = views.status()

    failed = start(url, "projections", command, option, value)
    out, err = failed.communicate(timeout=60)

    assert failed.returncode != 0
    assert err.strip().splitlines() == [message]
    assert views.status() == before  # a refused rebuild has dropped nothing


def children(pid: int) -> list[int]:
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()]


def alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent (now init) has still to reap it


# -- statistics after a long catch-up --------------------------------------------------------------


@pytest.fixture
def postgres_filled(postgres_url):
    """A PostgreSQL store with 40 people, its views made and nothing applied yet."""
    app = Casetrail(postgres_url, recorded_by="tests")
    populate(app, 40)
    views = Views(app, load_rules())
    yield app, views
    views.close()
    app.close()


def scalar(views: Views, sql: str):
    with views.engine.connect() as conn:
        return conn.exec_driver_sql(sql).scalar_one()


@pytest.mark.postgres
def test_a_long_catch_up_on_postgresql_leaves_the_views_vacuumed_and_analysed(postgres_filled, monkeypatch):
    # Without statistics the planner took the freshly filled tables for empty (reltuples -1)
    # and chose plans for a handful of rows; without a vacuum, index-only scans visit the table.
    app, views = postgres_filled
    monkeypatch.setattr("casetrail.projections.views.ANALYZE_FROM", notification_count(app))

    views.catch_up(batch=50)

    estimated = scalar(views, "SELECT reltuples FROM pg_class WHERE oid = 'casetrail_list_periods'::regclass")
    stored = scalar(views, "SELECT count(*) FROM casetrail_list_periods")
    vacuumed = scalar(views, "SELECT last_vacuum FROM pg_stat_user_tables "
                             "WHERE relid = 'casetrail_list_periods'::regclass")
    assert stored > 0 and estimated == stored
    assert vacuumed is not None


@pytest.mark.postgres
def test_a_short_catch_up_leaves_the_statistics_to_autovacuum(postgres_filled, monkeypatch):
    app, views = postgres_filled
    monkeypatch.setattr("casetrail.projections.views.ANALYZE_FROM", notification_count(app) + 1)

    views.catch_up(batch=50)

    # last_analyze is set by a command; autovacuum's would be last_autoanalyze.
    assert scalar(views, "SELECT last_analyze FROM pg_stat_user_tables "
                         "WHERE relid = 'casetrail_list_periods'::regclass") is None
