"""Fuzzing facet values: a list rule and the people search refuse exactly the same values.

Both ask the facet's one test (``Facet.allows``, domain/facets.py); whatever text hypothesis
tries, a rule naming it is refused with one line exactly when ``--FACET`` is, and a value
either refuses is one that no one can ever have.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail.domain.facets import search_filters
from casetrail.domain.errors import BadInput
from casetrail.domain.facets import FACET, FACETS, INITIAL
from casetrail.domain.rules import parse_rules

SETTINGS = settings(max_examples=500, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
# Values near the facets' own: each facet's values, their first values, misspellings, other scripts, controls.
KNOWN = sorted({v for facet in FACET.values() for v in facet.values or ()} | set(INITIAL))
VALUE = st.one_of(st.sampled_from(KNOWN), st.sampled_from(KNOWN).map(str.upper),
                  st.sampled_from(KNOWN).map(lambda v: v + "s"), st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True),
                  st.text(min_size=1, max_size=30).filter(lambda v: v.strip()), st.just("3,500,000 KZT"))


def quoted(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but TOML wants DEL escaped too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def refused(action) -> str | None:
    try:
        action()
    except BadInput as error:
        return str(error)
    return None


@SETTINGS
@given(facet=st.sampled_from(FACETS), value=VALUE)
def test_a_rule_and_the_people_search_refuse_the_same_values(facet, value):
    rule = f"[lists.x]\nall = [{{ facet = {quoted(facet)}, is = {quoted(value)} }}]\n"

    by_rule = refused(lambda: parse_rules(rule))
    by_search = refused(lambda: search_filters({facet: value}))

    assert (by_rule is None) == (by_search is None) == FACET[facet].allows(value)
    for message in filter(None, (by_rule, by_search)):
        assert f"'{value}'" in message
