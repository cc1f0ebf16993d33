"""Cases (domain/case.py): a proceeding's own stream, its status, parties, and a person's roles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casetrail.domain.case import CASE_FACT_TYPES, CASE_STATUSES, Case, fold_case, outcome
from casetrail.domain.errors import BadInput, TimelineConflict
from casetrail.domain.events import FACT_TYPES
from casetrail.domain.facets import FACET, facet_values
from casetrail.domain.fold import fold
from casetrail.domain.rules import parse_rules
from tests.unit.builders import SOURCE, TODAY, Stream, new_person


def _case() -> Case:
    return Case.register("case-0042", "A synthetic case", SOURCE, court="Court X")


def test_a_cases_status_is_the_one_its_latest_counted_fact_set_in_valid_time():
    case = _case()
    case.record("trial_started", {"on": "2022-11", "source": SOURCE}, TODAY)
    case.record("investigation_opened", {"on": "2022-01~", "source": SOURCE}, TODAY)  # recorded late, told first
    case.record("hearing", {"on": "2022-12", "status": "postponed", "source": SOURCE}, TODAY)

    statuses = [case.fold(day).status for day in (date(2021, 12, 31), date(2022, 6, 1), date(2023, 1, 1))]

    assert statuses == ["registered", "investigation", "trial"]  # a hearing sets no status
    assert [f.type for f in case.fold(date(2023, 1, 1)).facts] == ["investigation_opened", "trial_started", "hearing"]


def test_a_case_fact_dated_past_v_makes_the_case_uncertain_and_a_later_record_does_not_count_at_k():
    case = _case()
    first = case.record("investigation_opened", {"on": "2022-01", "source": SOURCE}, TODAY)
    later = case.record("case_closed", {"on": "2022-03", "source": SOURCE}, TODAY)

    assert case.fold(date(2022, 1, 15)).uncertain
    assert fold_case(case.history, date(2023, 1, 1), first.timestamp).status == "investigation"
    assert fold_case(case.history, date(2023, 1, 1), later.timestamp).status == "closed"


def test_a_retracted_case_fact_no_longer_counts_and_cannot_be_retracted_twice():
    case = _case()
    closed = case.record("case_closed", {"on": "2022-03", "source": SOURCE}, TODAY)

    case.retract(str(closed.id)[:8], "wrong case")

    assert case.fold(date(2023, 1, 1)).status == "registered"
    with pytest.raises(TimelineConflict, match="already retracted"):
        case.retract(str(closed.id)[:8], "again")


def test_a_case_fact_takes_only_its_own_fields_and_a_known_type():
    case = _case()

    with pytest.raises(BadInput, match="hearing: --status must be"):
        case.record("hearing", {"on": "2022-12", "status": "cancelled", "source": SOURCE}, TODAY)
    with pytest.raises(Exception, match="unknown event type 'verdict_read'"):
        case.record("verdict_read", {"on": "2022-12", "source": SOURCE}, TODAY)
    assert case.history == []


def test_a_named_party_is_recorded_on_the_case_and_as_a_role_on_the_persons_own_stream():
    case, person = _case(), new_person("person-a")

    party, fact = case.party("victim", {"on": "2022-01", "source": SOURCE}, TODAY, person)

    assert (party.person, party.role.value, party.fact_id) == ("person-a", "victim", fact.id)
    assert [e.type for e in person.history] == ["named_in_case"]
    assert fold(person.history, TODAY).state.case_roles == (("case-0042", "victim", None),)


def test_a_party_is_a_person_or_a_count_and_without_a_date_takes_the_cases_first_facts():
    case = _case()
    with pytest.raises(BadInput, match="give --on DATE"):
        case.party("accused", {"unnamed": 15, "source": SOURCE}, TODAY)
    case.record("trial_started", {"on": "2023-02", "source": SOURCE}, TODAY)

    counted, _ = case.party("accused", {"unnamed": 15, "source": SOURCE}, TODAY)

    assert (counted.person, counted.unnamed, counted.on.text) == (None, 15, "2023-02")
    with pytest.raises(BadInput, match="a person's KEY or --unnamed N, not both"):
        case.party("accused", {"unnamed": 2, "source": SOURCE}, TODAY, new_person("person-b"))


def test_case_role_holds_every_role_a_person_has_in_the_declared_order():
    stream = Stream()
    stream.add("named_in_case", "2022-01", case="case-0001", role="victim")
    stream.add("named_in_case", "2023-01", case="case-0002", role="accused")

    roles = [facet_values(fold(stream.events, day).state)[list(FACET).index("case_role")]
             for day in (date(2021, 1, 1), date(2022, 6, 1), date(2023, 6, 1))]

    assert roles == ["none", "victim", "accused+victim"]


def test_a_rule_on_a_many_valued_facet_passes_when_one_of_its_values_is_among_the_tests():
    rules = parse_rules('[lists.a]\nall = [{ facet = "case_role", in = ["accused"] }]\n'
                        '[lists.b]\nall = [{ facet = "case_role", not = "victim" }]\n'
                        '[lists.c]\nall = [{ facet = "case_role", is = "witness" }]\n')
    stream = Stream()
    stream.add("named_in_case", "2022-01", case="case-0001", role="victim")
    stream.add("named_in_case", "2023-01", case="case-0002", role="accused")

    both = facet_values(fold(stream.events, date(2023, 6, 1)).state)

    assert rules.members(both) == (True, False, False)
    with pytest.raises(BadInput, match="facet case_role is never 'accused\\+victim'"):
        parse_rules('[lists.a]\nall = [{ facet = "case_role", is = "accused+victim" }]\n')


def test_named_in_case_without_a_case_is_refused():
    with pytest.raises(Exception, match="named_in_case needs --case"):
        Stream().add("named_in_case", "2022-01", role="victim")


def test_a_fact_without_a_case_is_stored_as_before_and_with_one_keeps_it():
    stream = Stream()
    plain = stream.add("noted", "2022-01", text="a report")
    tied = stream.add("sentenced", "2023-01", case="case-0001")

    assert "case" not in plain.model_dump(mode="json")
    assert tied.model_dump(mode="json")["case"] == "case-0001"


def test_the_outcome_of_an_accused_is_their_latest_counted_verdict_tied_to_the_case():
    stream = Stream()
    stream.add("sentenced", "2023-01", case="case-0001", kind="prison")
    stream.add("sentenced", "2023-05", case="case-0002", kind="fine")
    stream.add("acquitted", "2024-01", case="case-0001")

    assert outcome(stream.events, "case-0001", date(2023, 6, 1), None).type == "sentenced"
    assert outcome(stream.events, "case-0001", date(2024, 6, 1), None).type == "acquitted"
    assert outcome(stream.events, "case-0002", date(2023, 1, 31), None) is None


def test_case_fact_types_declare_a_unique_rank_and_a_known_status_and_verdicts_are_declared_on_their_types():
    ranks = [cls.rank for cls in CASE_FACT_TYPES.values()]

    assert len(set(ranks)) == len(ranks)
    assert all(cls.sets in (None, *CASE_STATUSES) for cls in CASE_FACT_TYPES.values())
    assert list(CASE_FACT_TYPES) == ["investigation_opened", "charges_requalified", "trial_started", "hearing",
                                     "investigation_closed", "case_closed"]
    assert {t for t, cls in FACT_TYPES.items() if cls.verdict} == {"sentenced", "acquitted"}


def test_a_case_read_before_it_was_registered_is_refused():
    case = _case()

    with pytest.raises(Exception, match="was not registered yet"):
        case.fold(TODAY, case.registered_at - timedelta(seconds=1))
