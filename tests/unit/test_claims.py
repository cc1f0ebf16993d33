"""The claims step before the fold (domain/claims.py): sources gathered, disputes resolved,
answers marked contested. Stories from RFE/RL's report on Aslanbek Omarov and Ruslanbek
Zhubanazarov (rferl-omarov in examples/january2022.yaml)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from casetrail.domain.claims import resolve, same_claim
from casetrail.domain.errors import TimelineConflict
from casetrail.domain.fold import fold
from casetrail.domain.rules import load_rules, parse_rules
from casetrail.domain.timeline import timeline
from tests.unit.builders import Stream

LATER = date(2025, 1, 1)
AWARD = {"amount": "3500000", "currency": "KZT"}


def _awarded(events, as_of=LATER, known_at=None) -> Decimal:
    return dict(fold(events, as_of, known_at).state.compensation)["KZT"].awarded


def test_a_corroboration_adds_a_source_and_the_fact_still_counts_once():
    stream = Stream()
    award = stream.add("compensated", "2024-08-31", source="rferl-omarov", claimant="media", **AWARD)
    stream.corroborate(award, "rferl-omarov-amp", "media")

    claims = resolve(stream.events)

    assert [c.source for c in claims.sources(award)] == ["rferl-omarov", "rferl-omarov-amp"]
    assert _awarded(stream.events) == Decimal("3500000")


def test_a_retracted_corroboration_takes_its_source_away():
    stream = Stream()
    award = stream.add("compensated", "2024-08-31", **AWARD)
    stream.retract(stream.corroborate(award, "rferl-omarov-amp"))

    assert [c.source for c in resolve(stream.events).sources(award)] == [award.source]


def test_two_accounts_of_one_award_are_never_summed_and_the_first_recorded_holds():
    stream = Stream()
    first = stream.add("compensated", "2024-08-31", **AWARD)
    stream.add("compensated", "2024-08-31", amount="3000000", currency="KZT", disputes=first.id)

    folded = fold(stream.events, LATER)

    assert _awarded(stream.events) == Decimal("3500000")
    assert folded.contested and folded.disputes[0].preferred == first and folded.disputes[0].facet == "compensation"


def test_the_latest_preference_names_the_account_that_counts():
    stream = Stream()
    first = stream.add("compensated", "2024-08-31", **AWARD)
    second = stream.add("compensated", "2024-08-31", amount="3000000", currency="KZT", disputes=first.id)
    stream.prefer(second)
    chosen = stream.clock
    stream.prefer(first)

    assert _awarded(stream.events, known_at=chosen) == Decimal("3000000")
    assert _awarded(stream.events) == Decimal("3500000")


def test_a_retracted_preference_leaves_the_first_recorded_account_holding():
    stream = Stream()
    first = stream.add("compensated", "2024-08-31", **AWARD)
    second = stream.add("compensated", "2024-08-31", amount="3000000", currency="KZT", disputes=first.id)
    stream.retract(stream.prefer(second))

    assert _awarded(stream.events) == Decimal("3500000")


def test_a_retracted_account_ends_the_dispute_and_the_other_counts_uncontested():
    stream = Stream()
    first = stream.add("compensated", "2024-08-31", **AWARD)
    stream.add("compensated", "2024-08-31", amount="3000000", currency="KZT", disputes=first.id)
    stream.retract(first)

    folded = fold(stream.events, LATER)

    assert not folded.contested and _awarded(stream.events) == Decimal("3000000")


def test_accounts_that_dispute_a_retracted_one_still_dispute_each_other():
    stream = Stream()
    first = stream.add("sentenced", "2023", court="Aqtobe court")
    stream.add("sentenced", "2023-02", court="Aqtobe court", disputes=first.id)
    stream.add("sentenced", "2022-02", court="Aqtobe court", disputes=first.id)
    stream.retract(first)

    folded = fold(stream.events, LATER)

    assert len(folded.disputes) == 1 and [a.on.text for a in folded.disputes[0].accounts] == ["2023-02", "2022-02"]
    assert [e.on.text for e in folded.events] == ["2023-02"] and not folded.conflicts


def test_an_answer_is_contested_from_the_day_some_account_has_begun():
    stream = Stream()
    first = stream.add("sentenced", "2023-02", court="Aqtobe court")
    stream.add("sentenced", "2022-02", court="Aqtobe court", disputes=first.id)

    assert not fold(stream.events, date(2022, 1, 20)).contested
    assert fold(stream.events, date(2022, 6, 1)).contested
    assert fold(stream.events, date(2022, 6, 1)).state.legal == "none"  # the account that holds is 2023-02


def test_a_list_stay_opened_by_a_disputed_account_is_contested():
    stream = Stream()
    first = stream.add("sentenced", "2023-02", court="Aqtobe court")
    stream.add("sentenced", "2022-02", court="Aqtobe court", disputes=first.id)

    story = timeline(stream.events, load_rules())

    assert [p.contested for p in story.periods if p.kind == "list" and p.name == "convicted"] == [True]


def test_the_same_fact_on_the_same_days_is_the_one_to_corroborate():
    stream = Stream()
    award = stream.add("compensated", "2024-08-31", **AWARD)
    again = Stream(originator_id=stream.id).add("compensated", "2024-08-31", source="amp", **AWARD)

    assert same_claim(again, stream.events, "omarov-aslanbek") == award


def test_a_like_fact_inside_a_coarser_date_is_no_corroboration_but_a_likely_duplicate():
    stream = Stream()
    stream.add("detained", "2022")
    again = Stream(originator_id=stream.id).add("detained", "2022-03-03")

    with pytest.raises(TimelineConflict, match="--distinct"):
        same_claim(again, stream.events, "omarov-aslanbek")


def test_a_type_that_repeats_is_never_a_likely_duplicate():
    stream = Stream()
    stream.add("charged", "2022-01", charge="organizing mass disorder")
    another = Stream(originator_id=stream.id).add("charged", "2022-01", charge="participation in mass disorder")

    assert same_claim(another, stream.events, "omarov-aslanbek") is None


def test_a_rule_asking_who_says_so_holds_only_while_the_fact_that_set_the_value_is_asserted_by_them():
    rules = parse_rules("""
[lists.accidental_victims_by_court]
all = [{ facet = "designation", is = "accidental_victim", claimant = ["court", "other"] }]
[lists.designated_by_officials]
all = [{ facet = "designation", not = "none", claimant = "official" }]
""")
    stream = Stream()  # Ruslanbek Zhubanazarov, as RFE/RL tells it
    stream.add("designated", "2022-01~", designation="terrorist", by="authorities", claimant="official")
    court = stream.add("designated", "2023?", designation="accidental_victim", by="court", claimant="court")

    story = timeline(stream.events, rules)

    stays = {p.name: (p.valid_from, p.cause) for p in story.periods if p.kind == "list"}
    assert stays["accidental_victims_by_court"] == (date(2023, 1, 1), court)
    assert [p.valid_to for p in story.periods if p.name == "designated_by_officials" and p.value == "in"] == [
        date(2023, 1, 1)]
    # The court's designation is dated only "2023?": until its last day (31 December 2023, when it has
    # surely happened) the official one may still hold.
    assert [(p.valid_from, p.valid_to) for p in story.periods if p.name == "designated_by_officials"
            and p.value == "possibly"] == [(date(2023, 1, 1), date(2023, 12, 31))]
