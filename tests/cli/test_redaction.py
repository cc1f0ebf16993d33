"""`export --redact` through the CLI, on both stores: no name, source address or title survives in any
form a reader could recognise, no one is given someone else's pseudonym, and what is left to review is said;
and the cases an export carries (redacted, or of one person) import into an empty store."""

from __future__ import annotations

import orjson
import pytest

from tests.cli.conftest import Cli

ENCODED = "%D0%BE%D0%BC%D0%B0%D1%80%D0%BE%D0%B2"  # "омаров", as an address spells it
CASES = f"""
sources:
  - key: rferl-omarov
    url: "https://www.rferl.org/a/{ENCODED}-aslanbek/33000000.html"
    outlet: RFE/RL
    title: Aslanbek Omarov awarded compensation
    published: 2024-09-01
persons:
  - key: omarov-aslanbek
    name: Aslanbek Omarov
    aliases: [Асланбек Омаров]
  - key: case-0002
    name: Murat Tanirbergenov
  - key: case-0003
    name: İlyas Nurgeldin
  - key: zhanbolat-n
    name: Жанболат Нургалиев
events:
  - person: omarov-aslanbek
    type: detained
    "on": 2022-01-09
    source: rferl-omarov
    place: flat of OmarovAslanbek, Aqtobe
  - person: omarov-aslanbek
    type: noted
    "on": 2022-01-10
    source: rferl-omarov
    text: "Асланбеком Омаровым; aslanbek_omarov; OMAROV; Омаровой; {ENCODED}"
  - person: case-0002
    type: noted
    "on": 2022-01-11
    source: rferl-omarov
    text: Murat Abdiraiym, a victim's father, spoke
  - person: case-0003
    type: detained
    "on": 2022-01-09
    source: rferl-omarov
    by: İLYAS NURGELDIN's neighbours; ilyas
  - person: zhanbolat-n
    type: noted
    "on": 2022-01-12
    source: rferl-omarov
    text: Zhanbolat Nurgaliev's trial
"""


@pytest.fixture
def cases(cli, tmp_path) -> Cli:
    file = tmp_path / "cases.yaml"
    file.write_text(CASES, encoding="utf-8")
    cli(f"import {file}")
    return cli


def records(cli: Cli, line: str) -> list[dict]:
    return [orjson.loads(row) for row in cli(line).stdout.splitlines()]


def texts(cli: Cli, line: str = "export --redact") -> dict[str, str]:
    """Each event's free text, by the field it is in."""
    found = {}
    for record in records(cli, line):
        for name in ("place", "text", "by"):
            if record["record"] == "event" and name in record:
                found[f"{record['person']} {name}"] = record[name]
    return found


def test_sources_become_pseudonyms_without_address_title_or_outlet(cases):
    redacted = records(cases, "export --redact")

    assert [r for r in redacted if r["record"] == "source"] == [{"record": "source", "key": "source-1"}]
    assert {r["source"] for r in redacted if r["record"] == "event"} == {"source-1"}
    text = cases("export --redact").stdout.lower()
    for secret in ("rferl", "%d0", "awarded compensation", "rfe/rl"):
        assert secret not in text, secret


def test_keep_sources_keeps_the_outlet_and_day_but_never_the_address_or_title(cases):
    redacted = records(cases, "export --redact --keep-sources")

    assert [r for r in redacted if r["record"] == "source"] == [
        {"record": "source", "key": "source-1", "outlet": "RFE/RL", "published": "2024-09-01"}]


def test_keep_sources_without_redact_is_refused(cases):
    assert cases.error("export --keep-sources") == (
        "Error: --keep-sources goes with --redact (an export without --redact keeps every source whole)")


def test_a_name_joined_inflected_in_capitals_or_percent_encoded_is_still_found(cases):
    found = texts(cases)

    assert found["person-3 place"] == "flat of Person 3, Aqtobe"  # import registers people in key order
    assert found["person-3 text"] == "Person 3; Person 3; [name]; [name]; [name]"


def test_one_word_of_a_name_becomes_name_and_never_someone_elses_pseudonym(cases):
    assert texts(cases)["person-1 text"] == "[name] Abdiraiym, a victim's father, spoke"


def test_a_dotted_capital_i_is_matched_like_any_other_letter(cases):
    assert texts(cases)["person-2 by"] == "Person 2's neighbours; [name]"


def test_a_name_registered_in_cyrillic_is_found_in_latin_letters(cases):
    assert texts(cases)["person-4 text"] == "Person 4's trial"


def test_redact_says_how_many_names_it_replaced_and_which_words_to_check(cases):
    result = cases("export --redact")

    assert result.stderr.splitlines() == [
        "redacted: 4 people and 1 source as pseudonyms; 10 names in text replaced (5 by a pseudonym, 5 by [name])",
        "check before publishing, capitalised words left that may be names: Abdiraiym, Aqtobe",
    ]


def test_a_redacted_timelinejs_export_shows_no_outlet_address_or_title(cases):
    plain = cases("export --format timelinejs").stdout
    redacted = cases("export --format timelinejs --redact").stdout
    kept = cases("export --format timelinejs --redact --keep-sources").stdout

    assert "RFE/RL" in plain and "rferl.org" in plain
    for secret in ("RFE/RL", "rferl", "awarded compensation", "Omarov"):
        assert secret not in redacted, secret
    assert "RFE/RL" in kept and "rferl" not in kept and "awarded" not in kept


def test_a_redacted_export_imports_into_an_empty_store(cases, tmp_path):
    redacted = cases("export --redact --keep-sources").stdout
    copy = Cli(str(tmp_path / "public.db"))

    copy("import - --format jsonl", input=redacted)

    assert [p["person"] for p in copy.json("person list")] == ["person-1", "person-2", "person-3", "person-4"]
    assert copy("export").stdout.count('"record":"event"') == 5


FERGANA = "https://en.fergana.plus/news/136264"  # the Karasai torture trial (tests/cli/test_cases.py)


@pytest.fixture
def trial(cli) -> Cli:
    cli(f"source add fergana-ruzakhunov --url {FERGANA} --outlet Fergana")
    cli('person add ruzakhunov-vikram --name "Vikram Ruzakhunov"')
    cli('person add abilbekov-berik --name "Berik Abilbekov"')
    cli('case add ruzakhunov-torture --title "Torture of Vikram Ruzakhunov and 43 others" '
        '--court "Karasai District Court" --source fergana-ruzakhunov')
    cli("case party ruzakhunov-torture abilbekov-berik --role accused --on 2025-01~ --source fergana-ruzakhunov")
    cli("case party ruzakhunov-torture ruzakhunov-vikram --role victim --on 2022-01 --source fergana-ruzakhunov")
    cli("case party ruzakhunov-torture --unnamed 43 --role victim --on 2022-01 --source fergana-ruzakhunov")
    cli("case record ruzakhunov-torture sentenced --accused abilbekov-berik --on 2025-01-17 --kind prison "
        "--term-months 36 --court 'Karasai District Court' --source fergana-ruzakhunov")
    return cli


def test_a_redacted_export_keeps_cases_under_pseudonyms_with_no_name_in_key_or_title(trial):
    redacted = records(trial, "export --redact")

    assert [(r["key"], r["title"]) for r in redacted if r["record"] == "case"] == [
        ("case-1", "Torture of Person 1 and 43 others")]
    assert {r["case"] for r in redacted if "case" in r} == {"case-1"}
    assert {r.get("person") for r in redacted if r["record"] == "case_event"} == {"person-1", "person-2", None}
    text = trial("export --redact").stdout.lower()
    assert "ruzakhunov" not in text and "abilbekov" not in text and "fergana" not in text


def test_a_redacted_export_with_a_case_imports_into_an_empty_store_and_tells_the_same_proceeding(trial, tmp_path):
    copy = Cli(str(tmp_path / "public.db"))

    copy("import - --format jsonl", input=trial("export --redact").stdout)

    shown = copy.json("case show case-1")
    assert {(p["person"], p["role"], p.get("unnamed")) for p in shown["parties"]} == {
        ("person-2", "accused", None), ("person-1", "victim", None), (None, "victim", 43)}
    assert copy.json("show person-2")["status"]["legal"] == "convicted"


def test_redact_counts_the_cases_it_gave_pseudonyms(trial):
    assert "redacted: 2 people, 1 case and 1 source as pseudonyms" in trial("export --redact").stderr


def test_one_persons_export_carries_their_cases_with_only_their_own_party_and_imports_into_an_empty_store(
        trial, tmp_path):
    exported = trial("export --person ruzakhunov-vikram").stdout
    copy = Cli(str(tmp_path / "one.db"))

    copy("import - --format jsonl", input=exported)

    assert "abilbekov" not in exported
    shown = copy.json("case show ruzakhunov-torture")
    assert {(p["person"], p["role"], p.get("unnamed")) for p in shown["parties"]} == {
        ("ruzakhunov-vikram", "victim", None), (None, "victim", 43)}
    assert copy.json("show ruzakhunov-vikram")["cases"] == [{"case": "ruzakhunov-torture", "role": "victim", "of": None}]
