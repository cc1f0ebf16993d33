"""A page of a list is that stretch of the whole list, on SQLite and PostgreSQL, whether the list
holds most people (SQLite then walks the people in key order) or few (it sorts the members);
and the home page chart's counts, read for many days at once, are each day's counts. The
people are synthetic."""

from __future__ import annotations

from datetime import date

import pytest

from casetrail.domain.rules import load_rules
from casetrail.projections.times import At
from casetrail.projections.views import Views
from tests.integration.views_support import DAYS, populate

PEOPLE = 230


@pytest.fixture
def views(app):
    """230 people: all detained, every tenth of them dead on 2022-01-07 (a fatality), one in
    three released in February."""
    app.add_source("src", url="https://example.org/a")
    for n in range(PEOPLE):
        facts = [("detained", {"on": "2022-01-05", "source": "src"})]
        if n % 10 == 0:
            facts.append(("died", {"on": "2022-01-07", "source": "src"}))
        elif n % 3 == 0:
            facts.append(("released", {"on": "2022-02", "source": "src"}))
        # Keys not in registration order: the pages must follow the keys.
        app.add_person(f"person-{(n * 7919) % 1000:03d}", f"Person {n}", facts=facts)
    views = Views(app, load_rules())
    views.catch_up()
    yield views
    views.close()


@pytest.mark.parametrize("name", ["detained", "in_custody", "fatalities", "compensated"])
def test_each_page_of_a_list_is_its_stretch_of_the_whole_list_in_key_order(views, name):
    at = At(date(2022, 3, 1))
    whole = views.members(name, at)
    size = views.size(name, at)

    pages = [views.members(name, at, 100, offset, size) for offset in range(0, max(size, 1), 100)]

    assert [m for page in pages for m in page] == whole
    assert [m["person"] for m in whole] == sorted(m["person"] for m in whole)
    assert len(whole) == size


def test_the_lists_hold_what_the_fixture_says(views):
    at = At(date(2022, 3, 1))

    assert views.counts(at)["fatalities"] == 23
    assert views.size("in_custody", at) == PEOPLE - 23 - 69  # the dead and the released are not held


def test_the_charts_counts_on_many_days_are_each_days_list_counts(app):
    # populate: four kinds of case, with retractions and later facts recorded after K.
    populated = populate(app, 40)
    views = Views(app, load_rules())
    try:
        views.catch_up()
        days = [date(2021, 12, 31), *DAYS, date(2022, 1, 7), date(2030, 1, 1)]
        days.sort()
        for known_at in (populated.before_corrections, None):
            assert views.counts_on(days, known_at) == [views.counts(At(day, known_at)) for day in days]
        assert any(views.counts_on(days)[-1].values()), "no list had members: the check proved nothing"
    finally:
        views.close()
