"""Append-only enforced by the database, and verify catching what was changed behind its back,
on both stores, through raw SQL as an intruder (or a careless script) would do it."""

from __future__ import annotations

import sqlite3

import orjson
import pytest

from casetrail.store.application import Casetrail
from tests.cli.conftest import Cli, record_script
from tests.conftest import _pg_connect


@pytest.fixture
def recorded(store_url):
    cli = record_script(Cli(store_url))
    app = Casetrail(store_url, recorded_by="tests")
    yield store_url, app, cli
    app.close()


class Raw:
    """SQL straight at the store's events table, outside casetrail."""

    def __init__(self, url: str):
        self.url = url
        self.postgres = url.startswith("postgresql")
        self.schema = url.split("schema=")[1] if self.postgres else None
        self.table = f'"{self.schema}".casetrail_events' if self.postgres else "stored_events"

    def run(self, statement: str, *args) -> list:
        if self.postgres:
            with _pg_connect() as conn:
                return list(conn.execute(statement.replace("?", "%s"), args)) if "SELECT" in statement else \
                    [conn.execute(statement.replace("?", "%s"), args)]
        with sqlite3.connect(self.url) as conn:
            return list(conn.execute(statement, args))

    def rows(self) -> list:
        return self.run(f"SELECT originator_id, originator_version, topic, state FROM {self.table} "
                        "ORDER BY originator_id, originator_version")

    def drop_triggers(self) -> None:
        if self.postgres:
            self.run(f"DROP TRIGGER casetrail_append_only ON {self.table}")
            self.run(f"DROP TRIGGER casetrail_append_only_truncate ON {self.table}")
        else:
            self.run("DROP TRIGGER casetrail_no_update")
            self.run("DROP TRIGGER casetrail_no_delete")

    def stream_of(self, key: str) -> list:
        """(originator_id, version, state) of one person's events, oldest first."""
        found = [row for row in self.rows() if row[1] == 1 and orjson.loads(row[3]).get("key") == key]
        stream = found[0][0]
        return [row for row in self.rows() if row[0] == stream]

    def set_state(self, stream, version: int, state: dict) -> None:
        self.run(f"UPDATE {self.table} SET state = ? WHERE originator_id = ? AND originator_version = ?",
                 orjson.dumps(state), stream, version)

    def delete(self, stream, version: int) -> None:
        self.run(f"DELETE FROM {self.table} WHERE originator_id = ? AND originator_version = ?", stream, version)


def refused(raw: Raw, statement: str) -> str:
    if raw.postgres:
        import psycopg

        with pytest.raises(psycopg.errors.RaiseException) as caught:
            raw.run(statement)
    else:
        with pytest.raises(sqlite3.IntegrityError) as caught:
            raw.run(statement)
    return str(caught.value)


def test_the_database_refuses_to_update_or_delete_a_stored_event(recorded):
    url, app, _ = recorded
    raw = Raw(url)
    before = raw.rows()

    update = refused(raw, f"UPDATE {raw.table} SET topic = 'x'")
    delete = refused(raw, f"DELETE FROM {raw.table}")

    assert "append-only" in update and "UPDATE refused" in update
    assert "append-only" in delete and "DELETE refused" in delete
    assert raw.rows() == before


@pytest.mark.postgres
def test_the_database_refuses_to_truncate_the_events_on_postgresql(postgres_url):
    record_script(Cli(postgres_url))
    raw = Raw(postgres_url)
    before = raw.rows()

    assert "TRUNCATE refused" in refused(raw, f"TRUNCATE {raw.table}")
    assert raw.rows() == before and len(before) == 20


def test_a_store_as_written_verifies_sound_and_gives_a_stamp(recorded):
    url, app, cli = recorded

    result = app.verify()
    report = cli.json("verify")

    assert result.sound and result.breaks == []
    assert result.events == len(Raw(url).rows()) and result.streams == 4  # three people and a source
    assert report["sound"] is True and report["stamp"] == result.stamp
    assert cli.json(f"verify --against {result.stamp}")["sound"] is True


def test_verify_names_the_person_and_version_of_a_fact_changed_behind_its_back(recorded):
    url, app, cli = recorded
    raw = Raw(url)
    raw.drop_triggers()
    stream, version, _, state = raw.stream_of("omarov-aslanbek")[2]
    changed = {**orjson.loads(state), "place": "somewhere else"}

    raw.set_state(stream, version, changed)
    result = cli("verify --json", ok=False)
    report = orjson.loads(result.stdout)

    assert result.exit_code == 1 and report["sound"] is False
    assert [(b["stream"], b["version"]) for b in report["breaks"]] == [("omarov-aslanbek", version + 1)]
    assert f"version {version} was changed" in report["breaks"][0]["problem"]


def test_verify_catches_a_deleted_event_in_the_middle_of_a_stream(recorded):
    url, app, cli = recorded
    raw = Raw(url)
    raw.drop_triggers()
    stream, version, _, _ = raw.stream_of("zhubanazarov-ruslanbek")[1]

    raw.delete(stream, version)
    breaks = app.verify().breaks

    assert [(b.stream, b.version) for b in breaks] == [("zhubanazarov-ruslanbek", version + 1)]
    assert f"version {version} is missing" in breaks[0].problem


def test_only_the_stamp_catches_a_changed_newest_event_and_it_does(recorded):
    url, app, cli = recorded
    stamp = app.verify().stamp
    raw = Raw(url)
    raw.drop_triggers()
    stream, version, _, state = raw.stream_of("nurgeldin-faizulla")[-1]

    raw.set_state(stream, version, {**orjson.loads(state), "cause": "natural causes"})
    plain = app.verify()
    checked = app.verify(against=stamp)

    assert plain.sound  # nothing after the newest event vouches for it...
    assert [b.stream for b in checked.breaks] == ["*"]  # ...except the stamp kept elsewhere
    assert "do not match the digest" in checked.breaks[0].problem


def test_events_recorded_after_a_stamp_do_not_break_it(recorded):
    url, app, cli = recorded
    stamp = app.verify().stamp

    cli("record omarov-aslanbek noted --on 2024-09 --text 'interviewed' --source rferl-omarov")
    later = app.verify(against=stamp)

    assert later.sound and later.position > int(stamp.split(":")[0])


def test_a_bad_stamp_is_refused_in_one_line(recorded):
    _, _, cli = recorded

    assert "is not a verify stamp" in cli.error("verify --against 12:abc")
