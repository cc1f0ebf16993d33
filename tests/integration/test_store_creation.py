"""Several processes making the same new store at once: each waits for the others, none fails.

Creating an SQLite file (switching it to WAL, its tables, its triggers) used to fail at once
with 'locked' for about one process in six; any other write waits for the lock.
"""

from __future__ import annotations

import time

import pytest

from tests.cli.conftest import Cli
from tests.integration.views_support import start_gated

WRITERS = 6


def first_writes_at_once(url: str, gate) -> list[tuple[int, str]]:
    """WRITERS processes, loaded and held, then let go together to add a person each to ``url``."""
    started = [start_gated(gate, url, "person", "add", f"person-{i}", "--name", f"Person {i}") for i in range(WRITERS)]
    deadline = time.monotonic() + 60
    while not all(ready.exists() for _, ready in started) and time.monotonic() < deadline:
        time.sleep(0.01)
    gate.touch()
    results = []
    for process, _ in started:
        _, err = process.communicate(timeout=60)
        results.append((process.returncode, err))
    return results


def test_processes_creating_the_same_new_sqlite_file_at_once_all_succeed(tmp_path):
    for round_ in range(4):  # about one in six failed: 24 first writes all but surely caught one
        url = str(tmp_path / f"new-{round_}.db")

        results = first_writes_at_once(url, tmp_path / f"gate-{round_}")

        assert [code for code, _ in results] == [0] * WRITERS, [err for code, err in results if code]
        assert len(Cli(url).json("person list")) == WRITERS


@pytest.mark.postgres
def test_processes_creating_the_same_new_postgresql_schema_at_once_all_succeed(postgres_url, tmp_path):
    results = first_writes_at_once(postgres_url, tmp_path / "gate")

    assert [code for code, _ in results] == [0] * WRITERS, [err for code, err in results if code]
    assert len(Cli(postgres_url).json("person list")) == WRITERS
