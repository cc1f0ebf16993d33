"""Sources' preserved copies: the files themselves, kept by SHA-256 beside the events.

The ``FileAttached`` event in the source's stream says which file (hash, size, media type,
captured time) and is sealed with the log; the bytes live in ``casetrail_files``, encrypted
with the store's cipher when ``CASETRAIL_KEY`` is set (AES-GCM: a changed byte cannot be
decrypted). The table refuses UPDATE and DELETE like the events. ``verify`` reads every
attached file back and checks its hash.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from casetrail.domain.errors import BadInput, NotFound
from casetrail.store.ledger import Ledger

FILES = "casetrail_files"
ENV_MAX = "CASETRAIL_MAX_FILE_MB"
DEFAULT_MAX_MB = 200


def most_bytes() -> int:
    text = os.environ.get(ENV_MAX, "").strip()
    if not text:
        return DEFAULT_MAX_MB * 1024 * 1024
    if not text.isdigit() or int(text) < 1:
        raise BadInput(f"{ENV_MAX} '{text}' is not a size: give whole megabytes, e.g. {ENV_MAX}=500")
    return int(text) * 1024 * 1024


class Files:
    """The files table, through the same datastore as the ledger."""

    def __init__(self, ledger: Ledger, cipher: Any) -> None:
        self.ledger, self.cipher = ledger, cipher

    def create(self) -> None:
        blob = "BYTEA" if self.ledger.kind == "postgres" else "BLOB"
        table = self.ledger.prefix + FILES
        with self.ledger.datastore.transaction(commit=True) as cursor:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} (sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, "
                           f"content {blob} NOT NULL)")
            self.ledger.append_only(cursor, FILES)

    def put(self, content: bytes) -> str:
        """Keep ``content`` (once per hash); its SHA-256."""
        digest = hashlib.sha256(content).hexdigest()
        stored = self.cipher.encrypt(content) if self.cipher else content
        self.create()
        ignore = ("INSERT INTO {t} (sha256, size, content) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
                  if self.ledger.kind == "postgres" else "INSERT OR IGNORE INTO {t} (sha256, size, content) VALUES (?, ?, ?)")
        with self.ledger.datastore.transaction(commit=True) as cursor:
            cursor.execute(ignore.format(t=self.ledger.prefix + FILES), (digest, len(content), stored))
        return digest

    def get(self, digest: str) -> bytes:
        """The file with this hash, as attached; NotFound when it is not kept (or was removed)."""
        rows = self.ledger.rows(f"SELECT content FROM {self.ledger.prefix}{FILES} WHERE sha256 = ?", (digest,),
                                table=FILES)
        if not rows:
            raise NotFound(f"the file {digest[:12]}… is not in the store (removed?); run 'casetrail verify'")
        content = bytes(rows[0][0])
        return self.cipher.decrypt(content) if self.cipher else content

    def problem(self, digest: str) -> str | None:
        """Why the kept file does not match its hash (None when it does)."""
        try:
            content = self.get(digest)
        except NotFound:
            return f"its preserved file {digest[:12]}… is missing from the store (deleted)"
        except Exception:
            return f"its preserved file {digest[:12]}… cannot be decrypted (changed after it was stored)"
        if hashlib.sha256(content).hexdigest() != digest:
            return f"its preserved file {digest[:12]}… was changed after it was stored (its SHA-256 differs)"
        return None
