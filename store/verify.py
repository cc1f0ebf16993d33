"""``verify``: walk every stored event, check each stream's chain of links, digest the heads.

Reads the notification log in order and keeps, per stream, only the last version and
its link, so memory grows with the number of streams, not events. Each event is
decoded (decrypted, decompressed, JSON) but never turned into a model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable
from uuid import UUID

import orjson

from casetrail.domain.chain import link
from casetrail.domain.errors import BadInput, CasetrailError

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

    @property
    def sound(self) -> bool:
        return not self.breaks

    @property
    def stamp(self) -> str:
        """What a team keeps elsewhere and gives back as ``--against``."""
        return f"{self.position}:{self.digest}"


def verify(recorder: Any, decode: Callable[[bytes], bytes], against: str | None = None,
           progress: Callable[[int, int], None] | None = None) -> Verification:
    """Check every stream; with ``against`` ("POSITION:DIGEST", as an earlier run printed),
    also check that the heads at that position are still what they were."""
    wanted = _parse_against(against) if against else None
    result = Verification()
    heads: dict[UUID, tuple[int, str]] = {}
    keys: dict[UUID, str] = {}
    head = recorder.max_notification_id() or 0
    start = 1
    while page := recorder.select_notifications(start, PAGE):
        for notification in page:
            if wanted and notification.id > wanted[0] and result.position <= wanted[0]:
                _check_against(result, heads, wanted)
            _step(notification, decode, heads, keys, result)
            result.position = notification.id
        start = page[-1].id + 1
        if progress:
            progress(result.position, head)
    if wanted and result.position <= wanted[0]:
        _check_against(result, heads, wanted)
    result.streams = len(heads)
    result.digest = _digest(heads)
    return result


def _step(notification: Any, decode: Callable[[bytes], bytes], heads: dict, keys: dict,
          result: Verification) -> None:
    stream, version = notification.originator_id, notification.originator_version
    result.events += 1
    try:
        state = orjson.loads(decode(notification.state))
        if not isinstance(state, dict):
            raise ValueError("not a JSON object")
    except CasetrailError:  # the key does not fit the store: nothing can be checked
        raise
    except Exception as error:  # a damaged or foreign row: report it, keep walking
        result.breaks.append(Break(_name(keys, stream), version, f"cannot be read ({_short(error)})"))
        heads[stream] = (version, "unreadable")
        return
    if version == 1:
        keys[stream] = state.get("key") if isinstance(state.get("key"), str) else str(stream)
    last_version, last_link = heads.get(stream, (0, None))
    carried = state.get("previous")
    if version != last_version + 1:
        missing = f"{last_version + 1}" if version == last_version + 2 else f"{last_version + 1} to {version - 1}"
        result.breaks.append(Break(_name(keys, stream), version, f"version {missing} is missing (deleted from the store?)"))
    elif version > 1 and carried != last_link:
        result.breaks.append(Break(_name(keys, stream), version, (
            f"the link it carries ({_hash(carried)}) is not version {version - 1} as stored now ({_hash(last_link)}): "
            f"version {version - 1} was changed after it was written, or this event's link was")))
    elif version == 1 and carried is not None:
        result.breaks.append(Break(_name(keys, stream), version, "the first event of a stream carries a link"))
    heads[stream] = (version, link(stream.hex, version, notification.topic, state))


def _name(keys: dict, stream: UUID) -> str:
    return keys.get(stream) or str(stream)


def _digest(heads: dict[UUID, tuple[int, str]]) -> str:
    lines = sorted(f"{stream}:{version}:{link_}" for stream, (version, link_) in heads.items())
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
