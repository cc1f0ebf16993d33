"""``casetrail projections follow`` as a long-lived process, fed by other processes.

Nothing in these tests catches the views up but the follower: the position is
read straight from the tracking table, and the writers are commands that only
append events (``person add``, ``record``) or a plain Python writer.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from sqlalchemy import select

from casetrail.store.application import Casetrail
from casetrail.domain.dates import today_utc
from casetrail.domain.rules import load_rules
from casetrail.projections.tables import people
from casetrail.projections.times import At
from casetrail.projections.views import Stop, Views
from tests.integration.views_support import members_by_fold, populate, run, start, wait_for

URL = "https://example.org/a"
WRITER = textwrap.dedent("""
    import sys, time
    from casetrail.store.application import Casetrail
    app = Casetrail(sys.argv[1], recorded_by="tests")
    for i in range(int(sys.argv[2])):
        facts = [("detained", {"on": "2022-01-09", "source": "src"})]
        if i % 2:
            facts.append(("died", {"on": "2022-01-10", "source": "src"}))
        app.add_person(f"written-{i:02d}", f"Written {i}", facts=facts)
        time.sleep(0.01)
""")


def until(follower: subprocess.Popen, condition, what: str, timeout: float = 30) -> None:
    """Wait for ``condition`` while the follower keeps running; its error if it stops."""
    def met() -> bool:
        if follower.poll() is not None:
            raise AssertionError(f"follow exited ({follower.returncode}) while waiting for {what}: "
                                 f"{follower.stderr.read()}")
        return condition()

    wait_for(met, timeout, what, every=0.05)


class Lines:
    """The follower's stdout, read as it comes (so a test can wait for what the user sees)."""

    def __init__(self, follower: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(follower.stdout,), daemon=True)
        self.thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def reported(self, position: int) -> bool:
        return f"applied up to {position}" in self.lines


def stop(follower, how: signal.Signals, output: Lines) -> tuple[list[str], str]:
    follower.send_signal(how)
    follower.wait(timeout=5)
    output.thread.join(timeout=5)
    return output.lines, follower.stderr.read()


@pytest.fixture
def seeded(postgres_url):
    app = Casetrail(postgres_url, recorded_by="tests")
    populated = populate(app, 8)  # something for the follower's first catch-up
    views = Views(app, load_rules())  # makes the tables; applies nothing
    yield postgres_url, app, views, populated
    views.close()
    app.close()


@pytest.mark.postgres
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_follow_on_postgresql_applies_what_other_processes_record_until_stopped(seeded, how):
    url, app, views, populated = seeded
    first = views.head()
    follower = start(url, "projections", "follow")
    output = Lines(follower)
    try:
        until(follower, lambda: views.position() == first, "the follower's first catch-up")

        writers = [start(url, "person", "add", "late-comer", "--name", "Late Comer"),
                   _python(url, WRITER, "12")]
        for writer in writers:
            assert writer.wait(timeout=60) == 0, writer.stderr.read()
        run(url, "record", "late-comer", "detained", "--on", "2022-01-09", "--source", URL)
        head = views.head()
        until(follower, lambda: output.reported(head), f"the follower to report {head}")
        added = ["late-comer", *[f"written-{i:02d}" for i in range(12)]]
        with views.engine.connect() as conn:
            keys = set(conn.execute(select(people.c.key)).scalars())
        counts = views.counts(At(today_utc()))
        expected = members_by_fold(app, views, populated.keys + added, [At(today_utc())])

        lines, err = stop(follower, how, output)
    finally:
        follower.kill()
        follower.wait()

    assert follower.returncode == 0, err
    assert head > first
    assert set(added) <= keys and len(keys) == len(populated.keys) + len(added)
    assert counts == {name: len(members) for (_, _, name), members in expected.items()}
    assert counts["fatalities"] >= 6 and counts["in_custody"] >= 7
    assert lines and all(line.startswith("applied up to ") for line in lines), lines
    positions = [int(line.removeprefix("applied up to ")) for line in lines]
    assert positions == sorted(positions) and positions[-1] == head and positions[0] > first
    assert err.startswith("following postgresql://") and "listening for new events; Ctrl-C to stop" in err
    assert err.rstrip().endswith(f"stopped at position {head}"), err
    assert "Traceback" not in err


def test_follow_on_sqlite_polls_for_new_events_and_stops_on_ctrl_c(sqlite_url):
    app = Casetrail(sqlite_url, recorded_by="tests")
    populate(app, 3)
    views = Views(app, load_rules())
    first = views.head()
    follower = start(sqlite_url, "projections", "follow")
    output = Lines(follower)
    try:
        until(follower, lambda: views.position() == first, "the follower's first catch-up")

        run(sqlite_url, "record", "person-0001", "noted", "--on", "2024-03", "--text", "still waiting",
            "--source", "src")
        head = views.head()
        until(follower, lambda: output.reported(head), f"the follower to report {head}", timeout=10)

        lines, err = stop(follower, signal.SIGINT, output)
    finally:
        follower.kill()
        follower.wait()
        views.close()
        app.close()

    assert follower.returncode == 0, err
    assert head == first + 1
    assert lines == [f"applied up to {head}"]
    assert "polling every second" in err
    assert err.rstrip().endswith(f"stopped at position {head}"), err
    assert "Traceback" not in err


def _python(url: str, script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, url, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("wait", [0.0, 0.002, 0.01, 0.05, 0.2])
def test_a_follower_asked_to_stop_at_any_moment_ends_and_leaves_no_thread_behind(store_url, wait):
    """Asked while it catches up, while its subscription starts or while it waits for news, it
    ends; an interrupt raised while the subscription was starting once left its threads running
    and ``projections follow`` could not exit."""
    app = Casetrail(store_url, recorded_by="tests")
    populate(app, 2)
    views = Views(app, load_rules())
    stop = Stop()
    before = set(threading.enumerate())
    follower = threading.Thread(target=views.follow, kwargs={"stop": stop})
    try:
        follower.start()
        time.sleep(wait)
        stop.set()
        follower.join(timeout=10)
        assert not follower.is_alive(), "follow did not end when asked to stop"
        assert set(threading.enumerate()) - before == set()
        assert views.position() == views.head()
    finally:
        views.close()
        app.close()
