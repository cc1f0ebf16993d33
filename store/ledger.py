"""The store-wide log's tables: sealed leaves, signed checkpoints, trusted keys.

Appending an event writes nothing here: a leaf is worked out from the stored row itself
(``leaf_of``), so appends cost what they did. ``casetrail checkpoint`` computes the leaves of
the events stored since the last checkpoint, keeps them (one 32-byte hash per event, so
``verify`` can name the very event that changed), and signs the tree's root over all of
them. The database refuses UPDATE and DELETE on both tables, as on the events.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timezone
from typing import Any, Iterator, NamedTuple

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casetrail.domain.errors import BadInput, StoreError
from casetrail.store.merkle import Frontier, leaf_hash
from casetrail.store.notes import Checkpoint, Signer, Verifier, checkpoint_body, parse_checkpoint, parse_verifier

_sha256 = hashlib.sha256
LEAVES, CHECKPOINTS, TRUSTED = "casetrail_log_leaves", "casetrail_checkpoints", "casetrail_trusted_keys"
PAGE = 5000
_REFUSAL = "casetrail: the sealed log is append-only"


def log_secret(cipher_key: str | None) -> bytes | None:
    """The key of the leaves' content digests on an encrypted store (None: plain SHA-256). Derived,
    not the cipher key itself, so that one use cannot weaken the other."""
    if not cipher_key:
        return None
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"casetrail log leaves")
    return derive.derive(base64.b64decode(cipher_key))


def sealed_content(plain: bytes, secret: bytes | None) -> bytes:
    """What a leaf holds of an event's content: its JSON itself, or on an encrypted store an HMAC
    of it under the store's derived key (so nobody without the key can make a leaf for a forged
    event, or confirm a guessed content from a leaf)."""
    if secret is None:
        return plain
    return hmac.new(secret, plain, hashlib.sha256).digest()


def leaf_data(position: int, stream: str, version: int, topic: str, content: bytes) -> bytes:
    """A leaf's data: its place (one line per item), then its content; a third party rebuilds it
    from a proof."""
    return b"%d\n%s\n%d\n%s\n" % (position, stream.encode(), version, topic.encode()) + content


def leaf_of(position: int, stream: str, version: int, topic: str, plain: bytes, secret: bytes | None) -> bytes:
    """``leaf_hash(leaf_data(...))``, the JSON as read hashed in place rather than copied twice into
    one string first: verify does this for every event."""
    digest = _sha256(b"\x00%d\n%s\n%d\n%s\n" % (position, stream.encode(), version, topic.encode()))
    digest.update(plain if secret is None else sealed_content(plain, secret))
    return digest.digest()


class Sealed(NamedTuple):  # a tuple, not a frozen dataclass: verify makes one per event
    index: int
    position: int
    leaf: bytes


class Ledger:
    """The log's tables in the store's own database, through eventsourcing's datastore."""

    def __init__(self, store: Any, recorder: Any) -> None:
        self.kind = store.kind
        self.datastore = recorder.datastore
        schema = getattr(recorder.datastore, "schema", None) if self.kind == "postgres" else None
        self.prefix = f'"{schema or "public"}".' if self.kind == "postgres" else ""
        self.mark = "%s" if self.kind == "postgres" else "?"

    def _sql(self, statement: str) -> str:
        for table in (LEAVES, CHECKPOINTS, TRUSTED):
            statement = statement.replace("{" + table + "}", self.prefix + table)
        return statement.replace("?", self.mark)

    def _rows(self, statement: str, args: tuple = ()) -> list[tuple]:
        return self.rows(self._sql(statement), args)

    def rows(self, statement: str, args: tuple = (), table: str = CHECKPOINTS) -> list[tuple]:
        """The rows of a query (``?`` marks its arguments); none while ``table`` does not exist."""
        if not self.exists(table):
            return []
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement.replace("?", self.mark), args)
            return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in cursor.fetchall()]

    def exists(self, table: str = CHECKPOINTS) -> bool:
        with self.datastore.transaction(commit=False) as cursor:
            if self.kind == "sqlite":
                cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
                return list(cursor.fetchone())[0] == 1
            cursor.execute("SELECT to_regclass(%s) AS t", [self.prefix + table])
            return cursor.fetchone()["t"] is not None

    def create(self) -> None:
        blob = "BYTEA" if self.kind == "postgres" else "BLOB"
        with self.datastore.transaction(commit=True) as cursor:
            for statement in (
                f"CREATE TABLE IF NOT EXISTS {{{LEAVES}}} (idx BIGINT PRIMARY KEY, position BIGINT NOT NULL, "
                f"leaf {blob} NOT NULL)",
                f"CREATE TABLE IF NOT EXISTS {{{CHECKPOINTS}}} (size BIGINT PRIMARY KEY, root {blob} NOT NULL, "
                "made_at TEXT NOT NULL, signer TEXT NOT NULL, note TEXT NOT NULL)",
                f"CREATE TABLE IF NOT EXISTS {{{TRUSTED}}} (vkey TEXT PRIMARY KEY)",
            ):
                cursor.execute(self._sql(statement))
            for table in (LEAVES, CHECKPOINTS):
                self.append_only(cursor, table)

    def append_only(self, cursor: Any, table: str) -> None:
        """Make the database refuse UPDATE and DELETE (and TRUNCATE) on ``table``."""
        if self.kind == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                               f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}: {verb} refused'); END")
            return
        qualified = self.prefix + table
        cursor.execute(f"CREATE OR REPLACE FUNCTION {self.prefix}casetrail_log_append_only() RETURNS trigger "
                       f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{_REFUSAL}: % refused', TG_OP; END $$")
        cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {qualified}")
        cursor.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {qualified} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {self.prefix}casetrail_log_append_only()")

    # -- reading ---------------------------------------------------------------------------------

    def checkpoints(self) -> list[tuple[int, Checkpoint | None]]:
        """Every stored checkpoint, smallest first: its stored size and its note (None when the
        note cannot be read as a checkpoint: verify reports it)."""
        found: list[tuple[int, Checkpoint | None]] = []
        for size, note in self._rows(f"SELECT size, note FROM {{{CHECKPOINTS}}} ORDER BY size"):
            try:
                found.append((int(size), parse_checkpoint(note)))
            except BadInput:
                found.append((int(size), None))
        return found

    def sealed(self, after: int = -1) -> Iterator[Sealed]:
        """The kept leaves in order, a page at a time."""
        while page := self._rows(f"SELECT idx, position, leaf FROM {{{LEAVES}}} WHERE idx > ? ORDER BY idx "
                                 f"LIMIT {PAGE}", (after,)):
            for index, position, leaf in page:
                yield Sealed(int(index), int(position), bytes(leaf))
            after = int(page[-1][0])

    def sealed_count(self) -> tuple[int, int]:
        """How many leaves are kept, and the last position they cover (0 if none)."""
        rows = self._rows(f"SELECT count(*), max(position) FROM {{{LEAVES}}}")
        return (int(rows[0][0]), int(rows[0][1] or 0)) if rows else (0, 0)

    def trusted(self) -> list[Verifier]:
        return [parse_verifier(vkey) for (vkey,) in self._rows(f"SELECT vkey FROM {{{TRUSTED}}} ORDER BY vkey")]

    # -- writing ---------------------------------------------------------------------------------

    def trust(self, verifier: Verifier) -> None:
        self.create()
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self._sql(f"DELETE FROM {{{TRUSTED}}} WHERE vkey = ?"), (verifier.text,))
            cursor.execute(self._sql(f"INSERT INTO {{{TRUSTED}}} (vkey) VALUES (?)"), (verifier.text,))

    def seal(self, new: list[tuple[int, bytes]], signer: Signer, origin: str | None) -> Checkpoint:
        """Keep the leaves of the events since the last checkpoint (``(position, leaf)``) and store a
        checkpoint over every kept leaf, signed by ``signer``: one transaction."""
        frontier = Frontier()
        first = None
        for sealed in self.sealed():
            first = first or sealed.leaf
            frontier.add(sealed.leaf)
        start = frontier.size
        for _, leaf in new:
            first = first or leaf
            frontier.add(leaf)
        if first is None:
            raise BadInput("the store holds no events yet: nothing to seal")
        origin = origin or f"casetrail/{first.hex()[:16]}"
        made = datetime.now(timezone.utc)
        note = signer.sign(checkpoint_body(origin, frontier.size, frontier.root(), made))
        try:
            with self.datastore.transaction(commit=True) as cursor:
                cursor.executemany(self._sql(f"INSERT INTO {{{LEAVES}}} (idx, position, leaf) VALUES (?, ?, ?)"),
                                   [(start + n, position, leaf) for n, (position, leaf) in enumerate(new)])
                cursor.execute(self._sql(f"INSERT INTO {{{CHECKPOINTS}}} (size, root, made_at, signer, note) "
                                         "VALUES (?, ?, ?, ?, ?)"),
                               (frontier.size, frontier.root(), made.isoformat(), signer.name, note))
        except Exception as error:
            if "unique" in str(error).lower() or "duplicate" in str(error).lower():
                raise StoreError("another checkpoint was made at the same moment; run 'casetrail checkpoint' "
                                 "again") from None
            raise
        return parse_checkpoint(note)
