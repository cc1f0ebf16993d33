"""Truthful custody (issue 13): each rule of the fold, as the sentence it enforces.

Synthetic people only (``Stream``): dates are chosen to make each rule plain.
"""

from __future__ import annotations

from datetime import date

import pytest

from casetrail.domain.facets import FACET
from casetrail.domain.fold import fold
from casetrail.domain.timeline import timeline
from casetrail.domain.rules import load_rules

from tests.unit.builders import Stream


def at(stream: Stream, day: str):
    return fold(stream.events, date.fromisoformat(day))


def custody(stream: Stream, day: str) -> str:
    return at(stream, day).state.custody


def held_then(kind: str = "prison", **term) -> Stream:
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("sentenced", "2022-06-01", kind=kind, **term)
    return stream


def test_a_prison_sentence_imprisons_a_person_held_at_the_verdict_until_the_term_ends():
    stream = held_then(years=1)

    assert custody(stream, "2022-05-31") == "detained"
    assert custody(stream, "2022-06-01") == "imprisoned"
    assert custody(stream, "2023-05-31") == "imprisoned"
    assert custody(stream, "2023-06-01") == "free"


def test_after_the_term_ends_with_no_release_reported_custody_is_free_uncertain_and_the_release_not_reported():
    folded = at(held_then(years=1), "2024-01-01")

    assert folded.state.custody == "free"
    assert folded.uncertain
    assert folded.state.release_reported is False
    assert folded.events[-1].type == "term_ended"


def test_days_in_custody_stop_at_the_end_of_the_term():
    stream = held_then(months=37)

    # 2022-01-09 to 2022-06-01 pretrial, then 37 months from the verdict: to 2025-07-01.
    assert at(stream, "2026-12-07").days_in_custody == (date(2025, 7, 1) - date(2022, 1, 9)).days


def test_credited_days_shorten_the_term():
    stream = held_then(years=1, credited_days=143)

    assert custody(stream, "2023-01-09") == "free"
    assert custody(stream, "2023-01-08") == "imprisoned"


def test_a_colony_sentence_holds_like_a_prison_sentence():
    assert custody(held_then("colony", years=2), "2023-06-01") == "imprisoned"


def test_a_release_reported_after_the_term_ended_says_the_release_was_reported():
    stream = held_then(years=1)
    stream.add("released", "2023-06-01", grounds="end of term")

    folded = at(stream, "2024-01-01")
    assert (folded.state.custody, folded.state.release_reported, folded.uncertain) == ("free", True, False)


def test_a_release_before_the_end_of_the_term_ends_custody_then():
    stream = held_then(years=5)
    stream.add("released", "2023-01-01")

    assert custody(stream, "2023-01-01") == "free"
    assert at(stream, "2030-01-01").state.release_reported is True


def test_a_prison_sentence_does_not_imprison_a_person_not_held_at_the_verdict():
    stream = Stream()
    stream.add("sentenced", "2024-03-28", kind="prison", years=7)

    folded = at(stream, "2026-12-07")
    assert (folded.state.custody, folded.days_in_custody, folded.state.legal) == ("never_detained", 0, "convicted")


def test_taken_into_custody_under_a_prison_sentence_imprisons_and_counts_the_term_from_that_day():
    stream = Stream()
    stream.add("sentenced", "2022-06-01", kind="prison", years=1)
    stream.add("taken_into_custody", "2022-09-01")

    assert custody(stream, "2022-08-31") == "never_detained"
    assert custody(stream, "2023-08-31") == "imprisoned"
    assert custody(stream, "2023-09-01") == "free"


def test_taken_into_custody_with_no_prison_sentence_is_pretrial_detention():
    stream = Stream()
    stream.add("taken_into_custody", "2022-01-09")

    assert custody(stream, "2022-02-01") == "detained"


@pytest.mark.parametrize("kind", ["restricted_freedom", "probation", "suspended", "fine", "ban"])
def test_a_non_custodial_sentence_frees_a_person_held_at_the_verdict(kind):
    stream = held_then(kind, years=2)

    assert custody(stream, "2022-06-01") == "free"
    assert at(stream, "2030-01-01").days_in_custody == (date(2022, 6, 1) - date(2022, 1, 9)).days


def test_free_under_a_restricting_sentence_reads_free_restricted_and_a_fine_reads_free():
    assert FACET["custody"].shown(at(held_then("restricted_freedom", years=2), "2023-01-01").state) == \
        "free (restricted)"
    assert FACET["custody"].shown(at(held_then("fine", amount="100000", currency="KZT"), "2023-01-01").state) == "free"


def test_a_sentence_of_unknown_kind_leaves_custody_as_it_was():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("sentenced", "2022-06-01")

    assert (custody(stream, "2023-01-01"), at(stream, "2023-01-01").state.sentence) == ("detained", "unknown")


def test_an_old_prison_sentence_with_term_months_is_a_term_in_months():
    stream = held_then(term_months=12)

    assert custody(stream, "2023-05-31") == "imprisoned"
    assert custody(stream, "2023-06-01") == "free"


def test_a_reduced_sentence_ends_earlier_counted_from_the_start_of_the_term():
    stream = held_then(years=5)
    stream.add("sentence_modified", "2023-01-01", change="reduced", years=2)

    assert custody(stream, "2024-05-31") == "imprisoned"
    assert custody(stream, "2024-06-01") == "free"


def test_a_sentence_reduced_below_the_time_served_ends_custody_on_the_day_of_the_change():
    stream = held_then(years=5)
    stream.add("sentence_modified", "2024-01-10", change="reduced", months=6)

    assert custody(stream, "2024-01-09") == "imprisoned"
    assert custody(stream, "2024-01-10") == "free"


def test_a_revoked_probation_imprisons_from_that_day_for_the_term():
    stream = held_then("probation", years=2)
    stream.add("sentence_modified", "2023-01-01", change="probation_revoked", years=1)

    folded = at(stream, "2023-06-01")
    assert (folded.state.custody, folded.state.sentence) == ("imprisoned", "prison")
    assert custody(stream, "2024-01-01") == "free"


def test_a_sentence_replaced_by_a_non_custodial_one_frees_a_person_held():
    stream = held_then(years=5)
    stream.add("sentence_modified", "2023-01-01", change="replaced", kind="restricted_freedom", years=3)

    assert (custody(stream, "2023-01-01"), at(stream, "2023-01-01").state.sentence) == ("free", "restricted_freedom")


def test_a_sentence_change_without_a_sentence_is_refused():
    stream = Stream()
    stream.add("sentence_modified", "2023-01-01", change="reduced", years=1)

    assert "no sentence stands then" in at(stream, "2023-02-01").conflicts[0].message


def test_an_amnesty_applied_frees_a_person_imprisoned_under_the_sentence():
    stream = held_then(years=5)
    stream.add("amnesty", "2022-12-01", outcome="applied")

    assert custody(stream, "2022-12-01") == "free"
    assert at(stream, "2022-12-01").state.legal == "convicted"


def test_an_amnesty_applied_with_a_term_takes_it_off_the_sentence():
    stream = held_then(years=5)
    stream.add("amnesty", "2022-12-01", outcome="applied", years=1)

    assert custody(stream, "2026-05-31") == "imprisoned"
    assert custody(stream, "2026-06-01") == "free"


def test_an_amnesty_refused_changes_nothing():
    stream = held_then(years=5)
    stream.add("amnesty", "2022-12-01", outcome="refused")

    assert custody(stream, "2023-01-01") == "imprisoned"


def test_a_sentence_overturned_on_appeal_ends_its_custody_and_its_conviction():
    stream = held_then(years=5)
    stream.add("appealed", "2022-07-01", by="defence")
    stream.add("appeal_decided", "2022-10-01", outcome="overturned")

    state = at(stream, "2022-10-01").state
    assert (state.custody, state.legal, state.sentence) == ("free", "cleared", "none")


def test_a_remand_for_retrial_cancels_the_conviction_and_ends_its_custody():
    stream = held_then(years=5)
    stream.add("remanded", "2023-01-01", court="Supreme Court")

    state = at(stream, "2023-01-01").state
    assert (state.custody, state.legal, state.sentence) == ("free", "accused", "none")
    assert at(stream, "2030-01-01").days_in_custody == (date(2023, 1, 1) - date(2022, 1, 9)).days


def test_a_remand_without_a_conviction_is_refused():
    stream = Stream()
    stream.add("remanded", "2023-01-01")

    assert "no conviction stands then" in at(stream, "2023-02-01").conflicts[0].message


def test_an_acquittal_frees_a_person_held():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("acquitted", "2022-06-01")

    assert custody(stream, "2022-06-01") == "free"


def test_a_release_may_report_what_an_acquittal_implied():
    stream = Stream()
    stream.add("detained", "2022-01-09")
    stream.add("acquitted", "2022-06-01")
    stream.add("released", "2022-06-01")

    assert at(stream, "2022-07-01").conflicts == ()


def test_from_the_day_of_death_custody_is_deceased_and_days_in_custody_stop():
    stream = Stream()
    stream.add("detained", "2022-01-06")
    stream.add("died", "2022-01-10")

    folded = at(stream, "2024-01-01")
    assert (folded.state.custody, folded.days_in_custody, folded.state.died_in_custody) == ("deceased", 4, True)


def test_a_person_who_died_free_did_not_die_in_custody():
    stream = Stream()
    stream.add("detained", "2022-01-06")
    stream.add("released", "2022-01-08")
    stream.add("died", "2022-01-10")

    assert at(stream, "2022-02-01").state.died_in_custody is False
    assert at(stream, "2022-02-01").state.ever_detained is True


def test_a_death_ends_a_term_that_would_have_ended_later():
    stream = held_then(years=5)
    stream.add("died", "2023-01-01")

    folded = at(stream, "2030-01-01")
    assert (folded.state.custody, [e.type for e in folded.events][-1]) == ("deceased", "died")


def test_a_posthumous_charge_and_conviction_without_punishment_are_marked_posthumous():
    stream = Stream()
    stream.add("died", "2022-01-06")
    stream.add("charged", "2022-10-01", charge="mass riots", article="272 part 2")
    stream.add("sentenced", "2022-12-01", kind="no_punishment")

    folded = at(stream, "2023-01-01")
    assert (folded.state.legal, folded.state.sentence, folded.state.posthumous) == \
        ("convicted", "no_punishment", True)
    assert folded.state.custody == "deceased"


def test_a_posthumous_conviction_with_a_punishment_is_refused():
    stream = Stream()
    stream.add("died", "2022-01-06")
    stream.add("sentenced", "2022-12-01", kind="prison", years=3)

    assert "carries no punishment" in at(stream, "2023-01-01").conflicts[0].message


def test_relatives_may_appeal_allege_and_be_compensated_for_the_dead_but_the_dead_are_not_detained():
    stream = Stream()
    stream.add("died", "2022-01-06")
    stream.add("appealed", "2022-03-01", by="family")
    stream.add("appealed", "2022-04-01", by="relative-a")
    stream.add("allegation", "2022-03-01", kind="torture", by="family")
    stream.add("compensated", "2023-03-01", amount="1000", currency="KZT", recipient="family")
    stream.add("detained", "2022-05-01")

    folded = at(stream, "2024-01-01")
    assert [c.event.type for c in folded.conflicts] == ["detained"]
    assert folded.state.appeal_pending and folded.state.posthumous


def test_a_rehabilitation_clears_the_conviction_after_the_death_too():
    stream = Stream()
    stream.add("died", "2022-01-06")
    stream.add("sentenced", "2022-12-01", kind="no_punishment")
    stream.add("rehabilitated", "2024-01-01")

    assert (at(stream, "2024-02-01").state.legal, at(stream, "2024-02-01").state.sentence) == ("rehabilitated", "none")


def test_an_administrative_arrest_detains_and_ends_by_itself_after_its_days():
    stream = Stream()
    stream.add("administrative_arrest", "2022-01-06", days=15)

    assert custody(stream, "2022-01-20") == "detained"
    assert custody(stream, "2022-01-21") == "free"
    assert at(stream, "2022-02-01").state.release_reported is False


def test_a_criminal_detention_may_follow_an_administrative_arrest_before_it_ends():
    stream = Stream()
    stream.add("administrative_arrest", "2022-01-06", days=15)
    stream.add("detained", "2022-01-18")
    stream.add("charged", "2022-01-19", charge="mass riots")

    assert at(stream, "2022-02-01").conflicts == ()
    assert custody(stream, "2022-03-01") == "detained"


def test_an_administrative_arrest_of_a_person_held_is_refused():
    stream = Stream()
    stream.add("detained", "2022-01-06")
    stream.add("administrative_arrest", "2022-01-07", days=10)

    assert "already detained since" in at(stream, "2022-02-01").conflicts[0].message


def test_a_disappearance_makes_custody_missing_until_found_alive():
    stream = Stream()
    stream.add("detained", "2022-01-06")
    stream.add("disappeared", "2022-01-08")
    stream.add("found", "2022-01-20", alive=True)

    assert custody(stream, "2022-01-10") == "missing"
    assert at(stream, "2022-01-10").state.headline == "missing"
    assert custody(stream, "2022-01-20") == "free"


def test_found_dead_is_a_death_on_that_day():
    stream = Stream()
    stream.add("disappeared", "2022-01-08")
    stream.add("found", "2022-01-20", alive=False)

    state = at(stream, "2022-02-01").state
    assert (state.vital, state.custody, state.died_in_custody) == ("deceased", "deceased", False)


def test_found_when_not_missing_is_refused():
    stream = Stream()
    stream.add("found", "2022-01-20", alive=True)

    assert "not missing then" in at(stream, "2022-02-01").conflicts[0].message


def test_a_body_found_is_a_death_when_none_is_recorded_and_exhumation_needs_a_death():
    stream = Stream()
    stream.add("exhumed", "2022-01-10")
    stream.add("body_found", "2022-01-15")
    stream.add("exhumed", "2022-03-01")

    folded = at(stream, "2022-04-01")
    assert folded.state.vital == "deceased"
    assert [c.event.on.text for c in folded.conflicts] == ["2022-01-10"]


def test_an_injury_changes_no_status_and_is_refused_after_a_death():
    stream = Stream()
    stream.add("injured", "2022-01-06", severity="serious")
    stream.add("died", "2022-01-07")
    stream.add("injured", "2022-01-08")

    folded = at(stream, "2022-02-01")
    assert [c.event.on.text for c in folded.conflicts] == ["2022-01-08"]


def test_confirmed_still_held_changes_nothing_and_confirmed_free_when_held_is_refused():
    stream = Stream()
    stream.add("detained", "2022-01-06")
    stream.add("confirmed", "2022-06-01", status="held")
    stream.add("confirmed", "2022-07-01", status="free")

    folded = at(stream, "2022-08-01")
    assert folded.state.custody == "detained"
    assert [c.event.on.text for c in folded.conflicts] == ["2022-07-01"]


def test_confirmed_after_a_term_ran_out_says_free_or_still_held():
    freed, still = held_then(years=1), held_then(years=1)
    freed.add("confirmed", "2023-09-01", status="free")
    still.add("confirmed", "2023-09-01", status="held")

    assert at(freed, "2024-01-01").state.release_reported is True
    assert custody(still, "2024-01-01") == "imprisoned"


def test_the_allegation_facet_names_the_gravest_kind_alleged():
    stream = Stream()
    stream.add("allegation", "2022-01-06", kind="ill_treatment")
    assert FACET["allegation"].read(at(stream, "2022-01-07").state) == "ill_treatment"
    stream.add("allegation", "2022-01-08", kind="torture")

    assert FACET["allegation"].read(at(stream, "2022-01-09").state) == "torture"


def test_the_default_lists_put_the_dead_held_on_died_in_custody_and_off_in_custody():
    stream = Stream()
    stream.add("detained", "2022-01-06")
    stream.add("died", "2022-01-10")
    story = timeline(stream.events, load_rules())

    assert story.period("list", "died_in_custody", date(2022, 1, 10)) is not None
    assert story.period("list", "in_custody", date(2022, 1, 10)) is None
    assert story.period("list", "detained", date(2024, 1, 1)) is not None


def test_the_timeline_ends_a_term_on_its_day_as_a_change_of_custody():
    story = timeline(held_then(years=1).events, load_rules())

    ends = [(c.valid_from, c.before, c.after, c.cause.type) for c in story.changes if c.name == "custody"]
    assert ends[-1] == (date(2023, 6, 1), "imprisoned", "free", "term_ended")
    assert story.period("list", "in_custody", date(2023, 6, 1)) is None
