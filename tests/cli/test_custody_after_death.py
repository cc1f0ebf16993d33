"""A person who died while held is not in custody after the death (issue 11, item 19).

The example dataset has no one who died in custody, so the case is recorded here: a
detention on 6 January 2022 and a death in custody on 10 January, as reported of two
victims of January 2022.
"""

from __future__ import annotations

import orjson
import pytest

from tests.cli.conftest import Cli


@pytest.fixture
def died_in_custody(omarov):
    omarov('person add held-victim --name "Held Victim"')
    omarov("record held-victim detained --on 2022-01-06 --place Almaty --source rferl-omarov")
    omarov("record held-victim died --on 2022-01-10 --place Almaty --cause 'died in custody' --source rferl-omarov")
    return omarov


def _in_custody(cli, as_of: str) -> list[str]:
    return [m["person"] for m in cli.json(f"list in_custody --as-of {as_of}")["members"]]


def test_a_person_who_died_in_custody_leaves_the_in_custody_list_at_the_death(died_in_custody):
    before, after, years_later = (_in_custody(died_in_custody, day) for day in ("2022-01-08", "2022-01-10", "2024-01-01"))

    assert before == ["held-victim"]
    assert after == years_later == []
    assert died_in_custody.json("lists --as-of 2024-01-01")["lists"][1] == {
        "list": "in_custody", "title": "In custody (detention, house arrest or prison)", "members": 0,
        "possibly": 0}


def test_people_in_custody_are_the_living_and_the_dead_held_are_found_with_died_in_custody(died_in_custody):
    held = died_in_custody.json("people --custody detained --as-of 2022-02-01")["people"]
    now = died_in_custody.json("people --custody detained")["people"]
    died_held = died_in_custody.json("people --died-in-custody yes --as-of 2022-02-01")["people"]

    assert held == now == []
    assert [(p["person"], p["headline"], p["custody"]) for p in died_held] == [("held-victim", "deceased", "deceased")]


def test_a_person_who_died_in_custody_is_on_died_in_custody_and_their_days_stop_at_the_death(died_in_custody):
    members = [m["person"] for m in died_in_custody.json("list died_in_custody --as-of 2024-01-01")["members"]]
    status = died_in_custody.json("show held-victim")["status"]

    assert members == ["held-victim"]
    assert (status["custody"], status["days_in_custody"], status["died_in_custody"]) == ("deceased", 4, True)


def test_the_audit_shows_the_exit_from_in_custody_at_the_death(died_in_custody):
    changes = died_in_custody.json("audit held-victim")["changes"]

    exits = [(c["valid_on"], c["event_type"]) for c in changes if c["list"] == "in_custody" and c["to"] == "out"]
    assert exits == [("2022-01-10", "died")]


def test_a_relative_appeals_for_the_dead_by_their_person_key_and_an_appellant_that_is_neither_is_refused(
        died_in_custody):
    appeal = died_in_custody.json("record held-victim appealed --on 2022-06 --by relative-a --source rferl-omarov")
    error = died_in_custody.error("record held-victim appealed --on 2022-06 --by 'Her Brother' --source rferl-omarov")

    assert appeal["by"] == "relative-a"
    assert died_in_custody.json("show held-victim")["status"]["appeal_pending"] is True
    assert error == ("Error: appealed: 'Her Brother' is not who appealed: give defence, prosecution, victim, family "
                     "or a relative's person key, e.g. omarov-aslanbek")



def test_a_redacted_export_names_the_relative_who_appealed_by_their_pseudonym_and_imports(died_in_custody, tmp_path):
    died_in_custody('person add relative-a --name "Relative A"')
    died_in_custody("record held-victim appealed --on 2022-06 --by relative-a --source rferl-omarov")
    redacted = died_in_custody("export --redact").stdout
    copy = Cli(str(tmp_path / "public.db"))

    copy("import - --format jsonl", input=redacted)

    people = {p["person"] for p in copy.json("person list")}
    appeals = [r for r in map(orjson.loads, copy("export").stdout.splitlines()) if r.get("type") == "appealed"]
    assert "relative-a" not in redacted
    assert [a["by"] in people for a in appeals] == [True]
