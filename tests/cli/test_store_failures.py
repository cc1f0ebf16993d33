"""A store casetrail cannot use: a database locked by another process, a read-only file, a
missing folder, a PostgreSQL server that is down (or has no such database, or no such
host). Each gives exit code 1, exactly one line ``Error: ...`` on stderr that names the
store and says what to do, no traceback, and nothing stored.

tests/cli/test_errors.py already covers one command of each (``person add`` on a locked
file, ``person list`` on a missing folder and on a server that is not there); these
cover the commands that write (``record``, ``import``) and the read models' own writes
(a query command catching up), the read-only file, the time it takes to give up, and
that nothing was stored or created.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from casetrail.store.application import Casetrail
from casetrail.store.storage import StoreURL
from tests.cli.conftest import Cli
from tests.conftest import PG_URL

SEED = [
    "person add omarov-aslanbek --name 'Aslanbek Omarov'",
    "source add rferl-omarov --url https://www.rferl.org/a/omarov",
    "record omarov-aslanbek detained --on 2022-01-09 --source rferl-omarov",
]
IMPORTED = """{"record": "person", "key": "zhubanazarov-ruslanbek", "name": "Ruslanbek Zhubanazarov"}
{"record": "event", "person": "zhubanazarov-ruslanbek", "type": "died", "on": "2022-01-06", "source": "rferl-omarov"}
"""
# What each command would store; {file} is a JSONL file of one person and one fact.
WRITES = {
    "record": "record omarov-aslanbek released --on 2022-02 --source rferl-omarov",
    "person add": "person add zhubanazarov-ruslanbek --name 'Ruslanbek Zhubanazarov'",
    "import": "import {file}",
}


def seeded(path: Path) -> str:
    cli = Cli(str(path))
    for line in SEED:
        cli(line)
    return str(path)


def stamp(url: str) -> str:
    app = Casetrail(url, recorded_by="tests")
    try:
        return app.verify().stamp
    finally:
        app.close()


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """A failed process's stderr, checked: exit 1, one line starting 'Error: ', no traceback."""
    err = result.stderr
    assert result.returncode == 1, (result.returncode, result.stdout, err)
    assert "Traceback" not in err and result.stdout == "", (result.stdout, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    return lines[0]


def jsonl(folder: Path) -> str:
    path = folder / "more.jsonl"
    path.write_text(IMPORTED)
    return str(path)


# -- locked by another process ---------------------------------------------------------------------

@pytest.fixture
def locked(tmp_path):
    """A seeded SQLite store, then held in an exclusive transaction by another process;
    the tests open it with a lock timeout of 1 s (?lock_timeout=1) to wait for it."""
    path = seeded(tmp_path / "cases.db")
    Cli(path)("lists")  # the views exist and are current...
    Cli(path)("record omarov-aslanbek noted --on 2022-01 --text 'not in the views yet' --source rferl-omarov")
    before = stamp(path)  # ...but for this fact
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({path!r}, isolation_level=None)\n"
        "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(60)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield path, before
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("command", ["record", "import", "lists", "projections catch-up"])  # person add: test_errors
def test_a_store_locked_by_another_process_is_named_with_what_to_do(locked, tmp_path, command):
    path, before = locked
    line = WRITES.get(command, command).format(file=jsonl(tmp_path))

    started = time.monotonic()
    message = Cli(f"{path}?lock_timeout=1").error(line)
    took = time.monotonic() - started

    assert message == f"Error: store {path} is locked by another process; wait for it to finish and try again"
    assert took < 6, f"gave up only after {took:.1f} s with a lock timeout of 1 s"
    assert stamp(path) == before


# -- a read-only file ------------------------------------------------------------------------------
# Root ignores file permissions, so as root the command runs as the unprivileged user
# 'nobody' (setpriv), from a folder that user can reach: pytest's tmp folders are private.

def as_unprivileged() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root, whom file permissions do not stop, and without setpriv to run casetrail "
                    "as another user")
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    probe = subprocess.run([*prefix, sys.executable, "-c", "import casetrail.cli.main"], capture_output=True,
                           cwd="/", timeout=60, check=False)
    if probe.returncode != 0:
        pytest.skip("running as root, whom file permissions do not stop, and the unprivileged user cannot load "
                    f"casetrail from here: {probe.stderr.decode()[-200:]}")
    return prefix


@pytest.fixture
def shared_folder():
    folder = Path(tempfile.mkdtemp(prefix="casetrail-readonly-"))
    folder.chmod(0o777)
    yield folder
    for path in (folder, *folder.iterdir()):
        path.chmod(0o777)
    shutil.rmtree(folder, ignore_errors=True)


def run_as_unprivileged(prefix: list[str], url: str, line: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASETRAIL_")}
    return subprocess.run([*prefix, sys.executable, "-m", "casetrail.cli.main", "--db", url, *shlex.split(line)],
                          capture_output=True, text=True, env=env, timeout=60, cwd="/", check=False)


@pytest.mark.parametrize("command", list(WRITES))
def test_a_read_only_store_file_is_named_with_what_to_do(shared_folder, command):
    prefix = as_unprivileged()
    path = seeded(shared_folder / "cases.db")
    before = stamp(path)
    line = WRITES[command].format(file=jsonl(shared_folder))
    Path(path).chmod(0o444)

    message = one_line_error(run_as_unprivileged(prefix, path, line))

    assert message == (f"Error: store {path} is read-only; check the permissions of the file and of its folder "
                       "(SQLite writes a -wal and a -shm file beside it) or choose another --db")
    Path(path).chmod(0o644)
    assert stamp(path) == before


def test_a_writable_store_in_a_read_only_folder_is_named_with_what_to_do(shared_folder):
    prefix = as_unprivileged()
    path = seeded(shared_folder / "cases.db")
    before = stamp(path)
    assert sorted(p.name for p in shared_folder.iterdir()) == ["cases.db"]  # no -wal or -shm left behind
    Path(path).chmod(0o666)
    shared_folder.chmod(0o555)

    message = one_line_error(run_as_unprivileged(prefix, path, WRITES["record"]))

    assert message.startswith(f"Error: store {path} is read-only; check the permissions of the file and of its "
                              "folder")
    shared_folder.chmod(0o777)
    assert stamp(path) == before


# -- a missing folder ------------------------------------------------------------------------------

@pytest.mark.parametrize("command", list(WRITES))
def test_a_store_in_a_missing_folder_is_not_created(tmp_path, command):
    missing = tmp_path / "no" / "such" / "dir"
    line = WRITES[command].format(file=jsonl(tmp_path))

    message = Cli(str(missing / "cases.db")).error(line)

    assert message == (f"Error: cannot open store {missing}/cases.db: folder {missing} does not exist; create it "
                       "or choose another --db")
    assert not (tmp_path / "no").exists()


def test_a_store_named_in_the_environment_in_a_missing_folder(tmp_path):
    missing = tmp_path / "gone"
    env = {**os.environ, "CASETRAIL_DB": str(missing / "cases.db")}

    result = subprocess.run([sys.executable, "-m", "casetrail.cli.main", "person", "add", "zhubanazarov-ruslanbek",
                             "--name", "Ruslanbek Zhubanazarov"], capture_output=True, text=True, env=env, timeout=60,
                            check=False)

    assert one_line_error(result) == (f"Error: cannot open store {missing}/cases.db: folder {missing} does not "
                                      "exist; create it or choose another --db")
    assert not missing.exists()


# -- PostgreSQL: down, no such database, no such host -----------------------------------------------

@pytest.mark.parametrize("command", list(WRITES))
def test_a_postgresql_server_that_is_down_is_named_within_seconds(tmp_path, command):
    line = WRITES[command].format(file=jsonl(tmp_path))

    started = time.monotonic()
    message = Cli("postgresql://127.0.0.1:1/test").error(line)
    took = time.monotonic() - started

    assert message.startswith("Error: cannot reach PostgreSQL at postgresql://127.0.0.1:1/test: ")
    assert "Connection refused" in message and message.endswith("is the server running?")
    assert took < 6, f"took {took:.1f} s to give up"


@pytest.mark.postgres
def test_a_postgresql_server_without_the_database_says_so(tmp_path):
    url = urlsplit(PG_URL)._replace(path="/casetrail_no_such_db").geturl()  # the test server's user and password

    message = Cli(url).error(WRITES["record"])

    assert message == (f"Error: PostgreSQL at {StoreURL.parse(url).shown} has no database "
                       "'casetrail_no_such_db'; create it (createdb casetrail_no_such_db) or fix the URL")


def test_a_postgresql_host_that_does_not_exist_says_so():
    message = Cli("postgresql://no-such-host.invalid:5432/test").error(WRITES["record"])

    assert message == ("Error: cannot reach PostgreSQL at postgresql://no-such-host.invalid:5432/test: host "
                       "'no-such-host.invalid' not found; check the host name in the URL")
