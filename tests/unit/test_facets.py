"""Facets are declared once (domain/facets.py): the rules, the read-model table and the status read them."""

from __future__ import annotations

from decimal import Decimal

from casetrail.domain.facets import FACET, FACETS, LISTED, facet_values
from casetrail.domain.state import Money, State
from casetrail.projections.tables import SCHEMA_VERSION, status

# The status table each schema version has: a new facet is a new column, so it comes with a new version.
STATUS_COLUMNS = {5: [("person", "BIGINT"), ("headline", "VARCHAR(40)"), ("custody", "VARCHAR(40)"),
                      ("legal", "VARCHAR(40)"), ("appeal", "VARCHAR(40)"), ("vital", "VARCHAR(40)"),
                      ("designation", "VARCHAR(80)"), ("compensation", "TEXT"), ("changed_at", "VARCHAR(32)")]}
STATUS_COLUMNS[6] = STATUS_COLUMNS[5]  # version 6 added "contested" to the period tables, not to this one
STATUS_COLUMNS[7] = STATUS_COLUMNS[6]  # version 7 spells a change's seq with a three-digit rank (ranks step by ten)
STATUS_COLUMNS[8] = [*STATUS_COLUMNS[7][:8], ("case_role", "VARCHAR(80)"), *STATUS_COLUMNS[7][8:]]  # cases' roles
# version 10 (issue 12 dates): story-order seq (dates narrowed, tie), last reports and possible members in the
# period tables, not this one.
STATUS_COLUMNS[10] = STATUS_COLUMNS[8]
# Version 9 (issue 13): the sentence's kind, ever detained, died in custody, posthumous proceedings, the gravest allegation.
STATUS_COLUMNS[9] = STATUS_COLUMNS[8][:-1] + [(name, "VARCHAR(40)") for name in (
    "sentence", "ever_detained", "died_in_custody", "posthumous", "allegation")] + STATUS_COLUMNS[8][-1:]
# Versions 11 to 14 changed the people table, not this one: 11 and 13 added "merged_into" (issue 12
# identity), 12 and 14 the transliterated names ("spelt"); 10 and 12 were taken by branches of the same day.
STATUS_COLUMNS[11] = STATUS_COLUMNS[12] = STATUS_COLUMNS[8]
STATUS_COLUMNS[13] = STATUS_COLUMNS[14] = STATUS_COLUMNS[9]
STATUS_COLUMNS[15] = STATUS_COLUMNS[14]  # 15: the dates branch's period tables on top of 14
STATUS_COLUMNS[16] = STATUS_COLUMNS[15]  # 16: the list index covers "possible" (the counts leave possible members out)


def test_the_status_table_has_a_column_per_facet_as_its_schema_version_says():
    columns = [(column.name, str(column.type)) for column in status.columns]

    assert columns == STATUS_COLUMNS[SCHEMA_VERSION]
    assert {name for name, _ in columns} - {"person", "changed_at"} == set(FACETS)


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
