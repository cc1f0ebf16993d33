"""People's identity through the command line (issue 12 item 5): amendments, merges of two records of
one human and their retraction, on SQLite and PostgreSQL. Keys and facts are synthetic."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.cli.conftest import Cli
from tests.cli.test_import_export import SMALL, summary, write


@pytest.fixture
def two(cli):
    """Two records of one (synthetic) human: person-a detained, person-b's release reported elsewhere."""
    cli('person add person-a --name "Person A"')
    cli('person add person-b --name "Персон А"')
    cli("source add src-1 --url https://example.org/1")
    cli("record person-a detained --on 2022-01-09 --source src-1")
    cli("record person-b noted --on 2022-01-20 --text questioned --source src-1")
    return cli


def _merge(cli) -> str:
    return cli.json('person merge person-a person-b --reason "the same human: same date, same place"')["event_id"]


def test_an_amended_name_and_alias_are_what_show_list_and_the_name_search_use(two):
    # "Az", not "Aa": a search folds doubled letters ("аа" finds person-b's "А" too, by design).
    two('person amend person-a --name "Person A. Az" --alias "Персон Аз" --born 1990 --source src-1')

    shown = two.json("show person-a")
    assert shown["name"] == "Person A. Az" and "Персон Аз" in shown["aliases"]
    listed = {r["person"]: r for r in two.json("person list")}
    assert listed["person-a"]["name"] == "Person A. Az" and listed["person-a"]["born"] == 1990
    assert [p["person"] for p in two.json("people --name аз")["people"]] == ["person-a"]
    assert [p["person"] for p in two.json("people --name Az")["people"]] == ["person-a"]  # in either script


def test_an_amendment_keeps_the_old_values_in_the_audit(two):
    two('person amend person-a --name "Person A. Aa" --source src-1')

    said = two.json("audit person-a")["identity"]

    assert [(s["type"], s["name"], s["source"]) for s in said] == [("amended", "Person A. Aa", "src-1")]
    assert two.json("show person-a")["name"] == "Person A. Aa"


def test_an_amendment_that_changes_nothing_is_refused(two):
    assert "nothing to amend" in two.error('person amend person-a --name "Person A" --source src-1')


def test_a_year_of_birth_after_a_recorded_fact_is_refused(two):
    assert "--born 2023 is after detained" in two.error("person amend person-a --born 2023 --source src-1")


def test_after_a_merge_the_kept_record_counts_the_other_records_facts(two):
    _merge(two)

    shown = two.json("show person-a")
    assert sorted(e["type"] for e in shown["events"]) == ["detained", "noted"]
    assert {m["person"] for m in two.json("list detained")["members"]} == {"person-a"}


def test_the_other_key_points_to_the_kept_record_and_says_so(two):
    _merge(two)

    result = two("show person-b --json")

    assert '"person":"person-a"' in result.stdout.replace(" ", "")
    assert "person-b was merged into person-a: acting on person-a" in result.stderr
    listed = {r["person"]: r["merged_into"] for r in two.json("person list")}
    assert listed == {"person-a": None, "person-b": "person-a"}


def test_a_fact_recorded_for_the_other_key_goes_to_the_kept_record(two):
    _merge(two)

    two("record person-b released --on 2022-02-01 --source src-1")

    assert "released" in [e["type"] for e in two.json("show person-a")["events"]]


def test_at_record_times_before_the_merge_both_records_answer_as_before(two):
    moment = two.json("show person-b")["events"][0]["recorded_at"]  # the last thing recorded before the merge
    _merge(two)

    assert [e["type"] for e in two.json(f"show person-a --known-at {moment}")["events"]] == ["detained"]
    other = two.json(f"show person-b --known-at {moment}")
    assert other["person"] == "person-b" and [e["type"] for e in other["events"]] == ["noted"]


def test_retracting_the_merge_undoes_it(two):
    merge = _merge(two)

    two(f'retract person-a {merge} --reason "two people of one name"')

    assert [e["type"] for e in two.json("show person-a")["events"]] == ["detained"]
    result = two("show person-b --json")
    assert "merged into" not in result.stderr and '"person":"person-b"' in result.stdout.replace(" ", "")
    assert {r["person"]: r["merged_into"] for r in two.json("person list")} == {"person-a": None, "person-b": None}
    assert "sound" in two("verify").stdout


def test_a_record_merged_away_cannot_be_merged_again(two):
    _merge(two)
    two('person add person-c --name "Person C"')

    assert "already merged into person-a" in two.error('person merge person-c person-b --reason "same"')


def test_a_merge_that_would_make_the_story_impossible_is_refused(two):
    two("record person-b died --on 2022-01-05 --source src-1")

    assert "cannot merge person-b into person-a" in two.error('person merge person-a person-b --reason "same"')


def test_a_merged_records_case_role_and_verdict_follow_the_merge_and_go_back_with_its_retraction(two):
    two('case add case-0001 --title "A synthetic trial" --source src-1')
    two("case party case-0001 person-b --role accused --on 2022-01 --source src-1")
    two("case record case-0001 sentenced --accused person-b --on 2022-06-01 --kind prison --term-months 12 "
        "--source src-1")
    merge = _merge(two)

    assert [p["person"] for p in two.json("people --case-role accused")["people"]] == ["person-a"]
    assert two.json("audit person-a")["cases"] == [{"case": "case-0001", "role": "accused", "of": None}]
    assert "case-0001" in two("timeline person-a --html -").stdout
    accused = [p for p in two.json("case show case-0001")["parties"] if p["role"] == "accused"]
    # The case names the record that holds the party now, and the key it was added under.
    assert [(p["person"], p.get("added_as"), p["outcome"]["type"]) for p in accused] == [
        ("person-a", "person-b", "sentenced")]
    assert "person-a (added as person-b)" in two("case show case-0001").stdout
    merged_at = datetime.fromisoformat(two.json("audit person-a")["identity"][-1]["recorded_at"])
    before = two.json(f"case show case-0001 --known-at {(merged_at - timedelta(microseconds=1)).isoformat()}")[
        "parties"]
    assert [(p["person"], p.get("added_as")) for p in before if p["role"] == "accused"] == [("person-b", None)]

    two(f'retract person-a {merge} --reason "two people of one name"')

    assert [p["person"] for p in two.json("people --case-role accused")["people"]] == ["person-b"]
    assert two.json("audit person-a")["cases"] == []
    accused = [p for p in two.json("case show case-0001")["parties"] if p["role"] == "accused"]
    assert [(p["person"], p.get("added_as"), p["outcome"]["type"]) for p in accused] == [
        ("person-b", None, "sentenced")]


IDENTITY_QUESTIONS = ["show person-a", "show person-a --known-at {k}", "show person-b", "show person-c",
                      "show person-c --known-at {k}", "audit person-a", "audit person-c", "person list",
                      "people --name аа", "list detained", "lists --known-at {k}", "person duplicates"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_amendments_merges_a_retracted_merge_and_batches_survive_export_then_import(two, tmp_path, fmt):
    batch = _imported(two, tmp_path, SMALL)["batch"]
    two('person amend person-a --name "Person A. Aa" --alias "Персон Аа" --born 1990 --source src-1')
    two('person add person-c --name "Person C"')
    two("record person-c noted --on 2022-01-11 --text seen --source src-1")
    _merge(two)
    merged_c = two.json('person merge person-a person-c --reason "the same human, it seemed"')["event_id"]
    moment = two.json("audit person-a")["identity"][-1]["recorded_at"]  # while both merges stood
    two(f'retract person-a {merged_c} --reason "two people"')
    path = tmp_path / f"all.{fmt}"
    two(f"export -o {path}")
    copy = Cli(str(tmp_path / "copy.db"))

    copy(f"import {path}")

    for question in IDENTITY_QUESTIONS:
        line = question.format(k=moment)
        assert copy.json(line) == two.json(line), line
    assert copy.json(f'import undo {batch} --reason "the wrong file"') == two.json(
        f'import undo {batch} --reason "the wrong file"')
    assert summary(copy, f"import {path}")["events_added"] == 0


def test_a_person_key_may_be_a_cyrillic_slug(cli):
    cli('person add омаров-асланбек --name "Асланбек Омаров"')

    assert [r["person"] for r in cli.json("person list")] == ["омаров-асланбек"]
    assert "not valid" in cli.error('person add Омаров --name "Асланбек Омаров"')


# -- undoing an import (issue 12 item 8) -------------------------------------------------------------------

def _imported(cli, tmp_path, text: str, name: str = "cases.yaml") -> dict:
    return summary(cli, f"import {write(tmp_path, name, text)}")


def test_an_import_prints_its_batch_id_and_undo_retracts_what_it_added(cli, tmp_path):
    batch = _imported(cli, tmp_path, SMALL)["batch"]

    undone = cli.json(f'import undo {batch} --reason "the wrong file"')

    assert undone["retracted"] == {"omarov-aslanbek": 3, "other-person": 1}
    assert cli.json("show omarov-aslanbek")["events"] == []
    assert cli.json("list detained")["members"] == []


def test_importing_the_corrected_file_after_an_undo_adds_its_facts(cli, tmp_path):
    batch = _imported(cli, tmp_path, SMALL)["batch"]
    cli(f'import undo {batch} --reason "the house arrest date was wrong"')

    again = _imported(cli, tmp_path, SMALL.replace('"2022-05~"', '"2022-06~"'), "corrected.yaml")

    assert again["events_added"] == 4 and again["batch"] != batch
    assert [e["on"] for e in cli.json("show omarov-aslanbek")["events"]] == ["2022-01-09", "2022-06~", "2023-02"]


def test_an_import_that_adds_nothing_has_no_batch(cli, tmp_path):
    _imported(cli, tmp_path, SMALL)

    assert _imported(cli, tmp_path, SMALL)["batch"] is None


def test_undo_of_an_unknown_batch_is_one_line(cli, tmp_path):
    _imported(cli, tmp_path, SMALL)

    assert "no fact, corroboration or preference was added by import 20000101-00000000" in cli.error(
        'import undo 20000101-00000000 --reason "typo"')


# -- likely duplicates (issue 12 item 5) -------------------------------------------------------------------

def test_a_new_name_in_another_script_is_warned_about_and_still_registered(cli):
    cli('person add omarov-aslanbek --name "Aslanbek Omarov"')

    result = cli('person add омаров-асланбек --name "Асланбек Омаров"')

    assert result.exit_code == 0 and "registered омаров-асланбек" in result.stdout
    assert "Warning: омаров-асланбек may be omarov-aslanbek" in result.stderr
    assert "casetrail person merge omarov-aslanbek омаров-асланбек" in result.stderr


def test_kazakh_letters_transliterate_to_the_latin_spelling(cli):
    cli('person add person-a --name "Aaa Ghqngouuhi"')  # synthetic: each Kazakh letter's Latin spelling

    result = cli('person add person-b --name "Әәә Ғқңөұүһі"')

    assert "Warning: person-b may be person-a" in result.stderr and "score 100" in result.stderr


def test_a_name_two_letters_off_is_a_likely_duplicate_with_a_lower_score(cli):
    cli('person add person-a --name "Aslanbek Omarov"')
    cli('person add person-b --name "Aslambek Omarow"')
    cli('person add person-c --name "Zz Yy"')

    pairs = cli.json("person duplicates")

    assert [(p["people"], p["score"] < 100) for p in pairs] == [(["person-a", "person-b"], True)]


def test_an_import_warns_about_a_likely_duplicate_and_imports(cli, tmp_path):
    cli('person add омаров-асланбек --name "Асланбек Омаров"')

    result = cli(f"import {write(tmp_path, 'small.yaml', SMALL)}")

    assert "imported" in result.stdout and "Warning: omarov-aslanbek may be омаров-асланбек" in result.stderr


def test_merged_records_are_no_longer_likely_duplicates(cli):
    cli('person add omarov-aslanbek --name "Aslanbek Omarov"')
    cli('person add омаров-асланбек --name "Асланбек Омаров"')
    assert [p["people"] for p in cli.json("person duplicates")] == [["omarov-aslanbek", "омаров-асланбек"]]

    cli('person merge omarov-aslanbek омаров-асланбек --reason "one man, two spellings"')

    assert cli.json("person duplicates") == []


def test_a_record_merged_into_another_is_not_found_again_by_the_people_search(two):
    _merge(two)

    found = [p["person"] for p in two.json("people --name Person")["people"]]
    never_held = [p["person"] for p in two.json("people --custody never_detained")["people"]]

    assert found == ["person-a"]  # person-b's facts count for person-a now
    assert "person-b" not in never_held  # its own fold is empty: it would read as never detained
