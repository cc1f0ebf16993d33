"""Where events are kept: one URL picks the store, a pydantic mapper writes them.

The model modules (dates, events, fold, person) import nothing from here.

Encryption at rest: with ``CASETRAIL_KEY`` set (the environment only, never an
option, so the key stays out of shell history and ``ps``), every event's state is
compressed, then encrypted with AES-GCM (eventsourcing's ``AESCipher`` on the
``cryptography`` package).

URLs:
  ``casetrail.db``, ``path/to/file.db``, ``sqlite:///relative.db``, ``sqlite:////abs/path.db``
      an SQLite file (eventsourcing.sqlite: table ``stored_events``); ``?lock_timeout=SECONDS``
      after any of them: how long a write waits for another process's lock (default 30)
  ``postgresql://user@host:5432/dbname[?schema=name]``
      a PostgreSQL server (eventsourcing.postgres: table ``casetrail_events``)
"""

from __future__ import annotations

import functools

import base64
import binascii
import contextlib
import getpass
import os
import random
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, PersistenceError, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

from casetrail.domain.chain import stored_state

from casetrail.domain.errors import BadInput, StoreError
from casetrail.domain.text import STORED

DEFAULT_URL = "casetrail.db"
_SCHEMA_LOCK = 0x63617365  # an arbitrary advisory-lock id: "case"
ENV_URL = "CASETRAIL_DB"
ENV_KEY = "CASETRAIL_KEY"
KEY_SIZES = (16, 24, 32)  # bytes: AES-128, AES-192, AES-256
LOCK_TIMEOUT = 30  # seconds an SQLite write waits for another process's lock, unless the URL says
MOST_LOCK_TIMEOUT = 86_400
_CIPHER_SETTINGS = ("CIPHER_TOPIC", "CIPHER_KEY", "COMPRESSOR_TOPIC")


def cipher_env() -> dict[str, str]:
    """The eventsourcing settings for ``CASETRAIL_KEY``: AES-GCM after zlib when it is set,
    neither when it is not. Both spellings eventsourcing reads (``CIPHER_KEY`` and the
    application's ``CASETRAIL_CIPHER_KEY``) are set, so a stray variable of its own in the
    environment cannot switch encryption on, off or to another key behind our back."""
    key = os.environ.get(ENV_KEY, "").strip()
    values = dict.fromkeys(_CIPHER_SETTINGS, "")
    if key:
        check_key_text(key)
        values = {"CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher", "CIPHER_KEY": key,
                  "COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor"}
    return {**values, **{f"CASETRAIL_{name}": value for name, value in values.items()}}


def check_key_text(key: str) -> None:
    """Refuse a key that is not base64 of 16, 24 or 32 bytes (never echoing it)."""
    try:
        size = len(base64.b64decode(key.encode("ascii"), validate=True))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        size = -1
    if size not in KEY_SIZES:
        raise BadInput(f"{ENV_KEY} is not a key (base64 of 16, 24 or 32 bytes): make one with 'casetrail key new' "
                       f"and set it with export {ENV_KEY}=...")


class NoStore(StoreError):
    """The store does not exist yet, and was not to be created."""


@dataclass(frozen=True)
class StoreURL:
    """A parsed store URL and the eventsourcing environment it stands for."""

    kind: str  # "sqlite" or "postgres"
    env: dict[str, str]
    shown: str  # for messages: never includes a password

    @classmethod
    def parse(cls, url: str | None = None) -> StoreURL:
        url = (url or os.environ.get(ENV_URL) or DEFAULT_URL).strip()
        scheme = url.split(":", 1)[0].lower() if "://" in url else ""
        if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            return cls._postgres(url)
        if scheme in ("", "sqlite"):
            return cls._sqlite(url)
        raise BadInput(f"store URL '{url}' is not supported: give a file path, sqlite:///path or postgresql://host/db")

    @classmethod
    def _sqlite(cls, url: str) -> StoreURL:
        url, lock_timeout = _sqlite_parameters(url)
        path = url[len("sqlite:///"):] if url.lower().startswith("sqlite:///") else url
        if not path or path == ":memory:":
            raise BadInput("give the SQLite store a file path, e.g. --db cases.db (an in-memory store keeps nothing)")
        folder = Path(path).expanduser().resolve().parent
        if not folder.is_dir():
            raise StoreError(f"cannot open store {path}: folder {folder} does not exist; create it or choose another --db")
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(Path(path).expanduser()),
            # How long a writer waits for another process's lock before giving up.
            "SQLITE_LOCK_TIMEOUT": str(lock_timeout),
            **cipher_env(),
        }
        return cls("sqlite", env, path)

    @classmethod
    def _postgres(cls, url: str) -> StoreURL:
        parts = urlsplit(url)
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname:
            raise BadInput(f"store URL '{url}' names no database: use postgresql://host:5432/dbname")
        try:
            port = str(parts.port or 5432)
        except ValueError:
            raise BadInput(f"store URL '{url}' has a bad port: use postgresql://host:5432/dbname") from None
        query = parse_qs(parts.query)
        if "lock_timeout" in query:
            raise BadInput("a PostgreSQL store URL takes no ?lock_timeout= (a write there waits for the one "
                           "before it to finish): remove it; only an SQLite store has a lock timeout")
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": port,
            "POSTGRES_USER": unquote(parts.username) if parts.username else getpass.getuser(),
            "POSTGRES_PASSWORD": unquote(parts.password) if parts.password else "",
            "POSTGRES_CONNECT_TIMEOUT": "5",
            # Check a pooled connection before using it (a round trip): one the server dropped (a
            # restart, a terminated backend) is replaced, not failed on, in long-lived processes.
            "POSTGRES_PRE_PING": "y",
            **cipher_env(),
        }
        if "schema" in query:
            env["POSTGRES_SCHEMA"] = _schema_name(query["schema"][0])
        shown = f"postgresql://{env['POSTGRES_HOST']}:{port}/{dbname}"
        return cls("postgres", env, shown)

    @contextlib.contextmanager
    def opening(self, create: bool = True) -> Iterator[None]:
        """Around opening the store. Without ``create``, a store that does not exist yet is refused
        (NoStore) before anything is made: a mistyped --db must not pass for an empty store.

        On PostgreSQL, let one process at a time create the schema and tables (concurrent
        CREATE ... IF NOT EXISTS and CREATE OR REPLACE FUNCTION fail with 'tuple concurrently
        updated'), and skip the creation altogether once the events table exists."""
        if self.kind != "postgres":
            if not create and not self._sqlite_has_events():
                raise NoStore(self.missing())
            yield
            return
        import psycopg
        from psycopg import sql

        schema = self.env.get("POSTGRES_SCHEMA") or "public"
        with store_errors(self), psycopg.connect(**self.connect_kwargs(), autocommit=True) as conn:
            exists = conn.execute("SELECT to_regclass(%s)", [f'"{schema}".casetrail_events']).fetchone()[0]
            if exists:
                self.env["CREATE_TABLE"] = "n"
                yield
                return
            if not create:
                raise NoStore(self.missing())
            conn.execute("SELECT pg_advisory_lock(%s)", [_SCHEMA_LOCK])
            try:
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", [_SCHEMA_LOCK])

    def waiting_for_lock(self, attempt: Callable[[], None]) -> None:
        """Run ``attempt`` (opening the store) again while SQLite reports the file locked, for up to
        the lock timeout, as every other write waits. Creating a new file cannot wait by itself:
        switching it to WAL and upgrading a read to a write (the tables, the triggers) fail at
        once when another process holds the lock; both are safe to repeat."""
        deadline = time.monotonic() + float(self.env.get("SQLITE_LOCK_TIMEOUT") or 0)
        pause = 0.005
        while True:
            try:
                return attempt()
            except StoreError as error:
                locked = self.kind == "sqlite" and "locked" in str(error.__cause__).lower()
                if not locked or time.monotonic() > deadline:
                    raise
            time.sleep(random.uniform(pause / 2, pause))  # at random, so the waiting processes do not collide again
            pause = min(pause * 2, 0.25)

    def _sqlite_has_events(self) -> bool:
        """Whether the SQLite file exists and holds the events table; read-only, so it creates nothing.
        A file that cannot be read counts as there: opening it then says what is wrong with it."""
        path = Path(self.env["SQLITE_DBNAME"]).resolve()
        if not path.is_file():
            return False
        try:
            with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)) as conn:
                found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stored_events'")
                return found.fetchone() is not None
        except sqlite3.Error:
            return True

    def missing(self) -> str:
        """The one line for a reading command on a store that does not exist."""
        if self.kind == "sqlite":
            path = Path(self.env["SQLITE_DBNAME"])
            what = "no such file" if not path.exists() else "the file holds no casetrail events"
        else:
            what = f"schema '{self.env.get('POSTGRES_SCHEMA') or 'public'}' has no casetrail tables"
        return (f"no casetrail store at {self.shown} ({what}); check --db, or create the store with "
                "a command that writes to it: person add, source add or import")

    def connect_kwargs(self) -> dict[str, Any]:
        e = self.env
        return {"dbname": e["POSTGRES_DBNAME"], "host": e["POSTGRES_HOST"], "port": int(e["POSTGRES_PORT"]),
                "user": e["POSTGRES_USER"], "password": e["POSTGRES_PASSWORD"] or None, "connect_timeout": 5}


_SECONDS = re.compile(r"[0-9]{1,9}")


def _sqlite_parameters(url: str) -> tuple[str, int]:
    """An SQLite URL without its parameters, and its lock timeout. A ``?`` followed by a
    ``name=value`` begins the parameters; a ``?`` without one is part of the file's name."""
    path, mark, query = url.partition("?")
    if not mark or "=" not in query:
        return url, LOCK_TIMEOUT
    parameters = parse_qs(query, keep_blank_values=True)
    unknown = sorted(parameters.keys() - {"lock_timeout"})
    if unknown:
        raise BadInput(f"store URL '{url}' has an unknown parameter '{unknown[0]}': an SQLite store takes only "
                       f"?lock_timeout=SECONDS")
    given = parameters["lock_timeout"]
    if len(given) > 1:
        raise BadInput(f"store URL '{url}' gives lock_timeout {len(given)} times: give it once")
    text = given[0].strip()
    if not _SECONDS.fullmatch(text) or not 1 <= int(text) <= MOST_LOCK_TIMEOUT:
        raise BadInput(f"store URL '{url}' has lock_timeout '{given[0]}': give the seconds a write may wait for "
                       f"another process's lock, a whole number from 1 to {MOST_LOCK_TIMEOUT:,} "
                       f"(the default is {LOCK_TIMEOUT})")
    return path, int(text)


_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")  # PostgreSQL's plain identifiers, folded to lower case


def _schema_name(name: str) -> str:
    """The schema of a PostgreSQL URL: a plain identifier, since it is written into SQL statements.
    (The message leaves the URL out: it may hold a password.)"""
    if not _SCHEMA_NAME.fullmatch(name):
        raise BadInput(f"the store URL's schema '{name}' is not a plain name: use lower-case letters, digits and _ "
                       "(at most 63, not starting with a digit), e.g. ?schema=cases_2022")
    return name


@contextlib.contextmanager
def store_errors(store: StoreURL) -> Iterator[None]:
    """Turn the store's failures into one line a user can act on."""
    try:
        yield
    except (PersistenceError, sqlite3.Error, OSError) as error:
        if isinstance(error, StoreError):
            raise
        raise StoreError(describe(store, error)) from error
    except Exception as error:  # psycopg's own errors, without importing psycopg for SQLite users
        if type(error).__module__.startswith("psycopg"):
            raise StoreError(describe(store, error)) from error
        if type(error).__module__.startswith("sqlalchemy") and getattr(error, "orig", None) is not None:
            raise StoreError(describe(store, error.orig)) from error  # the read models' driver error
        raise


def lost_connection(error: BaseException) -> bool:
    """Whether a store failure is its connection dropping (the server restarted, a backend was
    terminated, the network went): what reconnecting mends, unlike a wrong key or a bad row."""
    from eventsourcing.persistence import InterfaceError, OperationalError

    kinds: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
    with contextlib.suppress(ImportError):  # psycopg's own errors, when it is there
        import psycopg

        kinds += (psycopg.OperationalError, psycopg.InterfaceError)
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kinds) or isinstance(getattr(seen, "orig", None), kinds):  # orig: SQLAlchemy's
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def describe(store: StoreURL, error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    low = text.lower()
    where = store.shown
    if "locked" in low or "lock timeout" in low:
        return f"store {where} is locked by another process; wait for it to finish and try again"
    if "readonly" in low or "read-only" in low or "permission denied" in low:
        if store.kind == "sqlite":
            return (f"store {where} is read-only; check the permissions of the file and of its folder "
                    "(SQLite writes a -wal and a -shm file beside it) or choose another --db")
        return f"store {where} is read-only; check the file's permissions or choose another --db"
    if "unable to open" in low:
        return f"cannot open store {where}; check that the path exists and is writable"
    if store.kind == "postgres" and ("resolve host" in low or "translate host name" in low):
        return (f"cannot reach PostgreSQL at {where}: host '{store.env['POSTGRES_HOST']}' not found; "
                "check the host name in the URL")
    if store.kind == "postgres" and f'database "{store.env["POSTGRES_DBNAME"]}" does not exist' in text:
        name = store.env["POSTGRES_DBNAME"]
        return f"PostgreSQL at {where} has no database '{name}'; create it (createdb {name}) or fix the URL"
    if "connection" in low or "connect" in low or "timeout" in low:
        return f"cannot reach PostgreSQL at {where}: {text[:160]}; is the server running?"
    if "not a database" in low or "malformed" in low:
        return f"store {where} is not a casetrail database (or is damaged); choose another --db"
    return f"store {where} failed: {text[:200]}"


class OrjsonTranscoder(Transcoder):
    """JSON bytes; pydantic has already turned every value into a JSON type."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)


class Unreadable(ValueError):
    """One stored state that cannot be decoded while the store's others can: the row was damaged."""


class PydanticMapper(Mapper[UUID]):
    """Stores ``model_dump(mode="json")``; restores with ``model_validate``.

    Types come back from the models' annotations, so no transcodings are needed.
    Upcasting works as in eventsourcing: a class with ``class_version = N`` and
    ``upcast_vK_vK+1`` static methods upgrades older stored states on read.

    With a cipher, the JSON is compressed, then encrypted; read, decrypted, then
    decompressed. A state that cannot be decoded is explained in one line: the wrong key,
    no key for an encrypted store, a key for a plaintext one, or (when the store's other
    states decode) a damaged row.
    """

    store_name = "the store"  # for messages; the application sets it
    proven = False  # a state of this store has been decoded with these settings
    # The first few stored states of the store, to tell a wrong key from a damaged row.
    sample: Callable[[], list[bytes]] = staticmethod(lambda: [])

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        cls = type(domain_event)
        data = self.transcoder.encode(stored_state(domain_event))
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(originator_id=domain_event.originator_id,
                           originator_version=domain_event.originator_version, topic=get_topic(cls), state=data)

    def to_domain_event(self, stored: StoredEvent) -> Any:
        cls = resolve_topic(stored.topic)
        try:
            state = self.transcoder.decode(self._decode(stored.state))
            version = state.pop("class_version", 1)
        except Exception:
            raise StoreError(self.key_problem(stored.state) or (
                f"store {self.store_name}: event {stored.originator_version} of stream {stored.originator_id} "
                "cannot be read (changed or damaged after it was written); run 'casetrail verify'")) from None
        while version < _class_version(cls):
            getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
            version += 1
        state["originator_id"] = stored.originator_id
        state["originator_version"] = stored.originator_version
        return cls.__pydantic_validator__.validate_python(state, context=STORED)  # model_validate, one call less

    def decode_state(self, data: bytes) -> bytes:
        """A stored state as JSON bytes, decrypted and decompressed. Raises StoreError when the
        key does not fit the store, ``Unreadable`` when just this state is damaged."""
        try:
            plain = self._decode(data)
        except Exception as error:
            problem = self.key_problem(data)
            if problem:
                raise StoreError(problem) from None
            raise Unreadable(" ".join(str(error).split())[:80] or type(error).__name__) from None
        return plain

    def check(self, data: bytes) -> None:
        """Open one stored state (the store's first) to prove the key fits, before anything is
        written. Raises StoreError when it does not; a damaged row is left for ``verify``."""
        try:
            opened = _json_object(self.decode_state(data))
        except Unreadable:
            return
        if opened:
            self.proven = True
            return
        problem = self.key_problem(data)
        if problem:
            raise StoreError(problem)

    def key_problem(self, data: bytes) -> str | None:
        """Why a state cannot be decoded, when the reason is the key (else None: the row is damaged).

        Told apart by trying: a plaintext state is a JSON object; an encrypted one is not.
        Whether the key is wrong or the row damaged, AES-GCM fails alike; so the first states
        of the store are tried too: if any opens, the key is right and this row is damaged.
        """
        data = bytes(data)
        where = self.store_name
        if _json_object(data):
            # Plain JSON where the key opens the store's other states is a row written by someone
            # without the key (a forgery): that row is reported, not the key.
            if self.cipher and not (self.proven or self._others_open(data)):
                return (f"store {where} was written without encryption, but {ENV_KEY} is set: unset it "
                        "(a store is encrypted from its first event or not at all)")
            return None
        if self.proven or self._others_open(data):
            return None
        if self.cipher is None:
            return f"store {where} is encrypted: set {ENV_KEY} to its key"
        return f"cannot decrypt the store {where}: {ENV_KEY} is not the key it was written with"

    def _decode(self, data: bytes) -> bytes:
        if self.cipher:
            data = self.cipher.decrypt(data)  # authenticated: what comes out is what was put in
        if self.compressor:
            data = self.compressor.decompress(data)
        if not self.cipher and bytes(data[:1]) != b"{":  # cheap; the caller parses the JSON
            raise ValueError("not a JSON object")
        return data

    def _others_open(self, data: bytes) -> bool:
        for other in self.sample():
            other = bytes(other)
            if other == data:
                continue
            try:
                opened = _json_object(self._decode(other))
            except Exception:
                continue
            if opened:
                self.proven = True
                return True
        return False


def _json_object(data: bytes) -> bool:
    try:
        return isinstance(orjson.loads(data), dict)
    except Exception:
        return False


_REFUSAL = "casetrail: stored events are append-only; record a retraction instead"


def enforce_append_only(store: StoreURL, recorder: Any) -> None:
    """Make the database itself refuse UPDATE and DELETE of stored events (once per store).

    The application never changes a stored event; these triggers make sure nothing
    else does by accident either (a stray SQL console, another program). They cannot
    stop someone who drops them first: ``verify`` catches that.
    """
    table = recorder.events_table_name
    with recorder.datastore.transaction(commit=True) as cursor:
        if store.kind == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'casetrail_no_%'")
            if list(cursor.fetchone())[0] == 2:
                return
            for verb in ("UPDATE", "DELETE"):
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS casetrail_no_{verb.lower()} BEFORE {verb} ON {table} "
                               f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}: {verb} refused'); END")
            return
        schema = recorder.datastore.schema
        qualified = f'"{schema}"."{table}"'
        cursor.execute("SELECT count(*) AS n FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
                       "AND tgname LIKE 'casetrail_append_only%%'", [qualified])
        if cursor.fetchone()["n"] == 2:
            return
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEMA_LOCK + 1])
        cursor.execute(f'CREATE OR REPLACE FUNCTION "{schema}".casetrail_append_only() RETURNS trigger '
                       f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{_REFUSAL}: % refused', TG_OP; END $$")
        cursor.execute(f"DROP TRIGGER IF EXISTS casetrail_append_only ON {qualified}")
        cursor.execute(f"DROP TRIGGER IF EXISTS casetrail_append_only_truncate ON {qualified}")
        cursor.execute(f"CREATE TRIGGER casetrail_append_only BEFORE UPDATE OR DELETE ON {qualified} "
                       f'FOR EACH ROW EXECUTE FUNCTION "{schema}".casetrail_append_only()')
        cursor.execute(f"CREATE TRIGGER casetrail_append_only_truncate BEFORE TRUNCATE ON {qualified} "
                       f'FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".casetrail_append_only()')


@functools.cache
def _class_version(cls: type) -> int:
    """The version of an event class (1 unless it declares one), asked once per class: on a
    pydantic model a missing class attribute is looked up through the metaclass's __getattr__,
    which cost a third of the time to read an event back."""
    return getattr(cls, "class_version", 1)
