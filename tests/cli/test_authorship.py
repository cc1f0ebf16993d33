"""Who recorded each event: --as, CASETRAIL_USER or the login name, shown and carried everywhere."""

from __future__ import annotations

import getpass
import shutil
from pathlib import Path

import orjson
import pytest

from casetrail.domain.errors import BadInput
from casetrail.domain.rules import parse_rules
from casetrail.store.application import Casetrail
from tests.cli.conftest import Cli

FIXTURE = Path(__file__).parents[1] / "fixtures" / "store-before-layers.db"
OMAROV = "omarov-aslanbek"


def _detained_and_released(cli: Cli) -> str:
    """Omarov detained by one desk, released by another (RFE/RL, 2024); the release's id."""
    cli(f"--as aqtobe-desk record {OMAROV} detained --on 2022-01-09 --place Aqtobe --source rferl-omarov")
    return cli.json(f"--as almaty-desk record {OMAROV} released --on 2022-10~ --source rferl-omarov")["id"]


def test_each_event_shows_who_recorded_it(omarov):
    _detained_and_released(omarov)

    events = omarov.json(f"show {OMAROV}")["events"]
    table = omarov.text(f"show {OMAROV}")

    assert [(e["type"], e["recorded_by"]) for e in events] == [("detained", "aqtobe-desk"),
                                                               ("released", "almaty-desk")]
    assert "by aqtobe-desk" in table and "by almaty-desk" in table


def test_without_as_the_environment_names_the_recorder_and_else_the_login(omarov):
    omarov.runner.env = {"CASETRAIL_USER": "aqtobe-desk"}
    omarov(f"record {OMAROV} detained --on 2022-01-09 --source rferl-omarov")
    omarov.runner.env = {"CASETRAIL_USER": None}
    omarov(f"record {OMAROV} released --on 2022-10~ --source rferl-omarov")

    authors = [e["recorded_by"] for e in omarov.json(f"show {OMAROV}")["events"]]

    assert authors == ["aqtobe-desk", getpass.getuser()]


def test_audit_names_who_recorded_each_cause_and_who_retracted(omarov):
    release = _detained_and_released(omarov)
    omarov(f'--as moderator retract {OMAROV} {release} --reason "date unconfirmed"')

    report = omarov.json(f"audit {OMAROV}")
    text = omarov.text(f"audit {OMAROV}")

    assert {c["recorded_by"] for c in report["changes"]} == {"aqtobe-desk"}
    assert [(f["recorded_by"], f["retracted_by"]) for f in report["retracted"]] == [("almaty-desk", "moderator")]
    assert "by almaty-desk" in text and "by moderator" in text


def test_why_names_who_recorded_the_deciding_fact(omarov):
    _detained_and_released(omarov)

    answer = omarov.json(f"why {OMAROV} detained --as-of 2022-12-01")
    text = omarov.text(f"why {OMAROV} detained --as-of 2022-12-01")

    assert [h["recorded_by"] for h in answer["history"]] == ["aqtobe-desk"]
    assert "recorded by aqtobe-desk" in text


def test_export_carries_who_recorded_and_import_keeps_it(omarov, second_url, tmp_path):
    _detained_and_released(omarov)
    dump = tmp_path / "all.jsonl"
    omarov(f"export -o {dump}")
    copy = Cli(second_url)

    copy(f"--as importer import {dump}")
    copy(f"--as importer record {OMAROV} detained --on 2023-02 --source rferl-omarov")

    records = [orjson.loads(line) for line in dump.read_text().splitlines()]
    events = copy.json(f"show {OMAROV}")["events"]
    assert {r["record"]: r.get("recorded_by") for r in records if r["record"] != "event"} == {
        "person": getpass.getuser(), "source": getpass.getuser()}
    assert [e["recorded_by"] for e in events] == ["aqtobe-desk", "almaty-desk", "importer"]


def test_an_imported_record_without_a_recorder_is_recorded_by_whoever_imports(cli, tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"record": "source", "key": "rferl-omarov", "outlet": "RFE/RL"}\n'
                    '{"record": "person", "key": "omarov-aslanbek", "name": "Aslanbek Omarov"}\n'
                    '{"record": "event", "person": "omarov-aslanbek", "type": "detained", "on": "2022-01-09", '
                    '"source": "rferl-omarov"}\n')

    cli(f"--as aqtobe-desk import {path}")

    assert [e["recorded_by"] for e in cli.json(f"show {OMAROV}")["events"]] == ["aqtobe-desk"]


def test_a_redacted_export_names_no_recorder(omarov):
    _detained_and_released(omarov)

    out = omarov(f"export --redact").stdout

    assert "recorded_by" not in out and "desk" not in out


@pytest.mark.parametrize("given", ["''", "'desk\x1b[31m'", "x" * 101])
def test_a_bad_recorder_is_refused_in_one_line_and_nothing_is_written(omarov, given):
    error = omarov.error(f"--as {given} record {OMAROV} detained --on 2022-01-09 --source rferl-omarov")

    assert "who records" in error
    assert omarov.json(f"show {OMAROV}")["events"] == []


def test_a_fact_cannot_carry_its_own_recorder(app):
    app.add_source("rferl-omarov", outlet="RFE/RL")
    app.add_person(OMAROV, "Aslanbek Omarov")

    with pytest.raises(BadInput, match="not a field of the fact"):
        app.record(OMAROV, "detained", on="2022-01-09", source="rferl-omarov", recorded_by="someone-else")


def test_the_python_api_must_be_told_who_records(store_url):
    with pytest.raises(TypeError, match="recorded_by"):
        Casetrail(store_url)  # type: ignore[call-arg]
    reader = Casetrail(store_url, recorded_by=None)

    with pytest.raises(BadInput, match="opened for reading"):
        reader.add_source("rferl-omarov", outlet="RFE/RL")
    reader.close()


def test_events_stored_before_authorship_read_as_unknown(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "cases.db")
    old = Cli(str(tmp_path / "cases.db"))

    events = old.json("show nurgeldin-faizulla")["events"]

    assert events and {e["recorded_by"] for e in events} == {"unknown"}
    assert old.json("verify")["sound"]


def test_a_list_rule_cannot_test_who_recorded():
    with pytest.raises(BadInput, match="recorded_by"):
        parse_rules('[lists.a]\nall = [{ facet = "recorded_by", is = "aqtobe-desk" }]\n')
