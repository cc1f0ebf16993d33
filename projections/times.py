"""Valid dates and record times as the integers the read models store and compare.

A valid date is its day number (``date.toordinal()``, ``day_of`` back), a record time its microseconds
since 1970-01-01 UTC: narrow, fixed-width keys that sort as they compare, so the
tables and their (V, K) indexes stay small and a batch is written fast (as ISO text the
same rows were about twice as wide and slower to write: docs/BENCHMARKS.md). A period that
has not ended (in valid time) or not been superseded (in record time) ends at a far
sentinel rather than NULL, so "holds at (V, K)" is four plain range tests an index
can serve. Where the tables are read back, the numbers become dates and ISO text
again. (No SQLAlchemy here: the CLI imports this at start-up.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from casetrail.domain.dates import time_text

RECORD_OPEN = 2**63 - 1  # the recorded_to of a row not superseded
RECORD_NOW = RECORD_OPEN - 1  # K for "everything recorded so far": after any real time, before RECORD_OPEN
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def day_of(number: int) -> date:
    return date.fromordinal(number)


def moment_number(moment: datetime) -> int:
    """Microseconds since the epoch, exactly (a naive time is taken as local, as ``astimezone`` does)."""
    return (moment.astimezone(timezone.utc) - _EPOCH) // _MICROSECOND


def moment_text(number: int) -> str:
    return time_text(_EPOCH + number * _MICROSECOND)


NOW = "9999-12-30T00:00:00.000000Z"  # RECORD_NOW as text: K for "now" where text is compared


@dataclass(frozen=True)
class At:
    """A valid date V and a record time K (None: now): as the numbers the tables compare
    (``day``, ``moment``) and as text (``v``, ``k``)."""

    as_of: date
    known_at: datetime | None = None

    @property
    def day(self) -> int:
        return self.as_of.toordinal()

    @property
    def moment(self) -> int:
        return RECORD_NOW if self.known_at is None else moment_number(self.known_at)

    @property
    def v(self) -> str:
        return self.as_of.isoformat()

    @property
    def k(self) -> str:
        return NOW if self.known_at is None else time_text(self.known_at)
