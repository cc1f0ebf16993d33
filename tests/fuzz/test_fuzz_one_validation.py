"""Fuzzing the one validation path of a fact: the command line and the Python API (``Person.record``)
and an import (``records.read_event``) build a fact with the same function, so for any fields they
accept the same facts, and refuse the same ones for the same reason, only naming the field as each
user wrote it (``--term-months``, ``field 'term_months'``).

Hypothesis draws a fact type and fields of that type holding valid and broken values (dates such as
``2022-13-01`` or ``２０２２``, amounts such as ``1e9`` or ``0x10``, unknown enum values, control
characters, numbers where text is due), sometimes without a date or a source. What a file may spell
differently by design is left out: a blank value (an empty cell: not given) and a list typed as text
(``a|b`` in one cell).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail.domain.errors import CasetrailError, TimelineConflict
from casetrail.domain.events import FACT_TYPES, Fact
from casetrail.domain.person import Person
from casetrail.store.records import read_event

SETTINGS = settings(max_examples=500, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TODAY = date(2025, 1, 1)
OWN = {name: [n for n in cls.model_fields if n not in Fact.model_fields] for name, cls in FACT_TYPES.items()}
LISTS = {"charges"}

words = st.text(max_size=24).filter(lambda text: text.strip() != "")
tricky = st.sampled_from([
    "prison", "suspended", "jail", "defence", "overturned", "partly_granted", "family", "terrorist",
    "accidental_victim", "x y", "Torture", "10", "-5", "0", "6500.50", "1e9", "NaN", "0x10", "3.5m", "KZT", "kzt",
    "JPY", "€", "Aqtobe", "Aqtobe\x00", "Omarov\u202e", "a" * 501, "2022-01-09",
])
value = st.one_of(words, tricky, st.integers(-5, 2000))
dates = st.one_of(st.none(), st.sampled_from(["2022-01-09", "2022-01~", "2022?", "2022", "2022-13-01", "2022-02-30",
                                              "２０２２", "2099-01-01", "January 2022", "2022-01-09T10:00"]), words)


@st.composite
def fact_fields(draw) -> tuple[str, dict[str, Any]]:
    type_name = draw(st.sampled_from(sorted(FACT_TYPES)))
    fields: dict[str, Any] = {"on": draw(dates), "source": draw(st.one_of(st.none(), st.just("rferl-omarov"), words))}
    for name in draw(st.lists(st.sampled_from(OWN[type_name] + ["note", "group"]), unique=True, max_size=5)):
        fields[name] = draw(st.lists(words, max_size=3) if name in LISTS else value)
    return type_name, {k: v for k, v in fields.items() if v is not None}


def typed(type_name: str, fields: dict[str, Any]) -> Fact | str:
    """The fact as the command line and the API make it, or why it is refused."""
    person = Person.register("omarov-aslanbek", "Aslanbek Omarov")
    try:
        return person.record(type_name, TODAY, **fields)
    except TimelineConflict as conflict:  # a valid fact this timeline cannot take: import checks that later
        return f"valid, but {conflict}"
    except CasetrailError as error:
        return str(error)


def imported(type_name: str, fields: dict[str, Any]) -> Fact | str:
    try:
        return read_event({"record": "event", "person": "omarov-aslanbek", "type": type_name, **fields},
                          TODAY)[0].event
    except CasetrailError as error:
        return str(error)


def reason(message: str, type_name: str) -> str:
    """A refusal without the naming of its field: '--kind must be' and "field 'kind': must be" say the same."""
    message = message.removeprefix(f"{type_name}: ")
    return re.sub(r"^(field '\w+'(: )?|--[a-z-]+ )", "", message).strip()


def content(event: Fact) -> tuple:
    return event.type, event.on.text, event.source, event.note, event.group, event.fields()


@SETTINGS
@given(drawn=fact_fields())
def test_a_fact_is_accepted_or_refused_alike_on_the_command_line_and_in_an_import(drawn):
    type_name, fields = drawn

    by_hand, from_file = typed(type_name, fields), imported(type_name, fields)

    if isinstance(from_file, str):
        assert isinstance(by_hand, str) and not by_hand.startswith("valid, but"), (by_hand, from_file)
        assert reason(by_hand, type_name) == reason(from_file, type_name)
    elif isinstance(by_hand, Fact):
        assert content(by_hand) == content(from_file)
    else:
        assert by_hand.startswith("valid, but"), (by_hand, from_file)
