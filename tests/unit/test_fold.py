"""The fold: transitions, facets, the two time axes, same-day order, and the refusals of the Person commands."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from casetrail.domain.errors import BadInput, NotFound, TimelineConflict
from casetrail.domain.fold import Money, fold, short

from .builders import TODAY, Stream, new_person, rec, snapshot

FIX = "retract the wrong event and record it again with the right (or an approximate) date"
AFTER_DEATH_RULE = ("only charged, charges_dropped, sentenced, acquitted, appealed, appeal_decided, designated, "
                    "compensated, allegation, noted, named_in_case, remanded, rehabilitated, body_found and exhumed "
                    "may follow a death")
FAR = date(2030, 1, 1)


def state_of(stream: Stream, as_of: date = FAR, known_at=None):
    return fold(stream.events, as_of, known_at).state


# -- custody ---------------------------------------------------------------------------------------------------

def test_a_person_with_no_facts_was_never_detained_and_is_at_large():
    folded = fold([], FAR)

    assert folded.state.custody == "never_detained"
    assert folded.state.legal == "none"
    assert folded.state.vital == "alive"
    assert folded.state.headline == "at_large"
    assert folded.days_in_custody == 0
    assert folded.steps == () and folded.conflicts == () and not folded.uncertain


def test_a_detention_puts_the_person_in_custody():
    stream = Stream()
    detained = stream.add("detained", "2022-01-09", place="Aqtobe", by="security forces")

    state = state_of(stream)

    assert state.custody == "detained"
    assert state.custody_event is detained
    assert [(p.kind, p.start, p.end) for p in state.periods] == [("detained", date(2022, 1, 9), None)]


def test_house_arrest_after_detention_closes_the_detention_and_opens_house_arrest():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("placed_under_house_arrest", "2022-05-09")

    state = state_of(stream)

    assert state.custody == "house_arrest"
    assert [(p.kind, p.start, p.end) for p in state.periods] == [
        ("detained", date(2022, 1, 9), date(2022, 5, 9)),
        ("house_arrest", date(2022, 5, 9), None),
    ]


def test_a_release_frees_the_person_and_closes_the_open_period():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("released", "2022-01-20", grounds="bail")

    state = state_of(stream)

    assert state.custody == "free"
    assert state.periods[-1].end == date(2022, 1, 20)


def test_a_second_detention_after_a_release_opens_a_second_period():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("released", "2022-01-20")
    stream.add("detained", "2022-03-01")

    state = state_of(stream)

    assert state.custody == "detained"
    assert [(p.start, p.end) for p in state.periods] == [
        (date(2022, 1, 9), date(2022, 1, 20)), (date(2022, 3, 1), None)]


def test_a_release_from_house_arrest_is_allowed():
    stream = Stream()
    stream.add("placed_under_house_arrest", "2022-02-01")
    stream.add("released", "2022-06-01")

    folded = fold(stream.events, FAR)

    assert folded.conflicts == ()
    assert folded.state.custody == "free"


# -- legal -----------------------------------------------------------------------------------------------------

def test_a_charge_makes_the_person_accused():
    stream = Stream()
    stream.add("charged", "2022-01-10", charge="organizing mass disorder", article="272")

    assert state_of(stream).legal == "accused"


def test_a_prison_sentence_convicts_and_imprisons_a_person_held_until_the_term_ends():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("charged", "2022-01-10", charge="mass disorder")
    stream.add("sentenced", "2022-06-01", court="Aqtobe court", kind="prison", term_months=60)

    state = state_of(stream, date(2027, 1, 1))

    assert (state.legal, state.custody, state.headline) == ("convicted", "imprisoned", "imprisoned")
    assert [(p.kind, p.start, p.end) for p in state_of(stream).periods] == [
        ("detained", date(2022, 1, 9), date(2022, 6, 1)),
        ("imprisoned", date(2022, 6, 1), date(2027, 6, 1)),
    ]


@pytest.mark.parametrize("kind", ["restricted_freedom", "suspended", "fine"])
def test_a_sentence_other_than_prison_convicts_without_changing_custody(kind):
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("released", "2022-03-01")
    stream.add("sentenced", "2022-06-01", kind=kind)

    state = state_of(stream)

    assert (state.legal, state.custody) == ("convicted", "free")


def test_an_overturned_conviction_on_appeal_clears_the_person():
    stream = Stream()
    stream.add("sentenced", "2022-06-01", kind="suspended")
    stream.add("appealed", "2022-06-15", by="defence")
    appeal_pending = fold(stream.events, date(2022, 7, 1)).state.appeal_pending
    stream.add("appeal_decided", "2022-09-01", outcome="overturned")

    state = state_of(stream)

    assert appeal_pending is True
    assert (state.legal, state.appeal_pending) == ("cleared", False)


@pytest.mark.parametrize("outcome", ["upheld", "reduced", "rejected", "partly_granted"])
def test_an_appeal_decided_otherwise_closes_the_appeal_and_keeps_the_conviction(outcome):
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("sentenced", "2022-06-01", kind="prison", term_months=24)
    stream.add("appealed", "2022-06-15")
    stream.add("appeal_decided", "2022-09-01", outcome=outcome)

    state = state_of(stream, date(2023, 1, 1))

    assert (state.legal, state.appeal_pending, state.custody) == ("convicted", False, "imprisoned")


def test_dropped_charges_clear_the_person():
    stream = Stream()
    stream.add("charged", "2022-01-10", charge="mass disorder")
    stream.add("charges_dropped", "2022-04-01", reason="no evidence")

    assert state_of(stream).legal == "cleared"


def test_an_acquittal_makes_the_person_acquitted():
    stream = Stream()
    stream.add("charged", "2022-01-10", charge="mass disorder")
    stream.add("acquitted", "2022-08-01", court="Aqtobe court")

    assert state_of(stream).legal == "acquitted"


# -- headline --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("facts, headline", [
    ([], "at_large"),
    ([("charged", "2022-01-10", {"charge": "x"})], "at_large"),
    ([("detained", "2022-01-09", {}), ("released", "2022-02-01", {})], "released"),
    ([("detained", "2022-01-09", {})], "detained"),
    ([("detained", "2022-01-09", {}), ("placed_under_house_arrest", "2022-02-01", {})], "house_arrest"),
    ([("detained", "2022-01-09", {}), ("sentenced", "2022-02-01", {"kind": "prison"})], "imprisoned"),
    ([("detained", "2022-01-09", {}), ("sentenced", "2022-02-01", {"kind": "prison"}),
      ("died", "2022-03-01", {})], "deceased"),
    ([("detained", "2022-01-09", {}), ("died", "2022-01-10", {})], "deceased"),
    ([("placed_under_house_arrest", "2022-01-09", {}), ("died", "2022-01-10", {})], "deceased"),
    ([("detained", "2022-01-09", {}), ("released", "2022-02-01", {}), ("died", "2022-03-01", {})], "deceased"),
    ([("died", "2022-01-06", {})], "deceased"),
])
def test_the_headline_is_the_gravest_of_the_facets(facts, headline):
    # deceased > imprisoned > house_arrest > detained > released > at_large
    stream = Stream()
    for type_name, on, fields in facts:
        stream.add(type_name, on, **fields)

    folded = fold(stream.events, FAR)

    assert folded.conflicts == ()
    assert folded.state.headline == headline


def test_death_in_custody_makes_custody_deceased_and_says_they_died_in_custody():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("died", "2022-01-12", cause="torture")

    state = state_of(stream)

    assert (state.custody, state.vital, state.headline, state.died_in_custody) == \
        ("deceased", "deceased", "deceased", True)


# -- days in custody -------------------------------------------------------------------------------------------

def test_days_in_custody_count_detention_and_house_arrest_until_release():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("placed_under_house_arrest", "2022-05-09")
    stream.add("released", "2022-10-09")

    folded = fold(stream.events, date(2023, 1, 1))

    assert folded.days_in_custody == (date(2022, 10, 9) - date(2022, 1, 9)).days == 273


def test_days_in_custody_of_an_open_period_run_to_the_valid_date():
    stream = Stream()
    stream.add("detained", "2022-01-09")

    assert fold(stream.events, date(2022, 1, 9)).days_in_custody == 0
    assert fold(stream.events, date(2022, 1, 19)).days_in_custody == 10
    assert fold(stream.events, date(2022, 3, 1)).days_in_custody == 51


def test_days_in_custody_read_before_the_release_stop_at_the_valid_date():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("released", "2022-10-01")

    assert fold(stream.events, date(2022, 2, 9)).days_in_custody == 31


def test_days_in_custody_add_up_separate_periods_and_prison():
    stream = Stream()
    stream.add("detained", "2022-01-01")
    stream.add("released", "2022-01-11")                                 # 10 days
    stream.add("detained", "2022-02-01")
    stream.add("sentenced", "2022-02-21", kind="prison", term_months=12)  # 20 days detained
    stream.add("released", "2022-03-03")                                 # 10 days imprisoned

    assert fold(stream.events, FAR).days_in_custody == 40


def test_days_in_custody_stop_at_death():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("died", "2022-01-19")

    assert fold(stream.events, date(2022, 1, 15)).days_in_custody == 6
    assert fold(stream.events, date(2024, 1, 1)).days_in_custody == 10


# -- compensation ----------------------------------------------------------------------------------------------

def test_compensation_is_summed_per_currency_as_exact_decimals():
    stream = Stream()
    stream.add("compensated", "2023-01-10", amount="3 500 000", currency="KZT", claimed="40,000,000")
    stream.add("compensated", "2023-02-10", amount="1000000.50", currency="kzt", claimed="2000000")
    stream.add("compensated", "2023-03-10", amount="500", currency="USD")

    money = state_of(stream).money()

    assert money == {
        "KZT": Money(awarded=Decimal("4500000.50"), claimed=Decimal("42000000")),
        "USD": Money(awarded=Decimal("500"), claimed=Decimal("0")),
    }
    assert all(isinstance(v, Decimal) for m in money.values() for v in (m.awarded, m.claimed))


def test_compensation_counts_only_what_is_awarded_by_the_valid_date():
    stream = Stream()
    stream.add("compensated", "2023-01-10", amount="100", currency="KZT")
    stream.add("compensated", "2023-02-10", amount="200", currency="KZT")

    assert fold(stream.events, date(2023, 1, 31)).state.money() == {"KZT": Money(Decimal("100"), Decimal("0"))}


# -- designation -----------------------------------------------------------------------------------------------

def test_a_changed_designation_is_reported_as_a_reclassification():
    stream = Stream()
    first = stream.add("designated", "2022-01-15", designation="terrorist", by="prosecutor")
    again = stream.add("designated", "2022-02-01", designation="terrorist")
    changed = stream.add("designated", "2022-06-01", designation="accidental victim", by="court")

    folded = fold(stream.events, FAR)

    steps = {step.event.id: step for step in folded.steps}
    assert steps[first.id].reclassified_from is None
    assert steps[again.id].reclassified_from is None
    assert steps[changed.id].reclassified_from == "terrorist"
    assert folded.state.designation == "accidental_victim"


def test_the_designation_before_the_change_is_what_the_fold_says_before_the_change():
    stream = Stream()
    stream.add("designated", "2022-01-15", designation="terrorist")
    stream.add("designated", "2022-06-01", designation="accidental_victim")

    assert fold(stream.events, date(2022, 5, 31)).state.designation == "terrorist"
    assert fold(stream.events, date(2022, 6, 1)).state.designation == "accidental_victim"


# -- valid time: as of V ---------------------------------------------------------------------------------------

def test_an_event_counts_from_its_earliest_possible_day():
    stream = Stream()
    stream.add("detained", "2022-01")

    assert fold(stream.events, date(2021, 12, 31)).state.custody == "never_detained"
    assert fold(stream.events, date(2022, 1, 1)).state.custody == "detained"


def test_the_answer_is_uncertain_while_a_counted_event_may_still_lie_ahead():
    stream = Stream()
    stream.add("detained", "2022-01")

    assert fold(stream.events, date(2022, 1, 9)).uncertain
    assert fold(stream.events, date(2022, 1, 30)).uncertain
    assert not fold(stream.events, date(2022, 1, 31)).uncertain
    assert not fold(stream.events, date(2021, 12, 31)).uncertain  # nothing counted yet


def test_an_approximate_day_counts_on_that_day_and_is_not_uncertain_after_it():
    stream = Stream()
    stream.add("detained", "2022-01-09~")

    assert fold(stream.events, date(2022, 1, 8)).state.custody == "never_detained"
    at_day = fold(stream.events, date(2022, 1, 9))
    assert at_day.state.custody == "detained"
    assert not at_day.uncertain


def test_a_year_date_makes_the_whole_year_uncertain():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("allegation", "2022", kind="torture")

    assert fold(stream.events, date(2022, 7, 1)).uncertain
    assert not fold(stream.events, date(2022, 12, 31)).uncertain


def test_the_fold_records_the_valid_date_and_record_time_it_answers_for():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    known_at = stream.clock

    folded = fold(stream.events, date(2022, 2, 1), known_at)

    assert (folded.as_of, folded.known_at) == (date(2022, 2, 1), known_at)


# -- record time: known at K -----------------------------------------------------------------------------------

def test_an_event_recorded_after_the_record_time_does_not_count_yet():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    before_release_was_known = stream.clock
    stream.add("released", "2022-01-20")

    assert state_of(stream, known_at=before_release_was_known).custody == "detained"
    assert state_of(stream, known_at=stream.clock).custody == "free"
    assert state_of(stream).custody == "free"


def test_an_event_counts_from_the_very_instant_it_was_recorded():
    stream = Stream()
    detained = stream.add("detained", "2022-01-09")

    assert state_of(stream, known_at=detained.timestamp).custody == "detained"
    assert state_of(stream, known_at=detained.timestamp - timedelta(microseconds=1)).custody == "never_detained"


def test_a_retraction_applies_only_from_its_record_time_on():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    wrong = stream.add("died", "2022-01-15", cause="reported shot")
    before_correction = stream.clock
    retraction = stream.retract(wrong, "he survived: the first report was wrong")

    then = fold(stream.events, FAR, before_correction)
    now = fold(stream.events, FAR)

    assert then.state.vital == "deceased"
    assert wrong.id not in then.retracted
    assert now.state.vital == "alive"
    assert now.retracted == frozenset({wrong.id})
    assert [e.id for e in now.events] == [stream.events[0].id]
    assert fold(stream.events, FAR, retraction.timestamp).state.vital == "alive"


def test_a_late_report_about_an_early_date_changes_the_past_only_from_its_record_time():
    stream = Stream()
    stream.add("detained", "2022-03-01")
    known_in_march = stream.clock
    stream.add("charged", "2022-01-15", charge="mass disorder")  # learned later, happened earlier

    assert fold(stream.events, date(2022, 2, 1), known_in_march).state.legal == "none"
    assert fold(stream.events, date(2022, 2, 1)).state.legal == "accused"


# -- same-day order --------------------------------------------------------------------------------------------

def test_same_day_events_are_told_in_type_order_whatever_their_record_order():
    stream = Stream()
    released = stream.add("released", "2022-01-09", grounds="no evidence")
    charged = stream.add("charged", "2022-01-09", charge="x")
    detained = stream.add("detained", "2022-01-09")

    folded = fold(stream.events, FAR)

    assert [e.id for e in folded.events] == [detained.id, charged.id, released.id]
    assert folded.conflicts == ()
    assert folded.state.custody == "free"


def test_a_sentence_and_a_release_on_the_same_day_leave_the_person_free():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("released", "2022-06-01", grounds="term served")
    stream.add("sentenced", "2022-06-01", kind="prison", term_months=5)

    state = state_of(stream)

    assert (state.custody, state.legal) == ("free", "convicted")


def test_a_death_is_told_after_custody_events_and_before_what_may_follow_a_death_on_its_day():
    stream = Stream()
    designated = stream.add("designated", "2022-01-06", designation="terrorist")
    died = stream.add("died", "2022-01-06")
    noted = stream.add("noted", "2022-01-06", text="shot in the square")
    detained = stream.add("detained", "2022-01-06")

    folded = fold(stream.events, FAR)

    assert [e.id for e in folded.events] == [detained.id, noted.id, died.id, designated.id]
    assert folded.conflicts == ()


def test_of_two_dates_that_start_together_the_narrower_is_told_first():
    stream = Stream()
    year = stream.add("designated", "2022?", designation="accidental_victim")
    month = stream.add("died", "2022-01")

    folded = fold(stream.events, FAR)

    assert [e.id for e in folded.events] == [month.id, year.id]


def test_same_day_events_of_the_same_type_keep_their_record_order():
    stream = Stream()
    first = stream.add("designated", "2022-01-09", designation="terrorist")
    second = stream.add("designated", "2022-01-09", designation="participant")

    folded = fold(stream.events, FAR)

    assert [e.id for e in folded.events] == [first.id, second.id]
    assert folded.state.designation == "participant"


def test_a_charge_dated_by_its_month_is_told_after_the_detention_on_a_day_of_that_month():
    stream = Stream()
    detained = stream.add("detained", "2022-01-09")
    charged = stream.add("charged", "2022-01", charge="x")

    folded = fold(stream.events, FAR)

    assert [e.id for e in folded.events] == [detained.id, charged.id]
    assert (folded.events[1].on.text, folded.events[1].on.earliest) == ("2022-01", date(2022, 1, 9))


def test_a_month_date_is_told_before_the_days_of_that_month_when_nothing_says_otherwise():
    stream = Stream()
    later = stream.add("noted", "2022-01-20", text="x")
    month = stream.add("noted", "2022-01", text="y")

    assert [e.id for e in fold(stream.events, FAR).events] == [month.id, later.id]


# -- refusals: the Person commands -----------------------------------------------------------------------------

def test_a_release_with_no_detention_before_it_is_refused():
    person = new_person()
    before = snapshot(person)

    with pytest.raises(TimelineConflict) as refused:
        rec(person, "released", "2022-02-01")

    assert str(refused.value) == (
        "test-person: released on 2022-02-01 but no detention is recorded before it; record the detention first "
        f"(an approximate date such as 2022~ will do) or {FIX}")
    assert refused.value.on == "2022-02-01"
    assert snapshot(person) == before


def test_a_release_dated_before_the_detention_is_refused():
    person = new_person()
    rec(person, "detained", "2022-01-09")
    before = snapshot(person)

    with pytest.raises(TimelineConflict, match="released on 2022-01-05 but no detention is recorded before it"):
        rec(person, "released", "2022-01-05")

    assert snapshot(person) == before


def test_a_release_of_someone_already_free_is_refused_naming_the_earlier_release():
    person = new_person()
    rec(person, "detained", "2022-01-09")
    first = rec(person, "released", "2022-02-01")
    before = snapshot(person)

    with pytest.raises(TimelineConflict) as refused:
        rec(person, "released", "2022-03-01")

    assert str(refused.value) == (
        f"test-person: released on 2022-03-01 but already free then (released on 2022-02-01, event {short(first.id)}); "
        f"record the detention first (an approximate date such as 2022~ will do) or {FIX}")
    assert snapshot(person) == before


def test_a_release_that_makes_an_existing_later_release_impossible_is_refused_naming_that_release():
    person = new_person()
    rec(person, "detained", "2022-01-09")
    later = rec(person, "released", "2022-06-01")
    before = snapshot(person)

    with pytest.raises(TimelineConflict) as refused:
        rec(person, "released", "2022-03-01")

    assert str(refused.value).startswith("test-person: released on 2022-06-01 but already free then (released on "
                                         "2022-03-01, the fact being recorded)")
    assert str(refused.value).endswith(f" (event {short(later.id)})")
    assert (refused.value.event_id, refused.value.on) == (str(later.id), "2022-06-01")
    assert snapshot(person) == before


def test_a_second_detention_without_a_release_is_refused():
    person = new_person()
    first = rec(person, "detained", "2022-01-09")
    before = snapshot(person)

    with pytest.raises(TimelineConflict) as refused:
        rec(person, "detained", "2022-01-20")

    assert str(refused.value) == (
        f"test-person: detained on 2022-01-20 but already detained since 2022-01-09 (event {short(first.id)}); "
        "if it is the same detention it is already recorded, otherwise record the release in between")
    assert snapshot(person) == before


@pytest.mark.parametrize("type_name, fields", [
    ("detained", {}),
    ("placed_under_house_arrest", {}),
    ("released", {}),
    ("injured", {}),
    ("taken_into_custody", {}),
    ("administrative_arrest", {"days": 10}),
])
def test_an_event_after_the_death_is_refused(type_name, fields):
    person = new_person()
    rec(person, "detained", "2022-01-05")
    rec(person, "charged", "2022-01-05", charge="x")
    died = rec(person, "died", "2022-01-06")
    before = snapshot(person)

    with pytest.raises(TimelineConflict) as refused:
        rec(person, type_name, "2022-02-01", **fields)

    assert str(refused.value) == (
        f"test-person: {type_name} on 2022-02-01 comes after the death on 2022-01-06 (event {short(died.id)}); "
        f"{AFTER_DEATH_RULE}; if a date is wrong, {FIX}")
    assert snapshot(person) == before


@pytest.mark.parametrize("type_name, fields", [
    ("designated", {"designation": "accidental_victim"}),
    ("compensated", {"amount": "7000000", "currency": "KZT", "recipient": "family"}),
    ("appeal_decided", {"outcome": "overturned"}),
    ("acquitted", {"court": "Aqtobe court"}),
    ("noted", {"text": "the family was told in March"}),
])
def test_the_five_kinds_of_event_that_may_follow_a_death_are_accepted(type_name, fields):
    person = new_person()
    rec(person, "charged", "2022-01-05", charge="x")
    rec(person, "sentenced", "2022-01-05", kind="suspended")
    rec(person, "appealed", "2022-01-05", by="family")
    rec(person, "died", "2022-01-06")

    event = rec(person, type_name, "2022-03-01", **fields)

    folded = person.fold(FAR)
    assert folded.conflicts == ()
    assert folded.events[-1] is event
    assert folded.state.vital == "deceased"


def test_a_second_death_is_refused():
    person = new_person()
    died = rec(person, "died", "2022-01-06")
    before = snapshot(person)

    with pytest.raises(TimelineConflict) as refused:
        rec(person, "died", "2022-03")

    assert str(refused.value) == (f"test-person: died on 2022-03 but already died on 2022-01-06 "
                                  f"(event {short(died.id)}); retract one of the two deaths")
    assert snapshot(person) == before


def test_a_death_dated_before_existing_facts_is_refused_naming_the_first_of_them():
    person = new_person()
    rec(person, "detained", "2022-01-09")
    released = rec(person, "released", "2022-03-01")
    before = snapshot(person)

    with pytest.raises(TimelineConflict) as refused:
        rec(person, "died", "2022-02-01")

    message = str(refused.value)
    assert message.startswith("test-person: released on 2022-03-01 comes after the death on 2022-02-01 (the fact being recorded)")
    assert message.endswith(f"; if a date is wrong, {FIX} (event {short(released.id)})")
    assert (refused.value.event_id, refused.value.on) == (str(released.id), "2022-03-01")
    assert snapshot(person) == before


def test_an_appeal_decision_with_no_appeal_pending_is_refused():
    person = new_person()
    rec(person, "sentenced", "2022-06-01", kind="suspended")
    before = snapshot(person)

    with pytest.raises(TimelineConflict) as refused:
        rec(person, "appeal_decided", "2022-09-01", outcome="upheld")

    assert str(refused.value) == (
        "test-person: appeal_decided on 2022-09-01 but no appeal is pending then; record the appeal first "
        f"(appealed, an approximate date will do) or {FIX}")
    assert snapshot(person) == before


def test_a_second_decision_on_the_same_appeal_is_refused():
    person = new_person()
    rec(person, "appealed", "2022-06-01")
    rec(person, "appeal_decided", "2022-09-01", outcome="upheld")

    with pytest.raises(TimelineConflict, match="appeal_decided on 2022-10-01 but no appeal is pending then"):
        rec(person, "appeal_decided", "2022-10-01", outcome="rejected")


def test_dropping_charges_that_were_never_brought_is_refused():
    person = new_person()
    before = snapshot(person)

    with pytest.raises(TimelineConflict) as refused:
        rec(person, "charges_dropped", "2022-04-01")

    assert str(refused.value) == (
        "test-person: charges_dropped on 2022-04-01 but no charge is pending then (legal status: none); "
        f"record the charge first or {FIX}")
    assert snapshot(person) == before


# -- refusals: retractions -------------------------------------------------------------------------------------

def test_retracting_an_unknown_event_is_refused():
    person = new_person()
    rec(person, "detained", "2022-01-09")
    before = snapshot(person)

    with pytest.raises(NotFound) as refused:
        person.retract("deadbeef", "wrong")

    assert str(refused.value) == "test-person has no event deadbeef; run 'casetrail show test-person' to see the ids"
    assert snapshot(person) == before


@pytest.mark.parametrize("event_id", ["abc", "xyz12345", ""])
def test_retracting_with_a_malformed_id_is_refused(event_id):
    person = new_person()

    with pytest.raises(BadInput, match="is not valid: give the id that show or record printed"):
        person.retract(event_id, "wrong")


def test_retracting_twice_is_refused():
    person = new_person()
    noted = rec(person, "noted", "2022-01-09", text="a rumour")
    person.retract(short(noted.id), "the rumour was false")
    before = snapshot(person)

    with pytest.raises(TimelineConflict) as refused:
        person.retract(str(noted.id), "again")

    assert str(refused.value) == (f"event {short(noted.id)} (noted on 2022-01-09) of test-person is already "
                                  "retracted; to restore it, record the fact again")
    assert snapshot(person) == before


def test_retracting_a_detention_while_its_release_stays_is_refused():
    person = new_person()
    detained = rec(person, "detained", "2022-01-09")
    released = rec(person, "released", "2022-03-01")
    before = snapshot(person)

    with pytest.raises(TimelineConflict) as refused:
        person.retract(short(detained.id), "wrong person")

    assert str(refused.value) == (
        "cannot retract: it would leave released on 2022-03-01 but no detention is recorded before it "
        f"(event {short(released.id)}); retract the later event first")
    assert (refused.value.event_id, refused.value.on) == (str(released.id), "2022-03-01")
    assert snapshot(person) == before


def test_retracting_the_release_and_then_the_detention_is_allowed():
    person = new_person()
    detained = rec(person, "detained", "2022-01-09")
    released = rec(person, "released", "2022-03-01")

    person.retract(short(released.id), "wrong person")
    person.retract(short(detained.id), "wrong person")

    folded = person.fold(FAR)
    assert folded.state.custody == "never_detained"
    assert folded.retracted == frozenset({detained.id, released.id})
    assert len(person.history) == 4  # nothing is deleted


def test_a_retraction_finds_its_target_by_a_unique_prefix_of_the_id():
    person = new_person()
    noted = rec(person, "noted", "2022-01-09", text="a rumour")

    retraction = person.retract(noted.id.hex[:4].upper(), "false", source="rferl-omarov")

    assert retraction.event_id == noted.id
    assert retraction.source == "rferl-omarov"
    assert person.fold(FAR).events == []


def test_a_retracted_fact_recorded_again_is_accepted():
    person = new_person()
    wrong = rec(person, "detained", "2022-01-09")
    person.retract(short(wrong.id), "wrong date")

    again = rec(person, "detained", "2022-01-10")

    assert person.fold(FAR).events == [again]


# -- refusals: bad input ---------------------------------------------------------------------------------------

def test_a_fact_without_a_date_is_refused():
    person = new_person()

    with pytest.raises(BadInput) as refused:
        person.record("detained", TODAY, source="s")

    assert str(refused.value) == "detained: --on is required (when it happened, e.g. 2022-01-09 or 2022-01~)"


def test_a_fact_without_a_source_is_refused():
    person = new_person()

    with pytest.raises(BadInput) as refused:
        person.record("detained", TODAY, on="2022-01-09")

    assert str(refused.value) == ("detained: --source is required (a source key or URL); "
                                  "every fact cites a source")


def test_a_fact_dated_in_the_future_is_refused():
    person = new_person()

    with pytest.raises(BadInput, match=r"date 2025-06-02 is in the future \(today is 2025-06-01\)"):
        rec(person, "detained", "2025-06-02")

    assert person.history == []


def test_an_unknown_event_type_is_refused_listing_the_types():
    person = new_person()

    with pytest.raises(NotFound, match="unknown event type 'arrested': use one of detained, "):
        rec(person, "arrested", "2022-01-09")


def test_a_missing_required_field_is_refused_naming_the_option():
    person = new_person()

    with pytest.raises(BadInput) as refused:
        rec(person, "charged", "2022-01-09")

    assert str(refused.value) == "charged: --charge is required"
    assert person.history == [] and person.version == 1


def test_a_claim_without_a_currency_is_refused():
    person = new_person()

    with pytest.raises(BadInput, match="a claim needs both --claim and --currency"):
        rec(person, "appealed", "2022-09-01", claim="40000000")


def test_a_compensation_in_floats_is_refused():
    person = new_person()

    with pytest.raises(BadInput, match="not a float"):
        rec(person, "compensated", "2023-08-31", amount=3500000.0, currency="KZT")


def test_a_recorded_fact_carries_the_stream_the_next_version_and_a_record_time():
    person = new_person()

    event = rec(person, "detained", "2022-01-09", place="Aqtobe")

    assert event.originator_id == person.id
    assert event.originator_version == 2 == person.version
    assert event.timestamp.tzinfo is not None
    assert person.history == [event]
    assert person.pending_events[-1] is event
    assert event.fields() == {"place": "Aqtobe"}
