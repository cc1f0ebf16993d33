"""The HTML picture without a browser: one marker per counted fact, ranges for fuzzy dates, the
reclassification, list bands, escaping, and a page that loads nothing. (tests/browser opens it.)"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

from casetrail.domain.fold import fold
from casetrail.rendering.picture import date_words, timeline_html
from casetrail.domain.rules import load_rules
from casetrail.rendering.story import Story

from .builders import Stream
from .test_stories import SOURCE, nurgeldin, omarov, zhubanazarov

RULES = load_rules()
V = date(2025, 1, 1)
SOURCES = {SOURCE: SimpleNamespace(url="https://www.rferl.org/a/32573146.html", outlet="RFE/RL",
                                   title="Kazakh Court Awards Compensation")}


class Tags(HTMLParser):
    """Every start tag with its attributes, and all the text, unescaped."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data):
        self.text.append(data)

    def with_class(self, cls: str) -> list[dict]:
        return [a for _, a in self.tags if cls in a.get("class", "").split()]


def story(built) -> Story:
    person, _ = built
    return Story(person.key, person.name, tuple(person.history))


def page(stories, as_of=V, known_at=None, sources=SOURCES, title="t") -> Tags:
    return Tags(timeline_html(stories, sources, RULES, as_of, known_at, title))


def test_one_event_marker_per_counted_fact_with_its_id():
    stories = [story(omarov()), story(zhubanazarov()), story(nurgeldin())]

    drawn = [a["data-event-id"] for a in page(stories).with_class("event")]

    counted = [str(e.id) for s in stories for e in fold(s.history, V).events]
    assert drawn == counted and len(drawn) == 16


def test_a_fact_after_v_or_recorded_after_k_or_retracted_is_not_drawn():
    stream = Stream()
    detained = stream.add("detained", "2022-01-09")
    wrong = stream.add("released", "2022-01-10")
    stream.retract(wrong)
    stream.add("charged", "2023", charge="x")
    one = [Story("p", "P", tuple(stream.events))]

    assert [a["data-event-id"] for a in page(one, date(2022, 12, 31)).with_class("event")] == [str(detained.id)]
    before_retraction = detained.timestamp + timedelta(seconds=90)
    assert [a["data-event-id"] for a in page(one, date(2022, 12, 31), before_retraction).with_class("event")] == \
        [str(detained.id), str(wrong.id)]
    assert "1 retracted, not drawn" in "".join(page(one, date(2022, 12, 31)).text)


def test_fuzzy_dates_are_ranges_and_exact_days_are_points():
    html = timeline_html([story(omarov())], SOURCES, RULES, V, None, "t")
    tags = Tags(html)

    fuzzy = {a["data-on"] for a in tags.with_class("fuzzy")}
    exact = {a["data-on"] for a in tags.with_class("event")} - fuzzy
    assert fuzzy == {"2022-01", "2022", "2022-05~", "2022-10~", "2023-02", "2024?"}
    assert exact == {"2022-01-09", "2024-08-31"}
    def width(on: str) -> float:
        found = re.search(rf'data-on="{re.escape(on)}".*?<rect class="range" [^>]*width="([\d.]+)"', html, re.DOTALL)
        return float(found.group(1))

    # "2024?" is drawn as the story allows it: from 1 January to the ruling of 31 August it led to.
    assert 9 * width("2023-02") > width("2024?") > 7 * width("2023-02") > 0


def test_zhubanazarov_reclassification_is_marked_and_labelled():
    tags = page([story(zhubanazarov())])

    assert [a["data-on"] for a in tags.with_class("reclassification")] == ["2023?"]
    assert "terrorist → accidental_victim" in tags.text
    assert "reclassified: terrorist → accidental_victim" in "".join(tags.text)


def test_nurgeldin_has_list_bands_for_accidental_victims_then_fatalities():
    bands = page([story(nurgeldin())]).with_class("list-band")

    assert [(b["data-list"], b["data-from"], b["data-to"]) for b in bands] == [
        ("fatalities", "2022-03-01", "2025-01-02"), ("accidental_victims", "2022-01-01", "2022-03-01")]


def test_custody_bars_end_at_the_next_custody_fact_or_at_v():
    bars = page([story(omarov())], date(2022, 7, 1)).with_class("custody")

    assert [(b["data-kind"], b["data-from"], b["data-to"]) for b in bars] == [
        ("detained", "2022-01-09", "2022-05-01"), ("house_arrest", "2022-05-01", "2022-07-02")]


def test_names_notes_and_sources_are_escaped():
    stream = Stream()
    stream.add("detained", "2022-01-09", place="<b>x</b>", note="<img src=x onerror=alert(1)>", source="bad")
    sources = {"bad": SimpleNamespace(url="javascript://%0aalert(1)", outlet="<i>Outlet</i>", title='"t"')}
    name = "<script>alert(1)</script>"

    html = timeline_html([Story("p", name, tuple(stream.events))], sources, RULES, V, None, name)

    assert "<script" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    tags = Tags(html)
    assert name in tags.text
    assert "javascript:" not in "".join(a.get("href", "") for _, a in tags.tags)  # shown, not linked


def test_the_page_loads_nothing_and_runs_nothing():
    html = timeline_html([story(omarov())], SOURCES, RULES, V, None, "t")
    tags = Tags(html)

    assert not [t for t, _ in tags.tags if t in ("script", "link", "img", "iframe", "object")]
    assert not [a for _, a in tags.tags if "src" in a]
    policy = next(a["content"] for t, a in tags.tags
                  if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert policy.startswith("default-src 'none'")
    assert [a["href"] for t, a in tags.tags if t == "a"] == [SOURCES[SOURCE].url] * 9  # the sources, as links


def test_the_axis_has_a_label_per_year_and_the_legend_names_the_lists_drawn():
    tags = page([story(nurgeldin())])

    years = [a for a in tags.with_class("year")]
    assert len(years) == 4  # 2022, 2023, 2024, 2025 (to V)
    legend = "".join(tags.text)
    assert "list accidental_victims: Accidental victims" in legend and "list compensated" not in legend


def test_one_lane_per_person_and_a_page_for_nobody():
    assert [a["data-person"] for a in page([story(omarov()), story(nurgeldin())]).with_class("lane")] == [
        "omarov-aslanbek", "nurgeldin-faizulla"]
    empty = page([])
    assert empty.with_class("lane") == [] and "0 people, 0 counted facts" in "".join(empty.text)


def test_dates_in_words():
    from casetrail.domain.dates import FuzzyDate

    assert [date_words(FuzzyDate.parse(t)) for t in ("2022-05~", "2024?", "2022-01-09", "2022", "2022-02-03?")] == [
        "about May 2022", "2024 (uncertain)", "9 January 2022", "2022", "3 February 2022 (uncertain)"]


def test_a_person_party_to_a_case_gets_a_lane_for_it_with_its_parties_and_a_mark_per_case_fact():
    from casetrail.domain.case import Case
    from .builders import TODAY, new_person

    case, person = Case.register("case-0042", "A synthetic trial", SOURCE), new_person("person-a")
    case.record("trial_started", {"on": "2023-01", "source": SOURCE}, TODAY)
    case.party("victim", {"on": "2022-01", "source": SOURCE}, TODAY, person)
    case.party("accused", {"unnamed": 3, "source": SOURCE}, TODAY)
    drawn = Story(person.key, person.name, tuple(person.history), (case,))

    before, after = page([drawn], as_of=date(2021, 12, 31)), page([drawn])

    assert before.with_class("case-lane") == []  # not yet a party on that date
    lane = after.with_class("case-lane")
    assert [(a["data-case"], a["data-parties"]) for a in lane] == [("case-0042", "2")]
    assert [a["data-type"] for a in after.with_class("case-fact")] == ["trial_started"]
    assert "parties:\nperson-a: victim\n3 unnamed: accused" in "".join(after.text)
