"""An import stopped part-way: a full disk, a lost PostgreSQL connection, a full temporary
folder, a SIGKILL. Each says what happened in one line, leaves its scratch data unreadable,
and running the same command again finishes the work. Real stores and real processes.

A full disk is a real one: a small tmpfs (mounting needs root; elsewhere these tests skip).
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import orjson
import pytest

from casetrail.store import importer
from casetrail.store.application import Casetrail
from tests.cli.conftest import Cli
from tests.conftest import _pg_connect
from tests.integration.views_support import run, start

PEOPLE = 300
NAME = "Secret Person Name"


def bulk(path: Path, people: int = PEOPLE) -> str:
    """A source, then each person with two facts: 1 + 3 stored events a person."""
    with path.open("wb") as out:
        out.write(orjson.dumps({"record": "source", "key": "src", "url": "https://example.org/a"}) + b"\n")
        for i in range(people):
            key = f"p-{i:05d}"
            out.write(orjson.dumps({"record": "person", "key": key, "name": f"{NAME} {i}"}) + b"\n")
            for type_name, on in (("detained", "2022-01-05"), ("released", "2022-02")):
                out.write(orjson.dumps({"record": "event", "person": key, "type": type_name, "on": on,
                                        "source": "src", "note": f"held in Secret Place {i}"}) + b"\n")
    return str(path)


def stored_events(url: str) -> tuple[int, bool]:
    app = Casetrail(url, recorded_by="tests")
    try:
        verification = app.verify()
        return verification.events, verification.sound
    finally:
        app.close()


@pytest.fixture
def tmpfs(tmp_path):
    """A small filesystem of its own, to fill up."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave_kib: int) -> Path:
    filler = folder / "filler"
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize // 1024
    filler.write_bytes(b"\0" * max(0, free - leave_kib) * 1024)
    return filler


# -- 5. stopped while writing --------------------------------------------------------------------------------

def test_an_import_stopped_by_a_full_disk_says_it_is_partial_and_running_it_again_finishes_it(
        tmpfs, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "WRITE_BATCH", 100)
    cli = Cli(str(tmpfs / "cases.db"))
    Casetrail(cli.url, recorded_by="tests").close()  # the store, made before the disk fills
    path = bulk(tmp_path / "bulk.jsonl")
    filler = fill(tmpfs, leave_kib=120)

    error = cli.error(f"import {path}")
    written, _ = stored_events(cli.url)
    filler.unlink()
    again = orjson.loads(cli(f"import {path} --json").stdout)

    assert "database or disk is full; the import is partial: " in error
    assert f"the import is partial: {written} of {1 + 3 * PEOPLE} events were written; run the same command " \
           "again to finish it" in error
    assert 1 < written < 1 + 3 * PEOPLE
    assert again["problems"] == [] and again["written"] is True
    assert stored_events(cli.url) == (1 + 3 * PEOPLE, True)


@pytest.mark.postgres
def test_an_import_that_loses_its_postgresql_connection_says_it_is_partial_and_running_it_again_finishes_it(
        postgres_url, tmp_path):
    path = bulk(tmp_path / "bulk.jsonl", people=3000)
    Casetrail(postgres_url, recorded_by="tests").close()  # the store's tables, made before the import starts
    role = f"casetrail_cut_{uuid.uuid4().hex[:10]}"  # the import's connections, and only its, log in as this
    with _pg_connect() as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN SUPERUSER')
        try:
            process = start(postgres_url.replace("postgresql://", f"postgresql://{role}@", 1), "import", path)
            app = Casetrail(postgres_url, recorded_by="tests")
            while process.poll() is None and (app.recorder.max_notification_id() or 0) <= 1:
                time.sleep(0.01)
            app.close()
            # Cut the import's connections and let none be made again (a server going away): a
            # dropped connection alone is replaced by the pool and the write goes on.
            conn.execute(f'ALTER ROLE "{role}" NOLOGIN')
            until = time.monotonic() + 5  # longer than eventsourcing's retries of a lost connection
            while process.poll() is None and time.monotonic() < until:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [role])
                time.sleep(0.02)
            _, err = process.communicate(timeout=60)
        finally:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [role])
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
    written, _ = stored_events(postgres_url)

    again = Cli(postgres_url)(f"import {path}")

    assert process.returncode == 1, err
    assert err.startswith("Error: cannot reach PostgreSQL at "), err
    assert f"; the import is partial: {written} of {1 + 3 * 3000} events were written; run the same command " \
           "again to finish it" in err
    assert len(err.splitlines()) == 1
    assert again.exit_code == 0
    assert stored_events(postgres_url) == (1 + 3 * 3000, True)


# -- 5. a full temporary folder ------------------------------------------------------------------------------

def test_a_full_temporary_folder_is_one_line_and_imports_nothing(store_url, tmpfs, tmp_path, monkeypatch):
    path = bulk(tmp_path / "bulk.jsonl")
    fill(tmpfs, leave_kib=64)
    monkeypatch.setenv("TMPDIR", str(tmpfs))

    process = start(store_url, "import", path)
    _, err = process.communicate(timeout=120)

    assert process.returncode == 1
    assert err.startswith(f"Error: the import's temporary folder {tmpfs}/casetrail-import-"), err
    assert "database or disk is full" in err and "point TMPDIR at a writable folder with room" in err
    assert err.rstrip().endswith("nothing was imported") and len(err.splitlines()) == 1
    assert stored_events(store_url)[0] == 0


# -- 11. a killed import's scratch data ----------------------------------------------------------------------

def test_a_killed_import_leaves_no_readable_scratch_and_the_next_import_removes_it(store_url, tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setenv("CASETRAIL_KEY", base64.b64encode(b"k" * 32).decode())
    path = bulk(tmp_path / "bulk.jsonl", people=3000)
    process = start(store_url, "import", path)
    app = Casetrail(store_url, recorded_by="tests")
    while process.poll() is None and (app.recorder.max_notification_id() or 0) <= 1:  # all staged, writing
        time.sleep(0.01)
    app.close()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    left = list(scratch.glob("casetrail-import-*"))
    sizes = [(folder / "staging.db").stat().st_size for folder in left]
    found = [f for folder in left for f in folder.rglob("*") if f.is_file() and
             any(secret in f.read_bytes() for secret in (NAME.encode(), b"Secret Place"))]

    run(store_url, "import", bulk(tmp_path / "small.jsonl", people=1))

    assert process.returncode == -signal.SIGKILL
    assert len(left) == 1 and sizes[0] > 100_000  # the killed run's scratch file, left behind
    assert found == []
    assert list(scratch.glob("casetrail-import-*")) == []
