"""Cases with parties (issue 13, item 1), through the CLI on both stores, on two real stories.

The torture trial: Fergana (https://en.fergana.plus/news/136264) reports that the Karasai
District Court sentenced six police officers, whom it names, to three years in prison for
torturing detainees in January 2022, among them the Kyrgyz jazz musician Vikram Ruzakhunov,
and that the case officially included 44 victims; The Diplomat (republished by
news.devevil.com, 2025-01-30) dates the verdict to January 17. Only Ruzakhunov is named as a
victim, so the other 43 are counted, not named.

The Aqtobe trial: RFE/RL (rferl-omarov) reports Aslanbek Omarov sentenced by the Aqtobe
court in February 2023 with 15 others, who are not named (examples/january2022.yaml).
"""

from __future__ import annotations

import pytest

FERGANA = "https://en.fergana.plus/news/136264"
DIPLOMAT = "https://news.devevil.com/torture-trial-in-kazakhstan-ends-in-prison-sentences-but-dissatisfaction-lingers-669568.html"
OFFICERS = {"abilbekov-berik": "Berik Abilbekov", "sopakov-bauyrzhan": "Bauyrzhan Sopakov",
            "khamitov-nursultan": "Nursultan Khamitov", "shoibekov-arman": "Arman Shoibekov",
            "aidarkhanov-olzhas": "Olzhas Aidarkhanov", "turpanbayev-serik": "Serik Turpanbayev"}
CASE = "karasai-torture-trial"


@pytest.fixture
def torture_trial(cli):
    cli(f"source add fergana-ruzakhunov --url {FERGANA} --outlet Fergana")
    cli(f"source add diplomat-ruzakhunov --url {DIPLOMAT} --outlet 'The Diplomat' --published 2025-01-30")
    cli('person add ruzakhunov-vikram --name "Vikram Ruzakhunov"')
    cli("record ruzakhunov-vikram detained --on 2022-01-07 --place 'Samsy village' --source diplomat-ruzakhunov")
    cli("record ruzakhunov-vikram released --on 2022-01-10 --source diplomat-ruzakhunov")
    for key, name in OFFICERS.items():
        cli(f'person add {key} --name "{name}"')
    cli(f'case add {CASE} --title "Torture of detainees in January 2022 (Koshmambet)" '
        '--court "Karasai District Court" --source fergana-ruzakhunov')
    cli(f"case record {CASE} trial_started --on 2025~ --source fergana-ruzakhunov")
    for key in OFFICERS:
        cli(f"case party {CASE} {key} --role accused --on 2025-01~ --source fergana-ruzakhunov")
    cli(f"case party {CASE} ruzakhunov-vikram --role victim --on 2022-01 --source fergana-ruzakhunov")
    cli(f"case party {CASE} --unnamed 43 --role victim --on 2022-01 --source fergana-ruzakhunov")
    for key in OFFICERS:
        cli(f"case record {CASE} sentenced --accused {key} --on 2025-01-17 --kind prison --term-months 36 "
            f"--court 'Karasai District Court' --source diplomat-ruzakhunov")
    return cli


def test_the_torture_trial_is_one_case_with_the_officers_accused_and_the_detainees_victims(torture_trial):
    shown = torture_trial.json(f"case show {CASE}")

    assert (shown["case"], shown["court"], shown["status"]) == (CASE, "Karasai District Court", "trial")
    accused = {p["person"]: p["outcome"] for p in shown["parties"] if p["role"] == "accused"}
    assert set(accused) == set(OFFICERS)
    assert {(o["type"], o["on"], o["kind"], o["term_months"]) for o in accused.values()} == {
        ("sentenced", "2025-01-17", "prison", 36)}
    victims = [(p["person"], p.get("unnamed"), p["outcome"]) for p in shown["parties"] if p["role"] == "victim"]
    assert victims == [("ruzakhunov-vikram", None, None), (None, 43, None)]
    assert list(shown) == ["case", "title", "court", "articles", "source", "as_of", "known_at", "uncertain",
                           "status", "parties", "events"]


def test_nothing_of_the_proceeding_is_copied_onto_the_victims_stream_but_their_role(torture_trial):
    victim = torture_trial.json("show ruzakhunov-vikram")

    # Story order: named a victim in "2022-01" after the detention that month, before the release.
    assert [e["type"] for e in victim["events"]] == ["detained", "named_in_case", "released"]
    assert victim["cases"] == [{"case": CASE, "role": "victim", "of": None}]
    assert victim["status"]["legal"] == "none"
    assert "case karasai-torture-trial: Torture of detainees in January 2022 (Koshmambet) (victim)" in \
        torture_trial.text("show ruzakhunov-vikram")


def test_an_officers_conviction_comes_from_his_own_stream_tied_to_the_case(torture_trial):
    officer = torture_trial.json("show abilbekov-berik")

    assert officer["status"]["legal"] == "convicted"
    assert [(e["type"], e.get("case")) for e in officer["events"]] == [("named_in_case", CASE), ("sentenced", CASE)]
    assert officer["cases"] == [{"case": CASE, "role": "accused", "of": None}]


def test_the_case_read_before_the_verdict_has_no_outcome_and_the_people_search_finds_each_role(torture_trial):
    before = torture_trial.json(f"case show {CASE} --as-of 2025-01-16")
    victims = torture_trial.json("people --case-role victim")["people"]
    accused = torture_trial.json("people --case-role accused --legal convicted")["people"]

    assert [p["outcome"] for p in before["parties"] if p["role"] == "accused"] == [None] * 6
    assert before["uncertain"]  # the officers are parties since "2025-01~", which reaches past 16 January
    assert [p["person"] for p in victims] == ["ruzakhunov-vikram"]
    assert sorted(p["person"] for p in accused) == sorted(OFFICERS)


def test_the_audit_of_a_victim_lists_the_case_and_the_role_it_gave(torture_trial):
    audit = torture_trial.json("audit ruzakhunov-vikram")

    assert audit["cases"] == [{"case": CASE, "role": "victim", "of": None}]
    assert [(c["facet"], c["to"], c["event_type"]) for c in audit["changes"] if c["facet"] == "case_role"] == [
        ("case_role", "victim", "named_in_case")]


@pytest.fixture
def aqtobe(omarov):
    omarov('case add aqtobe-2023-02 --title "Trial of 16 people in Aqtobe" --court "Aqtobe court" '
           '--source rferl-omarov')
    omarov("case party aqtobe-2023-02 omarov-aslanbek --role accused --on 2023-02 --source rferl-omarov")
    omarov("case party aqtobe-2023-02 --unnamed 15 --role accused --on 2023-02 --source rferl-omarov")
    omarov("case record aqtobe-2023-02 sentenced --accused omarov-aslanbek --on 2023-02 --court 'Aqtobe court' "
           "--note 'sentenced with 15 others' --source rferl-omarov")
    return omarov


def test_the_sixteen_sentenced_together_in_aqtobe_are_one_case_with_sixteen_parties(aqtobe):
    shown = aqtobe.json("case show aqtobe-2023-02")

    assert sum(p.get("unnamed") or 1 for p in shown["parties"]) == 16
    assert [(p["person"], p["outcome"]["type"] if p["outcome"] else None) for p in shown["parties"]] == [
        ("omarov-aslanbek", "sentenced"), (None, None)]
    assert "16 parties" in aqtobe.text("case show aqtobe-2023-02")
    assert aqtobe.json("case list")["cases"][0]["case"] == "aqtobe-2023-02"


def test_a_fact_tied_to_a_case_not_registered_is_refused_and_nothing_is_stored(omarov):
    error = omarov.error("record omarov-aslanbek sentenced --on 2023-02 --case case-0042 --source rferl-omarov")

    assert error == ("Error: sentenced: no case 'case-0042'; add it with 'casetrail case add case-0042 --title ... "
                     "--source ...' or see 'casetrail case list'")
    assert omarov.json("show omarov-aslanbek")["events"] == []


def test_a_verdict_for_someone_not_accused_in_the_case_is_refused(aqtobe):
    aqtobe('person add person-a --name "Person A"')

    error = aqtobe.error("case record aqtobe-2023-02 acquitted --accused person-a --on 2023-02 --source rferl-omarov")

    assert error.startswith("Error: person-a is not accused in case aqtobe-2023-02; add them first")


def test_the_same_person_in_the_same_role_twice_is_refused(aqtobe):
    error = aqtobe.error("case party aqtobe-2023-02 omarov-aslanbek --role accused --source rferl-omarov")

    assert error.startswith("Error: omarov-aslanbek is already accused in case aqtobe-2023-02 (event ")


def test_a_retracted_party_leaves_the_case_and_the_role_leaves_their_own_stream(aqtobe):
    party = next(p for p in aqtobe.json("case show aqtobe-2023-02")["parties"] if p["person"])

    aqtobe(f"case retract aqtobe-2023-02 {party['id'][:8]} --reason 'wrong person'")

    assert [p["person"] for p in aqtobe.json("case show aqtobe-2023-02")["parties"]] == [None]
    assert aqtobe.json("show omarov-aslanbek")["cases"] == []


def test_case_facts_set_the_status_in_valid_time_and_take_fuzzy_dates(aqtobe):
    aqtobe("case record aqtobe-2023-02 investigation_opened --on 2022-01~ --source rferl-omarov")
    aqtobe("case record aqtobe-2023-02 hearing --on 2022-12 --status postponed --source rferl-omarov")
    aqtobe("case record aqtobe-2023-02 case_closed --on 2023-02 --source rferl-omarov")
    aqtobe("case record aqtobe-2023-02 charges_requalified --on 2022-06 --from murder --to 'abuse of power' "
           "--source rferl-omarov")

    statuses = [aqtobe.json(f"case show aqtobe-2023-02 --as-of {day}")["status"]
                for day in ("2021-12-31", "2022-03-01", "2023-03-01")]
    events = aqtobe.json("case show aqtobe-2023-02")["events"]

    assert statuses == ["registered", "investigation", "closed"]
    assert [e["type"] for e in events] == ["investigation_opened", "charges_requalified", "hearing", "case_closed"]
    assert (events[1]["from_charge"], events[1]["to_charge"]) == ("murder", "abuse of power")


def test_a_case_read_at_a_record_time_before_a_fact_does_not_count_it(aqtobe):
    first = aqtobe.json("case record aqtobe-2023-02 investigation_opened --on 2022-01~ --source rferl-omarov")
    aqtobe("case record aqtobe-2023-02 trial_started --on 2023-01 --source rferl-omarov")

    then = aqtobe.json(f"case show aqtobe-2023-02 --known-at {first['recorded_at']}")
    now = aqtobe.json("case show aqtobe-2023-02")

    assert ([e["type"] for e in then["events"]], then["status"]) == (["investigation_opened"], "investigation")
    assert ([e["type"] for e in now["events"]], now["status"]) == (["investigation_opened", "trial_started"], "trial")


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_then_import_answers_case_show_as_the_original(torture_trial, tmp_path, fmt):
    exported = tmp_path / f"all.{fmt}"
    torture_trial(f"export --format {fmt} -o {exported}")
    copy = type(torture_trial)(str(tmp_path / "copy.db"))

    copy(f"import {exported} --format {fmt}")
    again = copy(f"import {exported} --format {fmt}").output

    for line in (f"case show {CASE}", f"case show {CASE} --as-of 2025-01-16", "show ruzakhunov-vikram",
                 "show abilbekov-berik", "case list"):
        assert copy.json(line) == torture_trial.json(line), line
    assert " 0 events added" in again


def test_an_import_refuses_a_fact_tied_to_a_case_in_neither_the_store_nor_the_file(omarov, tmp_path):
    data = tmp_path / "one.yaml"
    data.write_text('- {record: event, person: omarov-aslanbek, type: sentenced, "on": 2023-02, '
                    "source: rferl-omarov, case: case-0042}\n")

    error = omarov(f"import {data}", ok=False).stderr

    assert "no case 'case-0042' in the store or the file" in error
    assert omarov.json("show omarov-aslanbek")["events"] == []


def test_a_role_in_a_case_is_not_retracted_alone_but_with_its_party(aqtobe):
    role = next(e for e in aqtobe.json("show omarov-aslanbek")["events"] if e["type"] == "named_in_case")

    error = aqtobe.error(f"retract omarov-aslanbek {role['id'][:8]} --reason wrong")

    assert error.startswith(f"Error: event {role['id'][:8]} is omarov-aslanbek's role in case aqtobe-2023-02: take "
                            "it back with 'casetrail case retract aqtobe-2023-02 PARTY_ID'")
    assert aqtobe.json("show omarov-aslanbek")["cases"] == [{"case": "aqtobe-2023-02", "role": "accused", "of": None}]


def test_the_example_dataset_holds_both_trials_as_cases_and_importing_it_again_adds_nothing(cli):
    from pathlib import Path

    dataset = Path(__file__).parents[2] / "examples" / "january2022.yaml"
    first = cli(f"import {dataset}").stdout
    again = cli(f"import {dataset}").stdout

    aqtobe, karasai = cli.json("case show aqtobe-2023-02"), cli.json(f"case show {CASE}")
    assert [(p["person"], p.get("unnamed"), p["role"]) for p in aqtobe["parties"]] == [
        ("omarov-aslanbek", None, "accused"), (None, 15, "accused")]
    assert aqtobe["parties"][0]["outcome"]["type"] == "sentenced"
    assert [(p["person"], p.get("unnamed"), p["role"]) for p in karasai["parties"]] == [
        ("ruzakhunov-vikram", None, "victim"), (None, 43, "victim"), (None, 6, "accused")]
    assert cli.json("show ruzakhunov-vikram")["cases"] == [{"case": CASE, "role": "victim", "of": None}]
    added = int(first.split(" events added")[0].rsplit(" ", 1)[1])
    assert f"0 events added; {added} events already present" in again
