"""Properties of the fold and of the Person commands, checked with hypothesis."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from casetrail.domain.errors import CasetrailError, TimelineConflict
from casetrail.domain.events import FACT_TYPES, Fact, Retracted
from casetrail.domain.fold import fold

from .builders import TODAY, Stream, new_person

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
START = date(2022, 1, 1)
SPAN = 1200  # days after START: every valid date stays before TODAY (2025-06-01)
FAR = date(2030, 1, 1)

# -- strategies ------------------------------------------------------------------------------------------------

AMOUNTS = st.sampled_from(["100", "3500000", "7 000 000", "40,000,000", "6500.50", "0.01"])

CASES = st.sampled_from(["case-0001", "case-0002"])

FIELDS: dict[str, Any] = {
    "detained": st.fixed_dictionaries({}, optional={"place": st.just("Aqtobe"), "by": st.just("police")}),
    "placed_under_house_arrest": st.just({}),
    "released": st.fixed_dictionaries({}, optional={"grounds": st.sampled_from(["bail", "amnesty"])}),
    "charged": st.fixed_dictionaries({"charge": st.sampled_from(["mass disorder", "terrorism"])}),
    "charges_dropped": st.just({}),
    "acquitted": st.fixed_dictionaries({}, optional={"case": CASES}),
    "sentenced": st.fixed_dictionaries(
        {"kind": st.sampled_from(["prison", "colony", "restricted_freedom", "probation", "suspended", "fine", "ban",
                                  "no_punishment"])},
        optional={"term_months": st.integers(0, 240), "years": st.integers(0, 3), "days": st.integers(0, 400),
                  "credited_days": st.integers(0, 200), "case": CASES}),
    # A role in a case (issue 13): one person may hold several, in one case or in two.
    "named_in_case": st.fixed_dictionaries({"case": CASES, "role": st.sampled_from(
        ["accused", "victim", "claimant", "witness", "relative"])}, optional={"of": st.just("person-0")}),
    "appealed": st.one_of(st.just({}), st.fixed_dictionaries({"claim": AMOUNTS,
                                                               "currency": st.sampled_from(["KZT", "USD"])})),
    "appeal_decided": st.fixed_dictionaries({"outcome": st.sampled_from(
        ["upheld", "overturned", "reduced", "granted", "partly_granted", "rejected"])}),
    "designated": st.fixed_dictionaries({"designation": st.sampled_from(
        ["terrorist", "accidental_victim", "victim", "participant"])}),
    "died": st.just({}),
    "compensated": st.fixed_dictionaries(
        {"amount": AMOUNTS, "currency": st.sampled_from(["KZT", "USD"])},
        optional={"claimed": AMOUNTS, "recipient": st.sampled_from(["person", "family"])}),
    "allegation": st.fixed_dictionaries({"kind": st.sampled_from(["torture", "ill_treatment"])}),
    "noted": st.fixed_dictionaries({"text": st.sampled_from(["a report", "a rumour"])}),
    # Issue 13's types.
    "taken_into_custody": st.just({}),
    "administrative_arrest": st.fixed_dictionaries({"days": st.integers(1, 30)}),
    "sentence_modified": st.fixed_dictionaries(
        {"change": st.sampled_from(["reduced", "increased", "probation_revoked", "replaced"])},
        optional={"kind": st.sampled_from(["prison", "probation"]), "years": st.integers(0, 3),
                  "months": st.integers(0, 30)}),
    "amnesty": st.fixed_dictionaries({"outcome": st.sampled_from(["applied", "refused", "eligible"])},
                                     optional={"months": st.integers(1, 24)}),
    "remanded": st.just({}),
    "rehabilitated": st.just({}),
    "injured": st.fixed_dictionaries({}, optional={"severity": st.sampled_from(["minor", "serious"])}),
    "disappeared": st.just({}),
    "found": st.fixed_dictionaries({"alive": st.booleans()}),
    "body_found": st.just({}),
    "exhumed": st.just({}),
    "confirmed": st.fixed_dictionaries({"status": st.sampled_from(["held", "free", "imprisoned"])}),
}
# Custody events more often than the rest, so that timelines go somewhere.
TYPES = st.sampled_from(["detained"] * 3 + ["released"] * 3 + ["placed_under_house_arrest"] * 2 + list(FIELDS))


def rarely(draw, n: int) -> bool:
    """True about once in n draws (hypothesis favours the first choice, so it comes first)."""
    return draw(st.sampled_from([False] * (n - 1) + [True]))


@st.composite
def fuzzy_text(draw, day: date) -> str:
    """A way of writing a date whose earliest day is ``day``."""
    qualifier = draw(st.sampled_from(["", "", "~", "?"]))
    if day.month == 1 and day.day == 1 and draw(st.booleans()):
        return f"{day.year}{qualifier}"
    if day.day == 1 and draw(st.booleans()):
        return f"{day:%Y-%m}{qualifier}"
    return f"{day.isoformat()}{qualifier}"


@st.composite
def candidate_facts(draw, min_size: int = 1, max_size: int = 14) -> list[tuple[str, str, dict]]:
    """(type, on, fields) for facts on distinct earliest days, in valid-time order; some may conflict."""
    offsets = draw(st.lists(st.integers(0, SPAN), min_size=min_size, max_size=max_size, unique=True))
    # Month and year starts are likely so that month and year dates appear.
    starts = draw(st.lists(st.sampled_from([0, 31, 59, 365, 396, 730, 761]), max_size=3, unique=True))
    days = sorted({START + timedelta(days=o) for o in offsets + starts})
    facts = []
    for day in days:
        type_name = draw(TYPES)
        facts.append((type_name, draw(fuzzy_text(day)), draw(FIELDS[type_name])))
    return facts


@st.composite
def valid_timeline(draw, min_size: int = 1) -> list[tuple[str, str, dict]]:
    """A conflict-free timeline: the candidates the fold keeps (a refused step leaves the state unchanged)."""
    candidates = draw(candidate_facts(min_size=min_size))
    stream = Stream()
    kept = {stream.add(t, on, **f).id: (t, on, f) for t, on, f in candidates}
    return [kept[e.id] for e in fold(stream.events, date.max).events if e.id in kept]  # not a term's derived end


VALID_DATES = st.dates(min_value=START - timedelta(days=30), max_value=START + timedelta(days=SPAN + 400))


def signature(folded, ids=True) -> tuple:
    """Everything a reader sees of a fold; events named by id, or by what they say when ids differ."""
    state = folded.state

    def name(event: Fact) -> Any:
        return event.id if ids else (event.type, event.on.text, event.source, event.note, event.group,
                                     tuple(sorted(event.fields().items(), key=str)))

    return (
        state.custody, state.legal, state.appeal_pending, state.vital, state.designation, state.compensation,
        folded.days_in_custody, state.headline, folded.uncertain, state.sentence, state.posthumous,
        state.died_in_custody, state.release_reported,
        [name(e) for e in folded.events],
        [(p.kind, p.start, p.end, name(p.cause)) for p in state.periods],
        [name(a) for a in state.allegations],
        [step.reclassified_from for step in folded.steps],
        [name(c.event) for c in folded.conflicts],
    )


def build(facts: list[tuple[str, str, dict]], order: list[int], ids: list) -> list[Fact]:
    """The facts recorded in the given record order (versions and record times follow it)."""
    stream = Stream()
    for index in order:
        type_name, on, fields = facts[index]
        stream.add(type_name, on, id=ids[index], **fields)
    return stream.events


# -- (a) record order does not matter --------------------------------------------------------------------------

@SETTINGS
@given(data=st.data(), facts=valid_timeline())
def test_the_state_does_not_depend_on_the_order_facts_were_recorded_in(data, facts):
    ids = [uuid4() for _ in facts]
    in_valid_order = build(facts, list(range(len(facts))), ids)
    order = data.draw(st.permutations(range(len(facts))))
    shuffled = build(facts, order, ids)
    valid_dates = data.draw(st.lists(VALID_DATES, min_size=1, max_size=4)) + [FAR]

    for as_of in valid_dates:
        assert signature(fold(shuffled, as_of)) == signature(fold(in_valid_order, as_of))
    assert fold(shuffled, FAR).conflicts == ()


# -- (b) retract and record again ------------------------------------------------------------------------------

def record_all(person, facts):
    # The generated facts are different happenings, some on overlapping dates: say so (issue 12).
    return [person.record(t, TODAY, on=on, source="test-source", distinct=True, **f) for t, on, f in facts]


@SETTINGS
@given(data=st.data(), facts=valid_timeline().filter(bool))
def test_retracting_a_fact_and_recording_it_again_gives_the_same_state(data, facts):
    person = new_person()
    recorded = record_all(person, facts)
    valid_dates = data.draw(st.lists(VALID_DATES, min_size=1, max_size=3)) + [FAR]
    before = {as_of: signature(person.fold(as_of), ids=False) for as_of in valid_dates}
    target = data.draw(st.sampled_from(recorded))

    try:
        person.retract(target.id.hex[:8], "test: recorded again below")
    except TimelineConflict:
        assume(False)  # a later fact depends on it (a release on its detention): retracting is refused
    again = person.record(target.type, TODAY, on=target.on.text, source=target.source, note=target.note,
                          group=target.group, distinct=target.distinct, **target.fields())

    assert again.id != target.id
    for as_of in valid_dates:
        assert signature(person.fold(as_of), ids=False) == before[as_of]


# -- (c) as of V is the fold of what had begun by V ------------------------------------------------------------

@st.composite
def stream_with_retractions(draw) -> list:
    """Any facts (conflicting ones too) in a random record order, with some retractions among them."""
    candidates = draw(candidate_facts(max_size=10))
    order = draw(st.permutations(range(len(candidates))))
    stream = Stream()
    for index in order:
        type_name, on, fields = candidates[index]
        fact = stream.add(type_name, on, **fields)
        if rarely(draw, 5):
            stream.retract(fact)
    return stream.events


@SETTINGS
@given(data=st.data(), events=stream_with_retractions())
def test_folding_as_of_v_tells_the_part_of_the_whole_story_that_had_begun_by_v(data, events):
    as_of = data.draw(VALID_DATES)
    whole = fold(events, date.max)

    folded = fold(events, as_of)

    # The story narrows each fact's dates by the facts told around it (fold.story): what had begun
    # by V is a prefix of the whole story, and the state at V the state after that prefix.
    assert folded.steps == tuple(s for s in whole.steps if s.event.on.earliest <= as_of)
    assert folded.conflicts == tuple(c for c in whole.conflicts if c.event.on.earliest <= as_of)
    assert folded.state == (folded.steps[-1].state if folded.steps else fold([], date.max).state)
    assert folded.days_in_custody == folded.state.days_in_custody(as_of)


@SETTINGS
@given(data=st.data(), events=stream_with_retractions())
def test_folding_known_at_k_equals_folding_only_what_was_recorded_by_k(data, events):
    known_at = data.draw(st.sampled_from([e.timestamp for e in events]))
    as_of = data.draw(VALID_DATES)
    recorded = [e for e in events if e.timestamp <= known_at]

    assert fold(events, as_of, known_at).state == fold(recorded, as_of).state


# -- (d) any commands: refused cleanly or accepted, and the stream stays possible ------------------------------

JUNK = st.sampled_from(["", "  ", "x", "-5", "0", "1,5", "abc", "NaN", "XYZ", "usd", "prison", "life",
                        "overturned", "family", "Accidental Victim", "terrorist!", "2022-01", 3.5, 7, -1, None,
                        Decimal("10"), ["a"]])
VALID_ON = st.dates(min_value=START, max_value=START + timedelta(days=SPAN)).flatmap(fuzzy_text)
DATES = st.sampled_from(["2022", "2022-01~", "2026-01-01", "2025-06-02", "2022-13", "2022-02-30",
                         "January 2022", "", None, "0000", "2022-1-5"])


@st.composite
def record_command(draw) -> tuple:
    """Mostly well-formed facts (so that streams grow and conflicts arise), sometimes junk of every kind."""
    if rarely(draw, 20):
        type_name = draw(st.sampled_from(["arrested", "retracted", "registered", "Detained"]))
    else:
        type_name = draw(TYPES)
    fields = dict(draw(FIELDS[type_name])) if type_name in FIELDS and not rarely(draw, 8) else {}
    if rarely(draw, 5):
        names = list(FACT_TYPES[type_name].model_fields) if type_name in FACT_TYPES else []
        names = [n for n in names if n not in ("originator_id", "originator_version", "timestamp", "id", "on")]
        for field_name in draw(st.lists(st.sampled_from(names + ["colour"]), min_size=1, max_size=2)):
            fields[field_name] = draw(JUNK)
    if not rarely(draw, 20):
        fields.setdefault("source", "test-source")
    fields["on"] = draw(DATES) if rarely(draw, 10) else draw(VALID_ON)
    return ("record", type_name, fields)


@st.composite
def retract_command(draw) -> tuple:
    how = draw(st.sampled_from(["prefix", "full", "junk"]))
    reason = draw(st.sampled_from(["", None, "  "])) if rarely(draw, 8) else "wrong"
    return ("retract", how, draw(st.integers(0, 50)), reason)


def run(person, command) -> Any:
    if command[0] == "record":
        _, type_name, fields = command
        return person.record(type_name, TODAY, **dict(fields))
    _, how, index, reason = command
    facts = [e for e in person.history if isinstance(e, Fact)]
    if how == "junk" or not facts:  # an id that names nothing, or is not an id
        target = ["zz", "0000", "deadbeefdeadbeef", "-"][index % 4]
    else:
        fact = facts[index % len(facts)]
        target = fact.id.hex[: 4 + index % 29] if how == "prefix" else str(fact.id)
    return person.retract(target, reason)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commands=st.lists(st.one_of(record_command(), record_command(), record_command(), retract_command()),
                         max_size=30),
       valid_dates=st.lists(VALID_DATES, min_size=1, max_size=3))
def test_any_commands_are_accepted_or_refused_with_a_domain_error_and_the_stream_stays_possible(commands,
                                                                                                 valid_dates):
    person = new_person()

    for command in commands:
        before = (person.version, list(person.history), list(person.pending_events))
        try:
            event = run(person, command)
        except CasetrailError as refused:
            assert str(refused) and "\n" not in str(refused)
            assert (person.version, person.history, person.pending_events) == before
        else:
            assert person.history[-1] is event and person.version == before[0] + 1

    assert fold(person.history, date.max).conflicts == ()
    record_times = [e.timestamp for e in person.history] + [None]
    for known_at in record_times:
        for as_of in valid_dates + [date.max]:
            assert fold(person.history, as_of, known_at).conflicts == ()


def test_record_times_of_the_aggregate_never_go_backwards():
    person = new_person()
    for day in range(1, 20):
        person.record("noted", TODAY, on=f"2022-01-{day:02d}", source="s", text="n")

    stamps = [e.timestamp for e in person.history]

    assert stamps == sorted(stamps)
    assert all(s.tzinfo is not None and s.utcoffset() == timedelta(0) for s in stamps)
    assert stamps[-1] <= datetime.now(timezone.utc)


def test_a_retraction_is_stored_as_an_event_and_never_removes_the_fact():
    person = new_person()
    fact = person.record("noted", TODAY, on="2022-01-09", source="s", text="n")

    retraction = person.retract(str(fact.id), "wrong")

    assert person.history == [fact, retraction]
    assert isinstance(retraction, Retracted)
