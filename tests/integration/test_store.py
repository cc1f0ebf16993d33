"""The application on real stores: SQLite files and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from typing import ClassVar
from uuid import uuid4

import orjson
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import register_topic

from casetrail.store.application import Casetrail, key_for_url
from casetrail.domain.errors import AlreadyExists, NotFound, TimelineConflict
from casetrail.domain.events import PersonEvent
from casetrail.domain.person import person_id


@pytest.fixture
def omarov(app):
    app.add_person("omarov-aslanbek", "Aslanbek Omarov", ["Асланбек Омаров"])
    app.add_source("rferl-omarov", url="https://www.rferl.org/a/omarov", outlet="RFE/RL", published=date(2024, 9, 1))
    return app


def test_a_recorded_fact_survives_a_new_process_on_the_same_store(omarov, store_url):
    event = omarov.record("omarov-aslanbek", "detained", on="2022-01-09", place="Aqtobe", source="rferl-omarov")

    reopened = Casetrail(store_url, recorded_by="tests")
    folded = reopened.fold("omarov-aslanbek")
    reopened.close()

    assert [e.id for e in folded.events] == [event.id]
    assert folded.events[0].place == "Aqtobe"
    assert folded.state.custody == "detained"


def test_events_are_stored_under_stable_casetrail_topics(omarov):
    omarov.record("omarov-aslanbek", "detained", on="2022-01-09", source="rferl-omarov")

    stored = omarov.recorder.select_events(person_id("omarov-aslanbek"))

    assert [s.topic for s in stored] == ["casetrail.domain.events:Registered", "casetrail.domain.events:Detained"]
    assert b'"on":"2022-01-09"' in stored[1].state  # orjson bytes of model_dump(mode="json")


def test_money_comes_back_as_exact_decimals(omarov):
    omarov.record("omarov-aslanbek", "compensated", on="2024-08-31", amount="3500000.10", currency="kzt",
                  claimed="40000000", source="rferl-omarov")

    state = omarov.fold("omarov-aslanbek").state

    assert state.money()["KZT"].awarded == Decimal("3500000.10")
    assert state.money()["KZT"].claimed == Decimal("40000000")


def test_a_second_registration_of_the_same_key_is_refused(omarov):
    with pytest.raises(AlreadyExists, match="person omarov-aslanbek is already registered"):
        omarov.add_person("omarov-aslanbek", "Someone Else")
    assert [p.name for p in omarov.people()] == ["Aslanbek Omarov"]


def test_a_url_given_as_source_registers_it_once(omarov):
    url = "https://www.rferl.org/a/kazakh-court-compensation/33000000.html"
    omarov.record("omarov-aslanbek", "detained", on="2022-01-09", source=url)
    omarov.record("omarov-aslanbek", "released", on="2022-10~", source=url)

    keys = [s.key for s in omarov.sources()]

    assert keys == ["rferl-omarov", key_for_url(url)]
    assert omarov.source(key_for_url(url)).url == url


def test_a_person_added_with_facts_saves_the_sources_they_cite_by_url_in_the_same_save(app):
    url = "https://www.rferl.org/a/kazakh-court-compensation/33000001.html"

    app.add_person("omarov-aslanbek", "Aslanbek Omarov", facts=[("detained", {"on": "2022-01-09", "source": url})])

    assert [s.key for s in app.sources()] == [key_for_url(url)]
    assert app.fold("omarov-aslanbek").events[0].source == key_for_url(url)


def test_a_person_refused_with_their_facts_leaves_no_source_behind(app):
    url = "https://www.rferl.org/a/kazakh-court-compensation/33000002.html"

    with pytest.raises(TimelineConflict):
        app.add_person("omarov-aslanbek", "Aslanbek Omarov", facts=[("released", {"on": "2022-10", "source": url})])
    with pytest.raises(AlreadyExists):
        app.add_person("someone", "Someone", facts=[("detained", {"on": "2022-01-09", "source": url})])
        app.add_person("someone", "Someone", facts=[("detained", {"on": "2022-01-09", "source": url + "?2"})])

    assert [s.key for s in app.sources()] == [key_for_url(url)]  # only the first person's, saved with them
    assert [p.key for p in app.people()] == ["someone"]


def test_an_impossible_fact_is_refused_and_nothing_is_stored(omarov):
    omarov.record("omarov-aslanbek", "detained", on="2022-01-09", source="rferl-omarov")
    omarov.record("omarov-aslanbek", "released", on="2022-10~", source="rferl-omarov")

    with pytest.raises(TimelineConflict, match="released on 2022-11 but already free then"):
        omarov.record("omarov-aslanbek", "released", on="2022-11", source="rferl-omarov")

    assert len(omarov.recorder.select_events(person_id("omarov-aslanbek"))) == 3


def test_retraction_hides_a_fact_now_but_not_from_the_past(omarov):
    wrong = omarov.record("omarov-aslanbek", "died", on="2022-01", source="rferl-omarov")
    before = datetime.now(timezone.utc)
    omarov.retract("omarov-aslanbek", wrong.id.hex[:8], "confused with another man", "rferl-omarov")

    assert omarov.fold("omarov-aslanbek").state.vital == "alive"
    assert omarov.fold("omarov-aslanbek", known_at=before).state.vital == "deceased"
    with pytest.raises(TimelineConflict, match="already retracted"):
        omarov.retract("omarov-aslanbek", str(wrong.id), "again")


def test_unknown_people_sources_and_events_are_named(omarov):
    with pytest.raises(NotFound, match="no person 'nobody'"):
        omarov.fold("nobody")
    with pytest.raises(NotFound, match="no source 'nowhere'"):
        omarov.record("omarov-aslanbek", "detained", on="2022", source="nowhere")
    with pytest.raises(NotFound, match="omarov-aslanbek has no event abcdef12"):
        omarov.retract("omarov-aslanbek", "abcdef12", "typo")


class HeldV2(PersonEvent):
    """A later shape of an event: version 1 called the authority 'by'."""

    class_version: ClassVar[int] = 2
    authority: str

    @staticmethod
    def upcast_v1_v2(state: dict) -> None:
        state["authority"] = state.pop("by", None) or "unknown"


HELD = "casetrail.tests.upcasting:Held"
register_topic(HELD, HeldV2)


def test_a_version_1_event_loads_as_version_2(app):
    stream = uuid4()
    old_row = StoredEvent(originator_id=stream, originator_version=1, topic=HELD,
                          state=orjson.dumps({"timestamp": "2024-01-01T00:00:00+00:00", "by": "police"}))
    app.recorder.insert_events([old_row])

    loaded = list(app.events.get(stream))

    assert [type(e) for e in loaded] == [HeldV2]
    assert loaded[0].authority == "police"


def test_a_version_2_event_is_stored_with_its_class_version(app):
    event = HeldV2(originator_id=uuid4(), originator_version=1, timestamp=datetime.now(timezone.utc),
                   authority="KNB")

    stored = app.mapper.to_stored_event(event)

    assert orjson.loads(stored.state)["class_version"] == 2
    assert app.mapper.to_domain_event(stored) == event


def test_a_person_registered_with_first_facts_is_one_save_all_or_none(app):
    app.add_source("rferl", url="https://www.rferl.org/")
    facts = [("released", {"on": "2022-10~", "source": "rferl"}),  # order in the batch does not matter
             ("detained", {"on": "2022-01-09", "place": "Aqtobe", "source": "rferl"})]

    person = app.add_person("omarov-aslanbek", "Aslanbek Omarov", facts=facts)

    stored = app.recorder.select_events(person_id("omarov-aslanbek"))
    assert [s.originator_version for s in stored] == [1, 2, 3]
    assert app.fold("omarov-aslanbek").state.custody == "free"
    assert len({e.timestamp for e in person.history}) == 1  # one record time: no --known-at sees half

    with pytest.raises(TimelineConflict, match="released on 2022-05 but no detention is recorded before it"):
        app.add_person("nurgeldin-faizulla", "Faizulla Nurgeldin",
                       facts=[("released", {"on": "2022-05", "source": "rferl"})])
    assert [p.key for p in app.people()] == ["omarov-aslanbek"]


def test_record_many_checks_the_batch_as_a_whole(omarov):
    with pytest.raises(TimelineConflict, match="died on 2022-04 but already died on 2022-03"):
        omarov.record_many("omarov-aslanbek", [("died", {"on": "2022-03", "source": "rferl-omarov"}),
                                               ("died", {"on": "2022-04", "source": "rferl-omarov"})])
    assert omarov.person("omarov-aslanbek").history == []


def test_many_streams_earlier_events_are_read_at_once_each_its_own_in_version_order(app):
    from casetrail.store.streams import CHUNK, earlier_events

    keys = [f"person-{n}" for n in range(CHUNK + 3)]  # two queries' worth
    for n, key in enumerate(keys):
        app.add_person(key, f"Person {n}")
        app.record(key, "detained", on="2022-01-06", source="https://example.org/report")
        app.record(key, "released", on="2022-01-20", source="https://example.org/report")
    before = {person_id(key): 3 for key in keys}  # the registration and the detention of each
    before[person_id(keys[0])] = 2

    found = earlier_events(app.recorder, before)

    assert set(found) == set(before)
    for key in keys:
        one_by_one = list(app.recorder.select_events(person_id(key), lte=before[person_id(key)] - 1))
        assert found[person_id(key)] == one_by_one
