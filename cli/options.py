"""Options that several commands share, and how their text becomes dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Optional

import typer

from casetrail.domain.dates import parse_day, parse_instant, today_utc
from casetrail.domain.errors import BadInput

Key = Annotated[str, typer.Argument(help="The person, e.g. omarov-aslanbek.")]
AsOf = Annotated[Optional[str], typer.Option(
    "--as-of", help="Valid date V, YYYY-MM-DD: the world as it was that day. Default: today.")]
KnownAt = Annotated[Optional[str], typer.Option(
    "--known-at", help="Record time K: a date (end of that day, UTC) or a UTC date-time. Default: now.")]


def valid_day(text: str | None, what: str = "--as-of") -> date:
    """V: a day no later than today (default today)."""
    day = parse_day(text, what) if text else today_utc()
    if day > today_utc():
        raise BadInput(f"{what} {day} is in the future; casetrail answers only up to today ({today_utc()})")
    return day


def record_time(text: str | None, what: str = "--known-at") -> datetime | None:
    """K: a moment in record time (None: now)."""
    return parse_instant(text, what) if text else None
