"""Facets are declared once (domain/facets.py): the rules, the read models and the status read them."""

from __future__ import annotations

from decimal import Decimal

from casetrail.domain.facets import FACET, FACETS, LISTED, facet_values
from casetrail.domain.state import Money, State
from casetrail.projections.tables import SCHEMA_VERSION

# The facets whose periods each schema version's rows hold: a new facet means new rows (and, in the
# status table of versions 5 to 16, a new column), so it comes with a new version.
FACETS_AT = {16: ("custody", "legal", "appeal", "vital", "designation", "compensation", "case_role", "headline",
                  "sentence", "ever_detained", "died_in_custody", "posthumous", "allegation")}
FACETS_AT[17] = FACETS_AT[16]  # 17: no status table ("now" is read from the periods at today, as any date is)


def test_the_views_schema_version_says_which_facets_their_rows_hold():
    assert FACETS == FACETS_AT[SCHEMA_VERSION]


def test_the_facets_keep_their_order_and_the_headline_is_listed_first():
    assert FACETS == ("custody", "legal", "appeal", "vital", "designation", "compensation", "case_role", "headline",
                      "sentence", "ever_detained", "died_in_custody", "posthumous", "allegation")
    assert [facet.name for facet in LISTED][0] == "headline"


def test_a_state_reads_as_the_same_facet_values_as_before_the_declarations():
    state = State(custody="free", legal="convicted", appeal_pending=True, vital="alive", designation="terrorist",
                  compensation=(("KZT", Money(Decimal(7000000), Decimal(0))), ("USD", Money(Decimal(0), Decimal(5)))))

    assert facet_values(state)[:8] == ("free", "convicted", "pending", "alive", "terrorist", "7,000,000 KZT", "none",
                                       "released")
    assert facet_values(State()) == ("never_detained", "none", "none", "alive", "none", "none", "none", "at_large",
                                     "none", "no", "no", "no", "none")


def test_a_closed_facet_allows_its_values_and_an_open_one_what_looks_like_its_values():
    assert FACET["vital"].allows("deceased") and not FACET["vital"].allows("dead")
    assert FACET["designation"].allows("accidental_victim") and not FACET["designation"].allows("Accidental Victim")
    assert FACET["compensation"].allows("3,500,000 KZT")
