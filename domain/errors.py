"""Domain errors: each carries one line that says what is wrong and how to fix it.

The CLI prints ``Error: <message>`` and exits 1; nothing else turns these into
output, so the message must stand on its own.
"""

from __future__ import annotations


class CasetrailError(Exception):
    """Base of every error a user can cause."""


class BadInput(CasetrailError, ValueError):
    """A value that cannot be read: a malformed date, amount, key or field."""


class NotFound(CasetrailError, LookupError):
    """An unknown person, source, event or event type."""


class AlreadyExists(CasetrailError):
    """A second registration of the same key."""


class TimelineConflict(CasetrailError):
    """The new fact would make the person's timeline impossible.

    Carries the conflicting event so that callers can point at it.
    """

    def __init__(self, message: str, event_id: str | None = None, on: str | None = None):
        super().__init__(message)
        self.event_id = event_id
        self.on = on


class LikelyDuplicate(TimelineConflict):
    """A fact like one recorded on overlapping dates, told differently: another account of it
    (disputes), the same from another source (corroborates) or a different happening (distinct);
    only the user knows which. ``event_id`` is the recorded one."""


class StoreError(CasetrailError):
    """The store cannot be opened or written: a locked or read-only file, a server that is down."""
