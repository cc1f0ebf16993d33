"""Fuzzy dates (the valid-time axis) and the instants and days the readers take."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from casetrail.domain.dates import FuzzyDate, parse_day, parse_instant
from casetrail.domain.errors import BadInput

FORMAT = ("use YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ~ or ?, an interval FROM/TO, "
          "../TO (on or before), FROM/.. (on or after) or a season YYYY-21..24 (spring..winter), "
          "e.g. 2022-01-09, 2022-02~, 2022-01-05/2022-01-06, ../2023-03-09 or 2022-23")


# -- parsing ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("qualifier", ["", "~", "?"])
def test_a_year_covers_the_whole_year(qualifier):
    parsed = FuzzyDate.parse("2022" + qualifier)

    assert (parsed.earliest, parsed.latest) == (date(2022, 1, 1), date(2022, 12, 31))
    assert parsed.precision == "year"
    assert parsed.qualifier == qualifier


@pytest.mark.parametrize("qualifier", ["", "~", "?"])
def test_a_month_covers_every_day_of_the_month(qualifier):
    parsed = FuzzyDate.parse("2022-02" + qualifier)

    assert (parsed.earliest, parsed.latest) == (date(2022, 2, 1), date(2022, 2, 28))
    assert parsed.precision == "month"
    assert parsed.qualifier == qualifier


@pytest.mark.parametrize("qualifier", ["", "~", "?"])
def test_a_day_is_its_own_earliest_and_latest_day(qualifier):
    parsed = FuzzyDate.parse("2022-02-15" + qualifier)

    assert parsed.earliest == parsed.latest == date(2022, 2, 15)
    assert parsed.precision == "day"
    assert parsed.qualifier == qualifier


@pytest.mark.parametrize("text, latest", [
    ("2024-02", date(2024, 2, 29)),   # leap year
    ("2022-02", date(2022, 2, 28)),
    ("2000-02", date(2000, 2, 29)),   # divisible by 400: leap
    ("1900-02", date(1900, 2, 28)),   # divisible by 100 only: not leap
    ("2022-04", date(2022, 4, 30)),
    ("2022-12", date(2022, 12, 31)),
    ("2022-01~", date(2022, 1, 31)),
])
def test_a_month_ends_on_its_last_calendar_day(text, latest):
    assert FuzzyDate.parse(text).latest == latest


def test_the_29th_of_february_exists_only_in_leap_years():
    assert FuzzyDate.parse("2024-02-29").earliest == date(2024, 2, 29)
    with pytest.raises(BadInput):
        FuzzyDate.parse("2023-02-29")


def test_a_qualifier_does_not_widen_the_bounds():
    plain, approximate, uncertain = (FuzzyDate.parse(t) for t in ("2022-01", "2022-01~", "2022-01?"))

    assert (plain.earliest, plain.latest) == (approximate.earliest, approximate.latest) \
        == (uncertain.earliest, uncertain.latest)


@pytest.mark.parametrize("text", ["2022", "2022~", "2022?", "2022-02", "2022-02~", "2022-02?",
                                  "2022-02-15", "2022-02-15~", "2022-02-15?"])
def test_the_text_is_shown_back_exactly_as_written(text):
    parsed = FuzzyDate.parse(text)

    assert parsed.text == text
    assert str(parsed) == text


def test_surrounding_spaces_are_not_part_of_the_text():
    assert FuzzyDate.parse("  2022-02~ ").text == "2022-02~"


def test_only_a_plain_day_is_exact():
    assert FuzzyDate.parse("2022-02-15").exact
    assert not FuzzyDate.parse("2022-02-15~").exact
    assert not FuzzyDate.parse("2022-02").exact


def test_fuzzy_dates_are_equal_only_when_written_the_same():
    assert FuzzyDate.parse("2022-01") == FuzzyDate.parse("2022-01")
    assert FuzzyDate.parse("2022-01") != FuzzyDate.parse("2022-01~")
    assert hash(FuzzyDate.parse("2022-01")) == hash(FuzzyDate.parse("2022-01"))


def test_fuzzy_dates_sort_by_earliest_then_latest_day():
    texts = ["2022-02-15", "2022", "2022-01-09", "2022-01", "2021-12-31"]

    ordered = [d.text for d in sorted(FuzzyDate.parse(t) for t in texts)]

    assert ordered == ["2021-12-31", "2022-01", "2022", "2022-01-09", "2022-02-15"]


def test_parsing_a_fuzzy_date_again_returns_it_unchanged():
    parsed = FuzzyDate.parse("2022-02~")

    assert FuzzyDate.parse(parsed) is parsed


# -- malformed input -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, what", [
    ("2022-13", "month 13 does not exist"),
    ("2022-00", "month 00 does not exist"),
    ("2022-02-30", "February 2022 has no day 30"),
    ("2022-04-31", "April 2022 has no day 31"),
    ("2022-01-00", "January 2022 has no day 00"),
    ("0000", "year 0000 does not exist"),
])
def test_an_impossible_date_is_refused_saying_what_is_wrong_and_giving_the_format(text, what):
    with pytest.raises(BadInput) as refused:
        FuzzyDate.parse(text)

    assert str(refused.value) == f"'{text}' is not a date: {what}; {FORMAT}"


@pytest.mark.parametrize("text", ["22-01-01", "January 2022", "", "2022-1-5", "2022/01/09", "09.01.2022",
                                  "2022-01-09T10:00", "2022~?", "~2022", "2022-01-09 ~", "20220109", "yesterday"])
def test_a_date_not_in_the_format_is_refused_with_the_format(text):
    with pytest.raises(BadInput) as refused:
        FuzzyDate.parse(text)

    assert str(refused.value) == f"'{text}' is not a date: {FORMAT}"


def test_bad_input_is_also_a_value_error():
    with pytest.raises(ValueError):
        FuzzyDate.parse("2022-13")


# -- the future ------------------------------------------------------------------------------------------------

def test_a_date_after_today_is_refused():
    today = date(2025, 6, 1)

    with pytest.raises(BadInput) as refused:
        FuzzyDate.parse("2025-06-02").not_after(today)

    assert str(refused.value) == ("date 2025-06-02 is in the future (today is 2025-06-01); "
                                  "record only what has happened")


@pytest.mark.parametrize("text", ["2025-06-01", "2025-06", "2025", "2025~", "2025-06-01?"])
def test_a_date_that_may_already_have_happened_is_accepted(text):
    parsed = FuzzyDate.parse(text)

    assert parsed.not_after(date(2025, 6, 1)) is parsed


@pytest.mark.parametrize("text", ["2025-07", "2026", "2025-06-02~"])
def test_a_vague_date_that_starts_after_today_is_refused(text):
    with pytest.raises(BadInput, match="is in the future"):
        FuzzyDate.parse(text).not_after(date(2025, 6, 1))


# -- instants (--known-at) and days (--as-of) ------------------------------------------------------------------

def test_a_bare_date_as_an_instant_means_the_end_of_that_day_in_utc():
    moment = parse_instant("2022-03-01")

    assert moment == datetime(2022, 3, 1, 23, 59, 59, 999999, tzinfo=timezone.utc)


def test_an_instant_without_a_zone_is_read_as_utc():
    assert parse_instant("2022-03-01T12:00:30.250000") == datetime(2022, 3, 1, 12, 0, 30, 250000, tzinfo=timezone.utc)


def test_a_time_to_the_minute_means_the_end_of_that_minute():
    assert parse_instant("2022-03-01T12:00") == datetime(2022, 3, 1, 12, 0, 59, 999999, tzinfo=timezone.utc)


def test_a_time_to_the_second_means_the_end_of_that_second():
    assert parse_instant("2022-03-01T12:00:30") == datetime(2022, 3, 1, 12, 0, 30, 999999, tzinfo=timezone.utc)


def test_a_time_with_fractions_means_exactly_that_instant():
    assert parse_instant("2022-03-01T12:00:30.5Z") == datetime(2022, 3, 1, 12, 0, 30, 500000, tzinfo=timezone.utc)


def test_an_instant_with_a_z_suffix_is_utc():
    moment = parse_instant("2022-03-01T12:00Z")

    assert moment == datetime(2022, 3, 1, 12, 0, 59, 999999, tzinfo=timezone.utc)
    assert moment.utcoffset().total_seconds() == 0


def test_an_instant_with_an_offset_is_converted_to_utc():
    moment = parse_instant("2022-03-01T12:00:00.000000+06:00")

    assert moment == datetime(2022, 3, 1, 6, 0, tzinfo=timezone.utc)
    assert moment.tzinfo == timezone.utc


@pytest.mark.parametrize("text", ["20261201", "2026-12-01Z", "2026-W48-2", "2026-336", "2026-12-01 21:23",
                                  "2026-12-01T21", "2026-12-01T2123", "2026-12-01t21:23", "2026-12-01T21:23+0600",
                                  "2026-12-01T21:23:50.1234567", "2026-12-01+06:00"])
def test_any_other_spelling_of_an_instant_is_refused_with_the_accepted_forms(text):
    with pytest.raises(BadInput) as refused:
        parse_instant(text, "--known-at")

    assert str(refused.value) == (
        f"--known-at '{text}' is not a date or date-time: use YYYY-MM-DD (the end of that day, UTC) or "
        "YYYY-MM-DDTHH:MM[:SS[.ffffff]] with an optional Z or +HH:MM (UTC if none), e.g. 2022-03-01 or "
        "2022-03-01T21:23:50Z")


@pytest.mark.parametrize("text", ["yesterday", "2022-3-1", "2022-02-30", "", "01/03/2022", "2022-03-01T24:00"])
def test_a_malformed_instant_is_refused_with_the_format(text):
    with pytest.raises(BadInput) as refused:
        parse_instant(text, "--known-at")

    assert str(refused.value).startswith(f"--known-at '{text}' is not a ")
    assert "YYYY-MM-DD" in str(refused.value)


def test_a_day_is_read_as_a_calendar_date():
    assert parse_day("2022-03-01") == date(2022, 3, 1)
    assert parse_day(" 2022-03-01 ") == date(2022, 3, 1)


@pytest.mark.parametrize("text", ["2022-03", "2022-02-30", "March 2022", "", "2022-03-01~"])
def test_a_day_that_is_not_a_whole_date_is_refused_with_the_format(text):
    with pytest.raises(BadInput) as refused:
        parse_day(text, "--as-of")

    assert str(refused.value) == f"--as-of '{text}' is not a day: use YYYY-MM-DD, e.g. 2022-03-01"
