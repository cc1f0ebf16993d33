"""Valid dates and record times as the text the read models store and compare.

Fixed-width ISO text sorts as it compares and reads as it is: valid dates
``YYYY-MM-DD``, record times ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC). A period that
has not ended (in valid time) or not been superseded (in record time) ends at a
far sentinel rather than NULL, so "holds at (V, K)" is four plain range tests
an index can serve. (No SQLAlchemy here: the CLI imports this at start-up.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from casetrail.domain.dates import today_utc

OPEN_VALID = "9999-12-31"
OPEN_RECORD = "9999-12-31T23:59:59.999999Z"
NOW = "9999-12-30T00:00:00.000000Z"  # K for "everything recorded so far": before OPEN_RECORD, after any real time


def day_text(day: date) -> str:
    return OPEN_VALID if day == date.max else day.isoformat()


def time_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class At:
    """A valid date V and a record time K (None: now), as the text the tables compare."""

    as_of: date
    known_at: datetime | None = None

    @property
    def v(self) -> str:
        return self.as_of.isoformat()

    @property
    def k(self) -> str:
        return NOW if self.known_at is None else time_text(self.known_at)

    @property
    def is_now(self) -> bool:
        return self.known_at is None and self.as_of >= today_utc()
