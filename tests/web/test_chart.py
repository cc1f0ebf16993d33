"""The home page's chart counts each list on sampled days from the first entry to V, as ``lists`` would."""

from __future__ import annotations

from datetime import date

from casetrail.projections.times import At
from casetrail.rendering.chart import sample_days


def test_the_chart_starts_at_the_first_list_entry_and_counts_as_lists_does(site, browser):
    editor = browser("editor")
    for key, fact in (("omarov-aslanbek", {"type": "detained", "on": "2022-01-09"}),
                      ("nurgeldin-faizulla", {"type": "died", "on": "2022-03~"})):
        editor.post(f"/people/{key}/record", {**fact, "source": "rferl-omarov"})
    views = site.state.site.views

    page = editor.get("/", as_of="2022-06-30").text

    assert views.first_list_day() == date(2022, 1, 9)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page
    for day in (date(2022, 1, 9), date(2022, 6, 30)):
        counts = views.counts(At(day))
        row = f"<td>{day.isoformat()}</td>" + "".join(f'<td class="number">{counts[n]}</td>'
                                                    for n in site.state.site.rules.names)
        assert row in page


def test_the_chart_is_left_out_before_anyone_is_on_a_list(browser):
    assert 'class="chart"' not in browser("viewer").get("/").text


def test_sampled_days_include_both_ends_and_are_at_most_36():
    days = sample_days(date(2022, 1, 9), date(2024, 12, 31))

    assert days[0] == date(2022, 1, 9) and days[-1] == date(2024, 12, 31)
    assert len(days) <= 36 and days == sorted(set(days))
    assert sample_days(date(2022, 1, 9), date(2022, 1, 9)) == [date(2022, 1, 9)]


def test_a_chart_is_drawn_again_after_a_write_and_not_before(site, browser):
    editor = browser("editor")
    editor.post("/people/omarov-aslanbek/record", {"type": "detained", "on": "2022-01-09", "source": "rferl-omarov"})
    first = editor.get("/", as_of="2022-06-30").text
    again = editor.get("/", as_of="2022-06-30").text

    editor.post("/people/nurgeldin-faizulla/record", {"type": "died", "on": "2022-03~", "source": "rferl-omarov"})
    after = editor.get("/", as_of="2022-06-30").text

    assert first == again.replace(token_of(again), token_of(first))
    assert first.count('<td class="number">1</td>') < after.count('<td class="number">1</td>')


def token_of(page: str) -> str:
    from tests.web.conftest import token_in

    return token_in(page)
