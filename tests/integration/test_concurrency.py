"""Concurrent writers to one person, as real processes on real stores."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
import time

from casetrail.store.application import Casetrail
from casetrail.domain.person import person_id

WORKER = textwrap.dedent("""
    import sys, time, pathlib
    from casetrail.store.application import Casetrail
    url, start, worker, count = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    app = Casetrail(url, recorded_by="tests")
    while not start.exists():
        time.sleep(0.005)
    for i in range(count):
        app.record("omarov-aslanbek", "noted", on="2022-01", text=f"worker {worker} note {i}", source="rferl")
    print(app.retries)
""")


def _seed(url: str) -> Casetrail:
    app = Casetrail(url, recorded_by="tests")
    app.add_person("omarov-aslanbek", "Aslanbek Omarov")
    app.add_source("rferl", url="https://www.rferl.org/")
    return app


def test_four_processes_appending_to_one_person_lose_nothing(store_url, tmp_path):
    app = _seed(store_url)
    start = tmp_path / "go"
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, store_url, str(start), str(n), "15"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(4)]
    time.sleep(1.0)  # let every worker import and open the store
    start.touch()
    results = [w.communicate(timeout=120) for w in workers]

    assert [w.returncode for w in workers] == [0, 0, 0, 0], [err for _, err in results]
    stored = app.recorder.select_events(person_id("omarov-aslanbek"))
    texts = sorted(e.text for e in app.person("omarov-aslanbek").history)
    assert [s.originator_version for s in stored] == list(range(1, 62))
    assert texts == sorted(f"worker {w} note {i}" for w in range(4) for i in range(15))
    app.close()


def test_of_two_processes_releasing_the_same_person_one_wins_and_one_is_told_why(store_url, tmp_path):
    app = _seed(store_url)
    app.record("omarov-aslanbek", "detained", on="2022-01-09", source="rferl")
    command = [sys.executable, "-m", "casetrail.cli.main", "--db", store_url, "record", "omarov-aslanbek",
               "released", "--source", "rferl"]
    racers = [subprocess.Popen(command + ["--on", day], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for day in ("2022-05-01", "2022-05-02")]
    results = [r.communicate(timeout=120) for r in racers]

    codes = sorted(r.returncode for r in racers)
    errors = [err for _, err in results if err]
    assert codes == [0, 1]
    assert len(errors) == 1
    assert errors[0].startswith("Error: omarov-aslanbek: released on 2022-05-0")
    assert "but already free then (released on 2022-05-0" in errors[0]
    assert "Traceback" not in errors[0]
    assert [e.type for e in app.person("omarov-aslanbek").history] == ["detained", "released"]
    app.close()


def test_a_writer_that_loses_the_race_reloads_and_checks_again(store_url):
    first, second = _seed(store_url), Casetrail(store_url, recorded_by="tests")
    first.record("omarov-aslanbek", "detained", on="2022-01-09", source="rferl")
    stale = first.person("omarov-aslanbek")
    second.record("omarov-aslanbek", "noted", on="2022-02", text="moved to Aqtobe SIZO", source="rferl")

    calls = []

    def command(person):
        calls.append(person.version)
        return person.record("released", date.today(), on="2022-05", source="rferl")

    event = first._retrying(stale, command)

    assert calls == [2, 3]  # the stale copy, then the reloaded one
    assert first.retries == 1
    assert [e.type for e in first.person("omarov-aslanbek").history] == ["detained", "noted", "released"]
    assert event.originator_version == 4
    first.close()
    second.close()
