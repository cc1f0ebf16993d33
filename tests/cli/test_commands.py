"""Every command through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import shlex

import pytest

from casetrail.cli.record import RecordGroup

from casetrail.domain.events import FACT_TYPES

# What must already be true for each type's example to be possible.
NEEDS = {
    "released": ["detained --on 2022-01-09 --source rferl-omarov"],
    "placed_under_house_arrest": ["detained --on 2022-01-09 --source rferl-omarov"],
    "charges_dropped": ["charged --on 2022-01 --charge 'mass disorder' --source rferl-omarov"],
    "appeal_decided": ["appealed --on 2023 --source rferl-omarov"],
    "sentence_modified": ["sentenced --on 2023-02 --kind prison --years 3 --source rferl-omarov"],
    "amnesty": ["sentenced --on 2022-11 --kind prison --years 3 --source rferl-omarov"],
    "remanded": ["sentenced --on 2024-02 --kind prison --years 3 --source rferl-omarov"],
    "found": ["disappeared --on 2022-01-07 --source rferl-omarov"],
    "exhumed": ["died --on 2022-01 --source rferl-omarov"],
    "confirmed": ["detained --on 2023-01 --source rferl-omarov"],
}


def test_person_add_and_list(omarov):
    people = omarov.json("person list")

    assert people[0]["person"] == "omarov-aslanbek"
    assert people[0]["name"] == "Aslanbek Omarov"
    assert people[0]["aliases"] == ["Aslanbek Omarov (Асланбек Омаров)"]
    assert "Aslanbek Omarov" in omarov("person list").stdout


def test_source_add_and_list(omarov):
    sources = omarov.json("source list")

    assert [s["source"] for s in sources] == ["rferl-omarov"]
    assert sources[0]["outlet"] == "RFE/RL"
    assert sources[0]["published"] == "2024-09-01"
    assert "rferl-omarov" in omarov("source list").stdout


# named_in_case is written by 'case party' (tests/cli/test_cases.py), to the case and the person at once.
@pytest.mark.parametrize("type_name", [t for t in FACT_TYPES if t not in RecordGroup.ELSEWHERE])
def test_every_event_type_can_be_recorded_from_its_help_example(omarov, type_name):
    for line in NEEDS.get(type_name, []):
        omarov(f"record omarov-aslanbek {line}")

    printed = omarov(["record", "omarov-aslanbek", type_name, *shlex.split(FACT_TYPES[type_name].example)]).stdout.strip()
    shown = omarov.json("show omarov-aslanbek")

    assert shown["events"][-1]["type"] == type_name or type_name in [e["type"] for e in shown["events"]]
    assert printed in [e["id"] for e in shown["events"]]
    assert "Example: casetrail record omarov-aslanbek " + type_name in omarov.help(f"record omarov-aslanbek {type_name}")


def test_record_help_lists_the_fields_and_their_choices(omarov):
    help_text = omarov.help("record omarov-aslanbek sentenced")

    for flag in ("--on", "--source", "--court", "--kind", "--term-months", "--years", "--months", "--days",
                 "--credited-days", "--amount", "--currency", "--charges", "--note", "--group"):
        assert flag in help_text
    assert "prison, colony, restricted_freedom, probation, suspended, fine, ban, no_punishment" in help_text


def test_record_with_json_prints_the_stored_event(omarov):
    event = omarov.json("record omarov-aslanbek compensated --on 2024-08-31 --amount 3500000 --currency KZT "
                        "--claimed 40000000 --payer 'Aqtobe court' --source rferl-omarov")

    assert event["type"] == "compensated"
    assert event["amount"] == "3500000" and event["claimed"] == "40000000"  # exact decimals as strings
    assert event["currency"] == "KZT"
    assert event["recorded_at"].endswith("Z")


def test_a_url_as_source_registers_the_source(omarov):
    omarov("record omarov-aslanbek detained --on 2022-01-09 --source https://www.hrw.org/news/2022/01/kazakhstan")

    sources = omarov.json("source list")

    assert sources[1]["url"] == "https://www.hrw.org/news/2022/01/kazakhstan"
    assert sources[1]["source"].startswith("hrw-org-")


def test_show_prints_status_uncertainty_and_events_in_valid_time_order(omarov):
    omarov("record omarov-aslanbek released --on 2022-10~ --source rferl-omarov", ok=False)  # refused: not detained
    omarov("record omarov-aslanbek placed_under_house_arrest --on 2022-05~ --source rferl-omarov")
    omarov("record omarov-aslanbek detained --on 2022-01-09 --place Aqtobe --source rferl-omarov")

    shown = omarov.json("show omarov-aslanbek --as-of 2022-05-15")

    assert set(shown) >= {"person", "name", "as_of", "known_at", "uncertain", "status", "compensation", "events"}
    assert shown["as_of"] == "2022-05-15" and shown["known_at"] is None
    assert [e["type"] for e in shown["events"]] == ["detained", "placed_under_house_arrest"]
    assert shown["status"] == {"custody": "house_arrest", "legal": "none", "appeal_pending": False,
                               "vital": "alive", "designation": None, "headline": "house_arrest",
                               "days_in_custody": 126,  # 9 Jan to 15 May
                               "sentence": "none", "release_reported": None, "died_in_custody": False,
                               "posthumous": False, "allegation": "none"}
    assert shown["uncertain"] is True  # "2022-05~" may be after 15 May
    text = omarov("show omarov-aslanbek --as-of 2022-05-15").stdout
    assert "uncertain" in text and "house_arrest" in text and "Aqtobe" in text


def test_show_known_at_takes_a_date_or_a_utc_datetime(omarov):
    omarov("record omarov-aslanbek detained --on 2022-01-09 --source rferl-omarov")

    # A time to the minute means the end of that minute (issue 11, item 17).
    assert omarov.json("show omarov-aslanbek --known-at 2100-01-01T00:00")["known_at"] == "2100-01-01T00:00:59.999999Z"
    assert omarov.json("show omarov-aslanbek --known-at 2100-01-01")["events"]
    assert omarov.error("show omarov-aslanbek --known-at 2020-01-01") == (
        "Error: person omarov-aslanbek was not registered yet at 2020-01-01T23:59:59+00:00; the record starts "
        + omarov.json("person list")[0]["registered_at"][:19] + "+00:00")


def test_replay_names_the_lists_each_fact_moved_the_person_onto_and_off(cli):
    cli('person add nurgeldin-faizulla --name "Faizulla Nurgeldin"')
    cli("source add rferl --url https://www.rferl.org/a/x")
    cli("record nurgeldin-faizulla died --on 2022-03~ --cause 'gunshot wounds' --source rferl")
    cli("record nurgeldin-faizulla designated --on 2022-01~ --designation accidental_victim --source rferl")

    steps = cli.json("replay nurgeldin-faizulla")["steps"]

    assert [(s["event"]["type"], s["entered"], s["left"]) for s in steps] == [
        ("designated", ["accidental_victims"], []), ("died", ["fatalities"], ["accidental_victims"])]
    assert steps[0]["changes"]["designation"] == ["none", "accidental_victim"]
    assert "left accidental_victims" in cli.text("replay nurgeldin-faizulla")


def test_replay_shows_the_state_after_each_fact_and_the_reclassification(cli):
    cli('person add zhubanazarov-ruslanbek --name "Ruslanbek Zhubanazarov"')
    cli("source add rferl --url https://www.rferl.org/a/x")
    cli("record zhubanazarov-ruslanbek died --on 2022-01-06 --cause gunshot --source rferl")
    cli("record zhubanazarov-ruslanbek designated --on 2022-01-10 --designation terrorist --by authorities "
        "--source rferl")
    cli("record zhubanazarov-ruslanbek designated --on 2022-06~ --designation accidental_victim "
        "--by 'Prosecutor General' --source rferl")

    replay = cli.json("replay zhubanazarov-ruslanbek")

    steps = replay["steps"]
    assert [s["event"]["type"] for s in steps] == ["died", "designated", "designated"]
    assert steps[0]["changes"]["vital"] == ["alive", "deceased"]
    assert steps[1]["reclassification"] is None  # a first label is not a reclassification
    assert steps[2]["reclassification"] == {"from": "terrorist", "to": "accidental_victim",
                                            "by": "Prosecutor General", "source": "rferl", "on": "2022-06~"}
    assert "RECLASSIFIED terrorist ->" in cli.text("replay zhubanazarov-ruslanbek")
    assert [s["event"]["type"] for s in cli.json("replay zhubanazarov-ruslanbek --to 2022-02-01")["steps"]] == [
        "died", "designated"]


def test_retract_hides_the_fact_now_and_known_at_before_still_shows_it(omarov):
    wrong = omarov("record omarov-aslanbek died --on 2022-01 --source rferl-omarov").stdout.strip()
    before = omarov.json("show omarov-aslanbek")["events"][0]["recorded_at"]

    out = omarov(f"retract omarov-aslanbek {wrong[:8]} --reason 'confused with another man' --source rferl-omarov")

    assert out.stdout.startswith(f"retracted {wrong.replace('-', '')[:8]} as ")
    assert omarov.json("show omarov-aslanbek")["events"] == []
    assert omarov.json("show omarov-aslanbek")["status"]["vital"] == "alive"
    past = omarov.json(f"show omarov-aslanbek --known-at {before}")
    assert [e["id"] for e in past["events"]] == [wrong]
    assert past["status"]["vital"] == "deceased"


def test_no_arguments_prints_help_once():
    from typer.testing import CliRunner

    from casetrail.cli.main import app

    result = CliRunner().invoke(app, [])

    assert result.exit_code == 0
    assert result.stdout.count("Usage: casetrail") == 1
    assert "person" in result.stdout and "record" in result.stdout


def test_user_text_prints_as_written_even_with_brackets(omarov):
    omarov("record omarov-aslanbek noted --on 2022 --text '[red]not a style[/red] [citation needed]' "
           "--source rferl-omarov")

    assert "[red]not a style[/red] [citation needed]" in omarov.text("show omarov-aslanbek")
