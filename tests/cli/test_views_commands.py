"""lists, list, people, audit, why and projections, through the CLI on both stores,
with the three Aqtobe cases of examples/january2022.sh."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.cli.conftest import Cli, record_script
from tests.conftest import PG_URL, _pg_connect

@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def aqtobe(request, tmp_path_factory):
    """The three cases, recorded once per store for the tests that only read."""
    if request.param == "sqlite":
        yield record_script(Cli(str(tmp_path_factory.mktemp("aqtobe") / "cases.db")))
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with _pg_connect() as conn:
        yield record_script(Cli(f"{PG_URL}?schema={schema}"))
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def changes(cli, key: str) -> list[tuple]:
    return [(c["facet"] or f"list {c['list']}", c["from"], c["to"], c["valid_on"], c["event_type"])
            for c in cli.json(f"audit {key}")["changes"]]


# -- the 2022 stories ---------------------------------------------------------------------------------------

def test_nurgeldin_enters_accidental_victims_in_january_then_leaves_it_for_fatalities_at_his_death(aqtobe):
    lists = [c for c in changes(aqtobe, "nurgeldin-faizulla") if c[0].startswith("list")]

    assert lists == [
        ("list accidental_victims", "out", "in", "2022-01~", "designated"),
        ("list accidental_victims", "in", "out", "2022-03~", "died"),
        ("list fatalities", "out", "in", "2022-03~", "died"),
    ]


def test_nurgeldin_is_an_accidental_victim_in_february_2022_and_not_in_april(aqtobe):
    february = aqtobe.json("list accidental_victims --as-of 2022-02-01")
    april = aqtobe.json("list accidental_victims --as-of 2022-04-01")

    assert february["members"] == [{"person": "nurgeldin-faizulla", "name": "Faizulla Nurgeldin",
                                    "since": "2022-01~", "uncertain": False, "possibly": False, "contested": False,
                                    "last_reported": "2022-01~", "source": "rferl-omarov"}]
    assert (february["list"], february["as_of"], february["known_at"]) == ("accidental_victims", "2022-02-01", None)
    assert april["members"] == []


def test_nurgeldin_is_on_fatalities_only_once_his_death_was_recorded(aqtobe):
    audit = aqtobe.json("audit nurgeldin-faizulla")["changes"]
    designation_recorded = next(c["recorded_at"] for c in audit if c["event_type"] == "designated")
    death_recorded = next(c["recorded_at"] for c in audit if c["event_type"] == "died")

    before = aqtobe.json(f"list fatalities --known-at {designation_recorded}")
    after = aqtobe.json(f"list fatalities --known-at {death_recorded}")

    assert designation_recorded < death_recorded
    assert "nurgeldin-faizulla" not in [m["person"] for m in before["members"]]
    assert "nurgeldin-faizulla" in [m["person"] for m in after["members"]]
    assert after["known_at"] == death_recorded


def test_zhubanazarovs_audit_shows_the_reclassification_from_terrorist_to_accidental_victim(aqtobe):
    audit = aqtobe.json("audit zhubanazarov-ruslanbek")["changes"]

    designations = [(c["from"], c["to"], c["by"], c["source"], c["valid_on"]) for c in audit if c["facet"] == "designation"]
    assert designations == [("none", "terrorist", "authorities", "rferl-omarov", "2022-01~"),
                            ("terrorist", "accidental_victim", "court", "rferl-omarov", "2023?")]
    assert [c["reclassified"] for c in audit if c["facet"] == "designation"] == [False, True]


def test_omarovs_audit_tells_detention_house_arrest_release_conviction_and_compensation_in_order(aqtobe):
    story = [c for c in changes(aqtobe, "omarov-aslanbek") if c[0] in ("custody", "legal", "compensation")]

    # Story order (issue 12): the charge dated only "2022-01" is told after the detention on 9 January.
    assert story == [
        ("custody", "never_detained", "detained", "2022-01-09", "detained"),
        ("legal", "none", "accused", "2022-01", "charged"),
        ("custody", "detained", "house_arrest", "2022-05~", "placed_under_house_arrest"),
        ("custody", "house_arrest", "free", "2022-10~", "released"),
        ("legal", "accused", "convicted", "2023-02", "sentenced"),
        ("compensation", "none", "3,500,000 KZT", "2024-08-31", "compensated"),
    ]
    text = aqtobe.text("audit omarov-aslanbek")
    # 20: issue 13 adds his allegation (and the list torture_alleged), ever_detained and the sentence's kind.
    assert "Aslanbek Omarov (omarov-aslanbek) - audit, known at now: 20 changes" in text


# -- lists and list -----------------------------------------------------------------------------------------

def test_lists_counts_every_list_at_a_valid_date(aqtobe):
    now = aqtobe.json("lists")
    early = aqtobe.json("lists --as-of 2022-02-01")

    assert {r["list"]: r["members"] for r in now["lists"]} == {
        "detained": 1, "in_custody": 0, "convicted": 1, "fatalities": 2, "accidental_victims": 0, "compensated": 2,
        "died_in_custody": 0, "posthumously_prosecuted": 0, "torture_alleged": 1, "non_custodial_sentence": 0}
    assert {r["list"]: r["members"] for r in early["lists"]} == {
        "detained": 1, "in_custody": 1, "convicted": 0, "fatalities": 1, "accidental_victims": 1, "compensated": 0,
        "died_in_custody": 0, "posthumously_prosecuted": 0, "torture_alleged": 1, "non_custodial_sentence": 0}
    assert now["lists"][3]["title"] == "Fatalities"
    assert "fatalities Fatalities 2" in aqtobe.text("lists")


def test_a_member_whose_entry_date_is_vaguer_than_the_day_asked_is_uncertain(aqtobe):
    mid_march = aqtobe.json("list fatalities --as-of 2022-03-15")["members"]

    assert [(m["person"], m["since"], m["uncertain"]) for m in mid_march] == [
        ("nurgeldin-faizulla", "2022-03~", True), ("zhubanazarov-ruslanbek", "2022-01", False)]
    assert "nurgeldin-faizulla Faizulla Nurgeldin 2022-03~ yes" in aqtobe.text("list fatalities --as-of 2022-03-15")


def test_list_prints_csv_for_spreadsheets(aqtobe):
    out = aqtobe("list fatalities --csv").stdout

    assert out.splitlines() == [
        "person,name,since,uncertain,source",
        "nurgeldin-faizulla,Faizulla Nurgeldin,2022-03~,no,rferl-omarov",
        "zhubanazarov-ruslanbek,Ruslanbek Zhubanazarov,2022-01,no,rferl-omarov",
    ]


# -- people -------------------------------------------------------------------------------------------------

def test_people_finds_by_headline_custody_designation_and_name(aqtobe):
    held = aqtobe.json("people --headline detained --as-of 2022-01-20")["people"]
    victims = aqtobe.json("people --designation accidental_victim")["people"]
    by_alias = aqtobe.json("people --name асланбек")["people"]
    free = aqtobe.json("people --custody free --legal convicted")["people"]

    assert [p["person"] for p in held] == ["omarov-aslanbek"]
    assert held[0]["custody"] == "detained" and held[0]["legal"] == "accused"
    assert [p["person"] for p in victims] == ["nurgeldin-faizulla", "zhubanazarov-ruslanbek"]
    assert [p["person"] for p in by_alias] == ["omarov-aslanbek"]
    assert [p["person"] for p in free] == ["omarov-aslanbek"]


def test_people_known_at_a_time_before_a_registration_leaves_that_person_out(aqtobe):
    first = aqtobe.json("person list")[0]["registered_at"]

    assert [p["person"] for p in aqtobe.json(f"people --known-at {first}")["people"]] == ["omarov-aslanbek"]


def test_a_name_search_treats_percent_and_underscore_as_plain_text(aqtobe):
    assert aqtobe.json("people --name %")["people"] == []
    assert aqtobe.json("people --name _")["people"] == []


# -- audit of a list ----------------------------------------------------------------------------------------

def test_audit_of_a_list_since_a_record_time_shows_only_what_changed_after_it(aqtobe):
    everything = aqtobe.json("audit --list fatalities")["changes"]
    cut = next(c["recorded_at"] for c in everything if c["person"] == "zhubanazarov-ruslanbek")

    since = aqtobe.json(f"audit --list fatalities --since {cut}")["changes"]

    assert [(c["person"], c["to"], c["valid_on"]) for c in everything] == [
        ("zhubanazarov-ruslanbek", "in", "2022-01"), ("nurgeldin-faizulla", "in", "2022-03~")]
    assert [(c["person"], c["to"]) for c in since] == [("nurgeldin-faizulla", "in")]


def test_a_retraction_after_the_cut_shows_as_a_withdrawn_entry(fresh_aqtobe):
    death = next(c for c in fresh_aqtobe.json("audit nurgeldin-faizulla")["changes"] if c["event_type"] == "died")
    cut = fresh_aqtobe.json("audit --list fatalities")["changes"][-1]["recorded_at"]
    fresh_aqtobe(f"retract nurgeldin-faizulla {death['event_id'][:8]} --reason 'wrong person'")

    since = fresh_aqtobe.json(f"audit --list fatalities --since {cut}")["changes"]

    assert [(c["person"], c["to"], "withdrawn_at" in c) for c in since] == [("nurgeldin-faizulla", "in", True)]
    assert [m["person"] for m in fresh_aqtobe.json("list fatalities")["members"]] == ["zhubanazarov-ruslanbek"]
    assert "nurgeldin-faizulla" in [m["person"] for m in fresh_aqtobe.json(f"list fatalities --known-at {cut}")["members"]]


# -- why ----------------------------------------------------------------------------------------------------

def test_why_names_the_test_that_fails_and_the_fact_and_source_behind_it(aqtobe):
    answer = aqtobe.json("why nurgeldin-faizulla accidental_victims --as-of 2022-04-01")

    assert answer["member"] is False
    assert [(t["test"], t["value"], t["holds"], t["event_type"]) for t in answer["rule"]["tests"]] == [
        ("designation is accidental_victim", "accidental_victim", True, "designated"),
        ("vital is alive", "deceased", False, "died")]
    assert answer["rule"]["tests"][1]["url"].startswith("https://www.rferl.org/")
    assert [(h["change"], h["valid_on"]) for h in answer["history"]] == [("entered", "2022-01~"), ("left", "2022-03~")]
    text = aqtobe.text("why nurgeldin-faizulla accidental_victims --as-of 2022-04-01")
    assert "Faizulla Nurgeldin (nurgeldin-faizulla) is not on accidental_victims, as of 2022-04-01" in text
    assert "no vital is alive - it is deceased since 2022-03~: died" in text


def test_why_a_member_is_on_a_list_gives_the_date_they_entered(aqtobe):
    answer = aqtobe.json("why nurgeldin-faizulla accidental_victims --as-of 2022-02-01")

    assert (answer["member"], answer["since"], answer["uncertain"]) == (True, "2022-01~", False)
    assert all(t["holds"] for t in answer["rule"]["tests"])


# -- projections --------------------------------------------------------------------------------------------

def test_projections_status_catch_up_and_rebuild_report_position_lag_and_rows(fresh_aqtobe):
    fresh_aqtobe("lists")  # catches up
    fresh_aqtobe("record omarov-aslanbek noted --on 2024-09-01 --text 'reported by RFE/RL' --source rferl-omarov")

    behind = fresh_aqtobe.json("projections status")
    caught = fresh_aqtobe.json("projections catch-up")
    rebuilt = fresh_aqtobe.json("projections rebuild")

    assert behind["lag"] == 1 and behind["position"] == behind["head"] - 1
    assert (caught["applied"], caught["lag"]) == (1, 0)
    assert rebuilt["applied"] == rebuilt["head"] and rebuilt["lag"] == 0
    assert rebuilt["rows"] == caught["rows"]
    assert rebuilt["rows"]["casetrail_people"] == 3
    assert re.search(r"rebuilt: applied \d+ events; position (\d+) of \1", fresh_aqtobe("projections rebuild").stdout)


def test_every_query_answers_with_what_was_just_recorded(fresh_aqtobe):
    fresh_aqtobe("lists")
    fresh_aqtobe("person add doe-john --name 'John Doe'")
    fresh_aqtobe("record doe-john died --on 2022-01-06 --source rferl-omarov")

    assert "doe-john" in [m["person"] for m in fresh_aqtobe.json("list fatalities")["members"]]


# -- an organisation's own lists ----------------------------------------------------------------------------

def test_a_lists_file_of_ones_own_is_used_and_a_change_of_rules_rebuilds_the_views(fresh_aqtobe, tmp_path, monkeypatch):
    own = tmp_path / "ours.toml"
    own.write_text('[lists.torture_alleged]\ntitle = "Held, torture alleged"\n'
                   'all = [{ facet = "custody", not = "never_detained" }]\n')
    fresh_aqtobe("lists")

    result = fresh_aqtobe(f"--lists {own} lists --json")
    monkeypatch.setenv("CASETRAIL_LISTS", str(own))
    again = fresh_aqtobe("lists --json")

    # 3: Omarov, and (issue 13: custody is deceased from a death) the two dead, never held.
    assert '"torture_alleged"' in result.stdout and '"members": 3' in result.stdout
    assert result.stderr.startswith("Note: the list rules changed")
    assert again.stderr == ""  # same rules: nothing to rebuild
    assert fresh_aqtobe.error("list fatalities") == (
        "Error: no list 'fatalities'; the lists are: torture_alleged (see 'casetrail lists')")


def test_a_bad_lists_file_is_one_line_naming_the_list_and_key(fresh_aqtobe, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[lists.dead]\nall = [{ facet = "vital", is = "dead" }]\n')

    assert fresh_aqtobe.error(f"--lists {bad} lists") == (
        f"Error: lists file {bad}: list 'dead': key 'all[0]': facet vital is never 'dead'; its values are: alive, deceased")


# -- bad input ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, message", [
    ("list fatality", "Error: no list 'fatality'; the lists are: detained, in_custody, convicted, fatalities, "
                      "accidental_victims, compensated, died_in_custody, posthumously_prosecuted, torture_alleged, "
                      "non_custodial_sentence (see 'casetrail lists')"),
    ("list fatalities --json --csv", "Error: choose one of --json or --csv"),
    ("list fatalities --as-of 2099-01-01", "Error: --as-of 2099-01-01 is in the future;"),
    ("lists --as-of 2022-13-01", "Error: --as-of"),
    ("lists --known-at yesterday", "Error: --known-at"),
    ("people --headline detaned", "Error: --headline 'detaned' is not a headline; choose one of: at_large, detained,"),
    ("people --designation 'a victim!'", "Error: --designation 'a victim!' is not a designation"),
    ("audit", "Error: give a person (casetrail audit KEY) or a list (casetrail audit --list NAME)"),
    ("audit omarov-aslanbek --list fatalities", "Error: give a person"),
    ("audit omarov-aslanbek --since 2024-01-01", "Error: --since goes with --list"),
    ("audit --list fatalities --known-at 2024-01-01", "Error: --known-at goes with a person"),
    ("audit nobody-here", "Error: no person 'nobody-here'"),
    ("audit --list nothing", "Error: no list 'nothing'"),
    ("why nobody-here fatalities", "Error: no person 'nobody-here'"),
    ("why nurgeldin-faizulla nothing", "Error: no list 'nothing'"),
    ("why nurgeldin-faizulla fatalities --known-at 2020-01-01", "Error: "),
    ("projections catch-up --batch-size 0", "Error: Invalid value for '--batch-size'"),
])
def test_bad_input_to_the_view_commands_is_one_clear_line(aqtobe, line, message):
    assert aqtobe.error(line).startswith(message)
