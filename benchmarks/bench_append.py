"""Append throughput: casetrail's application layer beside two baselines.

Appends N people x 8 events (registration + 7 facts) and prints events/s for:

  raw sqlite3 executemany   the same number of rows, shaped like eventsourcing's
                            ``stored_events`` (originator_id, originator_version,
                            topic, state blob of a similar JSON size), one
                            transaction per person, and once more in one
                            transaction for all (the storage limit).
  raw eventsourcing         a plain ``eventsourcing.application.Application`` with
                            a plain ``Aggregate`` subclass triggering 8 dataclass
                            events; ``app.save`` once per person.  THE BASELINE.
  casetrail add_person      per person one ``add_person(..., facts=[7 facts])``: the
                            registration and its facts checked by one fold and
                            written in one save, as the baseline does.  THE TARGET.
  casetrail record_many     per person ``add_person`` (one save) and one
                            ``record_many`` of 7 facts (one load, one save), citing
                            a source registered once up front: 2 saves per person.
  casetrail record          per person ``add_person`` and 7 ``record`` calls: one
                            load and one save per event.

Every figure is the median of --runs runs, each into a fresh store (a new temp
file, or a freshly re-created PostgreSQL schema). Only the append loop is timed:
opening the store, creating tables and registering the source are not.

Run:
  /tmp/venv/bin/python benchmarks/bench_append.py                    # SQLite
  /tmp/venv/bin/python benchmarks/bench_append.py --people 500 --runs 5
  /tmp/venv/bin/python benchmarks/bench_append.py \
      --db 'postgresql://127.0.0.1:5432/test?schema=bench_append'   # PostgreSQL
  /tmp/venv/bin/python benchmarks/bench_append.py --profile          # + cProfile

With --db postgresql://..., the schema named in the URL (default bench_append)
is dropped and re-created before every measurement and dropped at the end: do
not point it at a schema holding anything you want to keep.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit
from uuid import UUID, uuid4

import orjson
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from casetrail.store.application import Casetrail
from casetrail.store.storage import StoreURL

EVENTS_PER_PERSON = 8  # registration + 7 facts


Timing = tuple[float, float]  # (wall seconds, CPU seconds)


def clock() -> Timing:
    return time.perf_counter(), time.process_time()


def since(started: Timing) -> Timing:
    """(wall seconds, CPU seconds of this process) since ``started``.

    The wall time is the figure; the CPU time separates our Python work from
    waiting on the disk (fsync at each commit) or on the PostgreSQL server,
    which on a shared machine is the noisy part."""
    wall, cpu = clock()
    return wall - started[0], cpu - started[1]
SOURCE_KEY = "rferl-january-events"
SOURCE_URL = "https://www.rferl.org/a/kazakhstan-january-events-detentions/31650123.html"


# -- realistic input, built before any timer starts ---------------------------------------------

NAMES = ["Aslanbek Omarov", "Dinara Seitkali", "Yerlan Kuanyshev", "Madina Abenova", "Nurlan Zhaksybekov",
         "Aigerim Tulegenova", "Bauyrzhan Sarsenov", "Gulnara Iskakova", "Timur Dzhumabaev", "Saule Mukanova"]
CITIES = ["Almaty", "Taldykorgan", "Shymkent", "Taraz", "Kyzylorda", "Aktobe", "Zhanaozen", "Uralsk"]


@dataclass(frozen=True)
class Case:
    key: str
    name: str
    aliases: list[str]
    born: int
    place: str
    facts: list[tuple[str, dict[str, Any]]]  # (type name, fields) as casetrail's record takes them


def make_cases(people: int) -> list[Case]:
    cases = []
    for i in range(people):
        city = CITIES[i % len(CITIES)]
        d0 = date(2022, 1, 5) + timedelta(days=i % 9)
        day = lambda n: (d0 + timedelta(days=n)).isoformat()  # noqa: E731
        src = SOURCE_KEY
        facts = [
            ("detained", dict(on=day(0), source=src, place=city, by="police",
                              facility=f"SIZO-1 {city}", note="detained at home after the protests")),
            ("charged", dict(on=day(3), source=src, charge="participation in mass riots",
                             article="Criminal Code art. 272(2)")),
            ("placed_under_house_arrest", dict(on=day(40)[:7] + "~", source=src, by=f"{city} district court")),
            ("released", dict(on=day(95), source=src, grounds="measure of restraint lifted")),
            ("sentenced", dict(on=day(250), source=src, court=f"{city} specialised inter-district criminal court",
                               kind="restricted_freedom", term_months=36 + i % 24, charges=["mass riots"])),
            ("appealed", dict(on=day(265), source=src, court=f"{city} regional court", by="defence")),
            ("compensated", dict(on=day(500), source=src, amount=str(1_500_000 + 1000 * (i % 500)),
                                 currency="KZT", claimed="10000000", payer="Ministry of Finance",
                                 recipient="person")),
        ]
        name = NAMES[i % len(NAMES)]
        cases.append(Case(f"person-{i:05d}", f"{name} {i}", [name.split()[0][0] + ". " + name.split()[1]],
                          1960 + i % 45, city, facts))
    return cases


# -- baseline 1: raw eventsourcing ---------------------------------------------------------------

class CaseAggregate(Aggregate):
    """A plain eventsourcing aggregate: the @event decorator makes frozen dataclass events."""

    @event("Registered")
    def __init__(self, key: str, name: str, aliases: list[str], born: int | None, place: str | None) -> None:
        self.key = key
        self.name = name
        self.history: list[str] = []

    @event("Detained")
    def detained(self, id: UUID, on: str, source: str, place: str, by: str, facility: str, note: str) -> None:
        self.history.append("detained")

    @event("Charged")
    def charged(self, id: UUID, on: str, source: str, charge: str, article: str) -> None:
        self.history.append("charged")

    @event("PlacedUnderHouseArrest")
    def placed_under_house_arrest(self, id: UUID, on: str, source: str, by: str) -> None:
        self.history.append("placed_under_house_arrest")

    @event("Released")
    def released(self, id: UUID, on: str, source: str, grounds: str) -> None:
        self.history.append("released")

    @event("Sentenced")
    def sentenced(self, id: UUID, on: str, source: str, court: str, kind: str, term_months: int,
                  charges: list[str]) -> None:
        self.history.append("sentenced")

    @event("Appealed")
    def appealed(self, id: UUID, on: str, source: str, court: str, by: str) -> None:
        self.history.append("appealed")

    @event("Compensated")
    def compensated(self, id: UUID, on: str, source: str, amount: Decimal, currency: str, claimed: Decimal,
                    payer: str, recipient: str) -> None:
        self.history.append("compensated")


class RawBench(Application):
    name = "rawbench"


def run_raw_eventsourcing(env: dict[str, str], cases: list[Case]) -> Timing:
    app = RawBench(env=env)
    try:
        started = clock()
        for c in cases:
            agg = CaseAggregate(c.key, c.name, c.aliases, c.born, c.place)
            for type_name, fields in c.facts:
                f = dict(fields)
                if type_name == "compensated":
                    f["amount"], f["claimed"] = Decimal(f["amount"]), Decimal(f["claimed"])
                getattr(agg, type_name)(id=uuid4(), **f)
            app.save(agg)
        return since(started)
    finally:
        app.close()


# -- baseline 2: raw sqlite3 / psycopg executemany -----------------------------------------------

def make_rows(cases: list[Case]) -> list[list[tuple[str, int, str, bytes]]]:
    """Per person, 8 rows as eventsourcing stores them: hex id, version, topic, JSON state."""
    out = []
    stamp = "2026-01-01T12:00:00.000000+00:00"
    for c in cases:
        oid = uuid4().hex
        rows = [(oid, 1, "benchmarks.bench_append:Registered",
                 orjson.dumps({"timestamp": stamp, "originator_topic": "benchmarks.bench_append:Case",
                               "key": c.key, "name": c.name, "aliases": c.aliases, "born": c.born,
                               "place": c.place, "note": None}))]
        for version, (type_name, fields) in enumerate(c.facts, start=2):
            state = {"timestamp": stamp, "id": str(uuid4()), "note": None, "group": None, **fields}
            rows.append((oid, version, f"benchmarks.bench_append:{type_name}", orjson.dumps(state)))
        out.append(rows)
    return out


SQLITE_DDL = ("CREATE TABLE IF NOT EXISTS stored_events (originator_id TEXT, originator_version INTEGER, "
              "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))")
SQLITE_INSERT = "INSERT INTO stored_events VALUES (?, ?, ?, ?)"


def run_raw_sqlite(path: str, rows: list[list[tuple]], all_at_once: bool) -> Timing:
    # As eventsourcing.sqlite opens it: autocommit mode, WAL, explicit BEGIN per transaction.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(SQLITE_DDL)
        started = clock()
        if all_at_once:
            conn.execute("BEGIN")
            conn.executemany(SQLITE_INSERT, [r for person in rows for r in person])
            conn.execute("COMMIT")
        else:
            for person in rows:
                conn.execute("BEGIN")
                conn.executemany(SQLITE_INSERT, person)
                conn.execute("COMMIT")
        return since(started)
    finally:
        conn.close()


def run_raw_psycopg(store: StoreURL, rows: list[list[tuple]], all_at_once: bool) -> Timing:
    import psycopg
    from psycopg import sql

    schema = store.env["POSTGRES_SCHEMA"]
    with psycopg.connect(**store.connect_kwargs()) as conn:
        table = sql.Identifier(schema, "raw_events")
        conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (originator_id uuid NOT NULL, "
                             "originator_version bigint NOT NULL, topic text, state bytea, "
                             "notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
                             ).format(table))
        conn.commit()
        insert = sql.SQL("INSERT INTO {} (originator_id, originator_version, topic, state) "
                         "VALUES (%s, %s, %s, %s)").format(table)
        started = clock()
        with conn.cursor() as cur:
            if all_at_once:
                cur.executemany(insert, [r for person in rows for r in person])
                conn.commit()
            else:
                for person in rows:
                    cur.executemany(insert, person)
                    conn.commit()
        return since(started)


# -- casetrail -----------------------------------------------------------------------------------

def open_casetrail(url: str) -> Casetrail:
    app = Casetrail(url, recorded_by="benchmark")
    app.add_source(SOURCE_KEY, url=SOURCE_URL)  # once, up front, not timed
    return app


def run_casetrail(url: str, cases: list[Case], append: Callable[[Casetrail, Case], Any]) -> Timing:
    """Time ``append`` over every case on a fresh store (the source registered before the clock starts)."""
    app = open_casetrail(url)
    try:
        started = clock()
        for c in cases:
            append(app, c)
        return since(started)
    finally:
        app.close()


def one_save(app: Casetrail, c: Case) -> None:
    app.add_person(c.key, c.name, aliases=c.aliases, born=c.born, place=c.place, facts=c.facts)


def two_saves(app: Casetrail, c: Case) -> None:
    app.add_person(c.key, c.name, aliases=c.aliases, born=c.born, place=c.place)
    app.record_many(c.key, c.facts)


def save_per_fact(app: Casetrail, c: Case) -> None:
    app.add_person(c.key, c.name, aliases=c.aliases, born=c.born, place=c.place)
    for type_name, fields in c.facts:
        app.record(c.key, type_name, **fields)


# -- stores: fresh per measurement ---------------------------------------------------------------

class SQLiteStores:
    kind = "SQLite"

    def __init__(self) -> None:
        self.root = tempfile.mkdtemp(prefix="bench_append_")
        self.n = 0

    def fresh_path(self) -> str:
        self.n += 1
        return os.path.join(self.root, f"run{self.n}.db")

    def es_env(self) -> dict[str, str]:
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": self.fresh_path(),
                "SQLITE_LOCK_TIMEOUT": "30"}

    def casetrail_url(self) -> str:
        return self.fresh_path()

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class PostgresStores:
    kind = "PostgreSQL"

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        if "schema" not in query:
            query["schema"] = ["bench_append"]
        if query["schema"][0] in ("public", "pg_catalog", "information_schema"):
            sys.exit(f"refusing to drop schema {query['schema'][0]}: give ?schema=bench_something")
        self.url = urlunsplit(parts._replace(query=urlencode({k: v[0] for k, v in query.items()})))
        self.store = StoreURL.parse(self.url)
        self.schema = self.store.env["POSTGRES_SCHEMA"]

    def _sql(self, statement: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(**self.store.connect_kwargs(), autocommit=True) as conn:
            conn.execute(sql.SQL(statement).format(sql.Identifier(self.schema)))

    def reset(self) -> None:
        self._sql("DROP SCHEMA IF EXISTS {} CASCADE")
        self._sql("CREATE SCHEMA {}")

    def es_env(self) -> dict[str, str]:
        self.reset()
        e = self.store.env
        return {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": e["POSTGRES_DBNAME"],
                "POSTGRES_HOST": e["POSTGRES_HOST"], "POSTGRES_PORT": e["POSTGRES_PORT"],
                "POSTGRES_USER": e["POSTGRES_USER"], "POSTGRES_PASSWORD": e["POSTGRES_PASSWORD"],
                "POSTGRES_SCHEMA": self.schema}

    def casetrail_url(self) -> str:
        self.reset()
        return self.url

    def close(self) -> None:
        self._sql("DROP SCHEMA IF EXISTS {} CASCADE")


# -- the run -------------------------------------------------------------------------------------

@dataclass
class Row:
    store: str
    saves: str
    run: Callable[[], Timing]
    times: list[Timing]


def machine() -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        pass
    from importlib.metadata import version
    return (f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} | {cpu} | nproc {os.cpu_count()} | "
            f"Python {platform.python_version()} | eventsourcing {version('eventsourcing')} | "
            f"pydantic {version('pydantic')} | SQLite {sqlite3.sqlite_version} | psycopg {psycopg_impl()}")


def psycopg_impl() -> str:
    try:
        import psycopg
        return f"{psycopg.__version__} ({psycopg.pq.__impl__} libpq {psycopg.pq.version()})"
    except ImportError:
        return "not installed"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=2000, help="people to append (8 events each), default 2000")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is shown (default 3)")
    parser.add_argument("--db", default=None,
                        help="postgresql://host:5432/db?schema=bench_x to measure on PostgreSQL (default: SQLite)")
    parser.add_argument("--profile", action="store_true",
                        help="after the table, profile one casetrail record_many run with cProfile")
    args = parser.parse_args(argv)
    args.pg = bool(args.db) and args.db.lower().startswith("postgres")
    if args.db and not args.pg:
        sys.exit("--db takes a postgresql:// URL; SQLite runs always use fresh temp files")
    return args


def raw_runs(stores: SQLiteStores | PostgresStores, rows: list[list[tuple]]) -> tuple[str, Callable, Callable]:
    """The bare driver's name, and its runs with a commit per person and with one for all."""
    if isinstance(stores, PostgresStores):
        def fresh(all_at_once: bool) -> Callable[[], Timing]:
            return lambda: (stores.reset(), run_raw_psycopg(stores.store, rows, all_at_once))[1]
        return "raw psycopg executemany", fresh(False), fresh(True)
    return ("raw sqlite3 executemany", lambda: run_raw_sqlite(stores.fresh_path(), rows, False),
            lambda: run_raw_sqlite(stores.fresh_path(), rows, True))


def make_table(stores: SQLiteStores | PostgresStores, cases: list[Case], rows: list[list[tuple]],
               es_name: str) -> list[Row]:
    raw_name, raw_one, raw_all = raw_runs(stores, rows)
    return [
        Row(f"{raw_name}", "1 per person", raw_one, []),
        Row(f"{raw_name}", "1 for all", raw_all, []),
        Row(f"raw {es_name} app.save", "1 per person", lambda: run_raw_eventsourcing(stores.es_env(), cases), []),
        Row("casetrail add_person(facts=7)", "1 per person",
            lambda: run_casetrail(stores.casetrail_url(), cases, one_save), []),
        Row("casetrail add_person + record_many", "2 per person",
            lambda: run_casetrail(stores.casetrail_url(), cases, two_saves), []),
        Row("casetrail add_person + record x7", "8 per person",
            lambda: run_casetrail(stores.casetrail_url(), cases, save_per_fact), []),
    ]


def median_wall(row: Row) -> float:
    return statistics.median(t[0] for t in row.times)


def print_table(table: list[Row], events: int, base: float) -> None:
    cols = [("store", 40, "<"), ("saves", 12, "<"), ("events", 6, ">"), ("seconds", 7, ">"),
            ("events/s", 8, ">"), ("% of raw ES", 11, ">"), ("CPU s", 6, ">"), ("runs min-max s", 14, ">")]
    print()
    print("| " + " | ".join(f"{name:{align}{width}}" for name, width, align in cols) + " |")
    print("|" + "|".join("-" * (width + 2) for _, width, _ in cols) + "|")
    for row in table:
        seconds = median_wall(row)
        rate = events / seconds
        walls = [t[0] for t in row.times]
        cells = [row.store, row.saves, str(events), f"{seconds:.3f}", f"{rate:,.0f}", f"{100 * rate / base:.0f}%",
                 f"{statistics.median(t[1] for t in row.times):.3f}", f"{min(walls):.2f}-{max(walls):.2f}"]
        print("| " + " | ".join(f"{c:{align}{width}}" for c, (_, width, align) in zip(cells, cols)) + " |")


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    cases = make_cases(args.people)
    events = args.people * EVENTS_PER_PERSON
    stores: SQLiteStores | PostgresStores = PostgresStores(args.db) if args.pg else SQLiteStores()
    es_name = "eventsourcing.postgres" if args.pg else "eventsourcing.sqlite"
    table = make_table(stores, cases, make_rows(cases), es_name)
    print(f"bench_append: {args.people} people x {EVENTS_PER_PERSON} events = {events} events on {stores.kind}, "
          f"median of {args.runs} runs, fresh store each run")
    print(machine())
    if args.pg:
        print(f"store: {stores.store.shown} schema {stores.schema}")
    try:
        for run in range(args.runs):  # interleaved, so drift hits every row alike
            for row in table:
                row.times.append(row.run())
                wall, cpu = row.times[-1]
                print(f"  run {run + 1}: {row.store} [{row.saves}] {wall:.3f}s wall, {cpu:.3f}s CPU",
                      file=sys.stderr)
        base = events / median_wall(table[2])  # the baseline: raw eventsourcing
        print_table(table, events, base)
        many = events / median_wall(table[3])  # one save per person, as the baseline
        verdict = "meets" if many >= 0.5 * base else "MISSES"
        print(f"\nseconds: median wall time of the append loop; CPU s: median CPU time of this process "
              f"(the rest is waiting on {'the server and its fsync' if args.pg else 'fsync at each commit'})")
        print(f"target: casetrail add_person(facts=7) >= 50% of raw {es_name} (both one save per person): "
              f"{100 * many / base:.0f}% -> {verdict}")
        if args.profile:
            profile_casetrail(stores, cases)
    finally:
        stores.close()
    return 0


def profile_casetrail(stores: SQLiteStores | PostgresStores, cases: list[Case]) -> None:
    url = stores.casetrail_url()
    app = open_casetrail(url)
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        for c in cases:
            app.add_person(c.key, c.name, aliases=c.aliases, born=c.born, place=c.place)
            app.record_many(c.key, c.facts)
        profiler.disable()
    finally:
        app.close()
    print_profile(profiler, f"casetrail add_person + record_many, {len(cases)} people")


def print_profile(profiler: cProfile.Profile, title: str) -> None:
    """The 30 costliest functions, by own time and by cumulative time."""
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(30)
        print(f"\n--- cProfile: {title}, by {order} ---")
        print(out.getvalue())


if __name__ == "__main__":
    raise SystemExit(main())
