"""The TimelineJS export, loaded by the real TimelineJS (the pinned npm package) in headless Chromium.

TimelineJS does not throw on bad data: it logs the problem and shows "Error: ..." in its
message box (class tl-message) instead of the timeline, or skips an event without a start
date. So the page records every script error, every failed load, every error message
TimelineJS shows, whether it finished ("ready") and how many slides it made; and a test
feeds it broken documents to prove that this detector sees what goes wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casetrail.store.application import Casetrail
from casetrail.domain.dates import today_utc
from casetrail.rendering.story import Story
from casetrail.rendering.timelinejs import timelinejs_document
from tests.browser.browser import Dom
from tests.browser.conftest import HOSTILE_NAME

AQTOBE = ("omarov-aslanbek", "zhubanazarov-ruslanbek", "nurgeldin-faizulla")

HARNESS = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="%CSS%">
<script>
  var problems = [];
  // capture: failed loads of scripts, styles and images fire "error" on the element, not on window
  window.addEventListener("error", function (e) {
    problems.push("error: " + (e.message || (e.target && (e.target.src || e.target.href)) || e.type));
  }, true);
  window.addEventListener("unhandledrejection", function (e) { problems.push("unhandled rejection: " + e.reason); });
  // TimelineJS catches some of its own exceptions and only logs them
  var logged = console.error;
  console.error = function () {
    problems.push("console.error: " + Array.prototype.join.call(arguments, " "));
    logged.apply(console, arguments);
  };
</script>
<script src="%JS%"></script>
</head><body>
<div id="timeline-embed" style="width: 1000px; height: 640px"></div>
<pre id="result"></pre>
<script>
  var timeline = null;
  try {
    // font: null and a local script_path: TimelineJS would otherwise fetch its fonts from its CDN.
    timeline = new TL.Timeline("timeline-embed", %DATA%, {font: null, script_path: "%SCRIPT_PATH%"});
  } catch (e) { problems.push("constructor: " + e); }
  setTimeout(function () {
    function texts(selector) {
      return Array.prototype.map.call(document.querySelectorAll(selector), function (m) { return m.textContent; });
    }
    document.getElementById("result").textContent = JSON.stringify({
      ready: !!(timeline && timeline.ready),
      problems: problems,
      // TimelineJS's own message box, "Loading Timeline..." until the timeline is drawn, then removed;
      // "Error: ..." in it (or in a slide's) when it refuses the data
      messages: texts("#timeline-embed > .tl-message-full").concat(
        texts(".tl-message, .tl-message-full").filter(function (t) { return /error/i.test(t); })),
      config_errors: (timeline && timeline.config) ? timeline.config.getErrors().map(String) : [],
      slides: document.querySelectorAll(".tl-slide").length,
      eras: document.querySelectorAll(".tl-timeera").length
    });
  }, 4000);
</script>
</body></html>
"""


def run(chromium, timelinejs: Path, folder: Path, name: str, document: dict) -> tuple[dict, Dom]:
    """Load the document into TimelineJS; what happened, and the page as it ended up."""
    data = json.dumps(document).replace("</", "<\\/")  # a "</script>" in the data must not end the script
    page = (HARNESS.replace("%CSS%", (timelinejs / "css" / "timeline.css").as_uri())
            .replace("%JS%", (timelinejs / "js" / "timeline.js").as_uri())
            .replace("%SCRIPT_PATH%", (timelinejs / "js").as_uri() + "/")
            .replace("%DATA%", data))
    path = folder / f"{name}.html"
    path.write_text(page, encoding="utf-8")
    dom = Dom(chromium.dom(path, budget_ms=10_000))
    result = dom.by_id("result")
    assert result is not None and result.text, "the harness wrote no result"
    return json.loads(result.text), dom


def ok(outcome: dict) -> bool:
    return outcome["ready"] and not (outcome["problems"] or outcome["messages"] or outcome["config_errors"])


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("timelinejs")


@pytest.fixture(scope="module")
def stories(recorded):
    app = Casetrail(recorded.url, recorded_by="tests")
    people = {key: app.person(key) for key in (*AQTOBE, "hostile-text")}
    cited = {e.source for p in people.values() for e in p.history if hasattr(e, "on")}
    sources = {key: app.source(key) for key in cited}
    app.close()
    return {key: Story(key, p.name, tuple(p.history)) for key, p in people.items()}, sources


@pytest.mark.parametrize("people", [("omarov-aslanbek",), ("zhubanazarov-ruslanbek",), AQTOBE,
                                    (*AQTOBE, "hostile-text")], ids=["omarov", "zhubanazarov", "aqtobe", "all"])
def test_timelinejs_makes_a_slide_per_event_and_the_title_without_an_error(chromium, timelinejs, folder, stories,
                                                                           people):
    found, sources = stories
    document = timelinejs_document([found[p] for p in people], sources, today_utc(), None, "January 2022, Aqtobe")

    outcome, _ = run(chromium, timelinejs, folder, "-".join(people), document)

    assert ok(outcome), outcome
    assert document["events"]
    assert outcome["slides"] == len(document["events"]) + 1
    assert outcome["eras"] == len(document.get("eras", []))
    assert ("eras" in document) == (len(people) == 1)


def test_names_and_notes_reach_the_timelinejs_page_as_text(chromium, timelinejs, folder, stories):
    found, sources = stories
    document = timelinejs_document([found["hostile-text"]], sources, today_utc(), None, HOSTILE_NAME)

    outcome, dom = run(chromium, timelinejs, folder, "hostile", document)

    assert ok(outcome), outcome
    headlines = [e.text for e in dom.elements if "tl-headline" in e.classes]
    assert f"{HOSTILE_NAME}: detained" in headlines and HOSTILE_NAME in headlines
    inside = [e for e in dom.elements if e.tag in ("img", "b", "i") or "onerror" in e.attrs]
    assert not inside, [(e.tag, e.attrs) for e in inside]
    # the one script the data could have smuggled in would sit in the embed; the harness's own are outside it
    embed = dom.by_id("timeline-embed")
    assert not [e for e in embed.descendants if e.tag == "script"]


BROKEN = {
    "a year that is not a number": lambda d: d["events"][0].update(start_date={"year": "nineteen"}),
    "an era without an end": lambda d: d["eras"].append({"start_date": {"year": 2022}, "text": {"headline": "x"}}),
    "an event without a start date": lambda d: d["events"][0].pop("start_date"),
    "events that are not a list": lambda d: d.update(events={"not": "a list"}),
}


@pytest.mark.parametrize("breakage", BROKEN)
def test_the_detector_sees_timelinejs_refuse_a_broken_document(chromium, timelinejs, folder, stories, breakage):
    found, sources = stories
    document = timelinejs_document([found["omarov-aslanbek"]], sources, today_utc(), None, "broken")
    BROKEN[breakage](document)

    outcome, _ = run(chromium, timelinejs, folder, f"broken-{breakage.replace(' ', '-')}", document)

    # Either an error was seen, or (a skipped event) the slides do not add up.
    events = document["events"] if isinstance(document["events"], list) else []
    assert not ok(outcome) or outcome["slides"] != len(events) + 1, outcome
