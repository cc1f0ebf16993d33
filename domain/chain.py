"""Tamper evidence: each event carries the hash of the event before it in its stream.

A link is the SHA-256 of a canonical JSON form of what is stored for an event: its
stream, version, topic and state (the JSON the mapper writes before compressing and
encrypting). ``verify`` recomputes links from the stored rows alone, decoding JSON
but never building the models, so it runs at the speed of reading. A changed,
removed or reordered event breaks the link that the next one carries; the newest
event of a stream is vouched for only by the digest over every stream's head, which
a team keeps elsewhere.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from eventsourcing.utils import get_topic

ENVELOPE = frozenset({"originator_id", "originator_version"})


# The states of the last few events serialized, by id, with the event itself (so that its id
# cannot be reused while remembered): a new event's link serializes the event before it, and
# saving them serializes each again; events are frozen, so a remembered state stays true.
_RECENT: dict[int, tuple[Any, dict[str, Any]]] = {}
_RECENT_SIZE = 64


def stored_state(event: Any) -> dict[str, Any]:
    """The JSON-ready state the store keeps for an event (the envelope is in its own columns).
    Callers must not change the dict they get."""
    known = _RECENT.get(id(event))
    if known is not None and known[0] is event:
        return known[1]
    state = _state(event)
    if len(_RECENT) >= _RECENT_SIZE:
        del _RECENT[next(iter(_RECENT))]
    _RECENT[id(event)] = (event, state)
    return state


def _state(event: Any) -> dict[str, Any]:
    cls = type(event)
    state = event.model_dump(mode="json", exclude=ENVELOPE)
    if state.get("recorded_by", "") is None:
        # Events stored before authorship was kept have no such key: an event read back must
        # give the very state it was stored with, or the link the next one carries would not match.
        del state["recorded_by"]
    if state.get("batch", "") is None:
        del state["batch"]  # likewise: only an imported event names its import
    class_version = getattr(cls, "class_version", 1)
    if class_version > 1:
        state["class_version"] = class_version
    return state


def link(stream: str, version: int, topic: str, state: dict[str, Any]) -> str:
    """``stream`` is the stream id as 32 hex digits (``UUID.hex``)."""
    canonical = {"stream": stream, "version": version, "topic": topic, "state": state}
    return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()


def event_link(event: Any) -> str:
    """The link the next event of the stream carries as ``previous``."""
    return link(event.originator_id.hex, event.originator_version, get_topic(type(event)), stored_state(event))
