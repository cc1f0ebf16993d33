"""Dates as reports give them, through the CLI on both stores: a list exit that may not have happened
yet (Nurgeldin, died "2022-03~", read on 15 March 2022: RFE/RL, examples/january2022.yaml), and
story order in validation (a release dated only "2022-01?" after a detention on 8 January)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_import_semantics import SOURCE, fact, jsonl, person

DATASET = Path(__file__).parents[2] / "examples" / "january2022.yaml"


def test_on_15_march_2022_nurgeldin_is_possibly_still_an_accidental_victim_as_his_death_may_come_later(cli):
    cli(f"import {DATASET}")

    members = cli.json("list accidental_victims --as-of 2022-03-15")["members"]
    text = cli.text("list accidental_victims --as-of 2022-03-15")
    counts = {row["list"]: row for row in cli.json("lists --as-of 2022-03-15")["lists"]}

    nurgeldin = next(m for m in members if m["person"] == "nurgeldin-faizulla")
    assert (nurgeldin["possibly"], nurgeldin["uncertain"], nurgeldin["since"]) == (True, True, "2022-03~")
    assert "0 members, 1 possibly" in text and "2022-03~ possibly (died 2022-03~ may not have happened" in text
    assert (counts["accidental_victims"]["members"], counts["accidental_victims"]["possibly"]) == (0, 1)


def test_why_says_nurgeldin_is_possibly_still_on_the_list_and_names_his_death(cli):
    cli(f"import {DATASET}")
    died = next(e for e in cli.json("show nurgeldin-faizulla")["events"] if e["type"] == "died")

    answer = cli.json("why nurgeldin-faizulla accidental_victims --as-of 2022-03-15")
    text = cli.text("why nurgeldin-faizulla accidental_victims --as-of 2022-03-15")

    assert answer["member"] is False
    assert answer["possibly"] == {"event_id": died["id"], "event_type": "died", "on": "2022-03~"}
    assert (f"Faizulla Nurgeldin (nurgeldin-faizulla) is possibly still on accidental_victims (uncertain: died "
            f"{died['id'][:8]} on 2022-03~, which took them off it, may not have happened yet)") in text


def test_on_the_last_day_of_march_nurgeldins_death_has_surely_happened_and_he_is_not_on_the_list(cli):
    cli(f"import {DATASET}")

    members = cli.json("list accidental_victims --as-of 2022-03-31")["members"]
    text = cli.text("why nurgeldin-faizulla accidental_victims --as-of 2022-03-31")

    assert "nurgeldin-faizulla" not in [m["person"] for m in members]
    assert "is not on accidental_victims, as of 2022-03-31" in text


def test_a_release_dated_only_2022_01_after_a_detention_on_8_january_in_one_file_is_accepted(cli, tmp_path):
    path = jsonl(tmp_path, [SOURCE, person("a-a"), fact("a-a", "detained", "2022-01-08"),
                            fact("a-a", "released", "2022-01?")])

    cli(f"import {path}")

    assert [(e["type"], e["on"]) for e in cli.json("show a-a")["events"]] == [
        ("detained", "2022-01-08"), ("released", "2022-01?")]
    assert cli.json("show a-a --as-of 2022-02-01")["status"]["custody"] == "free"


def test_show_list_and_people_say_when_a_status_was_last_reported(cli):
    cli(f"import {DATASET}")

    shown = cli.json("show nurgeldin-faizulla --as-of 2022-03-15")
    members = cli.json("list accidental_victims --as-of 2022-02-01")["members"]
    held = cli.json("people --custody detained --as-of 2022-02-01")["people"]

    assert shown["last_reported"] == "2022-03~"
    assert "last reported: 2022-03~ (died" in cli.text("show nurgeldin-faizulla --as-of 2022-03-15")
    assert {m["person"]: m["last_reported"] for m in members}["nurgeldin-faizulla"] == "2022-01~"
    # Omarov's latest January report: the torture allegation (2022-01~), told after his charge (2022-01).
    assert {p["person"]: p["last_reported"] for p in held} == {"omarov-aslanbek": "2022-01~"}


def test_people_not_reported_since_a_date_finds_those_whose_custody_rests_on_older_news(cli):
    cli(f"import {DATASET}")

    old = cli.json("people --custody detained --as-of 2022-02-20 --not-reported-since 2022-02-01")["people"]
    fresh = cli.json("people --custody detained --as-of 2022-02-20 --not-reported-since 2022-01-20")["people"]

    assert [p["person"] for p in old] == ["omarov-aslanbek"]
    assert fresh == []
