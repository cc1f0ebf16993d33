"""import and export through the CLI, on both stores."""

from __future__ import annotations

import os
import re
from pathlib import Path

import orjson
import pytest

from tests.cli.conftest import Cli

DATASET = Path(__file__).parents[2] / "examples" / "january2022.yaml"

SMALL = """
sources:
  - key: rferl-omarov
    url: https://www.rferl.org/a/kazakhstan-compensation-aqtobe-man-jaunuary-/32573146.html
    outlet: RFE/RL
persons:
  - key: omarov-aslanbek
    name: Aslanbek Omarov
    aliases: [Асланбек Омаров]
  - key: other-person
    name: Other Person
events:
  - person: omarov-aslanbek
    type: detained
    on: 2022-01-09
    source: rferl-omarov
  - person: omarov-aslanbek
    type: placed_under_house_arrest
    on: "2022-05~"
    source: rferl-omarov
  - persons: [omarov-aslanbek, other-person]
    type: sentenced
    on: "2023-02"
    source: rferl-omarov
    note: sentenced with 14 others
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def summary(cli: Cli, line: str, ok: bool = True) -> dict:
    result = cli(f"{line} --json", ok=ok)
    return orjson.loads(result.stdout)


def event_count(cli: Cli) -> int:
    return sum(len(cli.json(f"show {p['person']}")["events"]) for p in cli.json("person list"))


# -- importing ---------------------------------------------------------------------------------------------

def test_importing_a_file_twice_adds_its_records_once(cli, tmp_path):
    path = write(tmp_path, "cases.yaml", SMALL)

    first = summary(cli, f"import {path}")
    second = summary(cli, f"import {path}")

    assert (first["people_added"], first["sources_added"], first["events_added"]) == (2, 1, 4)
    assert (second["people_added"], second["sources_added"], second["events_added"]) == (0, 0, 0)
    assert second["events_skipped"] == 4
    assert event_count(cli) == 4


def test_a_group_fact_becomes_one_event_per_person_sharing_a_group_id(cli, tmp_path):
    cli(f"import {write(tmp_path, 'cases.yaml', SMALL)}")

    sentenced = [f for key in ("omarov-aslanbek", "other-person")
                 for f in cli.json(f"show {key}")["events"] if f["type"] == "sentenced"]

    assert len(sentenced) == 2
    assert sentenced[0]["group"] == sentenced[1]["group"] and sentenced[0]["group"]
    assert sentenced[0]["id"] != sentenced[1]["id"]


def test_facts_already_recorded_by_hand_are_not_imported_again(cli, tmp_path):
    cli("source add rferl-omarov --url https://www.rferl.org/a/kazakhstan-compensation-aqtobe-man-jaunuary-/"
        "32573146.html --outlet RFE/RL")
    cli('person add omarov-aslanbek --name "Aslanbek Omarov" --alias "Асланбек Омаров"')
    cli("record omarov-aslanbek detained --on 2022-01-09 --source rferl-omarov")

    result = summary(cli, f"import {write(tmp_path, 'cases.yaml', SMALL)}")

    assert (result["people_added"], result["sources_added"], result["events_added"]) == (1, 0, 3)
    assert result["events_skipped"] == 1


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_every_format_reads_the_same_records(cli, tmp_path, fmt):
    yaml_path = write(tmp_path, "cases.yaml", SMALL)
    reference = Cli(str(tmp_path / "reference.db"))
    reference(f"import {yaml_path}")
    exported = tmp_path / f"cases.{fmt}"
    if fmt == "json":
        import yaml

        exported.write_text(orjson.dumps(yaml.safe_load(re.sub(r"\bon:", "'on':", SMALL)), default=str).decode())
    else:
        reference(f"export -o {exported}")

    cli(f"import {exported}")

    assert cli.json("show omarov-aslanbek")["status"] == reference.json("show omarov-aslanbek")["status"]
    assert event_count(cli) == 4


def test_import_reads_stdin_with_a_format(cli):
    result = cli("import - --format yaml", input=SMALL)

    assert "2 people, 1 source and 4 events added" in result.stdout


# -- all or nothing ----------------------------------------------------------------------------------------

BAD = SMALL + """
  - person: omarov-aslanbek
    type: released
    on: "2022-13-01"
    source: rferl-omarov
  - person: nobody-known
    type: detained
    on: "2022-01-10"
    source: rferl-omarov
  - person: omarov-aslanbek
    type: compensated
    on: "2024-08-31"
    amount: lots
    currency: KZT
    source: rferl-omarov
"""


def test_one_bad_record_leaves_the_store_untouched_and_the_error_names_file_record_and_field(cli, tmp_path):
    path = write(tmp_path, "cases.yaml", BAD)

    error = cli.error(f"import {path}")

    assert error.startswith(f"Error: {path} line 27 (events #4): released of omarov-aslanbek: field 'on': ")
    assert "2022-13-01" in error and "2 more problems" in error and "nothing was imported" in error
    assert cli.json("person list") == []


def test_dry_run_reports_every_problem_and_writes_nothing(cli, tmp_path):
    path = write(tmp_path, "cases.yaml", BAD)

    result = cli(f"import {path} --dry-run --json", ok=False)
    report = orjson.loads(result.stdout)

    assert result.exit_code == 1
    assert [p["where"] for p in report["problems"]] == [f"{path} line 27 (events #4)", f"{path} line 35 (events #6)",
                                                         f"{path} line 31 (events #5)"]
    assert "field 'amount'" in report["problems"][1]["error"]
    assert "nobody-known is not in the store or the file" in report["problems"][2]["error"]
    assert report["written"] is False
    assert "no casetrail store at" in cli.error("person list")  # not even an empty store was made


def test_keep_going_imports_the_valid_records_and_reports_the_rest(cli, tmp_path):
    result = cli(f"import {write(tmp_path, 'cases.yaml', BAD)} --keep-going", ok=False)

    assert result.exit_code == 1
    assert result.stderr.count("problem: ") == 3
    assert "2 people, 1 source and 4 events added" in result.stdout
    assert event_count(cli) == 4


def test_a_fact_that_breaks_the_timeline_is_refused_with_its_record(cli, tmp_path):
    text = SMALL + """
  - person: other-person
    type: released
    on: "2022-02-01"
    source: rferl-omarov
"""
    path = write(tmp_path, "cases.yaml", text)

    error = cli.error(f"import {path}")

    assert error.startswith(f"Error: {path} line 27 (events #4): other-person: ")
    assert "released on 2022-02-01 but no detention is recorded before it" in error
    assert cli.json("person list") == []


def test_a_jsonl_file_with_a_broken_line_names_the_line(cli, tmp_path):
    lines = ['{"record": "person", "key": "a-b", "name": "A B"}', '{"record": "person", "key": ', '']
    path = write(tmp_path, "cases.jsonl", "\n".join(lines))

    error = cli.error(f"import {path}")

    assert error.startswith(f"Error: {path} line 2: not valid JSON")


@pytest.mark.parametrize("args, message", [
    ("import missing.yaml", "no file 'missing.yaml'"),
    ("import cases.txt", "cannot tell the format of 'cases.txt'"),
    ("import - ", "reading stdin: say what it holds with --format"),
    ("import cases.yaml --format xml", "--format 'xml' is not known"),
    ("import cases.yaml --dry-run --keep-going", "choose one of --dry-run or --keep-going"),
])
def test_bad_import_commands_get_one_line(cli, tmp_path, args, message):
    os.chdir(tmp_path)
    (tmp_path / "cases.txt").write_text("x")
    write(tmp_path, "cases.yaml", SMALL)

    assert message in cli.error(args)


@pytest.mark.parametrize("text, message", [
    ("- just a list item", "line 1 (record #1): is not a record"),
    ("- {record: persn, key: a-b}", "field 'record' must be source, person, event, case or case_event (got 'persn')"),
    ("people: []", "unknown section 'people'"),
    ("events: [{person: a-b, type: flew, 'on': '2022', source: x}]", "unknown event type 'flew'"),
    ("persons: [{key: 'Bad Key', name: X}]", "person key 'Bad Key' is not valid"),
    ("events: [{person: a-b, type: detained, source: x}]", "field 'on' is required"),
    ("events: [{person: a-b, type: detained, 'on': '2022', source: x, colour: red}]", "has no field 'colour'"),
    ("events: [{person: a-b, type: detained, 'on': '2999', source: x}]", "in the future"),
    ("sources: [{key: s, url: not-a-url}]", "is not a web address"),
    ("events: [\n  {person: a-b", "line 3: not valid YAML: did not find expected ',' or '}'"),
])
def test_bad_records_get_one_line_naming_what_is_wrong(cli, tmp_path, text, message):
    path = write(tmp_path, "cases.yaml", text)

    assert message in cli.error(f"import {path}")
    assert cli.json("person list") == []


# -- exporting ---------------------------------------------------------------------------------------------

@pytest.fixture
def history(fresh_aqtobe):
    """The Aqtobe cases, a wrong fact retracted later, and the record time between."""
    cli = fresh_aqtobe
    wrong = cli("record nurgeldin-faizulla detained --on 2022-01-05 --source rferl-omarov").stdout.split()[0]
    middle = next(e["recorded_at"] for e in cli.json("show nurgeldin-faizulla")["events"] if e["id"] == wrong)
    cli(f'retract nurgeldin-faizulla {wrong} --reason "he was never detained"')
    return cli, middle


QUESTIONS = [
    "show {p}", "show {p} --as-of 2022-02-01", "show {p} --known-at {k}", "replay {p}", "audit {p}",
    "lists --as-of 2022-02-01", "lists --as-of 2022-04-01 --known-at {k}", "list fatalities",
    "list accidental_victims --as-of 2022-02-01", "audit --list fatalities", "people --custody detained --as-of 2022-02-01",
]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_then_import_into_an_empty_store_answers_every_question_the_same(history, tmp_path, fmt):
    original, middle = history
    path = tmp_path / f"all.{fmt}"
    original(f"export -o {path}")
    copy = Cli(str(tmp_path / "copy.db"))

    copy(f"import {path}")

    for key in ("omarov-aslanbek", "zhubanazarov-ruslanbek", "nurgeldin-faizulla"):
        for question in QUESTIONS:
            line = question.format(p=key, k=middle)
            assert copy.json(line) == original.json(line), line


AMP = "https://rferl.org/amp/kazakhstan-compensation-aqtobe-man-jaunuary-/32573146.html"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_claims_survive_export_then_import_and_every_question_is_answered_the_same(history, tmp_path, fmt):
    original, middle = history
    facts = {e["type"]: e["id"] for e in original.json("show omarov-aslanbek")["events"]}
    original(f"corroborate omarov-aslanbek {facts['compensated'][:8]} --source {AMP} --claimant media")
    other = original(f"record omarov-aslanbek sentenced --on 2022-02 --source rferl-omarov --claimant media "
                     f"--disputes {facts['sentenced'][:8]}").stdout.strip()
    original(f'prefer omarov-aslanbek {other[:8]} --reason "the report is of August 2023"')
    original(f'prefer omarov-aslanbek {facts["sentenced"][:8]} --reason "his pretrial detention ran to May 2022"')
    path = tmp_path / f"all.{fmt}"
    original(f"export -o {path}")
    copy = Cli(str(tmp_path / "copy.db"))

    copy(f"import {path}")

    assert original.json("show omarov-aslanbek")["contested"] is True
    for question in [*QUESTIONS, "why {p} convicted", "why {p} convicted --as-of 2022-06-01", "list convicted"]:
        line = question.format(p="omarov-aslanbek", k=middle)
        assert copy.json(line) == original.json(line), line
    assert summary(copy, f"import {path}")["events_added"] == 0


def test_export_of_one_person_as_of_and_known_at_a_date(history, tmp_path):
    cli, middle = history

    records = [orjson.loads(line) for line in
               cli(f"export --person nurgeldin-faizulla --as-of 2022-02-01 --known-at {middle}").stdout.splitlines()]

    assert [r["record"] for r in records] == ["source", "person", "event", "event", "event"]
    assert {r["type"] for r in records if r["record"] == "event"} == {"noted", "designated", "detained"}


def test_redacted_export_hides_names_notes_and_aliases_but_keeps_counts_and_dates(history, tmp_path):
    cli, _ = history
    plain = cli("export").stdout
    redacted = cli("export --redact").stdout

    for secret in ("Omarov", "Aslanbek", "Асланбек", "Nurgeldin", "Zhubanazarov", "omarov-aslanbek",
                   "sentenced with 15 others"):
        assert secret.lower() in plain.lower()
        assert secret.lower() not in redacted.lower(), secret
    assert len(redacted.splitlines()) == len(plain.splitlines())
    assert [orjson.loads(line).get("on") for line in redacted.splitlines()] == \
           [orjson.loads(line).get("on") for line in plain.splitlines()]
    again = cli("export --redact").stdout
    assert again == redacted  # pseudonyms are stable
    copy = Cli(str(tmp_path / "public.db"))
    copy("import -  --format jsonl", input=redacted)
    assert copy.json("lists --as-of 2022-02-01") == cli.json("lists --as-of 2022-02-01")


def test_export_writes_only_the_named_file(history, tmp_path):
    cli, _ = history
    folder = tmp_path / "out"
    folder.mkdir()
    before = set(os.listdir(folder))

    cli(f"export --format csv -o {folder / 'cases.csv'}")

    assert set(os.listdir(folder)) - before == {"cases.csv"}
    assert (folder / "cases.csv").read_text().startswith("record,key,person,type,on,source")


def test_a_failed_export_leaves_no_file_behind(history, tmp_path):
    cli, _ = history
    folder = tmp_path / "out"
    folder.mkdir()

    message = cli.error(f"export --person nobody-here -o {folder / 'x.jsonl'}")

    assert "no person 'nobody-here'" in message
    assert os.listdir(folder) == []


@pytest.mark.parametrize("args, message", [
    ("export --format xml", "--format 'xml' is not known"),
    ("export -o {tmp}/missing/x.jsonl", "folder '{tmp}/missing' does not exist"),
    ("export -o {tmp}", "is a folder"),
    ("export --as-of 2022-99-01", "--as-of"),
])
def test_bad_export_commands_get_one_line(omarov, tmp_path, args, message):
    assert message.format(tmp=tmp_path) in omarov.error(args.format(tmp=tmp_path))  # a store that exists


# -- the dataset -------------------------------------------------------------------------------------------

def test_the_example_dataset_imports_and_tells_the_2022_stories(cli):
    result = summary(cli, f"import {DATASET}")

    assert result["problems"] == [] and result["events_added"] > 20
    nurgeldin = [m["person"] for m in cli.json("list accidental_victims --as-of 2022-02-01")["members"]]
    assert "nurgeldin-faizulla" in nurgeldin
    assert "nurgeldin-faizulla" not in [m["person"] for m in cli.json("list accidental_victims --as-of 2022-04-01")["members"]]
    assert "nurgeldin-faizulla" in [m["person"] for m in cli.json("list fatalities --as-of 2022-04-01")["members"]]
    designations = [(c["from"], c["to"]) for c in cli.json("audit zhubanazarov-ruslanbek")["changes"]
                    if c["facet"] == "designation"]
    assert ("terrorist", "accidental_victim") in designations
    omarov = [(c["facet"] or c["list"], c["to"]) for c in cli.json("audit omarov-aslanbek")["changes"]]
    steps = [("custody", "detained"), ("custody", "house_arrest"), ("custody", "free"), ("legal", "convicted"),
             ("compensated", "in")]
    assert [omarov.index(step) for step in steps] == sorted(omarov.index(step) for step in steps)


def test_timelinejs_export_has_one_slide_per_counted_fact_eras_for_one_person_and_no_names_when_redacted(history):
    cli, _ = history

    one = orjson.loads(cli("export --person omarov-aslanbek --format timelinejs").stdout)
    everyone = orjson.loads(cli("export --format timelinejs --redact").stdout)

    assert len(one["events"]) == len(cli.json("show omarov-aslanbek")["events"])
    assert [era["text"]["headline"] for era in one["eras"]][:2] == ["detained", "house arrest"]
    assert {slide["group"] for slide in everyone["events"]} == {"Person 1", "Person 2", "Person 3"}
    assert "eras" not in everyone
    text = orjson.dumps(everyone).decode().lower()
    assert not any(name in text for name in ("omarov", "nurgeldin", "zhubanazarov", "aslanbek"))
