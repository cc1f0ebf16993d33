"""`casetrail timeline --html`, opened in headless Chromium: what the browser drew, checked against the fold.

The pages come from a real store (the three Aqtobe cases of examples/january2022.sh, plus one
person whose name, notes and source are hostile HTML) through the CLI, as a user makes them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from casetrail.store.application import Casetrail
from casetrail.domain.dates import parse_instant, today_utc
from tests.browser.browser import Dom, read_png
from tests.browser.conftest import HOSTILE_NAME, HOSTILE_NOTE

PAGES = {
    "omarov": ["omarov-aslanbek"],
    "zhubanazarov": ["zhubanazarov-ruslanbek"],
    "nurgeldin": ["nurgeldin-faizulla"],
    "hostile": ["hostile-text"],
    "detained": ["--list", "detained"],
    "fatalities-2024": ["--list", "fatalities", "--as-of", "2024-12-31"],
    "accidental-2022": ["--list", "accidental_victims", "--as-of", "2022-02-01"],
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pictures")


@pytest.fixture(scope="module")
def store(recorded):
    app = Casetrail(recorded.url, recorded_by="tests")
    yield app
    app.close()


def render(recorded, folder: Path, name: str, args: list[str]) -> Path:
    path = folder / f"{name}.html"
    result = recorded.cli(["timeline", *args, "--html", str(path)])
    assert result.stdout.startswith(f"wrote {path}: "), result.stdout
    return path


@pytest.fixture(scope="module")
def pages(recorded, chromium, folder) -> dict[str, Dom]:
    """Each page as Chromium left it (the page has no script: this is what it parsed and drew)."""
    return {name: Dom(chromium.dom(render(recorded, folder, name, args), budget_ms=1000))
            for name, args in PAGES.items()}


def as_of(args: list[str]) -> date:
    return date.fromisoformat(args[args.index("--as-of") + 1]) if "--as-of" in args else today_utc()


def lanes(page: Dom) -> list[str]:
    return [e.attrs["data-person"] for e in page.select("lane", "g")]


def markers(page: Dom, person: str) -> list:
    return [e for e in page.select("event", "g") if e.lane == person]


# -- one marker per counted fact ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", PAGES)
def test_the_page_has_exactly_one_event_marker_per_fact_the_fold_counts(pages, store, name):
    page, day = pages[name], as_of(PAGES[name])

    assert lanes(page), "no lane drawn"
    for person in lanes(page):
        counted = [str(e.id) for e in store.fold(person, day).events]
        drawn = [e.attrs["data-event-id"] for e in markers(page, person)]
        assert sorted(drawn) == sorted(counted), person
    assert len(page.select("event", "g")) == sum(len(store.fold(p, day).events) for p in lanes(page))


def test_a_list_picture_draws_everyone_on_the_list_and_no_one_else(pages):
    assert lanes(pages["detained"]) == ["hostile-text", "omarov-aslanbek"]
    assert lanes(pages["fatalities-2024"]) == ["nurgeldin-faizulla", "zhubanazarov-ruslanbek"]
    assert lanes(pages["accidental-2022"]) == ["nurgeldin-faizulla"]


def test_a_fact_after_the_date_shown_is_not_drawn(pages, store):
    drawn = {e.attrs["data-type"] for e in markers(pages["fatalities-2024"], "zhubanazarov-ruslanbek")}

    assert "designated" in drawn and "died" in drawn
    assert {e.attrs["data-type"] for e in markers(pages["accidental-2022"], "nurgeldin-faizulla")} == \
        {"noted", "designated"}  # he died in March


# -- fuzzy dates, reclassification, lists, custody ------------------------------------------------------------

def test_fuzzy_dates_are_drawn_as_ranges_from_their_earliest_to_their_latest_day(pages, store):
    facts = {str(e.id): e for e in store.fold("omarov-aslanbek", today_utc()).events}
    widths = {}
    for marker in markers(pages["omarov"], "omarov-aslanbek"):
        on = facts[marker.attrs["data-event-id"]].on
        shapes = {d.tag for d in marker.descendants}
        assert (marker.attrs["data-earliest"], marker.attrs["data-latest"]) == (str(on.earliest), str(on.latest))
        if on.exact:
            assert "fuzzy" not in marker.classes and "circle" in shapes, on
        else:
            assert "fuzzy" in marker.classes and "circle" not in shapes, on
            bar = next(d for d in marker.descendants if d.tag == "rect" and "range" in d.classes)
            widths[on.text] = (float(bar.attrs["width"]), (on.latest - on.earliest).days + 1)
    # 2022-05~ is an approximate month; story order narrows the charge of 2022-01 to after the
    # detention of 9 January, and the appeal of 2024? to before its decision of 31 August 2024:
    # each bar is as long as its days.
    assert {text: days for text, (_, days) in widths.items() if text in ("2024?", "2022-05~", "2022-01")} == {
        "2024?": 244, "2022-05~": 31, "2022-01": 23}
    per_day = widths["2022-05~"][0] / 31
    for text, (width, days) in widths.items():
        assert width == pytest.approx(days * per_day, rel=0.1, abs=0.2), text


def test_the_reclassification_of_zhubanazarov_is_marked_and_labelled(pages):
    page = pages["zhubanazarov"]
    marked = page.select("reclassification", "g")

    assert len(marked) == 1
    assert marked[0].attrs["data-type"] == "designated" and marked[0].attrs["data-on"] == "2023?"
    assert "reclassified: terrorist → accidental_victim" in marked[0].text
    labels = [d.text for d in marked[0].descendants if "reclassified" in d.classes]
    assert labels == ["terrorist → accidental_victim"]
    # His first designation (terrorist) replaced nothing: an ordinary marker.
    assert [e.attrs["data-on"] for e in page.select("event", "g") if e.attrs["data-type"] == "designated"] == \
        ["2022-01~", "2023?"]
    assert not pages["nurgeldin"].select("reclassification")


def test_nurgeldin_has_a_band_for_accidental_victims_until_his_death_then_one_for_fatalities(pages):
    bands = [(e.attrs["data-list"], e.attrs["data-from"], e.attrs["data-to"])
             for e in pages["nurgeldin"].select("list-band", "g") if e.lane == "nurgeldin-faizulla"]

    today = today_utc()
    assert bands == [("fatalities", "2022-03-01", str(date.fromordinal(today.toordinal() + 1))),
                     ("accidental_victims", "2022-01-01", "2022-03-01")]
    band = next(e for e in pages["nurgeldin"].select("list-band", "g") if e.attrs["data-list"] == "accidental_victims")
    assert "from 2022-01~ (about January 2022) (designated) until 2022-03~ (about March 2022) (died)" in band.text


def test_omarov_custody_is_drawn_as_detention_then_house_arrest(pages):
    bars = [(e.attrs["data-kind"], e.attrs["data-from"], e.attrs["data-to"])
            for e in pages["omarov"].select("custody", "g")]

    assert bars == [("detained", "2022-01-09", "2022-05-01"), ("house_arrest", "2022-05-01", "2022-10-01")]


def test_every_marker_tooltip_gives_type_date_note_and_source(pages):
    arrest = next(e for e in markers(pages["omarov"], "omarov-aslanbek")
                  if e.attrs["data-type"] == "placed_under_house_arrest")

    assert arrest.text.splitlines()[0] == "placed_under_house_arrest · 2022-05~ (about May 2022)"
    assert "note: after four months in pretrial detention" in arrest.text
    assert ("source: RFE/RL, “Kazakh Court Awards Compensation To Man Wrongly Detained During Unrest In January "
            "2022”, https://www.rferl.org/a/kazakhstan-compensation-aqtobe-man-jaunuary-/32573146.html") in arrest.text


def test_the_legend_names_what_is_drawn(pages):
    legend = " ".join(e.text for e in pages["nurgeldin"].elements if e.tag == "li")

    for words in ("detained", "house arrest", "imprisoned", "reclassification", "earliest to its latest day",
                  "list accidental_victims", "list fatalities"):
        assert words in legend


# -- user text, retractions -----------------------------------------------------------------------------------

def test_user_text_is_shown_as_text_and_never_becomes_markup(pages):
    page = pages["hostile"]

    assert not [e for e in page.elements if e.tag in ("script", "img", "i", "b")]
    assert [e.text for e in page.elements if e.tag == "h1"] == [f"{HOSTILE_NAME} (hostile-text)"]
    assert [e.text for e in page.select("name", "text")] == [HOSTILE_NAME]
    detained = markers(page, "hostile-text")[0]
    assert f"note: {HOSTILE_NOTE}" in detained.text and "place: <b>Almaty</b>" in detained.text
    assert 'source: Outlet & <Co>, “A "quoted" <i>title</i>”, https://example.org/report?a=1&b=<2>' in detained.text
    link = next(e for e in page.elements if e.tag == "a")
    assert link.attrs["href"] == "https://example.org/report?a=1&b=<2>"


def test_a_retracted_fact_is_not_drawn_but_was_drawn_before_its_retraction(recorded, chromium, folder, pages):
    now = markers(pages["hostile"], "hostile-text")
    earlier = Dom(chromium.dom(render(recorded, folder, "hostile-before", ["hostile-text", "--known-at",
                                                                          recorded.before_retraction])))

    assert [e.attrs["data-type"] for e in now] == ["detained"]
    assert "1 retracted, not drawn" in pages["hostile"].select("meta", "text")[0].text
    assert [e.attrs["data-type"] for e in markers(earlier, "hostile-text")] == ["detained", "released"]
    assert recorded.retracted in [e.attrs["data-event-id"] for e in markers(earlier, "hostile-text")]
    assert parse_instant(recorded.before_retraction)  # a --known-at the CLI takes


# -- what the browser drew ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["omarov", "fatalities-2024"])
def test_the_screenshot_is_a_picture_not_a_blank_page(recorded, chromium, folder, name):
    page = render(recorded, folder, f"{name}-shot", PAGES[name])
    image = read_png(chromium.screenshot(page, folder / f"{name}.png", size=(1100, 700)))

    assert (image.width, image.height) == (1100, 700)
    assert image.share_not_white() > 0.03
    assert image.distinct_colours() > 100
    if name == "omarov":  # his detention and house arrest, in their own colours
        assert image.count("#e53935") > 500 and image.count("#fb8c00") > 500
    else:  # the reclassification's colour
        assert image.count("#c2185b") > 50


# -- issue 13, item 7: cases, terms that end, posthumous facts, a death --------------------------------------

EXAMPLE = Path(__file__).parents[2] / "examples" / "january2022.yaml"


@pytest.fixture(scope="module")
def proceedings(tmp_path_factory, chromium) -> dict[str, Dom]:
    """The example dataset (the 16 sentenced together in Aqtobe are one case in it), and a synthetic
    person (no report names one) held when sentenced to six months, whose release is never reported."""
    from tests.cli.conftest import Cli

    folder = tmp_path_factory.mktemp("proceedings")
    cli = Cli(str(folder / "cases.db"))
    cli(f"import {EXAMPLE}")
    cli("source add test-report --outlet Synthetic")
    cli('person add person-a --name "Person A"')
    cli("record person-a detained --on 2022-01-06 --source test-report")
    cli("record person-a sentenced --on 2022-03-01 --kind prison --months 6 --source test-report")
    pages = {}
    for name, args in {"omarov": ["omarov-aslanbek"], "person-a": ["person-a", "--as-of", "2023-01-01"],
                       "zhubanazarov": ["zhubanazarov-ruslanbek"], "nurgeldin": ["nurgeldin-faizulla"]}.items():
        path = folder / f"{name}.html"
        assert cli(["timeline", *args, "--html", str(path)]).stdout.startswith(f"wrote {path}: ")
        pages[name] = Dom(chromium.dom(path, budget_ms=1000))
    return pages


def test_a_case_the_person_is_party_to_is_a_lane_with_its_parties(proceedings):
    lane = proceedings["omarov"].select("case-lane", "g")

    assert [(e.attrs["data-case"], e.attrs["data-parties"]) for e in lane] == [("aqtobe-2023-02", "2")]
    assert "case aqtobe-2023-02: Trial of 16 people in Aqtobe" in lane[0].text
    assert "omarov-aslanbek: accused" in lane[0].text and "15 unnamed: accused" in lane[0].text


def test_a_prison_term_is_a_bar_that_ends_and_an_unreported_release_is_a_dashed_end(proceedings):
    bars = proceedings["person-a"].select("custody", "g")

    assert [(e.attrs["data-kind"], e.attrs["data-from"], e.attrs["data-to"]) for e in bars] == [
        ("detained", "2022-01-06", "2022-03-01"), ("imprisoned", "2022-03-01", "2022-09-01")]
    assert "assumed-end" not in bars[0].classes and "assumed-end" in bars[1].classes
    assert [d.tag for d in bars[1].descendants if "uncertain-end" in d.classes] == ["line"]
    assert "the term ended, no release reported" in bars[1].text
    ended = [e for e in markers(proceedings["person-a"], "person-a") if e.attrs["data-type"] == "term_ended"]
    assert len(ended) == 1 and "derived: the term ran out; not recorded, no release reported" in ended[0].text


def test_a_death_reads_as_a_death_and_what_follows_it_is_marked_posthumous(proceedings):
    death = proceedings["nurgeldin"].select("death-mark", "g")
    after = [e for e in markers(proceedings["zhubanazarov"], "zhubanazarov-ruslanbek") if "posthumous" in e.classes]

    assert len(death) == 1 and death[0].text.startswith("† died 2022-03~")
    assert "in custody" not in death[0].text
    assert after and all("posthumous: after the death" in e.text for e in after)
    legend = " ".join(e.text for e in proceedings["zhubanazarov"].elements if e.tag == "li")
    assert "posthumous: a fact after the person's death" in legend and "no release reported (dashed end)" in legend
