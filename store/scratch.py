"""The import's scratch file: records in, sorted by person out, so memory stays flat.

Every record it holds (names, places, notes) is encrypted with AES-GCM under a key
made for the run and kept in memory only: a killed import leaves a file nobody can
read, and the next import removes it. Each run holds a lock on a file in its folder
for as long as it lives (the kernel drops it when the process dies, however it dies),
so a folder whose lock is free belongs to a dead run.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import inspect
import os
import pickle
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, Iterator
from uuid import UUID

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import Environment

from casetrail.domain.errors import CasetrailError

PREFIX = "casetrail-import-"
_LOCK = "running.lock"


class ScratchError(CasetrailError):
    """The temporary folder is full, read-only or gone."""


@contextlib.contextmanager
def scratch_errors(folder: str) -> Iterator[None]:
    """The scratch file's failures as one line: they are about the temporary folder, not the store."""
    try:
        yield
    except (sqlite3.Error, OSError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise ScratchError(f"the import's temporary folder {folder} failed ({reason}): free some space there, "
                           "or point TMPDIR at a writable folder with room (about the size of the file); "
                           "nothing was imported") from None


def _guarded(method: Any) -> Any:
    """Every use of the scratch file: its failures are about the temporary folder."""
    if inspect.isgeneratorfunction(method):
        @functools.wraps(method)
        def each(self: Scratch, *args: Any) -> Iterator[Any]:
            with scratch_errors(str(self.folder)):
                yield from method(self, *args)
        return each

    @functools.wraps(method)
    def call(self: Scratch, *args: Any) -> Any:
        with scratch_errors(str(self.folder)):
            return method(self, *args)
    return call


class Scratch:
    """A scratch SQLite file in a fresh temporary folder, its values encrypted."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cipher = AESCipher(Environment(env={"CIPHER_KEY": AESCipher.create_key(32)}))
        self.db = sqlite3.connect(folder / "staging.db")
        self.db.executescript("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE sources (key TEXT, seq INTEGER PRIMARY KEY, place TEXT, record BLOB);
            CREATE TABLE people (key TEXT, seq INTEGER PRIMARY KEY, place TEXT, record BLOB);
            CREATE TABLE events (key TEXT, seq INTEGER PRIMARY KEY, place TEXT, record BLOB, id TEXT);
            CREATE TABLE refused (kind TEXT, key TEXT, id TEXT, place TEXT);
            CREATE TABLE encoded (seq INTEGER PRIMARY KEY, event BLOB);
        """)

    @classmethod
    @contextlib.contextmanager
    def opened(cls) -> Iterator[Scratch]:
        with scratch_errors(os.environ.get("TMPDIR") or "(TMPDIR)"):
            root = tempfile.gettempdir()  # raises when no candidate folder is writable
            remove_stale(Path(root))
            folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        try:
            with scratch_errors(str(folder)):
                lock = open(folder / _LOCK, "w")
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                scratch = cls(folder)
            try:
                yield scratch
            finally:
                scratch.db.close()
                lock.close()
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    # -- in ------------------------------------------------------------------------------------------

    @_guarded
    def add(self, table: str, key: str, where: str, record: Any, event_id: str | None = None) -> None:
        if table == "events":
            self.db.execute("INSERT INTO events (key, place, record, id) VALUES (?, ?, ?, ?)",
                            (key, where, self._seal(record), event_id))
            return
        self.db.execute(f"INSERT INTO {table} (key, place, record) VALUES (?, ?, ?)", (key, where, self._seal(record)))

    @_guarded
    def refuse(self, kind: str, key: str | None, event_id: str | None, where: str) -> None:
        """A record left out while reading: what depends on it is left out too."""
        self.db.execute("INSERT INTO refused VALUES (?, ?, ?, ?)", (kind, key, event_id, where))

    @_guarded
    def add_encoded(self, stored: list[Any]) -> None:
        # As plain tuples: pickling the StoredEvent dataclass and its UUID costs twice as much.
        self.db.executemany("INSERT INTO encoded (event) VALUES (?)",
                            [(self._seal((s.originator_id.bytes, s.originator_version, s.topic, s.state)),)
                             for s in stored])

    # -- out -----------------------------------------------------------------------------------------

    @_guarded
    def rows(self, table: str) -> Iterator[tuple[str, str, Any]]:
        for key, where, record in self.db.execute(f"SELECT key, place, record FROM {table} ORDER BY key, seq"):
            yield key, where, self._open(record)

    @_guarded
    def people_and_events(self) -> Iterator[tuple[str, int, int, str, Any]]:
        query = """SELECT key, 0, seq, place, record FROM people UNION ALL
                   SELECT key, 1, seq, place, record FROM events ORDER BY 1, 2, 3"""
        for key, kind, seq, where, record in self.db.execute(query):
            yield key, kind, seq, where, self._open(record)

    @_guarded
    def refused_keys(self, kind: str) -> Iterator[tuple[str, str]]:
        yield from self.db.execute("SELECT key, place FROM refused WHERE kind = ? AND key IS NOT NULL", (kind,))

    @_guarded
    def refused_places(self, kind: str, key: str) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT place FROM refused WHERE kind = ? AND key = ?", (kind, key))]

    @_guarded
    def refused_ids(self, key: str) -> dict[str, str]:
        rows = self.db.execute("SELECT id, place FROM refused WHERE kind = 'event' AND key = ? AND id IS NOT NULL",
                               (key,))
        return dict(rows.fetchall())

    @_guarded
    def given_ids(self) -> int:
        self.db.execute("CREATE INDEX IF NOT EXISTS events_id ON events (id) WHERE id IS NOT NULL")
        return self.db.execute("SELECT count(*) FROM events WHERE id IS NOT NULL").fetchone()[0]

    @_guarded
    def holders(self, event_id: str) -> list[str]:
        """The people the file gives this event id to."""
        return [row[0] for row in self.db.execute("SELECT DISTINCT key FROM events WHERE id = ?", (event_id,))]

    @_guarded
    def reused_ids(self) -> Iterator[tuple[str, str, int, str, Any]]:
        """Every event record whose id another record of the file has too, by id, in file order."""
        query = """SELECT id, key, seq, place, record FROM events WHERE id IN
                   (SELECT id FROM events WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1) ORDER BY id, seq"""
        for event_id, key, seq, where, record in self.db.execute(query):
            yield event_id, key, seq, where, self._open(record)

    @_guarded
    def count(self, what: str) -> int:
        if what == "people_and_events":
            return sum(self.count(table) for table in ("people", "events"))
        return self.db.execute(f"SELECT count(*) FROM {what}").fetchone()[0]

    @_guarded
    def encoded(self, size: int) -> Iterator[list[Any]]:
        cursor = self.db.execute("SELECT event FROM encoded ORDER BY seq")
        while rows := cursor.fetchmany(size):
            yield [_stored(*self._open(row[0])) for row in rows]

    @_guarded
    def commit(self) -> None:
        self.db.commit()

    def _seal(self, value: Any) -> bytes:
        return self.cipher.encrypt(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def _open(self, blob: bytes) -> Any:
        # Authenticated: only what this run sealed opens, so unpickling it is safe.
        return pickle.loads(self.cipher.decrypt(blob))


def _stored(stream: bytes, version: int, topic: str, state: bytes) -> StoredEvent:
    return StoredEvent(originator_id=UUID(bytes=stream), originator_version=version, topic=topic, state=state)


def remove_stale(root: Path) -> None:
    """Remove the scratch folders of imports that were killed (their lock is free)."""
    for folder in root.glob(f"{PREFIX}*"):
        try:
            if folder.stat().st_uid != os.getuid() or not (folder / _LOCK).is_file():
                continue  # another user's, or one being created this instant
            with open(folder / _LOCK, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held: that import is still running
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
