"""Input rules apply to input: an event stored before a rule existed loads exactly as written.

Control characters in text and amounts finer than a currency's minor unit are refused
when typed or imported (issue 11). A store written by an older casetrail may hold both;
its streams must still load, answer and verify, or one old event would lock a person's
record (and every list) for good on an append-only store.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from casetrail.store.application import Casetrail
from casetrail.domain.person import Person


def store_as_an_older_version_would(url: str) -> None:
    """Each event is changed after today's checks passed, before it is saved (each is its
    stream's newest when changed, so the chain of links holds)."""
    app = Casetrail(url, recorded_by="tests")
    try:
        app.add_source("rferl-omarov", url="https://www.rferl.org/a/32573146.html")
        person = Person.register("omarov-aslanbek", "Aslanbek Omarov", note="note")
        person._pending_events[0] = person._pending_events[0].model_copy(
            update={"note": "line one\r\nline \x1b[2J two"})
        app.save(person)
        person = app.person("omarov-aslanbek")
        person.record("compensated", date.today(), on="2024-08-31", amount="3500000", currency="KZT",
                      source="rferl-omarov")
        person._pending_events[0] = person._pending_events[0].model_copy(update={"amount": Decimal("0.0000001")})
        app.save(person)
    finally:
        app.close()


def test_an_event_stored_before_the_input_rules_loads_as_written(store_url):
    store_as_an_older_version_would(store_url)
    app = Casetrail(store_url, recorded_by="tests", create=False)
    try:
        person = app.person("omarov-aslanbek")
        money = app.fold("omarov-aslanbek").state.money()

        assert person.note == "line one\r\nline \x1b[2J two"  # not refused, not rewritten
        assert money["KZT"].awarded == Decimal("0.0000001")
        assert app.verify().sound
    finally:
        app.close()
