"""The people search offers every facet a list rule can test, and checks a value as the rules do
(domain/facets.py declares each facet once), on both stores."""

from __future__ import annotations

import pytest


@pytest.fixture
def appealed_and_compensated(omarov):
    """Omarov as RFE/RL reported him: held in January 2022, an appeal lodged in 2023, compensation in 2024."""
    omarov("record omarov-aslanbek detained --on 2022-01-09 --place Aqtobe --source rferl-omarov")
    omarov("record omarov-aslanbek appealed --on 2023 --by defence --claim 40000000 --currency KZT "
           "--source rferl-omarov")
    omarov("record omarov-aslanbek compensated --on 2024-08-31 --amount 3500000 --currency KZT --source rferl-omarov")
    omarov('person add nurgeldin-faizulla --name "Faizulla Nurgeldin"')
    return omarov


def keys(cli, line: str) -> list[str]:
    return [p["person"] for p in cli.json(line)["people"]]


def test_people_finds_those_whose_appeal_is_pending_on_a_date_and_now(appealed_and_compensated):
    cli = appealed_and_compensated

    assert keys(cli, "people --appeal pending --as-of 2023-12-31") == ["omarov-aslanbek"]
    assert keys(cli, "people --appeal pending") == ["omarov-aslanbek"]
    assert keys(cli, "people --appeal none --as-of 2022-12-31") == ["nurgeldin-faizulla", "omarov-aslanbek"]


def test_people_finds_those_awarded_an_amount_and_those_awarded_nothing(appealed_and_compensated):
    cli = appealed_and_compensated

    assert keys(cli, "people --compensation '3,500,000 KZT'") == ["omarov-aslanbek"]
    assert keys(cli, "people --compensation '3,500,000 KZT' --as-of 2024-08-30") == []
    assert keys(cli, "people --compensation none --as-of 2024-08-30") == ["nurgeldin-faizulla", "omarov-aslanbek"]
    assert keys(cli, "people --compensation none") == ["nurgeldin-faizulla"]


def test_a_value_no_appeal_can_have_is_one_line_naming_the_values(cli):
    assert cli.error("people --appeal maybe") == "Error: --appeal 'maybe' is not an appeal; choose one of: none, pending"


def test_a_list_rule_naming_a_designation_no_one_can_have_is_refused_as_the_search_refuses_it(cli, tmp_path):
    rules = tmp_path / "victims.toml"
    rules.write_text('[lists.victims]\nall = [{ facet = "designation", is = "Accidental Victim" }]\n')

    from_rules = cli.error(f"--lists {rules} lists")
    from_search = cli.error("people --designation 'Accidental Victim'")

    assert from_rules == (f"Error: lists file {rules}: list 'victims': key 'all[0]': facet designation is never "
                          "'Accidental Victim'; its values are: a snake_case word such as accidental_victim, or none")
    assert from_search == ("Error: --designation 'Accidental Victim' is not a designation: give a snake_case word "
                           "such as accidental_victim, or none")
