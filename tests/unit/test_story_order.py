"""The story order (fold.story): what must come first where dates overlap, date order where they do not."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail.domain.dates import FuzzyDate
from casetrail.domain.events import FACT_TYPES
from casetrail.domain.fold import fold, story

from .builders import Stream, new_person, rec

FAR = date(2030, 1, 1)
START = date(2022, 1, 1)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def told(*facts: tuple[str, str]) -> list[tuple[str, str]]:
    """(type, date as written) of the given facts, in the order the story tells them."""
    stream = Stream()
    for type_name, on in facts:
        stream.add(type_name, on, **FIELDS.get(type_name, {}))
    return [(f.type, f.on.text) for f in story(stream.events)]


FIELDS = {"charged": {"charge": "x"}, "appeal_decided": {"outcome": "upheld"},
          "compensated": {"amount": "100", "currency": "KZT"}, "noted": {"text": "x"},
          "designated": {"designation": "victim"}, "allegation": {"kind": "torture"}}


# -- the listed pairs --------------------------------------------------------------------------------------------

def test_an_appeal_dated_by_its_year_is_told_after_the_sentence_of_a_month_in_that_year():
    assert told(("appealed", "2023"), ("sentenced", "2023-02")) == [("sentenced", "2023-02"), ("appealed", "2023")]


def test_a_charge_dated_by_its_month_is_told_after_the_detention_on_a_day_in_it():
    assert told(("charged", "2022-01"), ("detained", "2022-01-09")) == [
        ("detained", "2022-01-09"), ("charged", "2022-01")]


def test_a_compensation_is_told_after_the_ruling_that_granted_it():
    assert told(("compensated", "2024"), ("appeal_decided", "2024-08~"), ("appealed", "2024?")) == [
        ("appealed", "2024?"), ("appeal_decided", "2024-08~"), ("compensated", "2024")]


def test_an_acquittal_on_appeal_is_told_after_the_first_verdict_it_overlaps():
    assert told(("acquitted", "2023"), ("sentenced", "2023-02-07")) == [
        ("sentenced", "2023-02-07"), ("acquitted", "2023")]


def test_facts_on_disjoint_dates_stay_in_date_order_whatever_their_ranks():
    assert told(("compensated", "2022-01"), ("detained", "2022-02-01")) == [
        ("compensated", "2022-01"), ("detained", "2022-02-01")]


def test_a_fact_told_after_another_cannot_have_happened_before_it_nor_after_the_next():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    charged = stream.add("charged", "2022", charge="x")
    stream.add("placed_under_house_arrest", "2022-05-03")

    on = next(f.on for f in story(stream.events) if f.id == charged.id)

    assert (on.text, on.earliest, on.latest) == ("2022", date(2022, 1, 9), date(2022, 5, 3))


def test_a_release_dated_by_its_month_after_a_detention_on_a_day_in_it_is_accepted():
    person = new_person()
    rec(person, "detained", "2022-01-08")
    rec(person, "released", "2022-01?")

    folded = person.fold(date(2022, 2, 1))

    assert (folded.state.custody, folded.conflicts) == ("free", ())
    assert folded.steps[-1].event.on.earliest == date(2022, 1, 8)


# -- open ends ---------------------------------------------------------------------------------------------------

def test_on_or_before_reaches_back_to_the_detention_it_follows_and_is_uncertain_inside():
    person = new_person()
    rec(person, "detained", "2022-01-09")
    rec(person, "released", "../2023-03-09")

    inside, after = person.fold(date(2022, 6, 1)), person.fold(date(2023, 3, 9))

    assert (inside.state.custody, inside.uncertain) == ("free", True)
    assert (after.state.custody, after.uncertain) == ("free", False)
    assert inside.steps[-1].event.on.earliest == date(2022, 1, 9)
    assert person.fold(date(2022, 1, 8)).state.custody == "never_detained"


def test_on_or_after_reaches_forward_to_the_fact_that_must_follow_it():
    person = new_person()
    rec(person, "detained", "2022-01-09/..")
    rec(person, "charged", "2022-02-01", charge="x")

    on = person.fold(FAR).steps[0].event.on

    assert (on.text, on.earliest, on.latest) == ("2022-01-09/..", date(2022, 1, 9), date(2022, 2, 1))
    assert person.fold(date(2022, 1, 20)).uncertain


def test_an_open_end_that_nothing_bounds_is_told_on_the_day_it_gives():
    stream = Stream()
    before = stream.add("noted", "../2023-03-09", text="x")
    after = stream.add("noted", "2022-01-09/..", text="y")

    bounds = {f.id: (f.on.earliest, f.on.latest) for f in story(stream.events)}

    assert bounds[before.id] == (date(2023, 3, 9), date(2023, 3, 9))
    assert bounds[after.id] == (date(2022, 1, 9), date(2022, 1, 9))


def test_an_interval_and_a_season_count_from_their_first_day_and_are_uncertain_inside():
    person = new_person()
    rec(person, "detained", "2022-01-05/2022-01-06")
    rec(person, "released", "2022-23")

    assert person.fold(date(2022, 1, 4)).state.custody == "never_detained"
    assert (person.fold(date(2022, 1, 5)).state.custody, person.fold(date(2022, 1, 5)).uncertain) == ("detained", True)
    assert (person.fold(date(2022, 10, 1)).state.custody, person.fold(date(2022, 10, 1)).uncertain) == ("free", True)
    assert not person.fold(date(2022, 12, 1)).uncertain


# -- properties --------------------------------------------------------------------------------------------------

TYPES = st.sampled_from(sorted(set(FACT_TYPES) & {"detained", "released", "charged", "sentenced", "acquitted",
                                                  "appealed", "appeal_decided", "compensated", "noted", "died",
                                                  "designated", "allegation", "placed_under_house_arrest",
                                                  "charges_dropped"}))


@st.composite
def written(draw) -> str:
    """Any form a date may be written in: day, month, year, interval, open end, season."""
    day = START + timedelta(days=draw(st.integers(0, 900)))
    form = draw(st.sampled_from(["day", "month", "year", "interval", "before", "after", "season"]))
    q = draw(st.sampled_from(["", "", "~", "?"]))
    if form == "interval":
        return f"{day.isoformat()}/{(day + timedelta(days=draw(st.integers(0, 60)))).isoformat()}"
    if form == "season":
        return f"{day.year}-{draw(st.sampled_from(['21', '22', '23', '24']))}"
    return {"month": f"{day:%Y-%m}{q}", "year": f"{day.year}{q}", "before": f"../{day.isoformat()}",
            "after": f"{day.isoformat()}/..", "day": f"{day.isoformat()}{q}"}[form]


FACTS = st.lists(st.tuples(TYPES, written()), min_size=1, max_size=12)


def built(facts: list[tuple[str, str]]) -> list:
    stream = Stream()
    return [stream.add(t, on, **FIELDS.get(t, {})) for t, on in facts]


@SETTINGS
@given(facts=FACTS)
def test_the_story_never_tells_a_fact_before_one_whose_dates_lie_wholly_before_it(facts):
    events = built(facts)
    written_on = {e.id: FuzzyDate.parse(e.on.text) for e in events}

    ordered = story(events)

    for i, first in enumerate(ordered):
        for then in ordered[i + 1:]:
            a, b = written_on[first.id], written_on[then.id]
            if not (a.open or b.open):
                assert not b.latest < a.earliest, (first.type, a.text, then.type, b.text)


@SETTINGS
@given(facts=FACTS)
def test_the_story_narrows_dates_within_what_was_written_and_never_back_in_time(facts):
    events = built(facts)

    ordered = story(events)

    assert sorted(e.id.int for e in ordered) == sorted(e.id.int for e in events)
    for fact in ordered:
        own = FuzzyDate.parse(fact.on.text)
        assert own.earliest <= fact.on.earliest <= fact.on.latest <= own.latest
        assert fact.on.text == own.text
    starts = [f.on.earliest for f in ordered]
    ends = [f.on.latest for f in ordered]
    assert starts == sorted(starts) and ends == sorted(ends)


@SETTINGS
@given(facts=FACTS, data=st.data())
def test_the_story_is_the_same_whatever_order_its_facts_are_given_in(facts, data):
    events = built(facts)
    shuffled = data.draw(st.permutations(events))

    assert [e.id for e in story(shuffled)] == [e.id for e in story(events)]


@SETTINGS
@given(facts=FACTS, data=st.data())
def test_the_fold_at_any_date_is_the_prefix_of_the_whole_story_that_has_begun(facts, data):
    events = built(facts)
    as_of = START + timedelta(days=data.draw(st.integers(-30, 1000)))
    whole = fold(events, FAR)

    folded = fold(events, as_of)

    assert folded.steps == tuple(s for s in whole.steps if s.event.on.earliest <= as_of)
    assert folded.state == (folded.steps[-1].state if folded.steps else fold([], FAR).state)
