"""``casetrail changes`` (issue 12 item 8): store-wide, what a record-time window gained or took back,
and who entered or left each list by it, on SQLite and PostgreSQL. Keys and facts are synthetic."""

from __future__ import annotations

import pytest


@pytest.fixture
def published(cli):
    """A store as it stood at a publication: person-a detained, person-b noted. Returns that moment."""
    cli('person add person-a --name "Person A"')
    cli('person add person-b --name "Person B"')
    cli("source add src-1 --url https://example.org/1")
    cli("record person-a detained --on 2022-01-09 --source src-1")
    cli("record person-b noted --on 2022-01-20 --text questioned --source src-1")
    return cli.json("show person-b")["events"][0]["recorded_at"]


def _ids(cli, key: str) -> dict[str, str]:
    return {e["type"]: e["id"] for e in cli.json(f"show {key}")["events"]}


def test_changes_since_a_publication_list_what_was_recorded_and_retracted_and_who_entered_or_left_lists(cli, published):
    detained = _ids(cli, "person-a")["detained"]
    cli("record person-b detained --on 2022-01-10 --source src-1")
    cli(f'retract person-a {detained} --reason "another man of that name"')

    found = cli.json(f"changes --since {published}")

    assert [(r["key"], r["change"], r["type"]) for r in found["recorded"]] == [
        ("person-b", "recorded", "detained"), ("person-a", "retracted", "retracted")]
    assert found["recorded"][1]["event_id"] == detained
    entries = {(c["list"], c["person"], c["to"], "withdrawn_at" in c) for c in found["lists"]}
    assert ("in_custody", "person-b", "in", False) in entries  # entered in the window
    assert ("in_custody", "person-a", "in", True) in entries  # believed at the publication, withdrawn since


def test_changes_until_a_moment_leave_out_what_was_recorded_after_it(cli, published):
    cli("record person-b detained --on 2022-01-10 --source src-1")
    until = _recorded_at(cli, "person-b", "detained")
    cli("record person-a released --on 2022-01-15 --source src-1")

    found = cli.json(f"changes --since {published} --until {until}")

    assert [(r["key"], r["type"]) for r in found["recorded"]] == [("person-b", "detained")]
    assert {c["person"] for c in found["lists"]} == {"person-b"}  # person-a's release is after --until
    assert ("in_custody", "in") in {(c["list"], c["to"]) for c in found["lists"]}


def test_nothing_recorded_since_is_an_empty_answer(cli, published):
    found = cli.json(f"changes --since {published}")

    assert found["recorded"] == [] and found["lists"] == []
    assert "0 events, 0 list changes" in cli.text(f"changes --since {published}")


def test_the_text_answer_names_the_stream_the_change_and_the_list(cli, published):
    cli("record person-b detained --on 2022-01-10 --source src-1")

    shown = cli.text(f"changes --since {published}")

    assert "person person-b" in shown and "recorded detained" in shown and "in_custody" in shown


def test_an_until_before_the_since_is_one_line(cli, published):
    assert "--until 2022-01-01 is not after --since 2023-01-01" in cli.error(
        "changes --since 2023-01-01 --until 2022-01-01")


def _recorded_at(cli, key: str, type_name: str) -> str:
    return next(e["recorded_at"] for e in cli.json(f"show {key}")["events"] if e["type"] == type_name)
