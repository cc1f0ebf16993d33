"""``audit KEY`` shows what was believed and when it changed (issue 11, items 20 and 21).

A conviction recorded and later retracted used to vanish from the audit, and a release
recorded before the retraction showed the retraction's record time.
"""

from __future__ import annotations

import pytest

SOURCE = "--source rferl-omarov"


@pytest.fixture
def corrected(omarov):
    """Detained, sentenced to prison, released; then the sentence is retracted."""
    omarov(f"record omarov-aslanbek detained --on 2022-01-09 {SOURCE}")
    sentence = omarov.json(f"record omarov-aslanbek sentenced --on 2022-06-01 --kind prison {SOURCE}")
    release = omarov.json(f"record omarov-aslanbek released --on 2023-01-01 {SOURCE}")
    omarov(f"retract omarov-aslanbek {sentence['id']} --reason 'a namesake was convicted' {SOURCE}")
    return omarov, sentence, release


def test_a_retracted_conviction_is_listed_with_its_own_record_time_and_the_retraction_s(corrected):
    cli, sentence, release = corrected

    audit = cli.json("audit omarov-aslanbek")

    [fix] = audit["retracted"]
    assert (fix["event_id"], fix["event_type"], fix["valid_on"]) == (sentence["id"], "sentenced", "2022-06-01")
    assert fix["recorded_at"] == sentence["recorded_at"]
    assert fix["retracted_at"] > release["recorded_at"]
    assert (fix["reason"], fix["retraction_source"]) == ("a namesake was convicted", "rferl-omarov")
    assert {"facet": "legal", "list": None, "from": "none", "to": "convicted"} in fix["believed"]
    assert {"facet": None, "list": "convicted", "from": "out", "to": "in"} in fix["believed"]


def test_a_change_shows_when_its_cause_was_recorded_not_when_a_retraction_reworded_it(corrected):
    cli, _, release = corrected

    changes = cli.json("audit omarov-aslanbek")["changes"]

    released = [c for c in changes if c["event_type"] == "released"]
    assert [(c["facet"], c["from"], c["to"]) for c in released if c["facet"] == "custody"] == [
        ("custody", "detained", "free")]
    assert {c["recorded_at"] for c in released} == {release["recorded_at"]}
    assert all(c["believed_since"] > c["recorded_at"] for c in released if c["facet"] == "custody")


def test_the_audit_known_before_the_retraction_shows_the_conviction_and_no_correction(corrected):
    cli, _, release = corrected

    audit = cli.json(f"audit omarov-aslanbek --known-at {release['recorded_at']}")

    assert audit["retracted"] == []
    assert ("legal", "none", "convicted") in [(c["facet"], c["from"], c["to"]) for c in audit["changes"]]


def test_the_audit_table_lists_the_retracted_fact(corrected):
    cli, sentence, _ = corrected

    text = cli.text("audit omarov-aslanbek")

    assert "1 retracted fact: believed, then taken back" in text
    retracted = text.split("taken back")[1]  # the table's cells wrap: look for their words
    assert {"2022-06-01", "sentenced", sentence["id"][:8], "namesake", "convicted;"} <= set(retracted.split())


def test_audit_since_without_a_list_says_it_needs_one_and_how_to_write_it(omarov):
    error = omarov.error("audit --since 2024-01-01")

    assert error == ("Error: --since needs a list: casetrail audit --list NAME --since 2024-01-01 "
                     "(for one person: casetrail audit KEY --known-at 2024-01-01)")


def test_audit_with_neither_a_person_nor_a_list_asks_for_one(omarov):
    error = omarov.error("audit")

    assert error == "Error: give a person (casetrail audit KEY) or a list (casetrail audit --list NAME)"
