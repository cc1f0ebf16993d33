"""Which commands may create a store: a mistyped --db must never pass for an empty store.

Reading commands on a store that does not exist fail with one line naming it; only the
commands that can start a store from nothing (person add, source add, import) create one.
Each test runs on a new SQLite path and on a new PostgreSQL schema, neither created yet.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import _pg_connect

READING = [
    "show omarov-aslanbek", "replay omarov-aslanbek", "lists", "list fatalities", "people",
    "audit omarov-aslanbek", "why omarov-aslanbek fatalities", "timeline omarov-aslanbek --html -",
    "person list", "source list", "verify", "export", "projections status", "projections catch-up",
    "projections rebuild", "projections follow",
    # They need a person already in a store, so they cannot start one either.
    "record omarov-aslanbek detained --on 2022-01-09 --source https://example.org/a",
    "retract omarov-aslanbek 0123abcd --reason mistaken",
]
WRITING = [
    'person add omarov-aslanbek --name "Aslanbek Omarov"',
    "source add rferl --url https://www.rferl.org/a/33000000.html",
    "import {file}",
]
RECORDS = "persons:\n  - key: omarov-aslanbek\n    name: Aslanbek Omarov\n"


def store_exists(url: str) -> bool:
    """Whether anything of the store is there: the SQLite file (or its journal), or the schema."""
    if "://" not in url:
        return any(Path(url + suffix).exists() for suffix in ("", "-wal", "-shm", "-journal"))
    schema = url.rsplit("schema=", 1)[1]
    with _pg_connect() as conn:
        return conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [schema]).fetchone()[0] == 1


@pytest.mark.parametrize("command", READING)
def test_a_reading_command_on_a_store_that_does_not_exist_fails_and_creates_nothing(cli, command):
    error = cli.error(command)

    shown = cli.url if "://" not in cli.url else "postgresql://"
    assert error.startswith(f"Error: no casetrail store at {shown}"), error
    assert "check --db, or create the store with a command that writes to it" in error
    assert not store_exists(cli.url)


@pytest.mark.parametrize("command", WRITING)
def test_a_writing_command_creates_the_store_it_is_given(cli, tmp_path, command):
    (tmp_path / "people.yaml").write_text(RECORDS)

    cli(command.format(file=tmp_path / "people.yaml"))

    assert store_exists(cli.url)
    assert cli.json("verify")["events"] == 1


def test_a_dry_run_import_checks_against_an_empty_store_and_creates_none(cli, tmp_path):
    (tmp_path / "people.yaml").write_text(RECORDS)

    report = cli.json(f"import {tmp_path / 'people.yaml'} --dry-run")

    assert report["written"] is False and report["problems"] == []
    assert not store_exists(cli.url)


def test_a_failed_export_from_a_mistyped_store_leaves_the_earlier_export_alone(cli, tmp_path):
    earlier = tmp_path / "cases.jsonl"
    earlier.write_text('{"kind": "person"}\n')

    cli.error(f"export -o {earlier}")

    assert earlier.read_text() == '{"kind": "person"}\n'


def test_a_sqlite_file_without_casetrail_events_is_not_taken_for_a_store(sqlite_url):
    from tests.cli.conftest import Cli

    Path(sqlite_url).touch()  # e.g. left by an earlier tool; empty

    error = Cli(sqlite_url).error("verify")

    assert error == (f"Error: no casetrail store at {sqlite_url} (the file holds no casetrail events); check --db, "
                     "or create the store with a command that writes to it: person add, source add or import")
    assert Path(sqlite_url).stat().st_size == 0


@pytest.mark.parametrize("schema", ["a;drop", "Cases", "1st", "x" * 64])
def test_a_postgresql_url_with_a_schema_that_is_not_a_plain_name_is_refused_in_one_line(schema):
    from tests.cli.conftest import Cli
    from tests.conftest import PG_URL

    error = Cli(f"{PG_URL}?schema={schema}").error("person list")

    assert error.startswith(f"Error: the store URL's schema '{schema}' is not a plain name: use lower-case")


REFUSED = [
    'person add omarov-aslanbek --name "Aslanbek Omarov" --born 2990',
    'person add "Not A Key" --name "Aslanbek Omarov"',
    "source add rferl --url not-a-web-address",
    "source add rferl --published 2999-01-01",
]


@pytest.mark.parametrize("command", REFUSED)
def test_a_refused_writing_command_leaves_no_store_behind(cli, command):
    error = cli.error(command)

    assert error.startswith("Error: ") and "\n" not in error.strip()
    assert not store_exists(cli.url)
