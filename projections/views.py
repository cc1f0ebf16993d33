"""Keeping the read models up to date: catch up, rebuild, follow, status.

Exactly once: a batch of notifications becomes rows, and those rows are written
in one transaction with the tracking position moved from where the batch began
to where it ended. The move is conditional (``WHERE position = start``): if
another process applied the batch first, ours changes nothing and is rolled
back, so a batch is never applied twice. A process killed at any point leaves
either the whole batch or none of it.
"""

from __future__ import annotations

import gc
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from operator import itemgetter
from typing import Any, Callable, Iterator

from sqlalchemy import Connection, Engine, Table, bindparam, func, inspect, select, text, update

from casetrail.store.application import Casetrail
from casetrail.domain.errors import StoreError
from casetrail.store.storage import store_errors
from casetrail.projections.engines import engines
from casetrail.domain.rules import Rules
from casetrail.projections.sealing import Sealer, fingerprint
from casetrail.projections import queries
from casetrail.projections.tables import (
    ROW_TABLES, SCHEMA_VERSION, VIEW_TABLES, metadata, people, sources, tracking,
)
from casetrail.domain.dates import time_text
from casetrail.projections.times import RECORD_OPEN, At
from casetrail.projections.tuning import BATCH, HELP_FROM, MOST_HELPERS, REMEMBERED
from casetrail.projections.working import Helpers, Task, Worked, Worker

NAME = "views"
ANALYZE_FROM = 20_000  # events applied by one catch-up, above which PostgreSQL's views are vacuumed and analysed
_VIEWS_LOCK = 0x76696577  # advisory lock id for creating the view tables on PostgreSQL: "view"
Progress = Callable[[int, int], None]  # (position, head)


@dataclass(frozen=True)
class ViewStatus:
    position: int
    head: int
    processed: int
    rules: str
    updated_at: str | None
    rows: dict[str, int]

    @property
    def lag(self) -> int:
        return self.head - self.position


class _Stopped(Exception):
    """Raised by ``Stop.check`` between two batches of a catch-up; ``follow`` returns on it."""


class _Lost(Exception):
    """Another process applied this batch first."""



class Stop:
    """Asks ``Views.follow`` to end, from another thread: it wakes the loop wherever it waits (a
    pause, the subscription) and a catch-up ends after the batch it is writing. Nothing is raised
    at an arbitrary point, so the subscription's threads always end and the process can exit
    (an interrupt raised while the subscription was starting left them running for ever).

    ``set`` takes locks, so a signal handler must not call it directly (it could interrupt the
    main thread holding the same lock): it starts a thread to call it (cli/projections.py)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._subscription: Any = None

    def set(self) -> None:
        self._event.set()
        subscription = self._subscription
        if subscription is not None:
            subscription.stop()

    def is_set(self) -> bool:
        return self._event.is_set()

    def sleep(self, seconds: float) -> None:
        self._event.wait(seconds)

    def check(self, *_: object) -> None:
        """A catch-up's progress callback: after each batch written, end it if asked to."""
        if self.is_set():
            raise _Stopped

    @contextmanager
    def wakes(self, subscription: Any) -> Iterator[None]:
        self._subscription = subscription
        if self.is_set():  # asked before the subscription existed
            subscription.stop()
        try:
            yield
        finally:
            self._subscription = None


class Views:
    """The read models of one store, for one set of list rules."""

    def __init__(self, app: Casetrail, rules: Rules, on: tuple[Engine, Engine] | None = None) -> None:
        """``on``: the reading and writing engines of another database to keep them in (a scratch
        one, to check the store's own against); by default the events' own database."""
        self.app = app
        self.rules = rules
        self.store = app.store
        self.kind = "sqlite" if on else app.store.kind  # of the database the views are in
        # On an encrypted store, the rows' names, places, notes and sources are sealed with its cipher.
        self.sealer = Sealer(app.mapper.cipher, app.store.shown)
        self.fingerprint = self.sealer.fingerprint(rules.fingerprint)  # what the rows follow
        self.engine, self.writer = on or engines(app.store)
        self.notice: str | None = None  # why the views were rebuilt on opening, if they were
        self.lost_races = 0  # batches this process worked out but another process applied first
        self.worker = Worker(app, rules, self.sealer, reader=self.engine)
        with self._guard():
            self._prepare()

    def close(self) -> None:
        self.engine.dispose()
        if self.writer is not self.engine:
            self.writer.dispose()

    # -- reading the state of the views ---------------------------------------------------------

    def status(self) -> ViewStatus:
        with self._guard(), self.engine.connect() as conn:
            row = conn.execute(select(tracking).where(tracking.c.name == NAME)).one()
            rows = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in VIEW_TABLES}
        return ViewStatus(row.position, self.head(), row.processed, row.rules, row.updated_at, rows)

    def head(self) -> int:
        with self._guard():
            return self.app.recorder.max_notification_id() or 0

    def position(self) -> int:
        with self._guard(), self.engine.connect() as conn:
            return conn.execute(select(tracking.c.position).where(tracking.c.name == NAME)).scalar_one()

    # -- questions (see queries.py) -------------------------------------------------------------

    def _read(self, query: Callable[..., Any], *args: Any) -> Any:
        with self._guard(), self.engine.connect() as conn:
            self._refuse_if_ahead(conn)
            return query(conn, *args)

    def _refuse_if_ahead(self, conn: Connection) -> None:
        """Never answer from views that have seen events the log no longer holds (deleted, truncated,
        or a store put back from an older copy): what they say may be what was removed."""
        position = conn.execute(select(tracking.c.position).where(tracking.c.name == NAME)).scalar_one()
        head = self.app.recorder.max_notification_id() or 0
        if position > head:
            raise StoreError(f"the read models were made from {position} events but the log now ends at {head}: "
                             "events were removed or the store was rolled back; run 'casetrail verify', then "
                             "'casetrail projections rebuild'")

    def counts(self, at: At) -> dict[str, int]:
        return self._read(queries.list_counts, self.rules, at)

    def counts_on(self, days: list[date], known_at: datetime | None = None) -> list[dict[str, int]]:
        """``counts`` on each of ``days`` (in order) at record time K: a chart's."""
        return self._read(queries.counts_on_days, self.rules, days, known_at)

    def possible(self, at: At) -> dict[str, int]:
        """How many may still be on each list (after an exit that may not have happened yet)."""
        return self._read(queries.possible_counts, self.rules, at)

    def first_list_day(self, known_at: datetime | None = None) -> date | None:
        return self._read(queries.first_list_day, self.rules, known_at)

    def members(self, name: str, at: At, limit: int | None = None, offset: int = 0,
                size: int | None = None) -> list[dict[str, Any]]:
        """The list's members at (V, K): ``queries.list_members``."""
        self.rules.get(name)  # an unknown list is an error, not an empty answer
        return self._read(queries.list_members, name, at, self.sealer, limit, offset, size)

    def size(self, name: str, at: At) -> int:
        """How many ``members`` gives (possible members included)."""
        self.rules.get(name)
        return self._read(queries.list_size, name, at)

    def people(self, at: At, wanted: dict[str, str], name: str | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
        return self._read(queries.search_people, at, wanted, name, limit, self.sealer)

    def person_changes(self, person_id: str, known_at: datetime | None = None) -> list[dict[str, Any]]:
        return self._read(queries.person_changes, person_id, known_at, self.sealer)

    def list_changes(self, name: str | None, since: datetime | None = None,
                     until: datetime | None = None) -> list[dict[str, Any]]:
        """One list's entries and exits (``name``; None: every list's), as ``queries.list_changes``."""
        if name is not None:
            self.rules.get(name)
        return self._read(queries.list_changes, name, since, self.sealer, until)

    def registered_people(self) -> list[dict[str, Any]]:
        return self._read(queries.all_people, self.sealer)

    def registered_sources(self) -> list[dict[str, Any]]:
        return self._read(queries.all_sources, self.sealer)

    # -- keeping them current -------------------------------------------------------------------

    def catch_up(self, batch: int = BATCH, progress: Progress | None = None, helpers: int | None = None,
                 memory: int = REMEMBERED) -> int:
        """Apply every notification not yet applied, ``batch`` at a time; returns how many this
        process applied.

        ``helpers`` processes work out the next batches while this one writes (see working.py):
        by default (None), one per core, at most MOST_HELPERS, when more than HELP_FROM
        notifications are waiting and there is a second core; 0 for none. Each process keeps
        up to ``memory`` events of the streams it applied lately."""
        self.worker.memory.limit_to(memory)
        applied = 0
        with self._guard(), _young_objects_only():
            parts = self._helpers_worth_starting() if helpers is None else helpers
            position = self.position()
            if parts > 0 and self.head() > position:  # else they would start only to find nothing
                task = Task(self.app.url, self.rules, position, batch, part=0, parts=parts, memory=memory)
                applied += self._catch_up_helped(task, progress)
            applied += self._catch_up_alone(batch, progress)
            if applied >= ANALYZE_FROM and self.kind == "postgres":
                self._vacuum_analyze()
        return applied

    def _catch_up_alone(self, batch: int, progress: Progress | None) -> int:
        applied = 0
        while True:  # what is left: all of it, or what came in or was raced since
            start = self.position()
            notifications = self.worker.read(start, batch)
            if not notifications:
                return applied
            worked = Worked(start, notifications[-1].id, len(notifications), self.worker.work(notifications))
            if self._commit(worked, progress):
                applied += worked.count
            # else someone else applied it: carry on from where they left off

    def _vacuum_analyze(self) -> None:
        """Bring PostgreSQL's picture of the views up to date after a long catch-up: statistics
        (they still described the empty tables, so `lists` sorted its rows on disk for a plan
        made for a few) and the visibility map, so the covering (V, K) indexes are read
        without visiting the table. Autovacuum would get there, later (docs/BENCHMARKS.md).
        VACUUM runs outside any transaction."""
        with self.writer.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in VIEW_TABLES:
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {conn.dialect.identifier_preparer.format_table(table)}")

    def _helpers_worth_starting(self) -> int:
        """The helpers a catch-up starts by default: one per core when there are two cores and
        enough waits that working out and writing at once pays for starting them; else none."""
        if _cores(2) > 1 and self.head() - self.position() > HELP_FROM:
            return _cores(MOST_HELPERS)
        return 0

    def _catch_up_helped(self, task: Task, progress: Progress | None) -> int:
        """Write the batches the helpers work out, as long as each starts where the views stand."""
        applied = 0
        position = task.start
        with Helpers.start(task) as helpers:
            for worked in helpers.batches():
                if worked.start != position or not self._commit(worked, progress):
                    return applied  # the batches after it start from the wrong place: go on alone
                applied += worked.count
                position = worked.end
        return applied

    def _commit(self, worked: Worked, progress: Progress | None) -> bool:
        """Write one worked-out batch; False when another process applied it first."""
        try:
            self._write(worked)
        except _Lost:
            self.lost_races += 1
            return False
        if progress:
            progress(worked.end, self.app.recorder.max_notification_id() or 0)
        return True

    def rebuild(self, batch: int = BATCH, progress: Progress | None = None, helpers: int | None = None,
                memory: int = REMEMBERED) -> int:
        """Drop the views and apply the whole log again (as ``catch_up`` does)."""
        with self._guard():
            self._reset()
        return self.catch_up(batch, progress, helpers, memory)

    def follow(self, on_batch: Callable[[int], None] | None = None, stop: Stop | None = None) -> None:
        """Keep the views current until ``stop`` is set: on PostgreSQL woken by LISTEN/NOTIFY
        (the library's subscription), elsewhere by polling once a second. Returns when stopped,
        or when the subscription ends without being stopped (the server went away)."""
        stop = stop or Stop()
        try:
            self._follow(on_batch, stop)
        except _Stopped:
            return

    def _follow(self, on_batch: Callable[[int], None] | None, stop: Stop) -> None:
        self.catch_up(progress=stop.check)
        if self.store.kind != "postgres":
            while not stop.is_set():
                if self.catch_up(progress=stop.check) and on_batch:
                    on_batch(self.position())
                stop.sleep(1.0)
            return
        done = self.position()
        with self._guard(), self.app.recorder.subscribe(gt=done) as subscription, stop.wakes(subscription):
            for notification in subscription:
                # The subscription only wakes us: catch_up reads in batches, with tracking,
                # so the notifications it has already applied are passed over here.
                if notification.id > done:
                    applied = self.catch_up(progress=stop.check)
                    done = self.position()
                    if applied and on_batch:
                        on_batch(done)
                if stop.is_set():
                    return

    # -- internals ------------------------------------------------------------------------------

    def _write(self, worked: Worked) -> None:
        rows = worked.batch
        with self.writer.begin() as conn:
            moved = conn.execute(
                update(tracking).where(tracking.c.name == NAME, tracking.c.position == worked.start)
                .values(position=worked.end, processed=tracking.c.processed + worked.count,
                        updated_at=time_text(datetime.now(timezone.utc)))
            ).rowcount
            if moved != 1:
                raise _Lost()
            if rows.people:  # first: a batch's rows may name the people it registers
                _many(conn, people.insert(), rows.people)
            # Closes first: a row closed and opened again in one batch must not be closed twice.
            for key, (table, columns) in ROW_TABLES.items():
                if rows.closes[key]:
                    conn.exec_driver_sql(_close_sql(conn, table), rows.closes[key])
                if rows.inserts[key]:
                    _insert(conn, table, columns, rows.inserts[key])
            if rows.updates:
                _many(conn, people.update().where(people.c.person == bindparam("p_person")),
                      list(rows.updates.values()))
            if rows.sources:
                _many(conn, sources.insert(), rows.sources)

    def _prepare(self) -> None:
        """Create the tables on first use; rebuild them if they follow other rules or an older layout."""
        row = self._tracking_row()  # usually there: then no write lock is taken just to read
        if row is None:
            with self.writer.begin() as conn:
                if self.kind == "postgres":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _VIEWS_LOCK})
                metadata.create_all(conn, checkfirst=True)
                row = conn.execute(select(tracking).where(tracking.c.name == NAME)).one_or_none()
                if row is None:
                    conn.execute(tracking.insert().values(name=NAME, position=0, processed=0,
                                                          rules=self.fingerprint, schema_version=SCHEMA_VERSION))
                    return
        if row.schema_version != SCHEMA_VERSION:
            self.notice = "the views were made by another version of casetrail: rebuilding them"
        elif row.rules != self.fingerprint:
            if row.rules == fingerprint(self.rules.fingerprint, not self.sealer.on):
                self.notice = (f"the views were made {'without' if self.sealer.on else 'with'} encryption: "
                               "rebuilding them")
            else:
                self.notice = f"the list rules changed ({self.rules.origin}): rebuilding the views"
        if self.notice:
            self._reset()

    def _tracking_row(self) -> Any:
        with self.engine.connect() as conn:
            if not inspect(conn).has_table(tracking.name):
                return None
            return conn.execute(select(tracking).where(tracking.c.name == NAME)).one_or_none()

    def _reset(self) -> None:
        """Drop the views, create them empty and move tracking back to the start, in one
        transaction: a process killed here leaves either the old views or empty ones."""
        with self.writer.begin() as conn:
            # Take the tracking row first, so a concurrent catch-up waits rather than writes.
            conn.execute(update(tracking).where(tracking.c.name == NAME).values(position=-1))
            metadata.drop_all(conn, tables=list(VIEW_TABLES))
            metadata.create_all(conn, tables=list(VIEW_TABLES))
            conn.execute(update(tracking).where(tracking.c.name == NAME).values(
                position=0, processed=0, rules=self.fingerprint, schema_version=SCHEMA_VERSION,
                updated_at=time_text(datetime.now(timezone.utc))))

    def _guard(self):
        return store_errors(self.store)


def _cores(most: int) -> int:
    """The cores this process may run on, up to ``most``. One helper per core, each working
    out a share of the people: the writing here is mostly the database's own work, so the
    helpers' half is what a long catch-up waits for, and on two cores two helpers beside
    this process finished sooner than one (docs/BENCHMARKS.md)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(1, min(cores, most))


@contextmanager
def _young_objects_only() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while batches are worked out and written.

    A batch allocates hundreds of thousands of small objects that live until it is written,
    and the memory of streams keeps many more: the collector, triggered by the allocations,
    kept walking all of them, a large part of a catch-up (docs/BENCHMARKS.md). The rows, events and
    timelines hold no reference cycles, so reference counting frees them as before; what
    little else is cyclic is collected once the collector runs again."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


# The batch's period and change rows are tuples in their tables' column order (tables.py), and
# go to the driver as they are: no dict per row, and nothing for SQLAlchemy to process (these
# columns are text and integers, passed through unchanged).
def _insert(conn: Connection, table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows (tuples in ``columns`` order): executemany, or on PostgreSQL COPY (in the
    same transaction), which is faster (docs/BENCHMARKS.md)."""
    quote = conn.dialect.identifier_preparer
    into = f"{quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)})"
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql(f"INSERT INTO {into} VALUES ({', '.join([_mark(conn)] * len(columns))})", rows)
        return
    with conn.connection.driver_connection.cursor() as cursor, cursor.copy(f"COPY {into} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _close_sql(conn: Connection, table: Table) -> str:
    """Close a row that holds now: parameters (time, person, ident), as in ``Batch.closes``."""
    mark = _mark(conn)
    return (f"UPDATE {conn.dialect.identifier_preparer.format_table(table)} SET recorded_to = {mark} "
            f"WHERE person = {mark} AND ident = {mark} AND recorded_to = {RECORD_OPEN}")


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _many(conn: Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    """``conn.execute(statement, rows)``: the same SQL and the same values, handed straight to
    the driver's executemany. SQLAlchemy's executemany processes every row's parameters in
    Python, which costs more than the database's own work here; these tables' types (text
    and integers) pass values through unchanged, so there is nothing to process."""
    compiled = statement.compile(dialect=conn.dialect, column_keys=list(rows[0]))
    defaults = compiled.params  # every parameter; values for those bound in the statement
    if defaults.keys() - rows[0].keys():
        rows = [{**defaults, **row} for row in rows]
    names = compiled.positiontup
    if names is not None:  # a positional paramstyle (SQLite's qmark): tuples in the statement's order
        pick = itemgetter(*names)
        rows = [pick(row) for row in rows] if len(names) > 1 else [(row[names[0]],) for row in rows]
    conn.exec_driver_sql(compiled.string, rows)
