"""The read models' SQLAlchemy engines on the events' own database: one to read and one to write."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL

from casetrail.store.storage import StoreURL


def engines(store: StoreURL) -> tuple[Engine, Engine]:
    """A reading engine and a writing one. On SQLite the writer begins IMMEDIATE, taking the
    write lock before it reads, so two writers queue instead of failing to upgrade."""
    if store.kind == "postgres":
        env = store.env
        url = URL.create("postgresql+psycopg", username=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"] or None,
                         host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]), database=env["POSTGRES_DBNAME"])
        schema = env.get("POSTGRES_SCHEMA") or "public"
        # The views are read from memory, not disk: priced as such (random_page_cost 1.1, the
        # server's default is 4), PostgreSQL reads the covering (V, K) indexes instead of
        # scanning whole tables (docs/BENCHMARKS.md).
        options = f'-c search_path="{schema}" -c random_page_cost=1.1'
        engine = create_engine(url, connect_args={"connect_timeout": 5, "options": options}, pool_pre_ping=False)
        return engine, engine
    path = store.env["SQLITE_DBNAME"]
    timeout = float(store.env.get("SQLITE_LOCK_TIMEOUT", "30"))
    return _sqlite_engine(path, timeout, "BEGIN"), _sqlite_engine(path, timeout, "BEGIN IMMEDIATE", _WRITER_PRAGMAS)


# The views' writer on SQLite. The views can always be made again from the events, and a
# batch's rows and its tracking position commit together, so it need not wait for the disk
# on every commit (synchronous NORMAL, in WAL mode: a power cut may lose the last batches,
# which the next catch-up applies again; a crashed process loses nothing). A bigger page
# cache and fewer, larger checkpoints suit its large batches of index updates.
_WRITER_PRAGMAS = ("PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -65536", "PRAGMA wal_autocheckpoint = 10000")


def _sqlite_engine(path: str, timeout: float, begin: str, pragmas: tuple[str, ...] = ()) -> Engine:
    engine = create_engine(URL.create("sqlite", database=path), connect_args={"timeout": timeout})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy say when transactions begin (pysqlite would not begin one for DDL).
        dbapi_connection.isolation_level = None
        for pragma in pragmas:
            dbapi_connection.execute(pragma)

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine

