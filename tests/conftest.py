"""Shared fixtures: a fresh store on each real database.

``store_url`` runs a test twice: once on a new SQLite file, once on a new
schema of the PostgreSQL server at 127.0.0.1:5432 (CASETRAIL_TEST_PG to point
elsewhere). PostgreSQL being down is a failure, not a skip: CI must prove both.
"""

from __future__ import annotations

import os
import uuid

import pytest

PG_URL = os.environ.get("CASETRAIL_TEST_PG", "postgresql://127.0.0.1:5432/test")


def _pg_connect():
    import psycopg

    from casetrail.store.storage import StoreURL

    return psycopg.connect(**StoreURL.parse(PG_URL).connect_kwargs(), autocommit=True)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return str(tmp_path / "cases.db")


@pytest.fixture
def postgres_url():
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        conn = _pg_connect()
    except Exception as error:  # pragma: no cover - environment problem, reported loudly
        pytest.fail(f"PostgreSQL at {PG_URL} is not reachable ({error}); start it with "
                    "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")
    with conn:
        yield f"{PG_URL}?schema={schema}"
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def app(store_url):
    from casetrail.store.application import Casetrail

    application = Casetrail(store_url, recorded_by="tests")
    yield application
    application.close()


@pytest.fixture
def second_url(store_url, tmp_path):
    """A second, empty store of the same kind as the test's own (an export's destination)."""
    if not store_url.startswith("postgresql"):
        yield str(tmp_path / "second.db")
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield f"{PG_URL}?schema={schema}"
    with _pg_connect() as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
