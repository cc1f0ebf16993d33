"""The timeline: every facet and list across all valid time, from one pass over the fold."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail.domain.fold import fold
from casetrail.domain.facets import FACETS, facet_values
from casetrail.domain.rules import load_rules, parse_rules
from casetrail.domain.timeline import BEGINNING, OPEN, timeline
from tests.recorded import histories
from tests.unit.test_properties import candidate_facts

from .builders import Stream

RULES = load_rules()
# The defaults, and lists that hold before any fact or combine tests with any / not.
EXTRA = parse_rules(open(RULES.origin, encoding="utf-8").read() + """
[lists.untouched]
all = [{ facet = "custody", is = "never_detained" }, { facet = "vital", is = "alive" }]
[lists.troubled]
any = [{ facet = "legal", in = ["accused", "convicted"] }, { facet = "appeal", is = "pending" },
       { facet = "designation", is = "terrorist" }]
[lists.not_free]
all = [{ facet = "headline", not = ["released", "at_large"] }]
""")
DAYS = st.dates(min_value=date(2021, 11, 1), max_value=date(2026, 1, 1))


def members(rules, values) -> set[str]:
    return {rule.name for rule in rules.lists if rule.matches(values)}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(max_people=2), data=st.data())
def test_the_timeline_at_any_valid_date_and_record_time_equals_the_fold_there(history, data):
    for person in history.people:
        times = [e.timestamp for e in person.events]
        moments = [None, *data.draw(st.lists(st.sampled_from(times), max_size=3))]
        for known_at in moments:
            story = timeline(person.events, EXTRA, known_at)
            for day in data.draw(st.lists(DAYS, min_size=1, max_size=5)):
                values = facet_values(fold(person.events, day, known_at).state)
                for n, facet in enumerate(FACETS):
                    assert story.period("facet", facet, day).value == values[n], (facet, day)
                on = {p.name for p in story.periods if p.kind == "list" and p.value == "in" and p.holds_on(day)}
                assert on == members(EXTRA, values), day


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(max_people=1))
def test_periods_of_a_facet_tile_all_valid_time_and_each_change_sits_on_a_boundary(history):
    story = timeline(history.people[0].events, EXTRA)
    for facet in FACETS:
        periods = sorted((p for p in story.periods if p.kind == "facet" and p.name == facet), key=lambda p: p.valid_from)
        assert periods[0].valid_from == BEGINNING and periods[-1].valid_to == OPEN
        assert all(a.valid_to == b.valid_from and a.value != b.value for a, b in zip(periods, periods[1:]))
    for change in story.changes:
        before = story.period(change.kind, change.name, change.valid_from - timedelta(days=1))
        after = story.period(change.kind, change.name, change.valid_from)
        if change.kind == "facet":
            assert (before.value, after.value) == (change.before, change.after)
        else:
            on = (before is not None and before.value == "in", after is not None and after.value == "in")
            assert on == (change.before == "in", change.after == "in")


def test_nurgeldin_is_an_accidental_victim_until_his_death_then_a_fatality():
    stream = Stream()
    stream.add("noted", "2022-01", text="shot during the unrest")
    designated = stream.add("designated", "2022-01~", designation="accidental_victim", by="authorities")
    died = stream.add("died", "2022-03~")

    story = timeline(stream.events, RULES)

    lists = [(c.name, c.before, c.after, c.cause.type) for c in story.changes if c.kind == "list"]
    assert lists == [("accidental_victims", "out", "in", "designated"),
                     ("accidental_victims", "in", "out", "died"), ("fatalities", "out", "in", "died")]
    victim = story.period("list", "accidental_victims", date(2022, 2, 1))
    assert victim.cause == designated and victim.valid_to == date(2022, 3, 1)
    assert story.period("list", "accidental_victims", date(2022, 4, 1)) is None
    assert story.period("list", "fatalities", date(2022, 4, 1)).cause == died


def test_facts_on_the_same_day_that_cancel_out_change_nothing():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("released", "2022-01-09")

    story = timeline(stream.events, RULES)

    # Detained and released the same day: custody moves once, to free; never "in custody".
    assert [(c.name, c.before, c.after) for c in story.changes if c.name == "custody"] == \
        [("custody", "never_detained", "free")]
    assert not any(c.name == "in_custody" for c in story.changes)
    assert story.period("list", "detained", date(2022, 1, 9)) is not None


def test_a_list_that_holds_before_any_fact_starts_at_the_beginning_without_a_cause():
    stream = Stream()
    detained = stream.add("detained", "2022-01-09")

    story = timeline(stream.events, EXTRA)

    untouched = story.period("list", "untouched", date(2021, 12, 31))
    assert (untouched.valid_from, untouched.valid_to, untouched.cause) == (BEGINNING, date(2022, 1, 9), None)
    assert [c.cause for c in story.changes if c.name == "untouched"] == [detained]


def test_a_retraction_takes_the_fact_out_of_the_timeline_from_its_record_time_on():
    stream = Stream()
    wrong = stream.add("died", "2022-01-10")
    retraction = stream.retract(wrong)

    believed = timeline(stream.events, RULES, known_at=wrong.timestamp)
    corrected = timeline(stream.events, RULES, known_at=retraction.timestamp)

    assert believed.period("list", "fatalities", date(2022, 2, 1)) is not None
    assert corrected.period("list", "fatalities", date(2022, 2, 1)) is None
    assert corrected.changes == ()


def test_a_period_is_uncertain_on_days_its_opening_fact_may_not_have_reached():
    stream = Stream()
    stream.add("died", "2022-03~")

    period = timeline(stream.events, RULES).period("list", "fatalities", date(2022, 3, 15))

    assert period.uncertain_on(date(2022, 3, 15)) and not period.uncertain_on(date(2022, 3, 31))
    assert not period.uncertain_on(date(2022, 4, 1))




# -- a timeline made on from the last one (the projections' catch-up) ----------------------------------------

def saves(events: list) -> list[int]:
    """Where each save ends: events recorded together share a record time."""
    return [i + 1 for i, e in enumerate(events) if i + 1 == len(events) or events[i + 1].timestamp != e.timestamp]


def assert_made_on_equals_made_afresh(story: list, rules) -> None:
    after = None
    for end in saves(story):
        after = timeline(story[:end], rules, after=after)
        assert after == timeline(story[:end], rules), end


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories(max_people=3))
def test_a_timeline_made_on_from_the_last_save_is_the_timeline_made_afresh(history):
    # Claims, retractions, merges, fuzzy dates, terms that run out: save after save.
    for person in history.people:
        story = sorted(person.story(history.people), key=lambda e: e.timestamp)
        assert_made_on_equals_made_afresh(story, RULES)
        assert_made_on_equals_made_afresh(story, EXTRA)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=candidate_facts(max_size=10), data=st.data())
def test_a_timeline_made_on_from_the_last_save_with_open_ended_dates_is_the_timeline_made_afresh(facts, data):
    stream = Stream()
    for type_name, on, fields in data.draw(st.permutations(facts)):
        day = on.rstrip("~?")
        on = data.draw(st.sampled_from([on, on, f"../{day}", f"{day}/.."])) if len(day) == 10 else on
        stream.add(type_name, on, distinct=True, **fields)
    assert_made_on_equals_made_afresh(stream.events, RULES)


def test_later_news_is_walked_on_from_the_day_the_earlier_story_ended():
    stream = Stream()
    stream.add("detained", "2022-01-06")
    stream.add("charged", "2022-01-10", charge="mass riots")
    first = timeline(stream.events, RULES)
    stream.add("released", "2022-03-01")

    later = timeline(stream.events, RULES, after=first)

    assert later.walked.told.reused == 2  # the detention and the charge were not stepped again
    assert later.walked.marks[:2] == first.walked.marks
    assert later == timeline(stream.events, RULES)


def test_held_and_possibly_released_the_same_day_is_possibly_still_held_until_the_release_surely_came():
    # House arrest on 17 January; a release reported only as "2022", told after it: from the 17th
    # the release may not have happened yet, though the two start on one day.
    stream = Stream()
    stream.add("placed_under_house_arrest", "2022-01-17")
    released = stream.add("released", "2022?")

    story = timeline(stream.events, RULES)

    possibly = story.period("list", "in_custody", date(2022, 1, 19))
    assert (possibly.value, possibly.valid_from, possibly.valid_to) == ("possibly", date(2022, 1, 17), date(2022, 12, 31))
    assert possibly.cause.id == released.id
    assert story.period("list", "in_custody", date(2022, 12, 31)) is None
