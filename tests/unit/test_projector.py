"""The rows of a timeline: a row closed later is named by the same ident it was written with."""

from __future__ import annotations

from datetime import date

from casetrail.projections.projector import Batch, change_row, ident_of, period_row, rows_of
from casetrail.domain.rules import load_rules
from casetrail.domain.timeline import OPEN, Change, timeline
from casetrail.projections.times import RECORD_OPEN, moment_number

from .builders import T0, new_person, rec

RULES = load_rules()
VALID_OPEN = OPEN.toordinal()  # the valid_to of a period that has not ended, as the rows hold it


def a_story():
    person = new_person("story")
    rec(person, "detained", "2022-01-06")
    rec(person, "charged", "2022-01", charge="mass riots")
    rec(person, "released", "2022-02~")
    rec(person, "designated", "2022-03-01", designation="terrorist", by="prosecutor_general")
    return person


def test_a_row_closed_later_is_named_by_the_ident_it_was_written_with():
    _, added = rows_of(timeline(a_story().pending_events, RULES))

    for table, item in added:
        written = change_row(7, item, {}) if isinstance(item, Change) else period_row(7, item, {})
        assert ident_of(item) == written[1], item


def test_a_facets_first_value_before_any_fact_is_not_a_row():
    rows, added = rows_of(timeline(a_story().pending_events, RULES))

    facet_periods = [item for table, item in added if table == "facet"]
    assert facet_periods and all(period.cause is not None for period in facet_periods)
    assert len(rows) == len(added)


def test_a_later_save_closes_the_rows_it_changes_and_adds_only_new_ones():
    person = new_person("later")
    rec(person, "detained", "2022-01-06")
    rec(person, "released", "2022-02-10")
    events = person.pending_events
    batch = Batch()
    first = batch.apply(1, {}, timeline(events[:-1], RULES), T0)
    written = batch.rows

    after = batch.apply(1, first, timeline(events, RULES), T0.replace(minute=5))

    assert 0 < batch.rows - written < len(after)  # the release's rows, not all of them again
    facet_rows = batch.inserts["facet"]
    closed = [row for row in facet_rows if row[2] == "custody" and row[3] == "detained" and row[5] == VALID_OPEN]
    assert len(closed) == 1 and closed[0][-1] == moment_number(T0.replace(minute=5))  # detained "until now"
    held = [row for row in facet_rows if row[2] == "custody" and row[-1] == RECORD_OPEN]
    assert [(row[3], row[4], row[5]) for row in held] == [
        ("detained", date(2022, 1, 6).toordinal(), date(2022, 2, 10).toordinal()),
        ("free", date(2022, 2, 10).toordinal(), VALID_OPEN)]
