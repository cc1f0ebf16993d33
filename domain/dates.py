"""Fuzzy dates: the valid-time axis, as reporters give it.

EDTF (ISO 8601-2) level 0 and the level 1 forms reports need: ``2022``, ``2022-02`` or
``2022-02-15``, each optionally followed by ``~`` (approximate) or ``?`` (uncertain);
intervals ``2022-01-05/2022-01-06`` ("5-6 January"); open ends ``../2023-03-09`` (on or
before) and ``2022-01-09/..`` (on or after); seasons ``2022-21`` to ``2022-24`` (spring,
summer, autumn, winter). The plain forms are read here, as they always were, so stored
dates load exactly as written; the others by the Library of Congress parser (``edtf``).

A fuzzy date covers every day it could mean: ``2022-02`` is 1 to 28 February.
The qualifier is kept and shown back exactly as written, but it does not widen
those bounds: EDTF's own "fuzzy" bounds pad ``~`` by a year or more, which would
make a vague report about January sort before everything in the previous
summer. An approximate or uncertain day therefore orders like the exact day;
the qualifier tells the reader to treat it with care (EDTF's strict bounds).

An open end has no bound of its own on that side (``date.min`` or ``date.max`` here):
the fold gives it the bound the person's other facts allow (``fold.story``).
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import date, datetime, time, timedelta, timezone
from functools import total_ordering
from time import struct_time
from typing import Any

import edtf

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from casetrail.domain.errors import BadInput

_PATTERN = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([~?]?)$")
_EXAMPLES = ("use YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ~ or ?, an interval FROM/TO, "
             "../TO (on or before), FROM/.. (on or after) or a season YYYY-21..24 (spring..winter), "
             "e.g. 2022-01-09, 2022-02~, 2022-01-05/2022-01-06, ../2023-03-09 or 2022-23")
_SEASONS = {"21": "spring", "22": "summer", "23": "autumn", "24": "winter"}
_END = re.compile(r"^(\.\.|[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?[~?]?)$")


_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_length(year: int, month: int) -> int:
    """Days in a month, without calendar.monthrange, which works out the month's first weekday
    too: every stored event's date is parsed again when it is read, and that was a tenth of it."""
    return 29 if month == 2 and calendar.isleap(year) else _DAYS_IN_MONTH[month]


@total_ordering
class FuzzyDate:
    """A day, month or year, with its earliest and latest possible day."""

    __slots__ = ("text", "earliest", "latest", "precision", "qualifier", "open_start", "open_end")

    def __init__(self, text: str, earliest: date, latest: date, precision: str, qualifier: str):
        self.text = text
        self.earliest = earliest
        self.latest = latest
        self.precision = precision  # "year", "month", "day", "season" or "interval"
        self.qualifier = qualifier  # "", "~" or "?" ("~" or "?" on an interval: on either end)
        self.open_start = earliest == date.min  # ../TO: on or before
        self.open_end = latest == date.max  # FROM/..: on or after

    @classmethod
    def parse(cls, text: str) -> FuzzyDate:
        if isinstance(text, FuzzyDate):
            return text
        raw = str(text).strip()
        match = _PATTERN.match(raw)
        if not match:
            return _extended(str(text), raw)
        year, month, day, qualifier = match.groups()
        y = int(year)
        if y < 1:
            raise BadInput(f"'{text}' is not a date: year 0000 does not exist; {_EXAMPLES}")
        if month is None:
            return cls(raw, date(y, 1, 1), date(y, 12, 31), "year", qualifier)
        m = int(month)
        if day is None and month in _SEASONS:
            return _extended(str(text), raw)
        if not 1 <= m <= 12:
            raise BadInput(f"'{text}' is not a date: month {month} does not exist; {_EXAMPLES}")
        last = _month_length(y, m)
        if day is None:
            return cls(raw, date(y, m, 1), date(y, m, last), "month", qualifier)
        d = int(day)
        if not 1 <= d <= last:
            raise BadInput(f"'{text}' is not a date: {calendar.month_name[m]} {y} has no day {day}; {_EXAMPLES}")
        return cls(raw, date(y, m, d), date(y, m, d), "day", qualifier)

    def not_after(self, today: date) -> FuzzyDate:
        """Refuse a date that cannot have happened yet."""
        if self.earliest > today:
            raise BadInput(f"date {self.text} is in the future (today is {today.isoformat()}); "
                           "record only what has happened")
        return self

    @property
    def exact(self) -> bool:
        return self.precision == "day" and not self.qualifier

    @property
    def open(self) -> bool:
        return self.open_start or self.open_end

    def words(self) -> str:
        """The date as written, in English words without its qualifier: '2022', 'May 2022',
        '9 January 2022', 'autumn 2022', '5 January 2022 to 6 January 2022', 'on or before 9 March 2023'."""
        if self.precision == "season":
            year, season = self.text[:4], _SEASONS[self.text[5:7]]
            return f"{season} {year}"
        if self.precision == "interval":
            start, end = (None if part == ".." else _parsed(part).words() for part in self.text.split("/"))
            return f"on or before {end}" if start is None else f"on or after {start}" if end is None else f"{start} to {end}"
        day = self.earliest
        return {"year": f"{day.year}", "month": f"{calendar.month_name[day.month]} {day.year}",
                "day": f"{day.day} {calendar.month_name[day.month]} {day.year}"}[self.precision]

    def within(self, earliest: date, latest: date) -> FuzzyDate:
        """The same date as written, its bounds narrowed to what the rest of the story allows (the
        fold's story order: an open end's bound, or a month told after a day in it)."""
        if earliest == self.earliest and latest == self.latest:
            return self
        narrowed = FuzzyDate(self.text, earliest, latest, self.precision, self.qualifier)
        narrowed.open_start, narrowed.open_end = self.open_start, self.open_end
        return narrowed

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"FuzzyDate({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FuzzyDate) and self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __lt__(self, other: FuzzyDate) -> bool:
        return (self.earliest, self.latest, self.text) < (other.earliest, other.latest, other.text)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def validate(value: Any) -> FuzzyDate:
            if isinstance(value, FuzzyDate):
                return value
            if isinstance(value, date):
                return cls.parse(value.isoformat())
            if isinstance(value, str):
                try:
                    return _parsed(value)
                except BadInput as error:
                    raise ValueError(str(error)) from None
            raise ValueError(f"{value!r} is not a date: {_EXAMPLES}")

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )


def _extended(given: str, raw: str) -> FuzzyDate:
    """An EDTF level 1 interval, open end or season (edtf's strict bounds: ~ and ? do not widen)."""
    parts = raw.split("/")
    season = len(parts) == 1 and re.fullmatch(r"[0-9]{4}-(2[1-4])([~?]?)", raw)
    interval = len(parts) == 2 and all(_END.match(p) for p in parts) and parts != ["..", ".."]
    if not (season or interval):
        raise BadInput(f"'{given}' is not a date: {_EXAMPLES}")
    if interval:
        ends = [None if p == ".." else FuzzyDate.parse(p) for p in parts]  # each end's own message
    try:
        found = edtf.parse_edtf(raw)
    except edtf.EDTFParseException:
        raise BadInput(f"'{given}' is not a date: {_EXAMPLES}") from None
    if season:
        earliest, latest = _day(found.lower_strict()), _day(found.upper_strict())
        if season.group(1) == "24":  # edtf's winter is December alone: the winter that begins then ends in February
            latest = date(latest.year + 1, 2, _month_length(latest.year + 1, 2))
        return FuzzyDate(raw, earliest, latest, "season", season.group(2))
    start, end = ends
    earliest = start.earliest if start else date.min
    latest = end.latest if end else date.max
    if earliest > latest:
        raise BadInput(f"'{given}' is not a date: the interval ends before it begins; {_EXAMPLES}")
    qualifier = next((e.qualifier for e in ends if e and e.qualifier), "")
    return FuzzyDate(raw, earliest, latest, "interval", qualifier)


def _day(moment: struct_time) -> date:
    return date(moment.tm_year, moment.tm_mon, moment.tm_mday)


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> FuzzyDate:
    """FuzzyDate.parse, remembered: a store holds few distinct dates and each event read back
    parses its own again. A FuzzyDate is never changed once made, so one may be shared."""
    return FuzzyDate.parse(text)


def parse_day(text: str, what: str = "date") -> date:
    """An exact day, as taken by --as-of."""
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise BadInput(f"{what} '{text}' is not a day: use YYYY-MM-DD, e.g. 2022-03-01") from None


# The one spelling of a record time: a day, or a day and a time to the minute, second or
# microsecond, with Z or an offset (none: UTC). Nothing else: 20261201, 2026-W48-2 and
# 2026-12-01Z were read as the start of a day while 2026-12-01 means its end.
_INSTANT = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})"
                      r"(?:T([0-9]{2}:[0-9]{2})(:[0-9]{2})?(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?)?")
_INSTANT_FORMS = ("use YYYY-MM-DD (the end of that day, UTC) or YYYY-MM-DDTHH:MM[:SS[.ffffff]] with an optional "
                  "Z or +HH:MM (UTC if none), e.g. 2022-03-01 or 2022-03-01T21:23:50Z")


def parse_instant(text: str, what: str = "time") -> datetime:
    """A record-time instant, as taken by --known-at and --since.

    A time means the end of what it names, as a day does ("what we knew on 1 March"
    includes everything recorded during 1 March): 21:23 is its last microsecond,
    21:23:50 too, so a fact shown as recorded at 21:23:50 is known at 21:23:50.
    """
    raw = str(text).strip()
    match = _INSTANT.fullmatch(raw)
    if not match:
        raise BadInput(f"{what} '{text}' is not a date or date-time: {_INSTANT_FORMS}")
    day, minute, second, fraction, zone = match.groups()
    try:
        if minute is None:
            return datetime.combine(date.fromisoformat(day), time.max, tzinfo=timezone.utc)
        moment = datetime.fromisoformat(f"{day}T{minute}{second or ''}{fraction or ''}{zone or '+00:00'}")
    except ValueError:
        raise BadInput(f"{what} '{text}' is not a date or date-time that exists: {_INSTANT_FORMS}") from None
    if fraction is None:
        moment += timedelta(seconds=1 if second else 60, microseconds=-1)  # the end of that second or minute
    return moment.astimezone(timezone.utc)


def time_text(moment: datetime) -> str:
    """A record time as every output spells it: ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC, always to
    the microsecond, so it sorts as text and ``--known-at`` takes it back exactly)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def today_utc() -> date:
    return datetime.now(timezone.utc).date()
