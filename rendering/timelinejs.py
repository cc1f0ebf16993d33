"""People's stories as a TimelineJS 3 document (https://timeline.knightlab.com/docs/json-format.html).

Pure, and read through the same fold as every other reader: only the facts that count
at (as_of, known_at) become slides. A date keeps the precision it was given (``2022-01``
is a month, not 1 January) and a fuzzy one says so in words. TimelineJS puts headlines,
texts, group names and credits into the page as HTML, so all user text is escaped here.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from collections.abc import Mapping, Sequence
from typing import Any

from casetrail.domain.dates import FuzzyDate
from casetrail.domain.fold import Step
from casetrail.rendering.picture import (
    Custody, SourceLike, custody_spans, date_label, date_words, esc, fact_lines, folded, reclassification, source_html,
    source_text, web_url, when_text,
)
from casetrail.rendering.story import Story

# Addresses TimelineJS shows as media itself: pictures and videos.
EMBEDDABLE = re.compile(r"(youtube\.com/watch|youtu\.be/|vimeo\.com/\d|\.(jpe?g|png|gif|webp|svg|mp4|webm)([?#].*)?$)",
                        re.IGNORECASE)


def timelinejs_document(stories: Sequence[Story], sources: Mapping[str, SourceLike], as_of: date,
                        known_at: datetime | None, title: str) -> dict:
    """A title slide, one slide per counted fact, and (for one person) an era per custody period."""
    results = [folded(story, as_of, known_at) for story in stories]
    events = [_slide(story, step, sources)
              for story, result in zip(stories, results, strict=True) for step in result.steps]
    summary = (f"{when_text(as_of, known_at)}: {len(stories)} {'person' if len(stories) == 1 else 'people'}, "
               f"{len(events)} counted {'fact' if len(events) == 1 else 'facts'}")
    document: dict[str, Any] = {"title": {"text": {"headline": esc(title), "text": f"<p>{esc(summary)}</p>"}},
                                "events": events}
    if len(stories) == 1:  # eras span the whole timeline: with several people they would mix them up
        document["eras"] = [_era(span) for span in custody_spans(results[0])]
    return document


def start_date(on: FuzzyDate) -> dict[str, int]:
    """The date at the precision it is known: year, year and month, or a day."""
    day = on.earliest
    parts = {"year": day.year, "month": day.month, "day": day.day}
    keep = {"year": 1, "month": 2}.get(on.precision, 3)  # an interval or season: its first possible day
    return dict(list(parts.items())[:keep])


def _day(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def _slide(story: Story, step: Step, sources: Mapping[str, SourceLike]) -> dict[str, Any]:
    event, label = step.event, reclassification(step)
    what = f"reclassified {label}" if label else event.type.replace("_", " ")
    slide: dict[str, Any] = {
        "start_date": start_date(event.on),
        "text": {"headline": esc(f"{story.name}: {what}"), "text": _text(step, sources)},
        # TimelineJS 3.9 turns the group into plain text (decoding entities) and then inserts
        # that as HTML: escaped twice, a name still arrives as text.
        "group": esc(esc(story.name)),
        "unique_id": event.id.hex,  # TimelineJS wants ids unique and slug-like: the uuid's hex is both
    }
    if not event.on.exact:
        slide["display_date"] = esc(date_words(event.on))
    if event.on.earliest < event.on.latest:  # a month or a year: shown as the span it could be
        slide["end_date"] = _day(event.on.latest)
    media = _media(event.source, sources)
    if media:
        slide["media"] = media
    return slide


def _media(key: str, sources: Mapping[str, SourceLike]) -> dict[str, str] | None:
    """The cited source in the slide's media place, linked to its address.

    TimelineJS embeds a picture or a video from its address, but shows any other
    address (a news article) as a broken image: an article is shown as a quote of
    its outlet and title instead, still linked to it.
    """
    url = web_url(key, sources)
    if url is None:
        return None
    credit = esc(source_text(key, sources))
    if EMBEDDABLE.search(url):
        return {"url": url, "link": url, "credit": credit}
    source = sources[key]
    words = ": ".join(p for p in (source.outlet, f"“{source.title}”" if source.title else None) if p) or url
    return {"url": f"<blockquote>{esc(words)}</blockquote>", "link": url, "credit": credit}


def _text(step: Step, sources: Mapping[str, SourceLike]) -> str:
    event, label = step.event, reclassification(step)
    parts = [f"<p><strong>Reclassified: {esc(label)}</strong></p>"] if label else []
    lines = fact_lines(event)
    if lines:
        parts.append("<p>" + "<br>".join(esc(line) for line in lines) + "</p>")
    if event.note:
        parts.append(f"<p>{esc(event.note)}</p>")
    parts.append(f"<p>{esc(date_label(event.on))} · source: {source_html(event.source, sources)}</p>")
    return "".join(parts)


def _era(span: Custody) -> dict[str, Any]:
    # A closed period ends on the day of the fact that ended it; an open one on V (or the death).
    last = span.end if span.until else max(span.start, span.end - timedelta(days=1))
    until = f" until {date_label(span.until.on)} ({span.until.type})" if span.until else ""
    return {"start_date": _day(span.start), "end_date": _day(last),
            "text": {"headline": span.kind.replace("_", " "),
                     "text": esc(f"from {date_label(span.cause.on)} ({span.cause.type}){until}")}}
