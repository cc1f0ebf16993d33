"""Record times as users give them back, and facts dated before a birth (issue 11, item 17)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DETAINED = "record omarov-aslanbek detained --on 2022-01-09 --place Aqtobe --source rferl-omarov"
FORMS = ("use YYYY-MM-DD (the end of that day, UTC) or YYYY-MM-DDTHH:MM[:SS[.ffffff]] with an optional Z or +HH:MM "
         "(UTC if none), e.g. 2022-03-01 or 2022-03-01T21:23:50Z")


def test_a_record_time_shown_to_the_second_includes_the_fact_when_given_back(omarov):
    omarov(DETAINED)
    recorded = omarov.json("show omarov-aslanbek")["events"][0]["recorded_at"]  # 2026-12-01T21:23:50.123456Z
    shown = recorded[:19]  # as the tables show it, to the second

    known = omarov.json(f"show omarov-aslanbek --known-at {shown}")
    also_with_z = omarov.json(f"show omarov-aslanbek --known-at {shown}Z")

    assert [e["type"] for e in known["events"]] == ["detained"]
    assert [e["type"] for e in also_with_z["events"]] == ["detained"]
    assert known["status"]["custody"] == "detained"


@pytest.mark.parametrize("spelling", ["20261201", "2026-12-01Z", "2026-W48-2", "2026-12-01 21:23"])
@pytest.mark.parametrize("command", ["show omarov-aslanbek --known-at", "list in_custody --known-at",
                                     "audit --list in_custody --since"])
def test_a_record_time_in_another_spelling_is_refused_with_the_accepted_forms(omarov, command, spelling):
    flag = command.rsplit(" ", 1)[1]

    error = omarov.error(f"{command} '{spelling}'")

    assert error == f"Error: {flag} '{spelling}' is not a date or date-time: {FORMS}"


@pytest.fixture
def born_1988(omarov):
    omarov('person add mamay-zhanbolat --name "Zhanbolat Mamay" --born 1988')
    return omarov


@pytest.mark.parametrize("fact", ["died --on 1987", "died --on 1987-12-31", "detained --on 1985~",
                                  "sentenced --on 1980 --kind prison", "designated --on 1987 --designation victim"])
def test_a_fact_dated_wholly_before_the_birth_year_is_refused(born_1988, fact):
    error = born_1988.error(f"record mamay-zhanbolat {fact} --source rferl-omarov")

    kind, on = fact.split(" --on ")[0], fact.split(" --on ")[1].split()[0]
    assert error == (f"Error: mamay-zhanbolat: {kind} on {on} is before mamay-zhanbolat was born (1988); check the date, or the year "
                     "of birth given with 'person add --born'")
    assert born_1988.json("show mamay-zhanbolat")["events"] == []


@pytest.mark.parametrize("fact", ["died --on 1988~", "died --on 1988-01?", "noted --on 1970 --text 'parents moved to Aqtobe'"])
def test_a_fact_that_may_be_after_the_birth_or_a_note_about_earlier_times_is_accepted(born_1988, fact):
    born_1988(f"record mamay-zhanbolat {fact} --source rferl-omarov")

    assert len(born_1988.json("show mamay-zhanbolat")["events"]) == 1


def test_an_import_of_a_death_before_the_birth_is_refused_whole(omarov, tmp_path: Path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([
        {"record": "person", "key": "mamay-zhanbolat", "name": "Zhanbolat Mamay", "born": 1988},
        {"record": "event", "person": "mamay-zhanbolat", "type": "died", "on": "1987", "source": "rferl-omarov"},
    ]))

    error = omarov.error(f"import {path}")

    assert "died on 1987 is before mamay-zhanbolat was born (1988)" in error and error.endswith("nothing was imported")
    assert [p["person"] for p in omarov.json("person list")] == ["omarov-aslanbek"]
