"""``verify``: walk every stored event, check each stream's chain of links and the store-wide log.

Reads the notification log in order and keeps, per stream, only the last version and
its link, so memory grows with the number of streams, not events. Each event is
decoded (decrypted, decompressed, JSON) but never turned into a model. Beside the
walk, the leaves that the checkpoints sealed are read in the same order (``Seals``):
each event's leaf, worked out again from its row, must be the one kept for its
position, and the kept leaves must give every checkpoint's signed root.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator
from uuid import UUID

import orjson
from eventsourcing.sqlite import SQLiteApplicationRecorder

from casetrail.domain.chain import link
from casetrail.domain.errors import BadInput, CasetrailError
from casetrail.store.ledger import Ledger, Sealed, leaf_of
from casetrail.store.merkle import Frontier
from casetrail.store.notes import Checkpoint, Verifier

FILE_TOPIC = "casetrail.domain.events:FileAttached"

PAGE = 5000


@dataclass(frozen=True)
class Break:
    stream: str  # the person's (or source's) key when known, else the stream id
    version: int
    problem: str

    def as_dict(self) -> dict[str, Any]:
        return {"stream": self.stream, "version": self.version, "problem": self.problem}


@dataclass
class Verification:
    events: int = 0
    streams: int = 0
    position: int = 0  # the last notification read
    digest: str = ""  # over every stream's head at ``position``
    breaks: list[Break] = field(default_factory=list)
    checkpoints: int = 0  # stored checkpoints checked
    sealed: int = 0  # events the latest checkpoint covers
    unsealed: int = 0  # events stored after it: "not yet sealed"
    unchecked: list[str] = field(default_factory=list)  # what could not be checked, and why

    @property
    def sound(self) -> bool:
        return not self.breaks

    @property
    def stamp(self) -> str:
        """What a team keeps elsewhere and gives back as ``--against``."""
        return f"{self.position}:{self.digest}"


@dataclass
class Log:
    """What verify checks the store-wide log with: the ledger, the leaves' key, the trusted keys
    and a checkpoint kept elsewhere (``--against FILE``)."""

    ledger: Ledger | None = None
    secret: bytes | None = None
    trusted: list[Verifier] = field(default_factory=list)
    against: Checkpoint | None = None
    file_problem: Callable[[str], str | None] | None = None  # why a preserved file fails its hash


def verify(recorder: Any, decode: Callable[[bytes], bytes], against: str | None = None,
           progress: Callable[[int, int], None] | None = None, log: Log | None = None) -> Verification:
    """Check every stream; with ``against`` ("POSITION:DIGEST", as an earlier run printed),
    also check that the heads at that position are still what they were; with ``log``, the
    store-wide log and its checkpoints."""
    wanted = _parse_against(against) if against else None
    result = Verification()
    seals = Seals(log or Log(), result)
    files: list[tuple[str, int, bytes]] = []  # each preserved file's source, version and event
    heads: dict[str, tuple[int, str]] = {}  # by the stream id as stored (a UUID hashes in Python, text in C)
    keys: dict[str, str] = {}
    head = recorder.max_notification_id() or 0
    for page in _pages(recorder):
        for row in page:
            position, stream, version, topic, _ = row
            if wanted and position > wanted[0] and result.position <= wanted[0]:
                _check_against(result, heads, wanted)
            plain = _step(row, decode, heads, keys, result)
            seals.see(row, plain, keys)
            if topic == FILE_TOPIC and plain is not None:
                files.append((_name(keys, stream), version, plain))
            result.position = position
        if progress:
            progress(result.position, head)
    if wanted and result.position <= wanted[0]:
        _check_against(result, heads, wanted)
    seals.finish()
    _check_files(files, (log or Log()).file_problem, result)
    result.streams = len(heads)
    result.digest = _digest(heads)
    return result


Row = tuple[int, str, int, str, bytes]  # position, stream id (32 hex digits, as stored), version, topic, state


def _pages(recorder: Any) -> Iterator[list[Row]]:
    """Every stored event in notification order, a page at a time, as plain tuples. On SQLite read
    with one SELECT of the columns (eventsourcing's reader makes a UUID and a Notification of each
    row: a fifth of verify); elsewhere through the recorder."""
    start = 1
    if isinstance(recorder, SQLiteApplicationRecorder):
        statement = (f"SELECT rowid, originator_id, originator_version, topic, state FROM "
                     f"{recorder.events_table_name} WHERE rowid >= ? ORDER BY rowid LIMIT {PAGE}")
        while True:
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.row_factory = None  # plain tuples, not sqlite3.Row
                cursor.execute(statement, (start,))
                page = cursor.fetchall()
            if not page:
                return
            yield page
            start = page[-1][0] + 1
    while page := recorder.select_notifications(start, PAGE):
        yield [(n.id, n.originator_id.hex, n.originator_version, n.topic, n.state) for n in page]
        start = page[-1].id + 1


class Seals:
    """The store-wide log: each event's leaf against the leaf sealed for its position, the sealed
    leaves against every stored checkpoint, and the events' leaves against ``--against``."""

    def __init__(self, log: Log, result: Verification) -> None:
        self.log, self.result = log, result
        self.ledger = log.ledger if log.ledger is not None and log.ledger.exists() else None
        self.stored = self.ledger.checkpoints() if self.ledger else []
        self.last = self.ledger.sealed_count()[1] if self.ledger else 0
        self.kept = self.ledger.sealed() if self.ledger else iter(())
        self.next: Sealed | None = next(self.kept, None)
        self.by_size = {size: checkpoint for size, checkpoint in self.stored if checkpoint is not None}
        self.sealed_tree = Frontier()
        # The events' own tree, only for a checkpoint kept elsewhere: the stored ones are checked
        # against the kept leaves, which each event's leaf has just been compared with.
        self.events_tree = Frontier() if log.against is not None else None
        self.roots: dict[int, bytes] = {}  # the events' own root at --against's size

    def see(self, row: Row, plain: bytes | None, keys: dict[str, str]) -> None:
        position, stream, version, topic, state = row
        leaf = leaf_of(position, stream, version, topic,
                       plain if plain is not None else bytes(state), self.log.secret)
        if self.events_tree is not None:
            self._add_event(leaf)
        while self.next is not None and self.next.position < position:
            self._missing(self.next)
        if self.next is not None and self.next.position == position:
            if self.next.leaf != leaf:
                self._break(_name(keys, stream), version, f"(position {position}) is not what checkpoint sealed: it was "
                            "changed, replaced or moved after it was sealed")
            self._add_sealed(self.next)
        elif position <= self.last:
            self._break(_name(keys, stream), version, f"(position {position}) was inserted among sealed events: no checkpoint sealed it there")
        else:
            self.result.unsealed += 1

    def finish(self) -> None:
        while self.next is not None:
            self._missing(self.next)
        self.result.checkpoints = len(self.stored)
        self._check_sizes()
        self._check_signatures()
        if self.log.against is not None and self.log.against.size not in self.roots:
            self._break("*", 0, f"the store holds {self.result.events} events, fewer than the "
                                f"{self.log.against.size} the checkpoint given with --against sealed: events "
                                "were deleted, or the store was rolled back")

    def _add_event(self, leaf: bytes) -> None:
        self.events_tree.add(leaf)
        against = self.log.against
        if against is not None and self.events_tree.size == against.size:
            self.roots[against.size] = self.events_tree.root()
            if self.events_tree.root() != against.root:
                self._break("*", 0, f"the first {against.size} events are not those the checkpoint given with "
                                    "--against sealed: an event recorded by then was changed, removed or moved")

    def _add_sealed(self, sealed: Sealed) -> None:
        tree = self.sealed_tree
        tree.add(sealed.leaf)
        size = self.result.sealed = tree.size
        checkpoint = self.by_size.get(size)
        if checkpoint is not None and checkpoint.root != tree.root():
            self._break("*", 0, f"the checkpoint of size {size} ({_when(checkpoint)}) does not match the "
                                "sealed leaves: a sealed event and its leaf were both changed, or the checkpoint")
        self.next = next(self.kept, None)

    def _missing(self, sealed: Sealed) -> None:
        self._break(f"position {sealed.position}", 0, "was sealed by a checkpoint and is no longer in the store "
                                                      "(deleted)")
        self._add_sealed(sealed)

    def _check_sizes(self) -> None:
        for size, checkpoint in self.stored:
            if checkpoint is None or checkpoint.size != size:
                self._break("*", 0, f"the stored checkpoint of size {size} is not a checkpoint note of that size")
            elif size > self.sealed_tree.size:
                self._break("*", 0, f"the checkpoint of size {size} ({_when(checkpoint)}) sealed more events than "
                                    f"the {self.sealed_tree.size} sealed leaves kept: leaves were deleted")

    def _check_signatures(self) -> None:
        notes = [c for _, c in self.stored if c is not None] + ([self.log.against] if self.log.against else [])
        if not self.log.trusted:
            if notes:
                self.result.unchecked.append("signatures not checked: no trusted key (give --trust PUBKEY, or "
                                             "'casetrail key trust PUBKEY')")
            return
        for checkpoint in notes:
            if not any(checkpoint.signed_by(verifier) for verifier in self.log.trusted):
                self._break("*", 0, f"the checkpoint of size {checkpoint.size} ({_when(checkpoint)}) is not signed by "
                                    f"a trusted key (signed as {', '.join(checkpoint.signers) or 'nobody'})")

    def _break(self, name: str, version: int, problem: str) -> None:
        self.result.breaks.append(Break(name, version, problem))


def _check_files(files: list[tuple[str, int, bytes]], problem: Callable[[str], str | None] | None,
                 result: Verification) -> None:
    """Every preserved file read back and hashed (the events that name them were checked above)."""
    for source, version, plain in files if problem else ():
        digest = orjson.loads(plain).get("sha256")
        found = problem(digest) if isinstance(digest, str) else "names no file"
        if found:
            result.breaks.append(Break(source, version, found))


def _when(checkpoint: Checkpoint) -> str:
    signers = ", ".join(checkpoint.signers) or "unsigned"
    made = checkpoint.time.isoformat(timespec="seconds") if checkpoint.time else "no time"
    return f"{made}, {signers}"


def _step(row: Row, decode: Callable[[bytes], bytes], heads: dict[str, tuple[int, str]], keys: dict[str, str],
          result: Verification) -> bytes | None:
    """Check one event's link; its decoded JSON (None when it cannot be read: reported)."""
    _, stream, version, topic, stored = row
    result.events += 1
    try:
        plain = decode(stored)
        state = orjson.loads(plain)
        if not isinstance(state, dict):
            raise ValueError("not a JSON object")
    except CasetrailError:  # the key does not fit the store: nothing can be checked
        raise
    except Exception as error:  # a damaged or foreign row: report it, keep walking
        result.breaks.append(Break(_name(keys, stream), version, f"cannot be read ({_short(error)})"))
        heads[stream] = (version, "unreadable")
        return None
    if version == 1:
        keys[stream] = state.get("key") if isinstance(state.get("key"), str) else _uuid_text(stream)
    last_version, last_link = heads.get(stream, (0, None))
    if version != last_version + 1:
        missing = f"{last_version + 1}" if version == last_version + 2 else f"{last_version + 1} to {version - 1}"
        result.breaks.append(Break(_name(keys, stream), version, f"version {missing} is missing (deleted from the store?)"))
    elif version > 1 and state.get("previous") != last_link:
        carried = state.get("previous")
        result.breaks.append(Break(_name(keys, stream), version, (
            f"the link it carries ({_hash(carried)}) is not version {version - 1} as stored now ({_hash(last_link)}): "
            f"version {version - 1} was changed after it was written, or this event's link was")))
    elif version == 1 and state.get("previous") is not None:
        result.breaks.append(Break(_name(keys, stream), version, "the first event of a stream carries a link"))
    heads[stream] = (version, link(stream, version, topic, state))
    return plain if type(plain) is bytes else bytes(plain)


def _name(keys: dict[str, str], stream: str) -> str:
    return keys.get(stream) or _uuid_text(stream)


def _uuid_text(stream: str) -> str:
    """A stream id as stored (hex digits) in the spelling of ``str(UUID)``, as messages and the
    digest have always named it; a row whose id is no UUID at all as it is."""
    try:
        return str(UUID(stream))
    except ValueError:
        return stream


def _digest(heads: dict[str, tuple[int, str]]) -> str:
    lines = sorted(f"{_uuid_text(stream)}:{version}:{link_}" for stream, (version, link_) in heads.items())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _check_against(result: Verification, heads: dict, wanted: tuple[int, str]) -> None:
    if _digest(heads) != wanted[1]:
        result.breaks.append(Break("*", 0, (
            f"the heads at position {wanted[0]} do not match the digest given: an event recorded by then "
            "was changed or removed, at the head of its stream or before it")))


def _parse_against(text: str) -> tuple[int, str]:
    position, _, digest = text.strip().partition(":")
    if not position.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise BadInput(f"--against '{text}' is not a verify stamp: give POSITION:DIGEST as 'casetrail verify' "
                       "printed it, e.g. 1234:9f86d08...")
    return int(position), digest


def _hash(value: Any) -> str:
    return f"{value[:12]}…" if isinstance(value, str) else "none"


def _short(error: BaseException) -> str:
    return " ".join(str(error).split())[:80] or type(error).__name__
