"""The TimelineJS export without a browser: dates at their precision, fuzzy dates in words, eras,
what counts at (V, K), ids, escaping, plain JSON. (tests/browser loads it into TimelineJS itself.)"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from casetrail.domain.fold import fold
from casetrail.rendering.story import Story
from casetrail.rendering.timelinejs import start_date, timelinejs_document

from .builders import T0, Stream
from .test_stories import SOURCE, nurgeldin, omarov, zhubanazarov

V = date(2025, 1, 1)
ARTICLE = SimpleNamespace(url="https://www.rferl.org/a/32573146.html", outlet="RFE/RL",
                          title="Kazakh Court Awards Compensation")
SOURCES = {SOURCE: ARTICLE}


def story(built) -> Story:
    person, _ = built
    return Story(person.key, person.name, tuple(person.history))


def stream_story(stream: Stream, name: str = "Test Person") -> Story:
    return Story("test-person", name, tuple(stream.events))


def slides_by_id(document: dict) -> dict[str, dict]:
    return {slide["unique_id"]: slide for slide in document["events"]}


def test_a_date_keeps_the_precision_it_was_given():
    stream = Stream()
    day, month, year, about = (stream.add("noted", on, text="x")
                               for on in ("2022-01-09", "2022-01", "2022", "2022-05~"))

    slides = slides_by_id(timelinejs_document([stream_story(stream)], {}, V, None, "t"))

    assert slides[day.id.hex]["start_date"] == {"year": 2022, "month": 1, "day": 9}
    assert slides[month.id.hex]["start_date"] == {"year": 2022, "month": 1}
    assert slides[year.id.hex]["start_date"] == {"year": 2022}
    assert slides[about.id.hex]["start_date"] == {"year": 2022, "month": 5}


@pytest.mark.parametrize("on, words, end", [
    ("2022-05~", "about May 2022", {"year": 2022, "month": 5, "day": 31}),
    ("2024?", "2024 (uncertain)", {"year": 2024, "month": 12, "day": 31}),
    ("2022-01", "January 2022", {"year": 2022, "month": 1, "day": 31}),
    ("2022-02", "February 2022", {"year": 2022, "month": 2, "day": 28}),
    ("2022-01-09~", "about 9 January 2022", None),
    ("2022?", "2022 (uncertain)", {"year": 2022, "month": 12, "day": 31}),
])
def test_a_fuzzy_date_is_shown_in_words_and_spans_the_days_it_may_mean(on, words, end):
    stream = Stream()
    stream.add("noted", on, text="x")

    slide = timelinejs_document([stream_story(stream)], {}, V, None, "t")["events"][0]

    assert slide["display_date"] == words
    assert slide.get("end_date") == end


def test_an_exact_day_leaves_the_date_to_timelinejs():
    stream = Stream()
    stream.add("detained", "2022-01-09")

    slide = timelinejs_document([stream_story(stream)], {}, V, None, "t")["events"][0]

    assert "display_date" not in slide and "end_date" not in slide
    assert start_date(stream.events[0].on) == {"year": 2022, "month": 1, "day": 9}


def test_omarov_has_one_slide_per_fact_headlined_with_his_name_and_an_era_per_custody_period():
    document = timelinejs_document([story(omarov())], SOURCES, V, None, "Aslanbek Omarov")

    assert [s["text"]["headline"] for s in document["events"]][:3] == [
        "Aslanbek Omarov: detained", "Aslanbek Omarov: charged", "Aslanbek Omarov: placed under house arrest"]
    assert {s["group"] for s in document["events"]} == {"Aslanbek Omarov"}
    assert document["eras"] == [
        {"start_date": {"year": 2022, "month": 1, "day": 9}, "end_date": {"year": 2022, "month": 5, "day": 1},
         "text": {"headline": "detained",
                  "text": "from 2022-01-09 (detained) until 2022-05~ (about May 2022) (placed_under_house_arrest)"}},
        {"start_date": {"year": 2022, "month": 5, "day": 1}, "end_date": {"year": 2022, "month": 10, "day": 1},
         "text": {"headline": "house arrest",
                  "text": "from 2022-05~ (about May 2022) (placed_under_house_arrest) until 2022-10~ (about October "
                          "2022) (released)"}},
    ]
    assert document["title"]["text"]["headline"] == "Aslanbek Omarov"
    assert "1 person, 9 counted facts" in document["title"]["text"]["text"]


def test_an_open_custody_period_ends_its_era_on_the_date_shown():
    stream = Stream()
    stream.add("detained", "2022-01-09")

    document = timelinejs_document([stream_story(stream)], {}, date(2022, 3, 1), None, "t")

    assert [(e["start_date"], e["end_date"]) for e in document["eras"]] == [
        ({"year": 2022, "month": 1, "day": 9}, {"year": 2022, "month": 3, "day": 1})]


def test_eras_only_for_one_person_since_they_span_the_whole_timeline():
    several = timelinejs_document([story(omarov()), story(zhubanazarov()), story(nurgeldin())], SOURCES, V, None, "t")
    alone = timelinejs_document([story(zhubanazarov())], SOURCES, V, None, "t")

    assert "eras" not in several
    assert alone["eras"] == []  # never in custody
    assert {s["group"] for s in several["events"]} == {"Aslanbek Omarov", "Ruslanbek Zhubanazarov",
                                                     "Faizulla Nurgeldin"}


def test_the_reclassification_is_headlined_as_one():
    document = timelinejs_document([story(zhubanazarov())], SOURCES, V, None, "t")

    headlines = [s["text"]["headline"] for s in document["events"]]
    assert "Ruslanbek Zhubanazarov: reclassified terrorist → accidental_victim" in headlines
    assert "Ruslanbek Zhubanazarov: designated" in headlines  # the first designation replaced nothing
    reclassified = next(s for s in document["events"] if "reclassified" in s["text"]["headline"])
    assert "<strong>Reclassified: terrorist → accidental_victim</strong>" in reclassified["text"]["text"]


def test_only_facts_that_count_at_v_and_k_become_slides():
    stream = Stream()
    detained = stream.add("detained", "2022-01-09")
    wrong = stream.add("released", "2022-01-10")
    stream.retract(wrong)
    later = stream.add("charged", "2022-02", charge="mass disorder")  # recorded after K below
    future = stream.add("noted", "2023", text="after V")
    k = detained.timestamp + timedelta(seconds=90)  # after the release, before its retraction

    now = slides_by_id(timelinejs_document([stream_story(stream)], {}, date(2022, 12, 31), None, "t"))
    then = slides_by_id(timelinejs_document([stream_story(stream)], {}, date(2022, 12, 31), k, "t"))

    assert set(now) == {detained.id.hex, later.id.hex}  # retracted and after-V left out
    assert set(then) == {detained.id.hex, wrong.id.hex}  # before the retraction, before the charge was recorded
    assert future.id.hex not in now
    counted = fold(stream.events, date(2022, 12, 31))
    assert set(now) == {e.id.hex for e in counted.events}


def test_unique_ids_are_unique_and_slug_like_across_people():
    stories = [story(omarov()), story(zhubanazarov()), story(nurgeldin())]

    ids = [s["unique_id"] for s in timelinejs_document(stories, SOURCES, V, None, "t")["events"]]

    assert len(ids) == len(set(ids)) == 9 + 4 + 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


def test_every_piece_of_user_text_is_escaped():
    stream = Stream(T0)
    stream.add("detained", "2022-01-09", place="<b>Almaty</b>", note="<img src=x onerror=alert(1)>",
               source="bad")
    hostile = {"bad": SimpleNamespace(url="https://example.org/?a=1&b=<2>", outlet="Outlet & <Co>",
                                      title='"quoted" <i>title</i>')}
    name = "<script>alert(1)</script>"

    document = timelinejs_document([stream_story(stream, name)], hostile, V, None, f"{name} title")

    slide = document["events"][0]
    assert slide["text"]["headline"] == "&lt;script&gt;alert(1)&lt;/script&gt;: detained"
    assert slide["group"] == "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;"  # TimelineJS decodes it once
    assert document["title"]["text"]["headline"] == "&lt;script&gt;alert(1)&lt;/script&gt; title"
    text = slide["text"]["text"]
    assert "place: &lt;b&gt;Almaty&lt;/b&gt;" in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "<img" not in text and "<b>" not in text and "<i>" not in text
    assert '<a href="https://example.org/?a=1&amp;b=&lt;2&gt;"' in text
    assert slide["media"]["credit"] == "Outlet &amp; &lt;Co&gt;, “&quot;quoted&quot; &lt;i&gt;title&lt;/i&gt;”, " \
                                       "https://example.org/?a=1&amp;b=&lt;2&gt;"


def test_media_cites_the_source_an_article_as_a_linked_quote_a_picture_as_itself():
    stream = Stream()
    stream.add("detained", "2022-01-09", source="article")
    stream.add("charged", "2022-01-10", charge="x", source="photo")
    stream.add("released", "2022-01-11", source="unknown")
    stream.add("noted", "2022-01-12", text="x", source="no-url")
    stream.add("noted", "2022-01-13", text="x", source="not-the-web")
    sources = {"article": ARTICLE, "no-url": SimpleNamespace(url=None, outlet="Court", title=None),
               "photo": SimpleNamespace(url="https://example.org/court.jpg", outlet=None, title=None),
               "not-the-web": SimpleNamespace(url="javascript://%0aalert(1)", outlet=None, title=None)}

    slides = timelinejs_document([stream_story(stream)], sources, V, None, "t")["events"]

    assert slides[0]["media"] == {"url": "<blockquote>RFE/RL: “Kazakh Court Awards Compensation”</blockquote>",
                                  "link": ARTICLE.url,
                                  "credit": f"RFE/RL, “Kazakh Court Awards Compensation”, {ARTICLE.url}"}
    assert slides[1]["media"] == {"url": "https://example.org/court.jpg", "link": "https://example.org/court.jpg",
                                  "credit": "https://example.org/court.jpg"}
    assert [("media" in s) for s in slides[2:]] == [False, False, False]
    assert "source: unknown" in slides[2]["text"]["text"] and "source: Court" in slides[3]["text"]["text"]
    assert "<a " not in slides[4]["text"]["text"]


def test_the_document_is_plain_json():
    document = timelinejs_document([story(omarov()), story(nurgeldin())], SOURCES, V, None, "t")

    def plain(value) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return type(value) in (str, int)

    assert plain(document)
    assert json.loads(json.dumps(document)) == document


def test_nobody_gives_a_title_slide_and_no_events():
    assert timelinejs_document([], {}, V, None, "empty list")["events"] == []
